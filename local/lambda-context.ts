/**
 * The Lambda context the local stack hands its handlers: what Lambda passes, with a clock that starts
 * now and runs for the production function's timeout, so a handler that watches its remaining time
 * behaves as it would in AWS.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function localLambdaContext(options: {
  readonly functionName: string;
  readonly region: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}): Context {
  const { functionName, region } = options;
  const deadline = Date.now() + options.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

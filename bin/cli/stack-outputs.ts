/**
 * Where an operator's deployment is: the outputs of its CloudFormation stack, `Makul-<operator id>`
 * (bin/app.ts names it; lib/makul-stack.ts writes the outputs), read once with DescribeStacks in the
 * operator's region and with the standard AWS credential chain (environment, AWS_PROFILE and ~/.aws,
 * SSO, …). So `--operator ID` is enough to reach the deployed tables and secret; `--requests-table`,
 * `--subjects-table` and `--hmac-secret-arn` still override each output (and when all that a command
 * needs is given, CloudFormation is not asked at all).
 *
 * The SDK's own endpoint setting (`AWS_ENDPOINT_URL_CLOUDFORMATION`) or `endpoint` points it elsewhere:
 * the tests give it a stand-in on 127.0.0.1.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AWS_CALL_TIMEOUTS, sdkClientTimeouts } from '../../functions/shared/aws-timeouts';
import { CommandFailure, NO_CREDENTIALS } from './ops-failure';

/** The outputs the ops commands read, as lib/makul-stack.ts names them. */
export type StackOutputKey = 'RequestsTable' | 'SubjectsTable' | 'HmacSecretArn';

/** The option that overrides each output, for messages. */
export const OUTPUT_OVERRIDE: Readonly<Record<StackOutputKey, string>> = {
  RequestsTable: '--requests-table NAME',
  SubjectsTable: '--subjects-table NAME',
  HmacSecretArn: '--hmac-secret-arn ARN',
};

/** The stack of an operator (bin/app.ts). */
export function stackNameOf(operatorId: string): string {
  return `Makul-${operatorId}`;
}

export interface StackOutputsOptions {
  /** CloudFormation's endpoint (tests); otherwise the SDK's own setting or AWS's. */
  readonly endpoint?: string;
}

export interface StackOutputs {
  readonly stackName: string;
  readonly region: string;
  /** The value of one output; a CommandFailure naming the stack, the region and the override if absent. */
  value(key: StackOutputKey): string;
}

/** Reads the operator's stack's outputs (one DescribeStacks call). Failures are CommandFailures. */
export async function readStackOutputs(
  operatorId: string,
  region: string,
  options: StackOutputsOptions = {},
): Promise<StackOutputs> {
  const stackName = stackNameOf(operatorId);
  // A few seconds and attempts, as the functions use for DynamoDB: DescribeStacks answers at once.
  const client = new CloudFormationClient({
    region,
    ...sdkClientTimeouts(AWS_CALL_TIMEOUTS.dynamodb),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  let outputs: ReadonlyMap<string, string>;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (stack === undefined) throw new CommandFailure(notFound(stackName, region));
    outputs = new Map(
      (stack.Outputs ?? []).flatMap((output) =>
        output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue]] : [],
      ),
    );
  } catch (error) {
    throw new CommandFailure(explainDescribeStacks(error, stackName, region));
  } finally {
    client.destroy();
  }
  return {
    stackName,
    region,
    value(key) {
      const value = outputs.get(key);
      if (value === undefined || value === '')
        throw new CommandFailure(
          `stack ${stackName} in ${region} has no output ${key}: deploy the current version ` +
            `(npx cdk deploy ${stackName}), or give ${OUTPUT_OVERRIDE[key]}`,
        );
      return value;
    },
  };
}

function notFound(stackName: string, region: string): string {
  return (
    `no stack ${stackName} in ${region}: check --operator (the stack is Makul-<operator id>) and the ` +
    `operator's env.region in the operators file, or the AWS account your credentials are for`
  );
}

/** DescribeStacks' failures, each as one line a person can act on. */
function explainDescribeStacks(error: unknown, stackName: string, region: string): string {
  if (error instanceof CommandFailure) return error.message;
  const { name, message } = error as { name?: string; message?: string };
  if (name === 'CredentialsProviderError') return NO_CREDENTIALS;
  // CloudFormation says a missing stack with a ValidationError ("Stack with id … does not exist").
  if (name === 'ValidationError' && /does not exist/i.test(message ?? '')) return notFound(stackName, region);
  if (name === 'AccessDenied' || name === 'AccessDeniedException')
    return `not allowed to read stack ${stackName} in ${region} (cloudformation:DescribeStacks): ${message ?? name}`;
  return `cannot read stack ${stackName} in ${region}: ${name ?? 'Error'}${message ? `: ${message}` : ''}`;
}

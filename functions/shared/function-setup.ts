/**
 * What every makul function builds once per cold start (configuration, logger, adapters, metrics), and
 * the dependencies its use cases get on each invocation. Handlers stay a few lines of middy wiring.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { InboundDependencies } from '../app/handle-inbound-mail';
import { type FunctionConfig, loadFunctionConfig } from './config';
import { createLogger, type Logger } from './log';
import { functionMetrics } from './metrics';
import { hmacKey, hmacKeyOf } from './middleware/hmac-key';
import { createRuntime, type Runtime } from './runtime';

export interface FunctionSetup {
  readonly config: FunctionConfig;
  readonly log: Logger;
  readonly runtime: Runtime;
  /** Middleware every handler uses first: the HMAC key, and publishing the invocation's metrics. */
  readonly middleware: readonly middy.MiddlewareObj[];
  /** The use cases' dependencies for one invocation (the key is loaded by then). */
  dependencies(context: Context): InboundDependencies;
}

export function setUpFunction(
  functionName: string,
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
): FunctionSetup {
  const config = loadFunctionConfig(environment, functionName);
  const { profile } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: functionName, operator: profile.operator.id });
  const runtime = createRuntime(config, environment);
  const metrics = functionMetrics(functionName, profile.operator.id, environment);
  return {
    config,
    log,
    runtime,
    middleware: [hmacKey(runtime.keySource), ...metrics.middleware],
    dependencies: (context) => ({
      ...runtime,
      profile,
      metrics: metrics.recorder,
      hmacKey: hmacKeyOf(context),
      outboundClaimLeaseMs: config.outboundClaimLeaseMs,
      now: () => new Date(),
      log: log.child({ awsRequestId: context.awsRequestId }),
    }),
  };
}

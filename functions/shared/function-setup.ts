/**
 * What every makul function builds once per cold start (configuration, logger, adapters, metrics), and
 * the dependencies its use cases get on each invocation. Handlers stay a few lines of middy wiring.
 *
 * Each handler names the adapters it needs (`buildRuntime`): the public pages, for one, get the register
 * and the key only, so their bundle carries no mail client and the function cannot send mail.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { MetricsRecorder } from '../ports/metrics';
import { type FunctionConfig, loadFunctionConfig } from './config';
import { createLogger, type Logger } from './log';
import { functionMetrics } from './metrics';
import { hmacKey, hmacKeyOf } from './middleware/hmac-key';

/** What every function's use cases get besides its adapters. */
export interface InvocationBasics {
  readonly profile: DeploymentProfile;
  readonly metrics: MetricsRecorder;
  readonly hmacKey: string;
  readonly outboundClaimLeaseMs: number;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface FunctionSetup<TRuntime extends { readonly keySource: HmacKeySource }> {
  readonly config: FunctionConfig;
  readonly log: Logger;
  readonly runtime: TRuntime;
  /** Middleware every handler uses first: the HMAC key, and publishing the invocation's metrics. */
  readonly middleware: readonly middy.MiddlewareObj[];
  /** The use cases' dependencies for one invocation (the key is loaded by then). */
  dependencies(context: Context): TRuntime & InvocationBasics;
}

export function setUpFunction<TRuntime extends { readonly keySource: HmacKeySource }>(
  functionName: string,
  environment: NodeJS.ProcessEnv,
  buildRuntime: (config: FunctionConfig, environment: NodeJS.ProcessEnv) => TRuntime,
  logger?: Logger,
): FunctionSetup<TRuntime> {
  const config = loadFunctionConfig(environment, functionName);
  const { profile } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: functionName, operator: profile.operator.id });
  const runtime = buildRuntime(config, environment);
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

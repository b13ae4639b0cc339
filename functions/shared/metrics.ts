/**
 * A function's metrics: EMF through Powertools inside Lambda, published once per invocation by its
 * middleware; outside Lambda (the local stack, tests) counted in memory, where nothing reads EMF and
 * its JSON lines would only bury the output a person reads.
 */

import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import { EmfMetrics } from '../adapters/cloudwatch/emf-metrics';
import { CountingMetrics, type MetricsRecorder } from '../ports/metrics';

export interface FunctionMetrics {
  readonly recorder: MetricsRecorder;
  /** Publishes the invocation's metrics; none outside Lambda. */
  readonly middleware: readonly middy.MiddlewareObj[];
}

export function functionMetrics(
  functionName: string,
  operatorId: string,
  environment: NodeJS.ProcessEnv,
): FunctionMetrics {
  if (!environment.AWS_LAMBDA_FUNCTION_NAME) return { recorder: new CountingMetrics(), middleware: [] };
  const emf = new EmfMetrics(functionName, operatorId);
  return { recorder: emf, middleware: [logMetrics(emf.metrics) as middy.MiddlewareObj] };
}

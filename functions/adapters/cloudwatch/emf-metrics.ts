/**
 * Metrics for CloudWatch as Embedded Metric Format log lines, through Powertools Metrics (~15 KB
 * bundled): no API call on the request path, and CloudWatch extracts the metrics from the function's
 * log. Published once per invocation by Powertools' `logMetrics` middleware.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRICS_NAMESPACE,
  type MetricDimensions,
  type MetricName,
  type MetricsRecorder,
} from '../../ports/metrics';

/**
 * Powertools warns "No application metrics to publish" after every invocation that stored none in its
 * shared set. makul publishes each metric with dimensions on its own (count below), so an empty shared
 * set is the usual case, not a mistake: that one warning would fill the log (once per page view). Every
 * other warning still goes to the console.
 */
const QUIET_WHEN_EMPTY = {
  ...console,
  warn: (message?: unknown, ...rest: unknown[]): void => {
    if (typeof message === 'string' && message.startsWith('No application metrics to publish')) return;
    console.warn(message, ...rest);
  },
};

export class EmfMetrics implements MetricsRecorder {
  readonly metrics: Metrics;

  constructor(functionName: string, operatorId: string) {
    this.metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: functionName,
      defaultDimensions: { operator: operatorId },
      logger: QUIET_WHEN_EMPTY,
    });
  }

  count(name: MetricName, dimensions: MetricDimensions = {}): void {
    if (Object.keys(dimensions).length === 0) {
      this.metrics.addMetric(name, MetricUnit.Count, 1);
      return;
    }
    // A metric with its own dimensions is its own EMF document, so dimensions never mix between metrics.
    const single = this.metrics.singleMetric();
    single.addDimensions({ ...dimensions });
    single.addMetric(name, MetricUnit.Count, 1);
  }

  gauge(name: MetricName, value: number, unit: 'Count' | 'None'): void {
    this.metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.NoUnit, value);
  }
}

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

export class EmfMetrics implements MetricsRecorder {
  readonly metrics: Metrics;

  constructor(functionName: string, operatorId: string) {
    this.metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: functionName,
      defaultDimensions: { operator: operatorId },
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

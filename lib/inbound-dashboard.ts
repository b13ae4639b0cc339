/**
 * One CloudWatch dashboard for the deployment, read top to bottom the way mail flows:
 * alarms (all of them), queue, function, what makul decided and sent (its own metrics), sending
 * reputation, then the public pages the mail links to, the status API marketing systems ask, and the
 * status-change processor behind its change feed and events.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/ports/metrics';

export interface InboundDashboardProps {
  readonly operatorId: string;
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly inboundFunction: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly bounceRate: cloudwatch.IMetric;
  readonly complaintRate: cloudwatch.IMetric;
  /**
   * The public pages' row (lib/public-pages-api.ts); their alarms join the alarm widget at the top.
   * @default - no row for the public pages
   */
  readonly publicPages?: HttpApiDashboardRow;
  /**
   * The status API's row (lib/status-api.ts); its alarms join the alarm widget.
   * @default - no row for the status API
   */
  readonly statusApi?: HttpApiDashboardRow;
  /**
   * The status-change processor's row (lib/status-changes.ts); its alarms join the alarm widget.
   * @default - no row for the processor
   */
  readonly statusChanges?: StatusChangesDashboardRow;
}

/** One HTTP API and the function behind it (the public pages, the status API). */
export interface HttpApiDashboardRow {
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly api: apigwv2.IHttpApi;
  readonly apiFunction: lambda.IFunction;
  /** Requests API Gateway refused with 429 (an access-log metric filter). */
  readonly throttledRequests: cloudwatch.IMetric;
}

export interface StatusChangesDashboardRow {
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly processorFunction: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
}

export class InboundDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: InboundDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `makul-${props.operatorId}-inbound`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [
          ...props.alarms,
          ...(props.publicPages?.alarms ?? []),
          ...(props.statusApi?.alarms ?? []),
          ...(props.statusChanges?.alarms ?? []),
        ],
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue: waiting and in flight',
        left: [
          props.queue.metricApproximateNumberOfMessagesVisible({ period, label: 'waiting' }),
          props.queue.metricApproximateNumberOfMessagesNotVisible({ period, label: 'in flight' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue: age of oldest message (s)',
        left: [
          props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue',
        left: [
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'parked messages',
          }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function: invocations, errors, throttles',
        left: [
          props.inboundFunction.metricInvocations({ period, statistic: cloudwatch.Stats.SUM }),
          props.inboundFunction.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
          props.inboundFunction.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function: duration (ms)',
        left: [
          props.inboundFunction.metricDuration({ period, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
          props.inboundFunction.metricDuration({ period, statistic: cloudwatch.Stats.p(99), label: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function: concurrent executions',
        left: [
          props.inboundFunction.metric('ConcurrentExecutions', {
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        ],
        width: 8,
      }),
    );
    // makul's own metrics (functions/ports/metrics.ts): what it decided and what went out.
    const makul = (
      metricName: string,
      service: string,
      label: string,
      statistic: string = cloudwatch.Stats.SUM,
    ) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { operator: props.operatorId, service },
        statistic,
        period,
        label,
      });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Outbound: sent, deferred, in doubt',
        left: [
          makul('RepliesSent', 'inbound-email', 'replies sent'),
          makul('ForwardsSent', 'inbound-email', 'forwards sent'),
          makul('RepliesSent', 'deferred-outbound', 'deferred replies sent'),
          makul('OperatorLimitReached', 'inbound-email', 'operator limit reached'),
          makul('OutboundInDoubt', 'inbound-email', 'in doubt'),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Held and duplicate requests',
        left: [
          makul('Duplicates', 'inbound-email', 'duplicates'),
          new cloudwatch.MathExpression({
            label: 'held (spam, DMARC)',
            expression: `SEARCH('{${METRICS_NAMESPACE},operator,reason,service} MetricName="Held" operator="${props.operatorId}"', 'Sum', 300)`,
            period,
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deferred: waiting, oldest (hours)',
        left: [makul('DeferredWaiting', 'deferred-outbound', 'waiting', cloudwatch.Stats.MAXIMUM)],
        right: [makul('OldestDeferredHours', 'deferred-outbound', 'oldest (h)', cloudwatch.Stats.MAXIMUM)],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'SES reputation of makul mail (rate, 0–1)',
        left: [props.bounceRate, props.complaintRate],
        width: 24,
      }),
    );
    if (props.publicPages) {
      const names = {
        api: 'Public pages',
        fn: 'Pages function',
        clientErrors: '4xx (404s and 429s included)',
      };
      this.addHttpApiRow(props.publicPages, names, period);
    }
    if (props.statusApi) {
      const names = {
        api: 'Status API',
        fn: 'Status function',
        clientErrors: '4xx (403s and 429s included)',
      };
      this.addHttpApiRow(props.statusApi, names, period);
    }
    if (props.statusChanges) this.addStatusChangesRow(props.statusChanges, props.operatorId, period);
  }

  /**
   * A row for one HTTP API: its requests and errors (the 4xx count includes the 429s API Gateway
   * answers, and `clientErrors` names what else it holds), its latency, and its function.
   */
  private addHttpApiRow(
    row: HttpApiDashboardRow,
    names: { readonly api: string; readonly fn: string; readonly clientErrors: string },
    period: Duration,
  ): void {
    const sum = cloudwatch.Stats.SUM;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${names.api}: requests, 4xx, 5xx, throttled`,
        left: [
          row.api.metricCount({ period, statistic: sum, label: 'requests' }),
          row.api.metricClientError({ period, statistic: sum, label: names.clientErrors }),
          row.api.metricServerError({ period, statistic: sum, label: '5xx' }),
          row.throttledRequests,
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${names.api}: latency (ms)`,
        left: [
          row.api.metricLatency({ period, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
          row.api.metricLatency({ period, statistic: cloudwatch.Stats.p(99), label: 'p99' }),
          row.api.metricIntegrationLatency({
            period,
            statistic: cloudwatch.Stats.p(99),
            label: 'function p99',
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${names.fn}: invocations, errors, throttles`,
        left: [
          row.apiFunction.metricInvocations({ period, statistic: sum }),
          row.apiFunction.metricErrors({ period, statistic: sum }),
          row.apiFunction.metricThrottles({ period, statistic: sum }),
        ],
        width: 8,
      }),
    );
  }

  private addStatusChangesRow(
    changes: StatusChangesDashboardRow,
    operatorId: string,
    period: Duration,
  ): void {
    const sum = cloudwatch.Stats.SUM;
    const fn = changes.processorFunction;
    // The processor's own metrics (service `status-changes`). StatusChanges carries the new state
    // (marketing, processing) and ContactListSynced the outcome as dimensions of their own, so both are
    // searched: the first summed into one line, the second a line per outcome.
    const search = (metricName: string, dimensions: string) =>
      `SEARCH('{${METRICS_NAMESPACE},${dimensions}} MetricName="${metricName}" operator="${operatorId}"', 'Sum', ${period.toSeconds()})`;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Status changes: invocations, errors',
        left: [fn.metricInvocations({ period, statistic: sum }), fn.metricErrors({ period, statistic: sum })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Status changes: stream behind (iterator age, ms)',
        left: [fn.metric('IteratorAge', { period, statistic: cloudwatch.Stats.MAXIMUM, label: 'max' })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Status changes: dead-letter queue',
        left: [
          changes.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'parked messages',
          }),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Status changes: feed, events, contact list',
        left: [
          new cloudwatch.MathExpression({
            label: 'appended to the feed',
            expression: `SUM(${search('StatusChanges', 'marketing,operator,processing,service')})`,
            period,
          }),
          new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'StatusEventsPublished',
            dimensionsMap: { operator: operatorId, service: 'status-changes' },
            statistic: sum,
            period,
            label: 'events published',
          }),
          new cloudwatch.MathExpression({
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudWatch dynamic label (each line names its outcome), not a template.
            label: "contact list: ${PROP('Dim.outcome')}",
            expression: search('ContactListSynced', 'operator,outcome,service'),
            period,
          }),
        ],
        width: 6,
      }),
    );
  }
}

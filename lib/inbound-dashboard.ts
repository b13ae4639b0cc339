/**
 * One CloudWatch dashboard for the inbound path, read top to bottom the way mail flows:
 * alarms, queue, function, sending reputation.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface InboundDashboardProps {
  readonly operatorId: string;
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly inboundFunction: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly bounceRate: cloudwatch.IMetric;
  readonly complaintRate: cloudwatch.IMetric;
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
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 3 }),
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
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'SES reputation of makul mail (rate, 0–1)',
        left: [props.bounceRate, props.complaintRate],
        width: 24,
      }),
    );
  }
}

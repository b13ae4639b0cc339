/**
 * Alarms for the inbound path, sent to an encrypted SNS topic that emails the data-protection officer.
 * Each alarm's description says what it means and which runbook section to follow (docs/runbook.md).
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/ports/metrics';

/**
 * SES puts an account under review at a 5% bounce rate and 0.1% complaint rate; the alarms fire at
 * about four fifths of that, while there is still time to act.
 */
export const SES_BOUNCE_RATE_ALARM = 0.04;
export const SES_COMPLAINT_RATE_ALARM = 0.0008;

/**
 * Unsubscribe must take effect at once (38-FZ art. 18), so mail waiting longer than this means the
 * pipeline is stuck, not busy.
 */
export const OLDEST_MESSAGE_AGE_ALARM = Duration.minutes(15);

/** A reply deferred by a rate limit should go within a day (the mailbox limit resets at midnight). */
export const DEFERRED_AGE_ALARM_HOURS = 24;

/** The functions that publish makul's own metrics (EMF `service` dimension). */
const METRIC_SERVICES = ['inbound-email', 'deferred-outbound'] as const;

export interface InboundAlarmsProps {
  readonly operatorId: string;
  /** Where alarms are emailed: the DPO from the operator profile. */
  readonly alarmEmail: string;
  readonly inboundFunction: lambda.IFunction;
  /** The scheduled job that sends deferred replies and forwards. */
  readonly deferredOutboundFunction: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** Configuration set whose reputation metrics the SES alarms watch. */
  readonly configurationSetName: string;
}

export class InboundAlarms extends Construct {
  public readonly alarmTopic: sns.Topic;
  public readonly alarms: readonly cloudwatch.Alarm[];
  public readonly bounceRate: cloudwatch.Metric;
  public readonly complaintRate: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: InboundAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const alarmKey = new kms.Key(this, 'AlarmKey', {
      description: `makul ${props.operatorId}: alarm notifications`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch can publish to an encrypted topic only if the key lets it; the AWS-managed SNS key does not.
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          // Alarm ARNs are arn:aws:cloudwatch:region:account:alarm:NAME (colon, not slash).
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'Topic', {
      displayName: `makul ${props.operatorId} alarms`,
      masterKey: alarmKey,
      enforceSSL: true,
    });
    const emailSubscription = new sns.Subscription(this, 'DpoEmail', {
      topic: this.alarmTopic,
      protocol: sns.SubscriptionProtocol.EMAIL,
      endpoint: props.alarmEmail,
    });
    Validations.of(emailSubscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'Email deliveries are retried by SNS itself; a dead-letter queue for alarm mail would need its own alarm, which would publish to this same topic.',
    });

    const alarmAction = new cloudwatchActions.SnsAction(this.alarmTopic);
    const fiveMinutes = Duration.minutes(5);

    this.bounceRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      dimensionsMap: { 'ses:configuration-set': props.configurationSetName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.hours(1),
    });
    this.complaintRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.ComplaintRate',
      dimensionsMap: { 'ses:configuration-set': props.configurationSetName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.hours(1),
    });

    // makul's own metrics (functions/ports/metrics.ts), summed over the functions that publish them.
    const makulSum = (metricName: string, label: string): cloudwatch.IMetric =>
      new cloudwatch.MathExpression({
        label,
        expression: METRIC_SERVICES.map((_, index) => `FILL(m${index}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(
          METRIC_SERVICES.map((service, index) => [
            `m${index}`,
            new cloudwatch.Metric({
              namespace: METRICS_NAMESPACE,
              metricName,
              dimensionsMap: { operator: props.operatorId, service },
              statistic: cloudwatch.Stats.SUM,
              period: fiveMinutes,
            }),
          ]),
        ),
        period: fiveMinutes,
      });

    /** What the definitions below leave out: every alarm fires at or above its threshold, in one period. */
    type AlarmDefinition = {
      readonly id: string;
      readonly props: Omit<
        cloudwatch.AlarmProps,
        'comparisonOperator' | 'evaluationPeriods' | 'treatMissingData'
      >;
    };
    const definitions: readonly AlarmDefinition[] = [
      {
        id: 'OutboundInDoubt',
        props: {
          alarmDescription:
            'A reply or forward may or may not have gone out (SES gave no clear answer, or an attempt vanished mid-send); it will not be sent again. Runbook: "Outbound in doubt".',
          metric: makulSum('OutboundInDoubt', 'in doubt'),
          threshold: 1,
        },
      },
      {
        id: 'OperatorLimitReached',
        props: {
          alarmDescription:
            'makul reached the operator-wide hourly limit of replies or forwards: a flood of (possibly forged) requests, or a limit set too low. Messages wait, none is lost. Runbook: "Operator-wide limit reached".',
          metric: makulSum('OperatorLimitReached', 'limit reached'),
          threshold: 1,
        },
      },
      {
        id: 'DeferredTooLong',
        props: {
          alarmDescription: `A deferred reply or forward has waited more than ${DEFERRED_AGE_ALARM_HOURS} hours. Runbook: "Deferred replies".`,
          metric: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'OldestDeferredHours',
            dimensionsMap: { operator: props.operatorId, service: 'deferred-outbound' },
            statistic: cloudwatch.Stats.MAXIMUM,
            period: fiveMinutes,
          }),
          threshold: DEFERRED_AGE_ALARM_HOURS,
        },
      },
      {
        id: 'DeferredOutboundErrors',
        props: {
          alarmDescription:
            'The deferred-outbound job failed: waiting replies are not going out. Runbook: "Deferred replies".',
          metric: props.deferredOutboundFunction.metricErrors({
            statistic: cloudwatch.Stats.SUM,
            period: fiveMinutes,
          }),
          threshold: 1,
        },
      },
      {
        id: 'DeadLetterQueueNotEmpty',
        props: {
          alarmDescription:
            'Inbound mail failed 5 times and waits in the dead-letter queue: a data-subject request is not being handled. Runbook: "Redrive the dead-letter queue".',
          metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.minutes(1),
          }),
          threshold: 1,
        },
      },
      {
        id: 'InboundBacklog',
        props: {
          alarmDescription: `Inbound mail has waited more than ${OLDEST_MESSAGE_AGE_ALARM.toMinutes()} minutes: the function is failing, throttled or disabled. Runbook: "Inbound backlog".`,
          metric: props.queue.metricApproximateAgeOfOldestMessage({
            statistic: cloudwatch.Stats.MAXIMUM,
            period: fiveMinutes,
          }),
          threshold: OLDEST_MESSAGE_AGE_ALARM.toSeconds(),
        },
      },
      {
        id: 'FunctionErrors',
        props: {
          alarmDescription:
            'The inbound function crashed or timed out (per-message failures are retried, not counted here). Runbook: "Function errors".',
          metric: props.inboundFunction.metricErrors({
            statistic: cloudwatch.Stats.SUM,
            period: fiveMinutes,
          }),
          threshold: 1,
        },
      },
      {
        id: 'FunctionThrottles',
        props: {
          alarmDescription:
            'The inbound function was throttled: the event source asks for more than its reserved concurrency. Runbook: "Function throttles".',
          metric: props.inboundFunction.metricThrottles({
            statistic: cloudwatch.Stats.SUM,
            period: fiveMinutes,
          }),
          threshold: 1,
        },
      },
      {
        id: 'SesBounceRate',
        props: {
          alarmDescription: `Bounce rate of makul's mail is at least ${SES_BOUNCE_RATE_ALARM * 100}% (SES reviews the account at 5%). Runbook: "SES bounce or complaint rate".`,
          metric: this.bounceRate,
          threshold: SES_BOUNCE_RATE_ALARM,
        },
      },
      {
        id: 'SesComplaintRate',
        props: {
          alarmDescription: `Complaint rate of makul's mail is at least ${SES_COMPLAINT_RATE_ALARM * 100}% (SES reviews the account at 0.1%). Runbook: "SES bounce or complaint rate".`,
          metric: this.complaintRate,
          threshold: SES_COMPLAINT_RATE_ALARM,
        },
      },
    ];

    this.alarms = definitions.map((definition) => {
      const alarm = new cloudwatch.Alarm(this, definition.id, {
        ...definition.props,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No data means nothing happened (SES publishes rates only after enough mail): not a problem.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(alarmAction);
      // The DPO also learns when the problem is over, so nobody keeps working an incident that resolved.
      alarm.addOkAction(alarmAction);
      return alarm;
    });
  }
}

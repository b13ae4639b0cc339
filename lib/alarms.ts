/**
 * The alarms of the HTTP APIs and the status-change processor, made one way: each fires at or above its
 * threshold within one period, tells the alarm topic when it fires and when it clears, and stays quiet
 * without data (no requests, no changes: nothing went wrong).
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

export interface AlarmDefinition {
  /** The construct id, and so the end of the alarm's name (`…/ServerErrors`). */
  readonly id: string;
  /** What it means and the runbook section to read: the DPO sees this in the notification. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
}

export function alarmsTo(
  scope: Construct,
  topic: sns.ITopic,
  definitions: readonly AlarmDefinition[],
): cloudwatch.Alarm[] {
  const action = new cloudwatchActions.SnsAction(topic);
  return definitions.map((definition) => {
    const alarm = new cloudwatch.Alarm(scope, definition.id, {
      alarmDescription: definition.description,
      metric: definition.metric,
      threshold: definition.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  });
}

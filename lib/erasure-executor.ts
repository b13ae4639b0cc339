/**
 * The erasure executor: a function run every 15 minutes by EventBridge Scheduler that executes the
 * confirmed erasures and consent withdrawals whose operator systems have all answered
 * (functions/app/execute-erasure.ts), writes their destruction acts and completes them. Its alarms go
 * to the stack's alarm topic, which emails the DPO.
 *
 *   schedule (15 min) ──▶ λ erasure-executor ──Query by-status-due, by-subject──▶ requests table
 *                              ├──▶ REMOVE sealed data, DELETE tokens, PUT act + audit (requests table)
 *                              ├──▶ S3 DeleteObject raw/* (raw mail bucket)
 *                              └──▶ metrics ──▶ ErasuresExecuted, ErasureFailures, ErasuresOverdue
 *
 * Least privilege: the requests table only (the subjects table, where the suppression entry stays, is
 * not granted at all); reads through the two indexes it uses; writes only on keys `REQ#…` (entries,
 * audit) and `ACT#…` (acts); deletes only on `TOKEN#…` and `REQ#…` (a token's pointer); S3 DeleteObject
 * only below the raw-mail prefix (never GetObject: it never reads mail); the HMAC key only when the
 * operator's acts name the subject's address.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FUNCTION_NAME } from '../functions/erasure-executor/settings';
import { METRICS_NAMESPACE, type MetricName } from '../functions/ports/metrics';
import { FULFILMENT_KEYS, REQUEST_INDEXES } from '../functions/shared/table-design';
import { alarmsTo } from './alarms';
import { RAW_MAIL_PREFIX } from './inbound-mail-receiving';
import type { MakulTables } from './makul-tables';
import { ScheduledFunction } from './scheduled-function';

/** Every 15 minutes: an erasure whose last system answered is executed within the quarter-hour. */
export const ERASURE_EXECUTOR_SCHEDULE = scheduler.ScheduleExpression.rate(Duration.minutes(15));

/** Alarm period: a failure or an overdue erasure is seen within the run that found it. */
const ALARM_PERIOD = Duration.minutes(15);

export interface ErasureExecutorProps {
  readonly operatorId: string;
  /** TypeScript entry of the function (functions/erasure-executor/index.ts). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /** The environment every makul function gets (functionEnvironment). */
  readonly environment: Readonly<Record<string, string>>;
  /** The requests table (entries, tokens, tasks, acts); the subjects table is not used. */
  readonly tables: MakulTables;
  /** The bucket SES stores raw mail in: the executor deletes a subject's objects below `raw/`. */
  readonly rawMailBucket: s3.IBucket;
  /** Where the alarms go (and their all-clear): the stack's alarm topic, mailed to the DPO. */
  readonly alarmTopic: sns.ITopic;
  /**
   * The operator's acts name the subject's address (destructionActNamesAddress): the function then
   * reads the HMAC key to open it.
   * @default false
   */
  readonly actsNameAddress?: boolean;
  /**
   * A row on this dashboard (its alarms, its counts, its invocations).
   * @default - no row
   */
  readonly dashboard?: cloudwatch.Dashboard;
  /**
   * A run deletes a few objects and writes a few items per request; two minutes leave room for a
   * backlog and for DynamoDB and S3 retries (functions/shared/aws-timeouts.ts).
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

export class ErasureExecutor extends Construct {
  public readonly job: ScheduledFunction;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ErasureExecutorProps) {
    super(scope, id);
    this.job = new ScheduledFunction(this, 'Job', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: executes confirmed erasures and writes their destruction acts`,
      timeout: props.timeout ?? Duration.minutes(2),
      memorySize: 512,
      // One run at a time: two would only race for the same requests (the completion is conditional anyway).
      reservedConcurrentExecutions: 1,
      environment: props.environment,
      schedule: ERASURE_EXECUTOR_SCHEDULE,
    });
    const fn = this.job.fn.function;
    this.grantRegisterAccess(fn, props.tables);
    this.grantRawMailDeletion(this.job.fn.role, props.rawMailBucket);
    if (props.actsNameAddress) props.tables.grantReadHmacKey(fn);
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked by EventBridge Scheduler, which retries a failed run; every run works from the register’s in-progress list, and each step of an erasure is idempotent, so the next run (15 minutes later) redoes what a failed one left.',
    });
    this.alarms = this.createAlarms(props.operatorId, props.alarmTopic);
    if (props.dashboard) this.addDashboardRow(props.dashboard, props.operatorId);
  }

  /** A metric the executor publishes, as its alarms and the dashboard read it. */
  metric(metricName: MetricName, operatorId: string, statistic: string, label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { operator: operatorId, service: FUNCTION_NAME },
      statistic,
      period: ALARM_PERIOD,
      ...(label ? { label } : {}),
    });
  }

  private grantRegisterAccess(fn: iam.IGrantable, tables: MakulTables): void {
    const requests = tables.requests;
    const principal = fn.grantPrincipal;
    const indexes = [REQUEST_INDEXES.byStatusDue.indexName, REQUEST_INDEXES.bySubject.indexName];
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [requests.tableArn, ...indexes.map((index) => `${requests.tableArn}/index/${index}`)],
      }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // TransactWriteItems is authorised per item against these.
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
        resources: [requests.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['REQ#*', `${FULFILMENT_KEYS.actPartitionPrefix}*`],
          },
        },
      }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [requests.tableArn],
        // Tokens and their pointers only: never an entry, an audit item or an act.
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*', 'REQ#*'] } },
      }),
    );
    const stack = Stack.of(this);
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [tables.encryptionKey.keyArn],
        // The table's key only through DynamoDB, as every makul function uses it (lib/makul-tables.ts).
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  private grantRawMailDeletion(role: iam.Role, bucket: s3.IBucket): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [bucket.arnForObjects(`${RAW_MAIL_PREFIX}*`)],
      }),
    );
    const bucketLogicalId = Stack.of(this).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    // On the role, whose default policy carries the statement (as lib/inbound-mail-receiving.ts does).
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${RAW_MAIL_PREFIX}*]`,
      reason:
        'Objects are named after SES message ids, known only from each request; the wildcard is limited to the raw-mail prefix of this one bucket, and to DeleteObject.',
    });
  }

  private createAlarms(operatorId: string, topic: sns.ITopic): cloudwatch.Alarm[] {
    const sum = cloudwatch.Stats.SUM;
    return alarmsTo(this, topic, [
      {
        id: 'ErasureFailures',
        description:
          'An erasure failed part-way: the request stays in progress (nothing is half-done silently) and the next run, within 15 minutes, redoes it. Repeated failures: read the executor’s log by request id, then `makul erasure run --dry-run`. Runbook: "Erasure failures".',
        metric: this.metric('ErasureFailures', operatorId, sum),
        threshold: 1,
      },
      {
        id: 'ErasuresOverdue',
        description:
          'URGENT: at least one erasure or consent withdrawal is past its legal due date and not executed (a system has not answered or refused, or executions fail). `makul erasure run --dry-run` says why for each. Runbook: "Erasures overdue".',
        metric: this.metric('ErasuresOverdue', operatorId, cloudwatch.Stats.MAXIMUM),
        threshold: 1,
      },
      {
        id: 'FunctionErrors',
        description:
          'The erasure executor failed as a whole (the register could not be read): no erasure is executed until a run succeeds. Runbook: "Erasure failures".',
        metric: this.job.fn.function.metricErrors({ statistic: sum, period: ALARM_PERIOD }),
        threshold: 1,
      },
    ]);
  }

  private addDashboardRow(dashboard: cloudwatch.Dashboard, operatorId: string): void {
    const fn = this.job.fn.function;
    const sum = cloudwatch.Stats.SUM;
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Erasure executor: alarms',
        alarms: [...this.alarms],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Erasures: executed, failed, overdue',
        left: [
          this.metric('ErasuresExecuted', operatorId, sum, 'executed'),
          this.metric('ErasureFailures', operatorId, sum, 'failed'),
          this.metric('ErasuresOverdue', operatorId, cloudwatch.Stats.MAXIMUM, 'overdue'),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Erasure executor: invocations, errors',
        left: [
          fn.metricInvocations({ period: ALARM_PERIOD, statistic: sum }),
          fn.metricErrors({ period: ALARM_PERIOD, statistic: sum }),
        ],
        width: 8,
      }),
    );
  }
}

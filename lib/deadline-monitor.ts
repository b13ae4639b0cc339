/**
 * The deadline monitor: a function run hourly by EventBridge Scheduler that reads the open requests by
 * status and due date, publishes how many are overdue and due soon and whether the official calendar
 * has the current and next year, and once a local day mails the digest to the DPO
 * (functions/app/monitor-deadlines.ts). Its alarms go to the stack's alarm topic, which emails the DPO.
 *
 *   schedule (hourly) ──▶ λ deadline-monitor ──Query by-status-due──▶ requests table
 *                                 ├──▶ DIGEST#<day> marker (requests table, conditional writes)
 *                                 ├──▶ SES: the daily digest to the DPO
 *                                 ├──Query REQ#<id> TASK#──▶ the open tasks of the requests it lists
 *                                 └──▶ metrics ──▶ DeadlinesOverdue, DeadlinesDueSoon, TasksOverdue,
 *                                                  CalendarYearMissing
 *
 * Least privilege: Query on the one index it reads (not the other indexes), Query on the table only
 * under request keys (`REQ#*`: the tasks of the requests it lists; IAM cannot narrow a Query to the sort
 * key, and what else is there is sealed with a key this function never gets), item puts
 * and updates (never a delete) only on keys starting `DIGEST#`, the table key only through DynamoDB,
 * sending only from the operator's identity with its configuration set; no HMAC key, no raw mail, no
 * subjects table.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DIGEST_MARKER_PREFIX } from '../functions/adapters/dynamodb/digest-marker';
import { DEFAULT_DIGEST_LOCAL_HOUR } from '../functions/app/monitor-deadlines';
import { digestHourEnvironment, FUNCTION_NAME } from '../functions/deadline-monitor/settings';
import { METRICS_NAMESPACE, type MetricName } from '../functions/ports/metrics';
import { REQUEST_INDEXES } from '../functions/shared/table-design';
import { alarmsTo } from './alarms';
import type { MailSendingIdentity } from './mail-sending-identity';
import type { MakulTables } from './makul-tables';
import { ScheduledFunction } from './scheduled-function';

/**
 * Every hour, five minutes past (UTC): the digest goes out on the first run at or after its local
 * hour, so within the hour in any zone; the gauges the alarms read are never more than an hour old.
 */
export const DEADLINE_MONITOR_SCHEDULE = scheduler.ScheduleExpression.cron({ minute: '5' });

/** The gauges are published once an hour: an alarm period of an hour always holds one run. */
const GAUGE_PERIOD = Duration.hours(1);

export interface DeadlineMonitorProps {
  readonly operatorId: string;
  /** TypeScript entry of the function (functions/deadline-monitor/index.ts). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /** The environment every makul function gets (functionEnvironment); the digest's hour is added. */
  readonly environment: Readonly<Record<string, string>>;
  /** The requests table it reads (one index) and keeps the digest's marker in. */
  readonly tables: MakulTables;
  /** The operator's sending identity: the digest comes from its first support address. */
  readonly sending: MailSendingIdentity;
  /** Where the alarms go (and their all-clear): the stack's alarm topic, mailed to the DPO. */
  readonly alarmTopic: sns.ITopic;
  /**
   * The local hour (0–23, the jurisdiction's zone) from which the day's digest goes out.
   * @default 9
   */
  readonly digestLocalHour?: number;
  /**
   * The operator's `dueSoonWorkingDays`, named in the due-soon alarm's description.
   * @default 2
   */
  readonly dueSoonWorkingDays?: number;
  /**
   * A row for the monitor on this dashboard (its alarms, the gauges, its invocations).
   * @default - no row
   */
  readonly dashboard?: cloudwatch.Dashboard;
  /**
   * Reading four statuses (up to 1,000 entries each) and one send take seconds; a minute leaves room
   * for DynamoDB and SES retries (functions/shared/aws-timeouts.ts).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
}

export class DeadlineMonitor extends Construct {
  public readonly job: ScheduledFunction;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: DeadlineMonitorProps) {
    super(scope, id);
    const digestLocalHour = props.digestLocalHour ?? DEFAULT_DIGEST_LOCAL_HOUR;

    this.job = new ScheduledFunction(this, 'Job', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: watches legal deadlines of open requests and mails the DPO a daily digest`,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: 512,
      // One run at a time: a second would only read the same and race for the same digest marker.
      reservedConcurrentExecutions: 1,
      environment: { ...props.environment, ...digestHourEnvironment(digestLocalHour) },
      schedule: DEADLINE_MONITOR_SCHEDULE,
    });
    const fn = this.job.fn.function;
    this.grantRegisterAccess(fn, props.tables);
    props.sending.grantSend(fn);
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked by EventBridge Scheduler, which retries a failed run; every run reads the register afresh, so a failed run leaves nothing to redeliver and the next run (an hour later) does the same work.',
    });

    this.alarms = this.createAlarms(props, props.dueSoonWorkingDays ?? 2);
    if (props.dashboard) this.addDashboardRow(props.dashboard, props.operatorId);
  }

  /** The gauge the monitor publishes, as its alarms and the dashboard read it. */
  metric(metricName: MetricName, operatorId: string, label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { operator: operatorId, service: FUNCTION_NAME },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: GAUGE_PERIOD,
      ...(label ? { label } : {}),
    });
  }

  private grantRegisterAccess(fn: iam.IGrantable, tables: MakulTables): void {
    const requests = tables.requests;
    const index = REQUEST_INDEXES.byStatusDue.indexName;
    // Reads through the one index it needs: not the table, whose items include tokens and audit trails.
    fn.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${requests.tableArn}/index/${index}`],
      }),
    );
    // The tasks of the requests it lists (functions/adapters/dynamodb/fulfilment-register.ts tasksOf).
    fn.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [requests.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] } },
      }),
    );
    // The digest's once-a-day marker (functions/adapters/dynamodb/digest-marker.ts), and nothing else.
    fn.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [requests.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${DIGEST_MARKER_PREFIX}*`] } },
      }),
    );
    const stack = Stack.of(this);
    fn.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [tables.encryptionKey.keyArn],
        // The table's key only through DynamoDB, as every makul function uses it (lib/makul-tables.ts).
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  private createAlarms(props: DeadlineMonitorProps, dueSoonWorkingDays: number): cloudwatch.Alarm[] {
    const { operatorId } = props;
    return alarmsTo(this, props.alarmTopic, [
      {
        id: 'DeadlinesOverdue',
        description:
          'URGENT: at least one open personal-data request is past its legal due date (requests awaiting the sender’s confirmation are not counted). The daily digest and `makul monitor` list them. Runbook: "Deadlines overdue".',
        metric: this.metric('RequestsOverdue', operatorId),
        threshold: 1,
      },
      {
        id: 'DeadlinesDueSoon',
        description: `At least one open personal-data request is due within ${dueSoonWorkingDays} working days (requests awaiting the sender’s confirmation are not counted). The daily digest and \`makul monitor\` list them. Runbook: "Deadlines due soon".`,
        metric: this.metric('RequestsDueSoon', operatorId),
        threshold: 1,
      },
      {
        id: 'TasksOverdue',
        description:
          'At least one data system has not answered its fulfilment task for a request past its legal due date (erasure, correction, access, …): the request cannot complete until it does. The daily digest and `makul monitor` name the systems ("waiting for"). Runbook: "Tasks overdue".',
        metric: this.metric('FulfilmentTasksOverdue', operatorId),
        threshold: 1,
      },
      {
        id: 'CalendarYearMissing',
        description:
          'The official working-day calendar lacks the current or the next year: due dates there are counted with weekends only (never later than the law’s, maybe earlier). Add the year (config/calendars/README.md) and deploy. Runbook: "Calendar year missing".',
        metric: this.metric('CalendarYearMissing', operatorId),
        threshold: 1,
      },
      {
        id: 'FunctionErrors',
        description:
          'The deadline monitor failed: overdue requests raise no alarm and no digest goes out until a run succeeds. Runbook: "Deadline monitor errors".',
        metric: this.job.fn.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: GAUGE_PERIOD }),
        threshold: 1,
      },
    ]);
  }

  private addDashboardRow(dashboard: cloudwatch.Dashboard, operatorId: string): void {
    const fn = this.job.fn.function;
    const sum = cloudwatch.Stats.SUM;
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Deadline monitor: alarms',
        alarms: [...this.alarms],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deadlines: overdue, due soon, awaiting confirmation',
        left: [
          this.metric('RequestsOverdue', operatorId, 'overdue'),
          this.metric('RequestsDueSoon', operatorId, 'due soon'),
          this.metric('RequestsAwaitingVerification', operatorId, 'awaiting confirmation (not alarmed)'),
          this.metric('FulfilmentTasksOverdue', operatorId, 'open tasks of overdue requests'),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Calendar years missing (current, next)',
        left: [this.metric('CalendarYearMissing', operatorId, 'years missing')],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deadline monitor: invocations, errors',
        left: [
          fn.metricInvocations({ period: GAUGE_PERIOD, statistic: sum }),
          fn.metricErrors({ period: GAUGE_PERIOD, statistic: sum }),
        ],
        width: 6,
      }),
    );
  }
}

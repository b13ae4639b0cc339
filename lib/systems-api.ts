/**
 * The private systems API the operator's data systems carry requests out through (issue 11): an API
 * Gateway HTTP API whose every route needs IAM authorisation (the caller signs with SigV4), in front of
 * the systems function, which may read and answer requests and their tasks in the requests table and
 * read the HMAC key, nothing else. Throttled at the stage, with JSON access logs that never hold a path
 * (request ids), a body or a caller, and alarms to the stack's topic.
 *
 *   GET  /v1/requests/{id}                 the request a task is about (audited per read)
 *   POST /v1/requests/{id}/tasks/{system}  the system's answer: done with an outcome, or refused
 *
 * No `$default` route: anything else gets API Gateway's own 404 without reaching the function. Each
 * system's role gets access through the managed policy built here (docs/systems-api.md); a system that
 * names its role in the operator profile (`callerRoleArn`) is answered for by that role only.
 */
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MakulFunction } from './makul-function';
import type { MakulTables } from './makul-tables';
import { checkApiFunctionTimeout, privateIamApi } from './private-iam-api';

export interface SystemsRoute {
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
}

export const SYSTEMS_ROUTES: readonly SystemsRoute[] = [
  { method: apigwv2.HttpMethod.GET, path: '/v1/requests/{id}' },
  { method: apigwv2.HttpMethod.POST, path: '/v1/requests/{id}/tasks/{system}' },
];

/**
 * Every request, stage-wide. A system reads a request and answers its task once per request, at the
 * pace requests arrive (a few a day to a few hundred): 20 a second with bursts of 40 leaves room for a
 * backlog being worked off, and keeps a runaway client from spending the table's capacity.
 */
export const SYSTEMS_STAGE_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 20, burstLimit: 40 };

/** Throttled requests in 5 minutes that raise the alarm: a system retrying in a loop, or limits too low. */
export const SYSTEMS_THROTTLED_ALARM_THRESHOLD = 10;
export const SYSTEMS_THROTTLED_METRIC_NAME = 'SystemsApiThrottled';

export interface SystemsApiProps {
  readonly operatorId: string;
  /** TypeScript entry of the systems handler (API Gateway HTTP API payload 2.0 events). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /** The environment every makul function gets (functions/shared/config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** The records: the function reads and answers requests and tasks, and reads the HMAC key. */
  readonly tables: MakulTables;
  /** Where the alarms go: the stack's alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Function timeout: a read is two DynamoDB calls and an audit write, an answer a few more and one
   * transaction. A quick 5xx and the system's own retry beat waiting out a hung call; every write is
   * conditional, so a retry after a timeout changes nothing twice.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Reserved (and capped) concurrency: a handful of systems, each a call at a time.
   * @default 5
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default SYSTEMS_STAGE_THROTTLE */
  readonly stageThrottle?: apigwv2.ThrottleSettings;
  /**
   * How long access logs are kept: they carry no paths, bodies or IPs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A row on this dashboard (its alarms, its requests and errors, its function).
   * @default - no row
   */
  readonly dashboard?: cloudwatch.Dashboard;
}

export class SystemsApi extends Construct {
  public readonly fn: MakulFunction;
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;
  /** https://<api id>.execute-api.<region>.amazonaws.com: callers append the route paths to it. */
  public readonly url: string;
  /**
   * What a data system's role needs: execute-api:Invoke on the two routes of this stage, nothing else.
   * Attached to no role here: the operator attaches it to each system's role (docs/systems-api.md).
   */
  public readonly callerPolicy: iam.ManagedPolicy;
  public readonly throttledRequests: cloudwatch.Metric;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: SystemsApiProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    checkApiFunctionTimeout('SystemsApi', timeout);

    this.fn = new MakulFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: systems API (data systems read requests and answer their tasks)`,
      memorySize: 512,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 5,
      environment: props.environment,
    });
    const fn = this.fn.function;
    // The requests table only: the request and its tasks (GetItem, Query), the audit of a read (PutItem),
    // an answer, a completion and its notice (TransactWriteItems: each Put, Update and ConditionCheck
    // inside is authorised against these). No subjects table, no mail: notices are sent by the job.
    props.tables.grantItemActionsOn(fn, 'requests', [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    ]);
    // Addresses and corrections are sealed under a key derived from it; access answers are sealed with it.
    props.tables.grantReadHmacKey(fn);

    ({
      api: this.api,
      stage: this.stage,
      accessLogs: this.accessLogs,
      throttledRequests: this.throttledRequests,
      url: this.url,
      callerPolicy: this.callerPolicy,
      alarms: this.alarms,
    } = privateIamApi(this, {
      name: 'systems',
      operatorId: props.operatorId,
      description: `makul ${props.operatorId}: private API for the operator's data systems (IAM authorisation)`,
      integrationId: 'Systems',
      fn,
      functionTimeout: timeout,
      routes: SYSTEMS_ROUTES,
      stageThrottle: props.stageThrottle ?? SYSTEMS_STAGE_THROTTLE,
      routeThrottles: {},
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      throttledMetricName: SYSTEMS_THROTTLED_METRIC_NAME,
      callerPolicyDescription: `Lets a data system call makul ${props.operatorId}'s systems API (its two routes, nothing else)`,
      // Request ids and system ids are path parameters: a route's ARN names its template with wildcards.
      pathParameterReason:
        'The wildcards stand for the path parameters of the two routes (a request id, a system id): the policy allows these routes of this stage and nothing else.',
      alarmTopic: props.alarmTopic,
      throttledAlarmThreshold: SYSTEMS_THROTTLED_ALARM_THRESHOLD,
      alarmDescriptions: {
        serverErrors:
          'The systems API answered 5xx: a data system could not read a request or report its task (the function failed, timed out or was throttled). Runbook: "Systems API errors" (docs/systems-api.md).',
        throttled: `API Gateway refused at least ${SYSTEMS_THROTTLED_ALARM_THRESHOLD} systems API requests in 5 minutes with 429: a data system is being held back. Runbook: "Systems API throttled" (docs/systems-api.md).`,
        functionErrors:
          'The systems function crashed or timed out (bad requests are answered 4xx and not counted). Runbook: "Systems API errors" (docs/systems-api.md).',
      },
    }));
    if (props.dashboard) this.addDashboardRow(props.dashboard);
  }

  private addDashboardRow(dashboard: cloudwatch.Dashboard): void {
    const sum = cloudwatch.Stats.SUM;
    const fn = this.fn.function;
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Systems API: alarms', alarms: [...this.alarms], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Systems API: requests, 4xx, 5xx, throttled',
        left: [
          this.api.metricCount({ statistic: sum, label: 'requests' }),
          this.api.metricClientError({ statistic: sum, label: '4xx (403s, 404s, 409s and 429s included)' }),
          this.api.metricServerError({ statistic: sum, label: '5xx' }),
          this.throttledRequests,
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Systems function: invocations, errors, throttles',
        left: [
          fn.metricInvocations({ statistic: sum }),
          fn.metricErrors({ statistic: sum }),
          fn.metricThrottles({ statistic: sum }),
        ],
        width: 8,
      }),
    );
  }
}

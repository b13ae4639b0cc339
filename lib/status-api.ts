/**
 * The private status API marketing systems ask before they send: an API Gateway HTTP API whose every
 * route needs IAM authorisation (the caller signs with SigV4), in front of the status function, which
 * may only read the subjects table and the HMAC key. Throttled at the stage and tighter on the batch
 * route, with JSON access logs that never hold a path, a query string (the address of a single lookup
 * travels there) or a caller's IP, and alarms to the stack's topic.
 *
 *   GET  /v1/subjects/status           ?email=… or ?sid=…: one address's status
 *   POST /v1/subjects/status:batch     up to 1,000 addresses or sids, answered in order
 *   GET  /v1/suppressions/changes      ?since=…&limit=…: the change feed
 *
 * There is no `$default` route: anything else gets API Gateway's own 404 without reaching the function.
 * A marketing system's role gets access through the managed policy built here, which allows exactly
 * these routes of this stage (docs/status-api.md, "Giving a marketing system access").
 */
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MakulFunction } from './makul-function';
import type { MakulTables } from './makul-tables';
import { checkApiFunctionTimeout, privateIamApi } from './private-iam-api';

/** One route of the API: what the handler's router, the route settings and the caller policy name. */
export interface StatusRoute {
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
}

/**
 * The three routes. The batch route keeps the colon of `status:batch` (a custom method in Google's
 * AIP-136 style) as a literal route: the CDK and CloudFormation take it as it is, API Gateway documents
 * no character rule for HTTP API paths beyond the leading slash, and an execute-api ARN's resource part
 * may hold colons. A colon is an ordinary path character (RFC 3986 pchar), so clients send it unescaped.
 */
export const BATCH_ROUTE: StatusRoute = {
  method: apigwv2.HttpMethod.POST,
  path: '/v1/subjects/status:batch',
};
export const STATUS_ROUTES: readonly StatusRoute[] = [
  { method: apigwv2.HttpMethod.GET, path: '/v1/subjects/status' },
  BATCH_ROUTE,
  { method: apigwv2.HttpMethod.GET, path: '/v1/suppressions/changes' },
];

/** `GET /v1/subjects/status`: the route key API Gateway logs and route settings are keyed by. */
export function routeKeyOf(route: StatusRoute): string {
  return `${route.method} ${route.path}`;
}

/**
 * Every request, stage-wide: a marketing system asks before each send, so the API sees steady traffic
 * at the pace of the operator's mailings. 100 single lookups a second (with bursts of 200) is far
 * above a transactional sender's pace; bulk senders use the batch route. Targets, not guarantees: API
 * Gateway's token bucket is best effort.
 */
export const STATUS_STAGE_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

/**
 * The batch route: each call reads up to 1,000 subjects (ten BatchGetItem calls, strongly consistent),
 * so ten calls a second already checks 10,000 addresses a second while keeping a runaway client from
 * spending the table's on-demand capacity or the function's concurrency.
 */
export const STATUS_BATCH_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 10, burstLimit: 20 };

/**
 * Throttled requests in 5 minutes that raise the alarm. A caller that gets a 429 must wait and ask
 * again; ten in five minutes means a marketing system is being held back (its sends wait, or it sends
 * without asking): the limits may be too low for it, or it is misbehaving.
 */
export const STATUS_THROTTLED_ALARM_THRESHOLD = 10;

/** What the access-log metric filter counts: requests API Gateway answered 429 (throttled). */
export const STATUS_THROTTLED_METRIC_NAME = 'StatusApiThrottled';

/**
 * Lambda's 1,769 MB is one full vCPU. A cold start (reading and compiling the bundle) and a
 * 1,000-address batch (hashing, JSON) are single-threaded CPU work: below that the function gets a
 * fraction of a core and both take longer; above it, the extra cores sit idle in one Node thread.
 */
export const STATUS_FUNCTION_MEMORY_MB = 1769;

export interface StatusApiProps {
  readonly operatorId: string;
  /** TypeScript entry of the status handler (API Gateway HTTP API payload 2.0 events). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /** The environment every makul function gets (functions/shared/config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** The records: the function reads the subjects table and the HMAC key, and nothing else. */
  readonly tables: MakulTables;
  /** Where the alarms go (and their all-clear): the stack's alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Function timeout. A warm lookup takes milliseconds and a 1,000-address batch ten BatchGetItem calls
   * of tens of milliseconds; a caller is better served by a quick 5xx and its own retry than by waiting
   * out a hung call. The function only reads, so stopping it mid-call leaves nothing behind.
   * @default Duration.seconds(6)
   */
  readonly timeout?: Duration;
  /**
   * Reserved (and capped) concurrency. At the stage's 100 requests a second and milliseconds a lookup
   * (a batch: a few hundred), a few run at once; the cap keeps a flood that slips past the throttles
   * from taking the account's concurrency or the table's capacity (Lambda then answers 429, the API a
   * 5xx, alarmed).
   * @default 10
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default STATUS_STAGE_THROTTLE */
  readonly stageThrottle?: apigwv2.ThrottleSettings;
  /** For the batch route. @default STATUS_BATCH_THROTTLE */
  readonly batchThrottle?: apigwv2.ThrottleSettings;
  /**
   * How long access logs are kept: they carry no addresses, sids or IPs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

export class StatusApi extends Construct {
  public readonly fn: MakulFunction;
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;
  /** https://<api id>.execute-api.<region>.amazonaws.com: callers append the route paths to it. */
  public readonly url: string;
  /**
   * What a marketing system's role needs: execute-api:Invoke on the three routes of this stage, and
   * nothing else. Attached to no role here: the operator attaches it (docs/status-api.md).
   */
  public readonly callerPolicy: iam.ManagedPolicy;
  /** Requests API Gateway refused with 429 (from the access logs: HTTP APIs publish no throttle metric). */
  public readonly throttledRequests: cloudwatch.Metric;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StatusApiProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(6);
    checkApiFunctionTimeout('StatusApi', timeout);

    this.fn = new MakulFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: status API for marketing systems (single, batch, changes feed)`,
      memorySize: STATUS_FUNCTION_MEMORY_MB,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 10,
      environment: props.environment,
      // Not split: the status code imports nothing on demand, and splitting would only ship the SDK's
      // browser-only code as a chunk of its own, whole, against the function's 250 KB budget.
    });
    const fn = this.fn.function;
    // Reads only: the strongly consistent lookups, the batches and the feed (the subjects table holds
    // it). No Put, Update or Delete, no requests table, no mail.
    props.tables.grantItemActionsOn(fn, 'subjects', [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
    ]);
    // An email address becomes a sid with the HMAC key.
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
      name: 'status',
      operatorId: props.operatorId,
      description: `makul ${props.operatorId}: private status API for marketing systems (IAM authorisation)`,
      integrationId: 'Status',
      fn,
      functionTimeout: timeout,
      routes: STATUS_ROUTES,
      stageThrottle: props.stageThrottle ?? STATUS_STAGE_THROTTLE,
      routeThrottles: { [routeKeyOf(BATCH_ROUTE)]: props.batchThrottle ?? STATUS_BATCH_THROTTLE },
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      throttledMetricName: STATUS_THROTTLED_METRIC_NAME,
      callerPolicyDescription: `Lets a marketing system call makul ${props.operatorId}'s status API (its three routes, nothing else)`,
      alarmTopic: props.alarmTopic,
      throttledAlarmThreshold: STATUS_THROTTLED_ALARM_THRESHOLD,
      alarmDescriptions: {
        serverErrors:
          'The status API answered 5xx: a marketing system could not learn whether it may mail an address (the function failed, timed out or was throttled). Runbook: "Status API errors" (docs/status-api.md).',
        throttled: `API Gateway refused at least ${STATUS_THROTTLED_ALARM_THRESHOLD} status requests in 5 minutes with 429 (stage or batch-route throttling): a marketing system is being held back. Runbook: "Status API throttled" (docs/status-api.md).`,
        functionErrors:
          'The status function crashed or timed out (bad requests are answered 400 and not counted). Runbook: "Status API errors" (docs/status-api.md).',
      },
    }));
  }
}

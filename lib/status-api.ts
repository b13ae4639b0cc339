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
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmsTo } from './alarms';
import { loggedStage } from './http-api-stage';
import { MakulFunction } from './makul-function';
import type { MakulTables } from './makul-tables';

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
    // API Gateway waits at most 30 s for an HTTP API integration, and must wait longer than the
    // function, so that a timeout is the function's own (and logged as such).
    if (timeout.toSeconds() > 29) {
      throw new Error(`StatusApi: the timeout (${timeout.toSeconds()} s) must be at most 29 s`);
    }

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
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'API Gateway invokes the status function synchronously and returns its answer (or an error) to the calling system, which retries; a dead-letter queue applies to asynchronous invocations only.',
    });

    const integration = new HttpLambdaIntegration('Status', fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      timeout: timeout.plus(Duration.seconds(1)),
    });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `makul-${props.operatorId}-status`,
      description: `makul ${props.operatorId}: private status API for marketing systems (IAM authorisation)`,
      // The stage below is built explicitly: the default one takes no route settings or access logs.
      createDefaultStage: false,
      // Every route, including any added later, needs a SigV4 signature that IAM allows.
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    for (const route of STATUS_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }

    ({
      stage: this.stage,
      accessLogs: this.accessLogs,
      throttledRequests: this.throttledRequests,
    } = loggedStage(this, {
      api: this.api,
      throttle: props.stageThrottle ?? STATUS_STAGE_THROTTLE,
      routeThrottles: { [routeKeyOf(BATCH_ROUTE)]: props.batchThrottle ?? STATUS_BATCH_THROTTLE },
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      throttledMetricName: STATUS_THROTTLED_METRIC_NAME,
    }));
    // https://<api id>.execute-api.<region>.amazonaws.com, without the stage URL's trailing slash.
    this.url = this.api.apiEndpoint;

    this.callerPolicy = new iam.ManagedPolicy(this, 'CallerPolicy', {
      managedPolicyName: `makul-${props.operatorId}-status-api-callers`,
      description: `Lets a marketing system call makul ${props.operatorId}'s status API (its three routes, nothing else)`,
      statements: [
        new iam.PolicyStatement({
          actions: ['execute-api:Invoke'],
          // arn:aws:execute-api:<region>:<account>:<api id>/$default/<METHOD>/<path>, one per route.
          resources: STATUS_ROUTES.map((route) =>
            this.api.arnForExecuteApi(route.method, route.path, this.stage.stageName),
          ),
        }),
      ],
    });

    this.alarms = this.createAlarms(props.alarmTopic);
  }

  private createAlarms(topic: sns.ITopic): cloudwatch.Alarm[] {
    const fiveMinutes = Duration.minutes(5);
    return alarmsTo(this, topic, [
      {
        id: 'ServerErrors',
        description:
          'The status API answered 5xx: a marketing system could not learn whether it may mail an address (the function failed, timed out or was throttled). Runbook: "Status API errors" (docs/status-api.md).',
        metric: this.api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        threshold: 1,
      },
      {
        id: 'Throttled',
        description: `API Gateway refused at least ${STATUS_THROTTLED_ALARM_THRESHOLD} status requests in 5 minutes with 429 (stage or batch-route throttling): a marketing system is being held back. Runbook: "Status API throttled" (docs/status-api.md).`,
        metric: this.throttledRequests,
        threshold: STATUS_THROTTLED_ALARM_THRESHOLD,
      },
      {
        id: 'FunctionErrors',
        description:
          'The status function crashed or timed out (bad requests are answered 400 and not counted). Runbook: "Status API errors" (docs/status-api.md).',
        metric: this.fn.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        threshold: 1,
      },
    ]);
  }
}

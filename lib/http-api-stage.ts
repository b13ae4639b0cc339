/**
 * The `$default` stage the HTTP APIs run on (the public pages, the status API, the systems API):
 * throttled at the stage and per route, access logs that never name a path, a query or a caller, kept
 * a while and retained, and a count of throttled requests from those logs (HTTP APIs publish no
 * throttle metric of their own) for the alarms.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/ports/metrics';

/**
 * One JSON object per request. Tokens travel in the pages' paths (`/c/<token>`) and addresses in a
 * status lookup's query, so neither is logged: `$context.path` is left out and `$context.routeKey`
 * names the route TEMPLATE (`POST /c/{token}`, `GET /v1/subjects/status`, or `$default`). HTTP APIs
 * have no query-string variable, and none is wanted. `$context.identity.sourceIp`, the user agent and
 * the caller's identity are left out as well: IP addresses count as personal data under 152-FZ, and
 * these logs must hold none. Values are quoted strings, so a field API Gateway leaves empty ("-") still
 * parses.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  protocol: '$context.protocol',
} as const;

export interface LoggedStageProps {
  readonly api: apigwv2.HttpApi;
  readonly throttle: apigwv2.ThrottleSettings;
  /** Tighter limits for some routes, by route key (`POST /c/{token}`, `$default`). */
  readonly routeThrottles: Readonly<Record<string, apigwv2.ThrottleSettings>>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** The name of the throttled-requests count in makul's namespace. */
  readonly throttledMetricName: string;
}

export interface LoggedStage {
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** Requests answered 429, summed over 5 minutes. */
  readonly throttledRequests: cloudwatch.Metric;
}

export function loggedStage(scope: Construct, props: LoggedStageProps): LoggedStage {
  const accessLogs = new logs.LogGroup(scope, 'AccessLogs', {
    retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stage = new apigwv2.HttpStage(scope, 'Stage', {
    httpApi: props.api,
    stageName: '$default',
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
  });
  // Route-level throttling has no L2 property; CloudFormation takes it keyed by route key.
  (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries(
    Object.entries(props.routeThrottles).map(([routeKey, throttle]) => [
      routeKey,
      { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
    ]),
  );
  // A route setting must name a route that exists, or the stage fails to deploy: the stage waits for
  // every route, a `$default` made by the HttpApi itself included.
  stage.node.addDependency(...props.api.node.children.filter((child) => child instanceof apigwv2.HttpRoute));
  const throttledRequests = new logs.MetricFilter(scope, 'ThrottledFilter', {
    logGroup: accessLogs,
    filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
    metricNamespace: METRICS_NAMESPACE,
    // No dimension: a metric filter takes dimension values from the log line only, and one account and
    // region holds one operator (synthesis refuses two).
    metricName: props.throttledMetricName,
    metricValue: '1',
  }).metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
  return { stage, accessLogs, throttledRequests };
}

/**
 * What the status API (lib/status-api.ts) and the systems API (lib/systems-api.ts) are made of alike:
 * a function behind an API Gateway HTTP API whose every route needs IAM authorisation (SigV4), on the
 * logged and throttled `$default` stage (lib/http-api-stage.ts), a managed policy allowing exactly
 * those routes of that stage for the callers' roles, and the same three alarms. Each API keeps what is
 * its own: the function's grants, the limits, the words of its alarms and its policy.
 *
 * Built in the calling construct's scope, so every resource keeps the id (and logical id) it would
 * have if the construct made it itself.
 */
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { alarmsTo } from './alarms';
import { loggedStage } from './http-api-stage';

export interface ApiRoute {
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
}

/**
 * API Gateway waits at most 30 s for an HTTP API integration, and must wait longer than the function,
 * so that a timeout is the function's own (and logged as such).
 */
export function checkApiFunctionTimeout(constructName: string, timeout: Duration): void {
  if (timeout.toSeconds() > 29) {
    throw new Error(`${constructName}: the timeout (${timeout.toSeconds()} s) must be at most 29 s`);
  }
}

export interface PrivateIamApiProps {
  /** `status` or `systems`: the API's name (`makul-<operator>-<name>`) and its policy's. */
  readonly name: string;
  readonly operatorId: string;
  readonly description: string;
  /** The integration's construct id. */
  readonly integrationId: string;
  readonly fn: lambda.Function;
  readonly functionTimeout: Duration;
  readonly routes: readonly ApiRoute[];
  readonly stageThrottle: apigwv2.ThrottleSettings;
  /** Tighter limits for some routes, by route key. */
  readonly routeThrottles: Readonly<Record<string, apigwv2.ThrottleSettings>>;
  readonly logRetention?: logs.RetentionDays;
  readonly throttledMetricName: string;
  readonly callerPolicyDescription: string;
  /** Why a route's path parameters may stand as wildcards in the caller policy (routes with `{…}` only). */
  readonly pathParameterReason?: string;
  readonly alarmTopic: sns.ITopic;
  readonly throttledAlarmThreshold: number;
  /** What each alarm means for this API's callers, and its runbook section. */
  readonly alarmDescriptions: {
    readonly serverErrors: string;
    readonly throttled: string;
    readonly functionErrors: string;
  };
}

export interface PrivateIamApi {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly throttledRequests: cloudwatch.Metric;
  /** https://<api id>.execute-api.<region>.amazonaws.com, without the stage URL's trailing slash. */
  readonly url: string;
  readonly callerPolicy: iam.ManagedPolicy;
  readonly alarms: readonly cloudwatch.Alarm[];
}

export function privateIamApi(scope: Construct, props: PrivateIamApiProps): PrivateIamApi {
  Validations.of(props.fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: `API Gateway invokes the ${props.name} function synchronously and returns its answer (or an error) to the calling system, which retries; a dead-letter queue applies to asynchronous invocations only.`,
  });
  const integration = new HttpLambdaIntegration(props.integrationId, props.fn, {
    payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    timeout: props.functionTimeout.plus(Duration.seconds(1)),
  });
  const api = new apigwv2.HttpApi(scope, 'Api', {
    apiName: `makul-${props.operatorId}-${props.name}`,
    description: props.description,
    // The stage is built explicitly: the default one takes no route settings or access logs.
    createDefaultStage: false,
    // Every route, including any added later, needs a SigV4 signature that IAM allows.
    defaultAuthorizer: new HttpIamAuthorizer(),
  });
  // No `$default` route: anything else gets API Gateway's own 404 without reaching the function.
  for (const route of props.routes) {
    api.addRoutes({ path: route.path, methods: [route.method], integration });
  }
  const { stage, accessLogs, throttledRequests } = loggedStage(scope, {
    api,
    throttle: props.stageThrottle,
    routeThrottles: props.routeThrottles,
    ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    throttledMetricName: props.throttledMetricName,
  });

  // arn:aws:execute-api:<region>:<account>:<api id>/$default/<METHOD>/<path>, one per route; a path
  // parameter stands as a wildcard.
  const resourcePath = (route: ApiRoute): string => route.path.replace(/\{[a-z]+\}/g, '*');
  const callerPolicy = new iam.ManagedPolicy(scope, 'CallerPolicy', {
    managedPolicyName: `makul-${props.operatorId}-${props.name}-api-callers`,
    description: props.callerPolicyDescription,
    statements: [
      new iam.PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: props.routes.map((route) =>
          api.arnForExecuteApi(route.method, resourcePath(route), stage.stageName),
        ),
      }),
    ],
  });
  const stack = Stack.of(scope);
  const apiLogicalId = stack.getLogicalId(api.node.defaultChild as CfnElement);
  for (const route of props.routes.filter((candidate) => candidate.path.includes('{'))) {
    if (props.pathParameterReason === undefined)
      throw new Error(
        `${props.name} API: route ${route.path} has path parameters: say why they may be wildcards`,
      );
    Validations.of(callerPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:aws:execute-api:${stack.region}:<AWS::AccountId>:<${apiLogicalId}>/$default/${route.method}${resourcePath(route)}]`,
      reason: props.pathParameterReason,
    });
  }

  const fiveMinutes = Duration.minutes(5);
  const alarms = alarmsTo(scope, props.alarmTopic, [
    {
      id: 'ServerErrors',
      description: props.alarmDescriptions.serverErrors,
      metric: api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
      threshold: 1,
    },
    {
      id: 'Throttled',
      description: props.alarmDescriptions.throttled,
      metric: throttledRequests,
      threshold: props.throttledAlarmThreshold,
    },
    {
      id: 'FunctionErrors',
      description: props.alarmDescriptions.functionErrors,
      metric: props.fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
      threshold: 1,
    },
  ]);
  return { api, stage, accessLogs, throttledRequests, url: api.apiEndpoint, callerPolicy, alarms };
}

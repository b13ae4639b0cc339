/**
 * The public pages behind the links in makul's mail: an API Gateway HTTP API in front of the pages
 * function, throttled at the stage and tighter on the routes that act, with JSON access logs that
 * never hold a token or an IP address, an optional custom domain, and alarms to the stack's topic.
 *
 *   GET  /c/{token}  confirmation page (shows; never acts: mail scanners fetch links)
 *   POST /c/{token}  confirms, or "this was not me"
 *   GET  /u/{token}  one-click unsubscribe page
 *   POST /u/{token}  RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`)
 *   $default         everything else, to the same function: its 404 page (and HEAD, OPTIONS)
 *
 * AWS WAF cannot protect an HTTP API: see `assertNoWebAcl`.
 */
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { OperatorProfile } from '../functions/domain/operators/operator-profile';
import { alarmsTo } from './alarms';
import { loggedStage } from './http-api-stage';
import { MakulFunction } from './makul-function';

/** The operator profile's optional `publicPages` block. */
export type PublicPagesDomain = NonNullable<OperatorProfile['publicPages']>;

/** The page routes: the token travels in the path (`<confirmBaseUrl>/c/<token>`). */
export const PAGE_PATHS = ['/c/{token}', '/u/{token}'] as const;

/**
 * Every request, stage-wide. Targets, not guarantees (API Gateway's token bucket is best effort): a
 * person opens a page or two per request they made, so 20 a second is far above real use and still
 * keeps a flood from reaching the tables and the SES sending quota.
 */
export const STAGE_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 20, burstLimit: 40 };

/**
 * The POST routes write records and may send mail: a quarter of the stage. Only makul's own links
 * reach them (a token guessed at random never matches: 256 bits), so a burst there is an attack or a
 * broken client, not people.
 */
export const ACTION_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 5, burstLimit: 10 };

/** `$default` serves only 404 pages and odd methods: scanners, not people. */
export const UNMATCHED_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 5, burstLimit: 10 };

/**
 * Throttled requests in 5 minutes that raise the alarm. A few 429s are a client retrying too fast;
 * ten in five minutes means people may be turned away, or someone is hammering the pages.
 */
export const THROTTLED_ALARM_THRESHOLD = 10;

/** What the access-log metric filter counts: requests API Gateway answered 429 (throttled). */
export const THROTTLED_METRIC_NAME = 'PublicPagesThrottled';

/**
 * AWS WAF can protect API Gateway REST APIs, CloudFront distributions, Application Load Balancers,
 * AppSync, Cognito user pools, App Runner, Amplify and Verified Access, but not HTTP APIs: there is
 * no association to make. Rather than accept a web ACL and silently leave the pages unprotected,
 * synthesis stops and says what to do.
 */
export function assertNoWebAcl(operatorId: string, publicPages: PublicPagesDomain | undefined): void {
  if (publicPages?.webAclArn === undefined) return;
  throw new Error(
    `operator ${operatorId}: publicPages.webAclArn cannot be applied. AWS WAF cannot be associated with an API Gateway HTTP API (only REST APIs, CloudFront, ALB, AppSync, Cognito, App Runner, Amplify and Verified Access). Remove webAclArn; to filter the pages with WAF, put a CloudFront distribution with a CLOUDFRONT-scope web ACL (us-east-1) in front of ${publicPages.domainName} and point confirmBaseUrl at it (docs/deployment.md, "Public pages").`,
  );
}

/**
 * The API mapping key for the custom domain: the path of confirmBaseUrl, so that
 * `https://privacy.x2.kg/confirm/c/<token>` reaches the route `/c/{token}` (API Gateway strips the
 * mapping key). The links are built from confirmBaseUrl, so its host must be the custom domain.
 * @returns undefined for a base URL at the root of the domain
 */
export function mappingKeyFor(
  operatorId: string,
  confirmBaseUrl: string,
  domainName: string,
): string | undefined {
  const url = new URL(confirmBaseUrl);
  if (url.hostname.toLowerCase() !== domainName.toLowerCase()) {
    throw new Error(
      `operator ${operatorId}: confirmBaseUrl (${confirmBaseUrl}) must be on publicPages.domainName (${domainName}): links in mail are built from confirmBaseUrl, and only ${domainName} reaches the pages.`,
    );
  }
  const key = url.pathname.replace(/^\/+|\/+$/g, '');
  if (key === '') return undefined;
  // API Gateway's mapping keys: path segments of letters, digits, '-', '_' and '.'.
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key)) {
    throw new Error(
      `operator ${operatorId}: the path of confirmBaseUrl (/${key}) cannot be an API mapping key: use letters, digits, '-', '_' and '.' between slashes.`,
    );
  }
  return key;
}

export interface PublicPagesApiProps {
  readonly operatorId: string;
  /** TypeScript entry of the pages handler (API Gateway HTTP API payload 2.0 events). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /** The environment every makul function gets (functions/shared/config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** The operator's confirmBaseUrl: with a custom domain, its path becomes the API mapping key. */
  readonly confirmBaseUrl: string;
  /**
   * The operator's custom domain for the pages.
   * @default - none: the pages answer on the API's execute-api URL, which confirmBaseUrl must name
   */
  readonly publicPages?: PublicPagesDomain;
  /** Where the alarms go (and their all-clear): the stack's alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Function timeout. API Gateway waits at most 29 s for the function (HTTP APIs: 30 s at most), so the
   * function stops first and never works on after the person was shown an error; 28 s still lets one
   * hung AWS call (15 s at most, functions/shared/aws-timeouts.ts) and giving its claim back finish.
   * @default Duration.seconds(28)
   */
  readonly timeout?: Duration;
  /**
   * Reserved (and capped) concurrency. At the stage's 20 requests a second and a few hundred
   * milliseconds a page, a handful run at once; the cap keeps a flood that slips past the throttles
   * away from the tables and the SES quota (Lambda then answers 429, and the API a 5xx, alarmed).
   * @default 10
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default STAGE_THROTTLE */
  readonly stageThrottle?: apigwv2.ThrottleSettings;
  /** For the POST routes. @default ACTION_THROTTLE */
  readonly actionThrottle?: apigwv2.ThrottleSettings;
  /** For `$default` (404 pages). @default UNMATCHED_THROTTLE */
  readonly unmatchedThrottle?: apigwv2.ThrottleSettings;
  /**
   * How long access logs are kept: like the function logs, they carry no personal data.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

export class PublicPagesApi extends Construct {
  public readonly fn: MakulFunction;
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;
  /** The custom domain, when the profile names one. */
  public readonly domainName?: apigwv2.DomainName;
  /** Its name as the profile spells it (`domainName.name` is a reference CloudFormation resolves). */
  public readonly customDomainName?: string;
  /** The base URL links must start with: the custom domain with its mapping key, or the execute-api URL. */
  public readonly url: string;
  /** Requests API Gateway refused with 429 (from the access logs: HTTP APIs publish no throttle metric). */
  public readonly throttledRequests: cloudwatch.Metric;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PublicPagesApiProps) {
    super(scope, id);
    // Checked before anything is built (or bundled): a wrong profile fails fast and says why.
    assertNoWebAcl(props.operatorId, props.publicPages);
    const mappingKey = props.publicPages
      ? mappingKeyFor(props.operatorId, props.confirmBaseUrl, props.publicPages.domainName)
      : undefined;
    if (props.publicPages) assertCertificateRegion(this, props.operatorId, props.publicPages.certificateArn);

    this.fn = new MakulFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: public pages (confirmation links, one-click unsubscribe)`,
      timeout: props.timeout ?? Duration.seconds(28),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 10,
      environment: props.environment,
      // The phone-number library loads only for update-data pages (functions/app/confirmation-links.ts).
      splitting: true,
    });
    Validations.of(this.fn.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'API Gateway invokes the pages function synchronously and shows its answer (or an error) to the person; a dead-letter queue applies to asynchronous invocations only.',
    });

    const integration = new HttpLambdaIntegration('Pages', this.fn.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      timeout: Duration.seconds(29),
    });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `makul-${props.operatorId}-pages`,
      description: `makul ${props.operatorId}: public pages behind the links in makul's mail`,
      // The stage below is built explicitly: the default one takes no route settings or access logs.
      createDefaultStage: false,
      // With a custom domain, that is the only way in: the links name it, and the throttles and logs
      // apply to one entry point.
      disableExecuteApiEndpoint: props.publicPages !== undefined,
      defaultIntegration: integration,
    });
    for (const path of PAGE_PATHS) {
      this.api.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
        integration,
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Public pages by design: a data subject opens them from a link in an email, without an account. GET only shows a page; every POST is authorised by the single-use, expiring 256-bit token in its path, checked by the function.',
    });

    const action = props.actionThrottle ?? ACTION_THROTTLE;
    ({
      stage: this.stage,
      accessLogs: this.accessLogs,
      throttledRequests: this.throttledRequests,
    } = loggedStage(this, {
      api: this.api,
      throttle: props.stageThrottle ?? STAGE_THROTTLE,
      routeThrottles: {
        ...Object.fromEntries(PAGE_PATHS.map((path) => [`POST ${path}`, action])),
        $default: props.unmatchedThrottle ?? UNMATCHED_THROTTLE,
      },
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      throttledMetricName: THROTTLED_METRIC_NAME,
    }));

    if (props.publicPages) {
      this.customDomainName = props.publicPages.domainName;
      this.domainName = new apigwv2.DomainName(this, 'Domain', {
        domainName: props.publicPages.domainName,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'Certificate',
          props.publicPages.certificateArn,
        ),
        endpointType: apigwv2.EndpointType.REGIONAL,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      new apigwv2.ApiMapping(this, 'Mapping', {
        api: this.api,
        stage: this.stage,
        domainName: this.domainName,
        apiMappingKey: mappingKey,
      });
      this.url = `https://${props.publicPages.domainName}${mappingKey ? `/${mappingKey}` : ''}`;
    } else {
      // https://<api id>.execute-api.<region>.amazonaws.com, without the stage URL's trailing slash:
      // links append /c/<token> to it.
      this.url = this.api.apiEndpoint;
    }

    this.alarms = this.createAlarms(props.alarmTopic);
  }

  private createAlarms(topic: sns.ITopic): cloudwatch.Alarm[] {
    const fiveMinutes = Duration.minutes(5);
    return alarmsTo(this, topic, [
      {
        id: 'ServerErrors',
        description:
          'The public pages answered 5xx: a person who clicked a link in makul’s mail got an error (the function failed, timed out or was throttled). Runbook: "Public pages errors".',
        metric: this.api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        threshold: 1,
      },
      {
        id: 'Throttled',
        description: `API Gateway refused at least ${THROTTLED_ALARM_THRESHOLD} page requests in 5 minutes with 429 (stage or route throttling): people may be turned away, or someone is hammering the pages. Runbook: "Public pages throttled".`,
        metric: this.throttledRequests,
        threshold: THROTTLED_ALARM_THRESHOLD,
      },
      {
        id: 'FunctionErrors',
        description:
          'The pages function crashed or timed out (errors it handles are answered as pages and show in the 5xx alarm). Runbook: "Public pages errors".',
        metric: this.fn.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        threshold: 1,
      },
    ]);
  }
}

/** A regional custom domain takes an ACM certificate from the API's own region. */
function assertCertificateRegion(scope: Construct, operatorId: string, certificateArn: string): void {
  const region = Stack.of(scope).region;
  const certificateRegion = certificateArn.split(':')[3];
  if (Token.isUnresolved(region) || certificateRegion === region) return;
  throw new Error(
    `operator ${operatorId}: publicPages.certificateArn is in ${certificateRegion}, but a regional API Gateway custom domain needs an ACM certificate in the stack's region (${region}).`,
  );
}

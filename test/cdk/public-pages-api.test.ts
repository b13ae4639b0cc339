/**
 * The public pages' HTTP API in stacks built from the shipped x2 profile, as it is (no custom domain) and
 * with a custom domain, bundling skipped: only the template counts. The bundle is built once, on its own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { ACCESS_LOG_FIELDS } from '../../lib/http-api-stage';
import { bundleCodeBytes } from '../../lib/makul-function';
import { MakulStack } from '../../lib/makul-stack';
import {
  ACTION_THROTTLE,
  mappingKeyFor,
  PublicPagesApi,
  STAGE_THROTTLE,
  THROTTLED_ALARM_THRESHOLD,
  UNMATCHED_THROTTLE,
} from '../../lib/public-pages-api';
import { PROJECT_ROOT } from './synthesize';
import {
  type CfnResource,
  functionStatements,
  only,
  type PolicyStatement,
  resourcesOf,
  x2Profile,
} from './template-helpers';

/** The bundle budget for the pages function, in esbuild's kilobytes (1024 bytes). */
const PAGES_BUNDLE_LIMIT_BYTES = 400 * 1024;
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b7e4a52-5f0e-4c2b-9d0a-1a2b3c4d5e6f';

let shipped: App;
let template: Template;

beforeAll(() => {
  const built = stackWith(x2Profile());
  shipped = built.app;
  template = Template.fromStack(built.stack);
});

const describes = (text: string) => (resource: CfnResource) =>
  String(resource.Properties.Description).includes(text);

function pagesFunction(from: Template) {
  return only(from, 'AWS::Lambda::Function', describes('public pages'));
}

/** The pages' HTTP API (the stack also holds the private status API). */
function pagesApi(from: Template) {
  return only(from, 'AWS::ApiGatewayV2::Api', (api) => api.Properties.Name === 'makul-x2-pages');
}

/** Resources of the pages' API: its integration, routes and stage. */
function ofPagesApi(from: Template) {
  const [apiId] = pagesApi(from);
  return (resource: CfnResource) =>
    JSON.stringify(resource.Properties.ApiId) === JSON.stringify({ Ref: apiId });
}

function variablesOf(fn: CfnResource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** A stack for the profile, bundling skipped: these tests read the template only. */
function stackWith(profile: DeploymentProfile): { app: App; stack: MakulStack } {
  const app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new MakulStack(app, 'Makul-x2', { profile });
  return { app, stack };
}

function nagFindings(app: App): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(app).violations.map((violation) => violation.ruleName),
  );
}

describe('the public pages API (shipped profile: no custom domain)', () => {
  it('is an HTTP API that routes GET and POST of both token paths and $default to the pages function', () => {
    const [functionId] = pagesFunction(template);
    const [integrationId] = only(template, 'AWS::ApiGatewayV2::Integration', ofPagesApi(template));
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').filter(([, route]) =>
      ofPagesApi(template)(route),
    );

    const routeKeys = routes.map(([, route]) => route.Properties.RouteKey);

    expect(routeKeys.sort()).toEqual([
      '$default',
      'GET /c/{token}',
      'GET /u/{token}',
      'POST /c/{token}',
      'POST /u/{token}',
    ]);
    for (const [, route] of routes) {
      expect(route.Properties.Target).toEqual({
        'Fn::Join': ['', ['integrations/', { Ref: integrationId }]],
      });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      Name: 'makul-x2-pages',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      // Below the HTTP API's 30 s ceiling, above the function's own timeout.
      TimeoutInMillis: 29_000,
    });
  });

  it('serves one auto-deployed $default stage throttled stage-wide, and tighter on POST and $default', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage', ofPagesApi(template));

    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: STAGE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit,
      },
    });
    const action = {
      ThrottlingRateLimit: ACTION_THROTTLE.rateLimit,
      ThrottlingBurstLimit: ACTION_THROTTLE.burstLimit,
    };
    expect(stage.Properties.RouteSettings).toEqual({
      'POST /c/{token}': action,
      'POST /u/{token}': action,
      $default: {
        ThrottlingRateLimit: UNMATCHED_THROTTLE.rateLimit,
        ThrottlingBurstLimit: UNMATCHED_THROTTLE.burstLimit,
      },
    });
    expect(ACTION_THROTTLE.rateLimit).toBeLessThan(STAGE_THROTTLE.rateLimit as number);
    expect(STAGE_THROTTLE).toEqual({ rateLimit: 20, burstLimit: 40 });
  });

  it('deploys the stage after every route its route settings name', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage', ofPagesApi(template));
    const routeIds = resourcesOf(template, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => ofPagesApi(template)(route))
      .map(([id]) => id);

    expect(routeIds).toHaveLength(5);
    for (const routeId of routeIds) expect(stage.DependsOn).toContain(routeId);
  });

  it('writes JSON access logs of route templates and statuses, without paths, query strings or IP addresses', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage', ofPagesApi(template));
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };

    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
      time: '$context.requestTime',
    });
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    // Tokens travel in paths; IP addresses are personal data under 152-FZ.
    for (const forbidden of [
      '$context.path',
      'rawPath',
      'querystring',
      'sourceIp',
      'userAgent',
      'domainName',
    ]) {
      expect(settings.Format.toLowerCase()).not.toContain(forbidden.toLowerCase());
    }
    const destination = settings.DestinationArn as { 'Fn::GetAtt': [string, string] };
    const logGroupId = destination['Fn::GetAtt'][0];
    const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupId];
    expect(logGroup).toMatchObject({ Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
  });

  it('counts 429s from the access logs and alarms on them, on 5xx and on function errors, with all-clears', () => {
    const [topicId] = only(template, 'AWS::SNS::Topic', (topic) =>
      String(topic.Properties.DisplayName).includes('alarms'),
    );
    const [functionId] = pagesFunction(template);
    const [apiId] = pagesApi(template);
    const alarmAction = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };

    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        { MetricNamespace: 'makul', MetricName: 'PublicPagesThrottled', MetricValue: '1' },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'makul',
      MetricName: 'PublicPagesThrottled',
      Statistic: 'Sum',
      Threshold: THROTTLED_ALARM_THRESHOLD,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Threshold: 1,
    });
  });

  it('runs the pages function like the others, with their environment and a timeout under the API’s', () => {
    const [, fn] = pagesFunction(template);
    const [, inbound] = only(template, 'AWS::Lambda::Function', describes('classifies and answers'));

    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 28,
      ReservedConcurrentExecutions: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(variablesOf(fn)).toEqual(variablesOf(inbound));
  });

  it('lets API Gateway invoke the function only from this API', () => {
    const [functionId] = pagesFunction(template);
    const [apiId] = pagesApi(template);
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(([, permission]) =>
      JSON.stringify(permission.Properties.FunctionName).includes(functionId),
    );

    expect(permissions.length).toBeGreaterThan(0);
    for (const [, permission] of permissions) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(apiId);
    }
  });

  it('lets the function use item actions on both tables and read the HMAC key, and no more: no mail, no raw mail', () => {
    const statements = functionStatements(template, describes('public pages'));
    const actions = statements.flatMap(actionsOf);
    const dynamo = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('dynamodb:')),
    );
    const send = statements.find((statement) => actionsOf(statement).includes('ses:SendEmail'));

    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0] as PolicyStatement).sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain('/index/');
    expect(actions).toContain('secretsmanager:GetSecretValue');
    // The pages record notices; the deferred-outbound job sends them. A public endpoint sends no mail.
    expect(send).toBeUndefined();
    expect(actions.filter((action) => action.startsWith('ses:'))).toEqual([]);
    // Raw mail is not the pages' business.
    expect(actions.filter((action) => action.startsWith('s3:'))).toEqual([]);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('answers on the execute-api URL, which it prints for confirmBaseUrl, with no custom domain or web ACL', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'makul-x2-pages',
      DisableExecuteApiEndpoint: false,
    });
    const outputs = template.findOutputs('*');
    const [apiId] = pagesApi(template);

    expect(outputs.PublicPagesUrl?.Value).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(outputs.PublicPagesUrl?.Description).toMatch(/confirmBaseUrl must name it/);
    expect(outputs.DnsPublicPages).toBeUndefined();
    expect(outputs.PagesFunctionName).toBeDefined();
  });

  it('adds a row for the pages to the dashboard', () => {
    const [, dashboard] = only(template, 'AWS::CloudWatch::Dashboard');

    expect(JSON.stringify(dashboard.Properties.DashboardBody)).toContain('Public pages: requests, 4xx, 5xx');
  });

  it('leaves no cdk-nag finding unacknowledged, and acknowledges only public routes and the synchronous DLQ', () => {
    expect(nagFindings(shipped)).toEqual([]);
  });
});

describe('the pages bundle', () => {
  let outdir: string;

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('is an ESM bundle of at most 400 KB that points to its source map', () => {
    // The construct alone, bundled as `cdk synth` bundles it (the same MakulFunction settings).
    outdir = mkdtempSync(path.join(tmpdir(), 'makul-pages-bundle-'));
    const app = createApp({ outdir });
    const stack = new Stack(app, 'Pages', { env: { region: 'eu-west-1' } });
    new PublicPagesApi(stack, 'PublicPages', {
      operatorId: 'x2',
      entry: path.join(PROJECT_ROOT, 'functions', 'pages', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment: {},
      confirmBaseUrl: 'https://privacy.x2.kg/confirm',
      alarmTopic: new sns.Topic(stack, 'Alarms'),
    });
    const assembly = app.synth();
    const code = pagesFunction(Template.fromStack(stack))[1].Properties.Code as { S3Key: string };
    const assetDirectory = path.join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = path.join(assetDirectory, 'index.mjs');

    const text = readFileSync(bundle, 'utf8');

    // Booleans, so that a failure does not print the bundle.
    expect(
      text.startsWith('import{createRequire as __makulCreateRequire}'),
      'starts with the require shim',
    ).toBe(true);
    expect(/export\{[^}]*\bas handler\b[^}]*\}/.test(text), 'exports handler as ESM').toBe(true);
    expect(text.includes('//# sourceMappingURL=index.mjs.map'), 'points to its source map').toBe(true);
    // Everything it ships counts, the chunks read on demand included.
    expect(bundleCodeBytes(assetDirectory)).toBeLessThanOrEqual(PAGES_BUNDLE_LIMIT_BYTES);
    // The phone-number library waits in a chunk of its own for the update-data pages: the source maps
    // say which sources each file holds.
    const sourcesOf = (mapFile: string) =>
      (JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[] }).sources;
    const holdsPhoneLibrary = (mapFile: string) =>
      sourcesOf(mapFile).some((source) => source.includes('node_modules/libphonenumber-js/'));
    expect(holdsPhoneLibrary(`${bundle}.map`), 'index.mjs holds no phone library').toBe(false);
    const chunkMaps = readdirSync(path.join(assetDirectory, 'chunks'))
      .filter((file) => file.endsWith('.mjs.map'))
      .map((file) => path.join(assetDirectory, 'chunks', file));
    expect(chunkMaps.some(holdsPhoneLibrary), 'a chunk holds the phone library').toBe(true);
  });
});

describe('the public pages on a custom domain', () => {
  let app: App;
  let custom: Template;

  beforeAll(() => {
    const built = stackWith(
      x2Profile({ publicPages: { domainName: 'privacy.x2.kg', certificateArn: CERTIFICATE_ARN } }),
    );
    app = built.app;
    custom = Template.fromStack(built.stack);
  });

  it('serves a regional TLS 1.2 domain with the certificate, mapped under confirmBaseUrl’s path', () => {
    const [apiId] = pagesApi(custom);
    const [domainId] = only(custom, 'AWS::ApiGatewayV2::DomainName');

    custom.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'privacy.x2.kg',
      DomainNameConfigurations: [
        { CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
      ],
    });
    // confirmBaseUrl is https://privacy.x2.kg/confirm: /confirm/c/<token> reaches /c/{token}.
    custom.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: apiId },
      DomainName: { Ref: domainId },
      Stage: Match.anyValue(),
      ApiMappingKey: 'confirm',
    });
  });

  it('closes the execute-api endpoint, so the domain is the only way in', () => {
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'makul-x2-pages',
      DisableExecuteApiEndpoint: true,
    });
  });

  it('prints the DNS record and the hosted zone for the operator, and the base URL links use', () => {
    const [domainId] = only(custom, 'AWS::ApiGatewayV2::DomainName');
    const outputs = custom.findOutputs('*');

    expect(outputs.PublicPagesUrl?.Value).toBe('https://privacy.x2.kg/confirm');
    expect(outputs.DnsPublicPages?.Value).toEqual({
      'Fn::Join': [' ', ['privacy.x2.kg CNAME', { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] }]],
    });
    expect(outputs.PublicPagesHostedZoneId?.Value).toEqual({
      'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'],
    });
  });

  it('stays cdk-nag clean', () => {
    expect(nagFindings(app)).toEqual([]);
  });

  it('maps the API at the root when confirmBaseUrl has no path', () => {
    const { stack } = stackWith(
      x2Profile({
        confirmBaseUrl: 'https://pages.x2.kg',
        publicPages: { domainName: 'pages.x2.kg', certificateArn: CERTIFICATE_ARN },
      }),
    );

    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiMappingKey: Match.absent(),
    });
  });
});

describe('profiles the public pages cannot serve', () => {
  it('refuses a web ACL, saying that WAF cannot protect an HTTP API and what to do instead', () => {
    const profile = x2Profile({
      publicPages: {
        domainName: 'privacy.x2.kg',
        certificateArn: CERTIFICATE_ARN,
        webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/pages/1234',
      },
    });

    expect(() => stackWith(profile)).toThrow(
      /AWS WAF cannot be associated with an API Gateway HTTP API.*CloudFront distribution/,
    );
  });

  it('refuses a custom domain that confirmBaseUrl does not name', () => {
    const profile = x2Profile({
      publicPages: { domainName: 'pages.x2.kg', certificateArn: CERTIFICATE_ARN },
    });

    expect(() => stackWith(profile)).toThrow(/confirmBaseUrl .* must be on publicPages.domainName/);
  });

  it('refuses a certificate from another region than the stack’s', () => {
    const profile = x2Profile({
      publicPages: {
        domainName: 'privacy.x2.kg',
        certificateArn: CERTIFICATE_ARN.replace('eu-west-1', 'us-east-1'),
      },
    });

    expect(() => stackWith(profile)).toThrow(/certificate in the stack's region \(eu-west-1\)/);
  });
});

describe('mappingKeyFor', () => {
  it('takes the path of confirmBaseUrl without its slashes, whatever the case of the host', () => {
    expect(mappingKeyFor('x2', 'https://Privacy.X2.kg/confirm/', 'privacy.x2.kg')).toBe('confirm');
    expect(mappingKeyFor('x2', 'https://privacy.x2.kg/a/b', 'privacy.x2.kg')).toBe('a/b');
    expect(mappingKeyFor('x2', 'https://privacy.x2.kg', 'privacy.x2.kg')).toBeUndefined();
  });

  it('refuses a path API Gateway cannot map', () => {
    expect(() => mappingKeyFor('x2', 'https://privacy.x2.kg/a%20b', 'privacy.x2.kg')).toThrow(
      /cannot be an API mapping key/,
    );
  });
});

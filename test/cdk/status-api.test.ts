/**
 * The private status API in a stack built from the shipped x2 profile, bundling skipped: only the
 * template counts. The bundle is built once, on its own, against its budget.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import { ACCESS_LOG_FIELDS } from '../../lib/http-api-stage';
import { bundleCodeBytes } from '../../lib/makul-function';
import { MakulStack } from '../../lib/makul-stack';
import { MakulTables } from '../../lib/makul-tables';
import {
  STATUS_BATCH_THROTTLE,
  STATUS_FUNCTION_MEMORY_MB,
  STATUS_STAGE_THROTTLE,
  STATUS_THROTTLED_ALARM_THRESHOLD,
  StatusApi,
} from '../../lib/status-api';
import { PROJECT_ROOT } from './synthesize';
import {
  type CfnResource,
  functionStatements,
  only,
  type PolicyStatement,
  resourcesOf,
  x2Profile,
} from './template-helpers';

/** The bundle budget for the status function, all shipped code, in esbuild's kilobytes. */
const STATUS_BUNDLE_LIMIT_BYTES = 250 * 1024;

/** The three routes as the issue names them. */
const ROUTE_KEYS = [
  'GET /v1/subjects/status',
  'GET /v1/suppressions/changes',
  'POST /v1/subjects/status:batch',
];

let app: App;
let stack: MakulStack;
let template: Template;

beforeAll(() => {
  // Bundling skipped: these tests read the template only.
  app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new MakulStack(app, 'Makul-x2', { profile: x2Profile() });
  template = Template.fromStack(stack);
});

/** The status API's caller policy (the systems API has one of its own). */
const statusCallers = (resource: CfnResource) =>
  String(resource.Properties.ManagedPolicyName).includes('status-api-callers');

const describes = (text: string) => (resource: CfnResource) =>
  String(resource.Properties.Description).includes(text);

function statusApi(from: Template) {
  return only(from, 'AWS::ApiGatewayV2::Api', (api) => api.Properties.Name === 'makul-x2-status');
}

/** Resources that belong to the status API (the stack also holds the public pages' API). */
function ofStatusApi(from: Template) {
  const [apiId] = statusApi(from);
  return (resource: CfnResource) =>
    JSON.stringify(resource.Properties.ApiId) === JSON.stringify({ Ref: apiId });
}

function statusFunction(from: Template) {
  return only(from, 'AWS::Lambda::Function', describes('status API for marketing systems'));
}

function variablesOf(fn: CfnResource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** arn:aws:execute-api:eu-west-1:<account>:<api id>/$default/<METHOD>/<path>, as CloudFormation joins it. */
function routeArn(apiId: string, routeKey: string) {
  const [method, routePath] = routeKey.split(' ');
  return {
    'Fn::Join': [
      '',
      [
        'arn:aws:execute-api:eu-west-1:',
        { Ref: 'AWS::AccountId' },
        ':',
        { Ref: apiId },
        `/$default/${method}${routePath}`,
      ],
    ],
  };
}

describe('the status API', () => {
  it('routes exactly the three status routes to the status function, each behind IAM authorisation', () => {
    const [functionId] = statusFunction(template);
    const [integrationId, integration] = only(
      template,
      'AWS::ApiGatewayV2::Integration',
      ofStatusApi(template),
    );
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => ofStatusApi(template)(route))
      .map(([, route]) => route.Properties);

    expect(routes.map((route) => route.RouteKey).sort()).toEqual(ROUTE_KEYS);
    for (const route of routes) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe('AWS_IAM');
      expect(route.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    }
    // No catch-all: anything else is API Gateway's own 404, without invoking the function.
    expect(routes.map((route) => route.RouteKey)).not.toContain('$default');
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
    });
  });

  it('leaves no route of the stack unauthenticated except the public pages', () => {
    const [pagesApiId] = only(
      template,
      'AWS::ApiGatewayV2::Api',
      (api) => api.Properties.Name === 'makul-x2-pages',
    );
    const open = resourcesOf(template, 'AWS::ApiGatewayV2::Route').filter(
      ([, route]) => route.Properties.AuthorizationType !== 'AWS_IAM',
    );

    for (const [, route] of open) expect(route.Properties.ApiId).toEqual({ Ref: pagesApiId });
  });

  it('waits longer for the function than the function runs, within the HTTP API’s 30 s', () => {
    const [, fn] = statusFunction(template);
    const [, integration] = only(template, 'AWS::ApiGatewayV2::Integration', ofStatusApi(template));
    const timeoutMs = integration.Properties.TimeoutInMillis as number;

    expect(timeoutMs).toBeGreaterThan((fn.Properties.Timeout as number) * 1000);
    expect(timeoutMs).toBeLessThanOrEqual(30_000);
  });

  it('throttles the stage, and the batch route tighter, and deploys the stage after every route', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage', ofStatusApi(template));
    const routeIds = resourcesOf(template, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => ofStatusApi(template)(route))
      .map(([id]) => id);

    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    expect(stage.Properties.RouteSettings).toEqual({
      'POST /v1/subjects/status:batch': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
    expect(STATUS_BATCH_THROTTLE.rateLimit).toBeLessThan(STATUS_STAGE_THROTTLE.rateLimit as number);
    expect(routeIds).toHaveLength(3);
    for (const routeId of routeIds) expect(stage.DependsOn).toContain(routeId);
  });

  it('writes JSON access logs of route templates and statuses, without paths, query strings, IPs or caller identities', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage', ofStatusApi(template));
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };

    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
    });
    // A single lookup carries the address in its query; IPs are personal data under 152-FZ; the caller
    // is a role of the operator's own systems, which the access logs need not name.
    for (const forbidden of [
      '$context.path',
      'rawPath',
      'querystring',
      'sourceIp',
      'userAgent',
      'domainName',
      '$context.identity',
      '$context.authorizer',
    ]) {
      expect(settings.Format.toLowerCase()).not.toContain(forbidden.toLowerCase());
    }
    const destination = settings.DestinationArn as { 'Fn::GetAtt': [string, string] };
    const logGroup = template.findResources('AWS::Logs::LogGroup')[destination['Fn::GetAtt'][0]];
    expect(logGroup).toMatchObject({ Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
  });

  it('lets API Gateway invoke the function only from this API', () => {
    const [functionId] = statusFunction(template);
    const [apiId] = statusApi(template);
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(([, permission]) =>
      JSON.stringify(permission.Properties.FunctionName).includes(functionId),
    );

    expect(permissions).toHaveLength(3);
    for (const [, permission] of permissions) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(apiId);
    }
  });
});

describe('the callers’ managed policy', () => {
  it('allows execute-api:Invoke on exactly the three routes of this API’s stage, and nothing else', () => {
    const [apiId] = statusApi(template);
    const [, policy] = only(template, 'AWS::IAM::ManagedPolicy', statusCallers);
    const statements = (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement;

    expect(policy.Properties.ManagedPolicyName).toBe('makul-x2-status-api-callers');
    expect(statements).toHaveLength(1);
    const [statement] = statements as [PolicyStatement];
    expect(statement.Effect).toBe('Allow');
    expect(actionsOf(statement)).toEqual(['execute-api:Invoke']);
    expect(statement.Condition).toBeUndefined();
    expect(statement.Resource).toEqual(expect.arrayContaining(ROUTE_KEYS.map((key) => routeArn(apiId, key))));
    expect(statement.Resource).toHaveLength(3);
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
  });

  it('is attached to nobody: the operator attaches it to a marketing system’s role', () => {
    const [policyId, policy] = only(template, 'AWS::IAM::ManagedPolicy', statusCallers);

    expect(policy.Properties.Roles).toBeUndefined();
    expect(policy.Properties.Users).toBeUndefined();
    expect(policy.Properties.Groups).toBeUndefined();
    for (const [, role] of resourcesOf(template, 'AWS::IAM::Role')) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(policyId);
    }
  });

  it('matches the example policy in the docs, placeholders aside', () => {
    const example = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'docs', 'status-api-iam-policy.json'), 'utf8'),
    ) as { Statement: Array<{ Effect: string; Action: string | string[]; Resource: string[] }> };
    const [statement] = example.Statement;
    const documentedRoutes = (statement?.Resource ?? []).map((arn) => {
      const [, stage, method, ...pathParts] = arn.split(':').slice(5).join(':').split('/');
      expect(stage).toBe('$default');
      return `${method} /${pathParts.join('/')}`;
    });

    expect(example.Statement).toHaveLength(1);
    expect(statement?.Effect).toBe('Allow');
    expect(statement?.Action).toBe('execute-api:Invoke');
    expect(documentedRoutes.sort()).toEqual(ROUTE_KEYS);
  });
});

describe('the status function', () => {
  it('runs like the other functions, sized for a fast cold start, with a timeout of seconds and a reservation', () => {
    const [, fn] = statusFunction(template);
    const [, inbound] = only(template, 'AWS::Lambda::Function', describes('classifies and answers'));

    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: STATUS_FUNCTION_MEMORY_MB,
      Timeout: 6,
      ReservedConcurrentExecutions: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(STATUS_FUNCTION_MEMORY_MB).toBe(1769);
    expect(variablesOf(fn)).toEqual(variablesOf(inbound));
  });

  it('may read the subjects table and the HMAC key, and nothing else: no writes, no requests, no mail', () => {
    const statements = functionStatements(template, describes('status API for marketing systems'));
    const actions = statements.flatMap(actionsOf);
    const subjectsId = stack.getLogicalId(stack.tables.subjects.node.defaultChild as CfnElement);
    const dynamo = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('dynamodb:')),
    );

    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0] as PolicyStatement).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect(dynamo[0]?.Resource).toEqual({ 'Fn::GetAtt': [subjectsId, 'Arn'] });
    for (const write of ['Put', 'Update', 'Delete', 'BatchWrite', 'TransactWrite', 'ConditionCheck']) {
      expect(actions.filter((action) => action.startsWith(`dynamodb:${write}`))).toEqual([]);
    }
    expect(actions).toContain('secretsmanager:GetSecretValue');
    // Reads only: the key decrypts, never encrypts.
    expect(new Set(actions.filter((action) => action.startsWith('kms:')))).toEqual(
      new Set(['kms:Decrypt', 'kms:DescribeKey']),
    );
    for (const service of ['ses:', 's3:', 'sqs:', 'events:', 'execute-api:']) {
      expect(actions.filter((action) => action.startsWith(service))).toEqual([]);
    }
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });
});

describe('the status API’s alarms and outputs', () => {
  it('counts 429s from the access logs and alarms on them, on 5xx and on function errors, with all-clears', () => {
    const [topicId] = only(template, 'AWS::SNS::Topic', (topic) =>
      String(topic.Properties.DisplayName).includes('alarms'),
    );
    const [functionId] = statusFunction(template);
    const [apiId] = statusApi(template);
    const alarmAction = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };

    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        { MetricNamespace: 'makul', MetricName: 'StatusApiThrottled', MetricValue: '1' },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'makul',
      MetricName: 'StatusApiThrottled',
      Statistic: 'Sum',
      Threshold: STATUS_THROTTLED_ALARM_THRESHOLD,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Threshold: 1,
    });
  });

  it('prints the API URL and the callers’ policy ARN', () => {
    const [apiId] = statusApi(template);
    const [policyId] = only(template, 'AWS::IAM::ManagedPolicy', statusCallers);
    const outputs = template.findOutputs('*');

    expect(outputs.StatusApiUrl?.Value).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(outputs.StatusApiCallerPolicyArn?.Value).toEqual({ Ref: policyId });
    expect(outputs.StatusApiAccessLogs).toBeDefined();
    expect(outputs.StatusFunctionName).toBeDefined();
  });

  it('adds a row for the status API to the dashboard: requests, 4xx, 5xx, throttled, latency, the function', () => {
    const [, dashboard] = only(template, 'AWS::CloudWatch::Dashboard');
    const [apiId] = statusApi(template);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    for (const title of [
      'Status API: requests, 4xx, 5xx, throttled',
      'Status API: latency (ms)',
      'Status function: invocations, errors, throttles',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('StatusApiThrottled');
    expect(body).toContain(JSON.stringify({ Ref: apiId }));
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(app).violations.map((violation) => violation.ruleName),
    );

    expect(findings).toEqual([]);
  });
});

describe('StatusApi', () => {
  it('refuses a timeout API Gateway could not wait out', () => {
    const scope = new Stack(createApp(), 'Status', { env: { region: 'eu-west-1' } });

    expect(
      () =>
        new StatusApi(scope, 'StatusApi', {
          operatorId: 'x2',
          entry: path.join(PROJECT_ROOT, 'functions', 'status-api', 'index.ts'),
          projectRoot: PROJECT_ROOT,
          environment: {},
          tables: new MakulTables(scope, 'Records'),
          alarmTopic: new sns.Topic(scope, 'Alarms'),
          timeout: Duration.seconds(30),
        }),
    ).toThrow(/at most 29 s/);
  });
});

describe('the status bundle', () => {
  let outdir: string;

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('ships at most 250 KB of code, chunks included, as ESM that points to its source map', () => {
    // The construct alone, bundled as `cdk synth` bundles it (the same MakulFunction settings).
    outdir = mkdtempSync(path.join(tmpdir(), 'makul-status-bundle-'));
    const bundled = createApp({ outdir });
    const alone = new Stack(bundled, 'Status', { env: { region: 'eu-west-1' } });
    new StatusApi(alone, 'StatusApi', {
      operatorId: 'x2',
      entry: path.join(PROJECT_ROOT, 'functions', 'status-api', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment: {},
      tables: new MakulTables(alone, 'Records'),
      alarmTopic: new sns.Topic(alone, 'Alarms'),
    });
    const assembly = bundled.synth();
    const code = statusFunction(Template.fromStack(alone))[1].Properties.Code as { S3Key: string };
    const assetDirectory = path.join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);

    const text = readFileSync(path.join(assetDirectory, 'index.mjs'), 'utf8');

    // Booleans, so that a failure does not print the bundle.
    expect(/export\{[^}]*\bas handler\b[^}]*\}/.test(text), 'exports handler as ESM').toBe(true);
    expect(text.includes('//# sourceMappingURL=index.mjs.map'), 'points to its source map').toBe(true);
    // Everything it ships counts, the chunks read on demand included.
    expect(bundleCodeBytes(assetDirectory)).toBeLessThanOrEqual(STATUS_BUNDLE_LIMIT_BYTES);
  });
});

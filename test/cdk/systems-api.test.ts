/**
 * The private systems API in a stack built from the shipped x2 profile, bundling skipped: only the
 * template counts. IAM on every route, throttled and logged, a function that may touch the requests
 * table and the HMAC key and nothing else, the caller policy and the outputs, and cdk-nag clean.
 */
import * as path from 'node:path';
import { type App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import { ACCESS_LOG_FIELDS } from '../../lib/http-api-stage';
import { MakulStack } from '../../lib/makul-stack';
import { MakulTables } from '../../lib/makul-tables';
import { SYSTEMS_STAGE_THROTTLE, SystemsApi } from '../../lib/systems-api';
import { PROJECT_ROOT } from './synthesize';
import { type CfnResource, only, statementsOfRole, x2Profile } from './template-helpers';

let app: App;
let template: Template;

beforeAll(() => {
  app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(new MakulStack(app, 'Makul-x2', { profile: x2Profile() }));
});

const systemsApi = () =>
  only(template, 'AWS::ApiGatewayV2::Api', (api) => api.Properties.Name === 'makul-x2-systems');
const systemsFunction = () =>
  only(template, 'AWS::Lambda::Function', (fn) => String(fn.Properties.Description).includes('systems API'));

describe('the systems API of a deployment', () => {
  it('has the two routes, each with IAM authorisation, and no $default route', () => {
    const [apiId] = systemsApi();
    const routes = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route') as Record<string, CfnResource>,
    )
      .filter((route) => JSON.stringify(route.Properties.ApiId) === JSON.stringify({ Ref: apiId }))
      .map((route) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'GET /v1/requests/{id}',
      'POST /v1/requests/{id}/tasks/{system}',
    ]);
    for (const route of routes) expect(route.AuthorizationType).toBe('AWS_IAM');
  });

  it('throttles the stage and writes access logs without paths, bodies or callers', () => {
    const [apiId] = systemsApi();
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: SYSTEMS_STAGE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: SYSTEMS_STAGE_THROTTLE.burstLimit,
      },
      AccessLogSettings: { Format: JSON.stringify(ACCESS_LOG_FIELDS) },
    });
  });

  it('lets the function touch the requests table and read the HMAC key, nothing else', () => {
    const [functionId, fn] = systemsFunction();
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
    const statements = statementsOfRole(template, roleId);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:ConditionCheckItem',
        'secretsmanager:GetSecretValue',
      ]),
    );
    expect(actions.filter((action) => action.startsWith('ses:') || action.startsWith('s3:'))).toEqual([]);
    expect(actions).not.toContain('dynamodb:DeleteItem');
    const tableStatements = statements.filter((statement) =>
      [statement.Action].flat().includes('dynamodb:GetItem'),
    );
    expect(JSON.stringify(tableStatements)).not.toContain('Subjects');
    expect(functionId).toBeTruthy();
  });

  it('builds the caller policy for the two routes and outputs the URL, the policy and the logs', () => {
    const [policyId, policy] = only(template, 'AWS::IAM::ManagedPolicy', (candidate) =>
      String(candidate.Properties.ManagedPolicyName).includes('systems-api-callers'),
    );
    expect(policy.Properties.ManagedPolicyName).toBe('makul-x2-systems-api-callers');
    const document = JSON.stringify(policy.Properties.PolicyDocument);
    expect(document).toContain('execute-api:Invoke');
    expect(document).toContain('/GET/v1/requests/*');
    expect(document).toContain('/POST/v1/requests/*/tasks/*');
    const outputs = template.findOutputs('*') as Record<string, { Value: unknown }>;
    expect(outputs.SystemsApiUrl?.Value).toBeTruthy();
    expect(outputs.SystemsApiCallerPolicyArn?.Value).toEqual({ Ref: policyId });
    expect(outputs.SystemsApiAccessLogs?.Value).toBeTruthy();
  });

  it('alarms on server errors, throttling and function errors', () => {
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResource>,
    )
      .map((alarm) => String(alarm.Properties.AlarmDescription))
      .filter((description) => description.includes('systems'));
    expect(alarms.length).toBeGreaterThanOrEqual(3);
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(app).violations.map((violation) => violation.ruleName),
    );
    expect(findings).toEqual([]);
  });
});

describe('SystemsApi', () => {
  it('refuses a timeout API Gateway could not wait out', () => {
    const scope = new Stack(createApp(), 'Systems', { env: { region: 'eu-west-1' } });
    expect(
      () =>
        new SystemsApi(scope, 'SystemsApi', {
          operatorId: 'x2',
          entry: path.join(PROJECT_ROOT, 'functions', 'systems-api', 'index.ts'),
          projectRoot: PROJECT_ROOT,
          environment: {},
          tables: new MakulTables(scope, 'Records'),
          alarmTopic: new sns.Topic(scope, 'Alarms'),
          timeout: Duration.seconds(30),
        }),
    ).toThrow(/at most 29 s/);
  });
});

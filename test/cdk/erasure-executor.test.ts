/**
 * The erasure executor in a stack built from the shipped x2 profile, bundling skipped (only the template
 * counts): its schedule, its narrow permissions (the requests table only, deletes only of tokens, raw
 * mail deleted but never read), its alarms to the DPO's topic, and cdk-nag.
 */
import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { ErasureExecutor } from '../../lib/erasure-executor';
import { MakulStack } from '../../lib/makul-stack';
import { MakulTables } from '../../lib/makul-tables';
import { PROJECT_ROOT } from './synthesize';
import {
  type CfnResource,
  functionStatements,
  only,
  type PolicyStatement,
  resourcesOf,
  x2Profile,
} from './template-helpers';

const DESCRIPTION = 'executes confirmed erasures';

let app: App;
let stack: MakulStack;
let template: Template;

beforeAll(() => {
  app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new MakulStack(app, 'Makul-x2', { profile: x2Profile() });
  template = Template.fromStack(stack);
});

const executorFunction = (from: Template) =>
  only(from, 'AWS::Lambda::Function', (resource) =>
    String(resource.Properties.Description).includes(DESCRIPTION),
  );

/** The executor function's own role (not the Scheduler's invoker role). */
const executorRole = (resource: CfnResource) =>
  String(resource.Properties.Description).includes(DESCRIPTION) &&
  JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com');

const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

function executor(): ErasureExecutor {
  return stack.node.findChild('ErasureExecutor') as ErasureExecutor;
}

function executorAlarms(): Array<[string, CfnResource]> {
  const ids = new Set(executor().alarms.map((alarm) => logicalIdOf(alarm)));
  return resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) => ids.has(id));
}

describe('the erasure executor job', () => {
  it('runs every 15 minutes, one run at a time, retried briefly by Scheduler', () => {
    const [functionId, fn] = executorFunction(template);

    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties.Timeout).toBe(120);
    const [, schedule] = only(template, 'AWS::Scheduler::Schedule', (resource) =>
      JSON.stringify(resource.Properties.Target).includes(functionId),
    );
    expect(schedule.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(schedule.Properties.Target).toMatchObject({
      RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 },
    });
  });

  it('works on the requests table only: reads through two indexes, writes entries and acts, deletes tokens', () => {
    const statements = functionStatements(template, executorRole).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    const requestsArn = { 'Fn::GetAtt': [logicalIdOf(stack.tables.requests), 'Arn'] };

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [
          requestsArn,
          { 'Fn::Join': ['', [requestsArn, '/index/by-status-due']] },
          { 'Fn::Join': ['', [requestsArn, '/index/by-subject']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: requestsArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*', 'ACT#*'] } },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: requestsArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*', 'REQ#*'] } },
      },
    ]);
    expect(JSON.stringify(functionStatements(template, executorRole))).not.toContain(
      logicalIdOf(stack.tables.subjects),
    );
  });

  it('deletes raw mail below raw/ and never reads it; reads no secret when acts do not name the address', () => {
    const statements = functionStatements(template, executorRole);
    const s3Statements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.receiving.rawMailBucket), 'Arn'] };

    expect(s3Statements).toEqual([
      { Effect: 'Allow', Action: 's3:DeleteObject', Resource: { 'Fn::Join': ['', [bucketArn, '/raw/*']] } },
    ]);
    const all = statements.flatMap(actionsOf);
    expect(all.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
    expect(all.some((action) => action.startsWith('ses:'))).toBe(false);
    const kms = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    expect(kms).toHaveLength(1);
    expect(JSON.stringify(kms[0]?.Condition)).toContain('dynamodb.');
  });

  it('reads the HMAC key when the operator’s acts name the address', () => {
    const scope = new Stack(createApp({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Alone', {
      env: { region: 'eu-west-1' },
    });
    const profile = x2Profile();
    const tables = new MakulTables(scope, 'Records');
    new ErasureExecutor(scope, 'ErasureExecutor', {
      operatorId: 'x2',
      entry: 'functions/erasure-executor/index.ts',
      projectRoot: PROJECT_ROOT,
      environment: functionEnvironment({
        profile,
        requestsTableName: 'requests',
        subjectsTableName: 'subjects',
        rawMailBucketName: 'raw',
        hmac: { key: 'k' },
      }),
      tables,
      rawMailBucket: new s3.Bucket(scope, 'Raw'),
      alarmTopic: new sns.Topic(scope, 'Topic'),
      actsNameAddress: true,
    });
    const actions = functionStatements(Template.fromStack(scope), executorRole).flatMap(actionsOf);

    expect(actions).toContain('secretsmanager:GetSecretValue');
    expect(Template.fromStack(scope).findResources('AWS::CloudWatch::Dashboard')).toEqual({});
  });
});

describe('the erasure alarms', () => {
  it('fire on one failure, one overdue erasure and one failed run, to the DPO’s topic, and say when they clear', () => {
    const topic = { Ref: logicalIdOf(stack.alarms.alarmTopic) };
    const alarms = executorAlarms().map(([, alarm]) => alarm.Properties);

    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual([
      'ErasureFailures',
      'ErasuresOverdue',
      'Errors',
    ]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        Period: 900,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(alarm.AlarmDescription).toMatch(/Runbook: "[^"]+"/);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'makul',
      MetricName: 'ErasuresOverdue',
      Statistic: 'Maximum',
      Dimensions: Match.arrayWith([
        { Name: 'operator', Value: 'x2' },
        { Name: 'service', Value: 'erasure-executor' },
      ]),
    });
  });

  it('are on the dashboard', () => {
    const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard') as [[string, CfnResource]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    for (const [id] of executorAlarms())
      expect(body).toContain(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(body).toContain('Erasures: executed, failed, overdue');
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged on the executor', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.filter((violation) => JSON.stringify(violation).includes('ErasureExecutor'))
        .map((violation) => violation.ruleName),
    );

    expect(findings).toEqual([]);
  });
});

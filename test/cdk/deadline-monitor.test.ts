/**
 * The deadline monitor in a stack built from the shipped x2 profile, bundling skipped (only the template
 * counts): its schedule, its narrow permissions, its alarms to the DPO's topic, its dashboard row, and
 * cdk-nag.
 */
import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { DeadlineMonitor } from '../../lib/deadline-monitor';
import { MailSendingIdentity } from '../../lib/mail-sending-identity';
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

const DESCRIPTION = 'watches legal deadlines of open requests';

let app: App;
let stack: MakulStack;
let template: Template;

beforeAll(() => {
  app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new MakulStack(app, 'Makul-x2', { profile: x2Profile() });
  template = Template.fromStack(stack);
});

const monitorFunction = (from: Template) =>
  only(from, 'AWS::Lambda::Function', (resource) =>
    String(resource.Properties.Description).includes(DESCRIPTION),
  );

const variablesOf = (fn: CfnResource) =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

/** The function's own role (not the Scheduler's invoker role). */
const monitorRole = (resource: CfnResource) =>
  String(resource.Properties.Description).includes(DESCRIPTION) &&
  JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com');

const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The alarms the monitor made: those under its construct path. */
function monitorAlarms(): Array<[string, CfnResource]> {
  const ids = new Set(stack.deadlineMonitor.alarms.map((alarm) => logicalIdOf(alarm)));
  return resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) => ids.has(id));
}

describe('the deadline monitor job', () => {
  it('runs every hour at five past, one run at a time, retried briefly by Scheduler', () => {
    const [functionId, fn] = monitorFunction(template);

    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties.Timeout).toBe(60);
    const [, schedule] = only(template, 'AWS::Scheduler::Schedule', (resource) =>
      JSON.stringify(resource.Properties.Target).includes(functionId),
    );
    expect(schedule.Properties.ScheduleExpression).toBe('cron(5 * * * ? *)');
    expect(schedule.Properties.Target).toMatchObject({
      RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 },
    });
  });

  it('gets the stack’s function environment and the digest’s local hour (09 by default)', () => {
    const [, fn] = monitorFunction(template);
    const [, inbound] = only(template, 'AWS::Lambda::Function', (resource) =>
      String(resource.Properties.Description).includes('classifies and answers'),
    );

    const { DEADLINE_DIGEST_LOCAL_HOUR, ...shared } = variablesOf(fn);
    expect(DEADLINE_DIGEST_LOCAL_HOUR).toBe('9');
    expect(shared).toEqual(variablesOf(inbound));
  });

  it('may Query only the by-status-due index and request keys (tasks), and write only digest markers', () => {
    const statements = functionStatements(template, monitorRole).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    const requestsArn = { 'Fn::GetAtt': [logicalIdOf(stack.tables.requests), 'Arn'] };

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [requestsArn, '/index/by-status-due']] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: requestsArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] } },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: requestsArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DIGEST#*'] } },
      },
    ]);
  });

  it('uses the records key only through DynamoDB, sends only from the operator’s identity, and reads no secret, raw mail or subject', () => {
    const statements = functionStatements(template, monitorRole);
    const all = statements.flatMap(actionsOf);
    const kms = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    const ses = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('ses:')),
    );

    expect(kms).toHaveLength(1);
    expect(JSON.stringify(kms[0]?.Condition)).toContain('dynamodb.');
    expect(kms[0]?.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.tables.encryptionKey), 'Arn'] });
    expect(ses).toHaveLength(1);
    expect(JSON.stringify(ses[0]?.Resource)).toContain('configuration-set/makul-x2');
    expect(all.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
    expect(all.some((action) => action.startsWith('s3:'))).toBe(false);
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(stack.tables.subjects));
  });

  it('is invoked by a role that may invoke only it, unqualified', () => {
    const [functionId] = monitorFunction(template);
    const invokes = resourcesOf(template, 'AWS::IAM::Policy')
      .flatMap(
        ([, policy]) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
      )
      .filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'))
      .filter((statement) => JSON.stringify(statement.Resource).includes(functionId));

    expect(invokes).toHaveLength(1);
    expect(invokes[0]?.Resource).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
  });
});

describe('the deadline alarms', () => {
  it('fire on one overdue request, one due soon, one open task of an overdue request, one missing calendar year and one failed run, to the DPO’s topic, and say when they clear', () => {
    const topic = { Ref: logicalIdOf(stack.alarms.alarmTopic) };
    const alarms = monitorAlarms().map(([, alarm]) => alarm.Properties);

    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual([
      'CalendarYearMissing',
      'Errors',
      'FulfilmentTasksOverdue',
      'RequestsDueSoon',
      'RequestsOverdue',
    ]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        Period: 3600,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(alarm.AlarmDescription).toMatch(/Runbook: "[^"]+"/);
    }
  });

  it('reads the gauges the monitor publishes: its own service, the operator, the highest value of the hour', () => {
    for (const metricName of [
      'RequestsOverdue',
      'RequestsDueSoon',
      'FulfilmentTasksOverdue',
      'CalendarYearMissing',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'makul',
        MetricName: metricName,
        Statistic: 'Maximum',
        Dimensions: Match.arrayWith([
          { Name: 'operator', Value: 'x2' },
          { Name: 'service', Value: 'deadline-monitor' },
        ]),
      });
    }
  });

  it('calls the overdue one urgent, names the due-soon window and points each to its runbook section', () => {
    const byMetric = new Map(
      monitorAlarms().map(([, alarm]) => [
        alarm.Properties.MetricName,
        String(alarm.Properties.AlarmDescription),
      ]),
    );

    expect(byMetric.get('RequestsOverdue')).toMatch(/^URGENT: .*Runbook: "Deadlines overdue"\.$/);
    expect(byMetric.get('RequestsDueSoon')).toContain('within 2 working days');
    expect(byMetric.get('RequestsDueSoon')).toContain('Runbook: "Deadlines due soon"');
    expect(byMetric.get('FulfilmentTasksOverdue')).toContain('Runbook: "Tasks overdue"');
    expect(byMetric.get('CalendarYearMissing')).toContain('Runbook: "Calendar year missing"');
    expect(byMetric.get('Errors')).toContain('Runbook: "Deadline monitor errors"');
  });

  it('are on the dashboard, in the monitor’s own row', () => {
    const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard') as [[string, CfnResource]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    for (const [id] of monitorAlarms()) expect(body).toContain(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(body).toContain('Deadlines: overdue, due soon, awaiting confirmation');
  });
});

describe('DeadlineMonitor on its own', () => {
  function standalone(digestLocalHour?: number) {
    const scope = new Stack(createApp({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Alone', {
      env: { region: 'eu-west-1' },
    });
    const profile = x2Profile();
    const tables = new MakulTables(scope, 'Records');
    return new DeadlineMonitor(scope, 'DeadlineMonitor', {
      operatorId: 'x2',
      entry: 'functions/deadline-monitor/index.ts',
      projectRoot: PROJECT_ROOT,
      environment: functionEnvironment({
        profile,
        requestsTableName: 'requests',
        subjectsTableName: 'subjects',
        rawMailBucketName: 'raw',
        hmac: { key: 'k' },
      }),
      tables,
      sending: new MailSendingIdentity(scope, 'Sending', {
        operatorId: 'x2',
        supportAddresses: profile.operator.supportAddresses,
      }),
      alarmTopic: new sns.Topic(scope, 'Topic'),
      ...(digestLocalHour === undefined ? {} : { digestLocalHour }),
    });
  }

  it('takes the digest’s local hour from its props', () => {
    const monitor = standalone(7);
    const [, fn] = monitorFunction(Template.fromStack(Stack.of(monitor)));

    expect(variablesOf(fn).DEADLINE_DIGEST_LOCAL_HOUR).toBe('7');
  });

  it('refuses an hour that is not one of the day’s', () => {
    expect(() => standalone(24)).toThrow(/0 to 23/);
  });

  it('adds no dashboard row when given no dashboard', () => {
    const monitor = standalone();

    expect(Template.fromStack(Stack.of(monitor)).findResources('AWS::CloudWatch::Dashboard')).toEqual({});
    expect(monitor.alarms.every((alarm) => alarm instanceof cloudwatch.Alarm)).toBe(true);
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the stack with the monitor', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(app).violations.map((violation) => violation.ruleName),
    );

    expect(findings).toEqual([]);
  });
});

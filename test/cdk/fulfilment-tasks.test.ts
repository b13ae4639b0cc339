/**
 * The fulfilment-task processor and the systems' queues in a stack built from the shipped x2 profile
 * (player-accounts and marketing-platform told by event, helpdesk by a person), bundling skipped: only
 * the template counts.
 */
import type { App, CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import type { FulfilmentTasks } from '../../lib/fulfilment-tasks';
import { MakulStack } from '../../lib/makul-stack';
import {
  type CfnResource,
  functionStatements,
  only,
  type PolicyStatement,
  resourcesOf,
  x2Profile,
} from './template-helpers';

const ROLE = 'arn:aws:iam::123456789012:role/player-accounts';
let app: App;
let stack: MakulStack;
let template: Template;

beforeAll(() => {
  const dataSystems = x2Profile().operator.dataSystems.map((system) =>
    system.id === 'player-accounts' ? { ...system, callerRoleArn: ROLE } : system,
  );
  app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new MakulStack(app, 'Makul-x2', { profile: x2Profile({ dataSystems }) });
  template = Template.fromStack(stack);
});

const describes = (text: string) => (resource: CfnResource) =>
  String(resource.Properties.Description).includes(text);

const PROCESSOR = 'makes fulfilment tasks';
const processor = () => stack.node.findChild('FulfilmentTasks') as FulfilmentTasks;
const logicalIdOf = (element: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(element.node.defaultChild as CfnElement);
const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('the fulfilment-task processor', () => {
  it('follows the requests table stream, which has both images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      GlobalSecondaryIndexes: Match.anyValue(),
    });
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping', (resource) =>
      JSON.stringify(resource.Properties.EventSourceArn).includes(logicalIdOf(stack.tables.requests)),
    );
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 60 * 60,
      ParallelizationFactor: 1,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(processor().deadLetterQueue), 'Arn'] } },
      },
    });
    expect(JSON.stringify(mapping.Properties.FunctionName)).toContain(
      only(template, 'AWS::Lambda::Function', describes(PROCESSOR))[0],
    );
  });

  it('sees only request entries becoming in-progress and tasks inserted for systems told by event', () => {
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping', (resource) =>
      JSON.stringify(resource.Properties.EventSourceArn).includes(logicalIdOf(stack.tables.requests)),
    );
    const patterns = (mapping.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map(
      (filter) => JSON.parse(filter.Pattern),
    );
    expect(patterns).toHaveLength(3);
    const kinds = ['update-data', 'withdraw-consent', 'access', 'erasure', 'restrict', 'stop-dissemination'];
    const meta = {
      Keys: { sk: { S: ['META'] } },
      NewImage: { status: { S: ['in-progress'] }, kind: { S: kinds } },
    };
    expect(patterns).toEqual([
      { eventName: ['INSERT'], dynamodb: meta },
      {
        eventName: ['MODIFY'],
        dynamodb: { ...meta, OldImage: { status: { S: [{ 'anything-but': ['in-progress'] }] } } },
      },
      {
        eventName: ['INSERT'],
        dynamodb: { Keys: { sk: { S: [{ prefix: 'TASK#' }] } }, NewImage: { toldBy: { S: ['event'] } } },
      },
    ]);
  });

  it('gets the stack environment with the status bus, and may put events on that bus only', () => {
    const [, fn] = only(template, 'AWS::Lambda::Function', describes(PROCESSOR));
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.EVENT_BUS_NAME).toBe('makul-x2-status');
    const statements = functionStatements(template, describes(PROCESSOR));
    const putEvents = statements.filter((statement) => actionsOf(statement).includes('events:PutEvents'));
    expect(putEvents).toHaveLength(1);
    expect(JSON.stringify(putEvents[0]?.Resource)).toContain(logicalIdOf(stack.statusChanges.bus));
  });

  it('reads and writes request items only (REQ# partitions), never deletes, and holds no HMAC key', () => {
    const statements = functionStatements(template, describes(PROCESSOR));
    const actions = statements.flatMap(actionsOf);
    const items = statements.filter((statement) =>
      actionsOf(statement).some((action) => action === 'dynamodb:PutItem'),
    );

    expect(items).toHaveLength(1);
    expect(actionsOf(items[0] as PolicyStatement).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(items[0]?.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.tables.requests), 'Arn'] });
    expect(items[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] },
    });
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(stack.tables.subjects));
    expect(actions.filter((action) => action.startsWith('dynamodb:Delete'))).toEqual([]);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions.filter((action) => action.startsWith('ses:') || action.startsWith('s3:'))).toEqual([]);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('has a dead-letter queue and alarms on it, on errors and on the stream falling behind', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.startsWith('FulfilmentTasks'),
    );
    const names = alarms.map(([id]) => id);
    for (const alarm of ['DeadLetterQueueNotEmpty', 'FunctionErrors', 'StreamBehind'])
      expect(names.some((name) => name.includes(alarm))).toBe(true);
    expect(names.filter((name) => name.includes('SystemDeadLetters'))).toHaveLength(2);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });
});

describe('the queues of the systems told by event', () => {
  const systemQueue = (name: string) =>
    only(template, 'AWS::SQS::Queue', (resource) => resource.Properties.QueueName === name);

  it('gives each system told by event one queue, encrypted, with a dead-letter queue', () => {
    for (const system of ['player-accounts', 'marketing-platform']) {
      const [, queue] = systemQueue(`makul-x2-tasks-${system}`);
      const [dlqId] = systemQueue(`makul-x2-tasks-${system}-dlq`);
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      });
    }
    // The helpdesk is told by a person: no queue, no rule.
    const names = resourcesOf(template, 'AWS::SQS::Queue').map(([, queue]) =>
      String(queue.Properties.QueueName),
    );
    expect(names.filter((name) => name.includes('helpdesk'))).toEqual([]);
  });

  it('refuses every call to the queues without TLS', () => {
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy').map(([, policy]) =>
      JSON.stringify(policy.Properties),
    );
    for (const system of ['player-accounts', 'marketing-platform']) {
      const [queueId] = systemQueue(`makul-x2-tasks-${system}`);
      const policy = policies.find(
        (candidate) => candidate.includes(queueId) && candidate.includes('SecureTransport'),
      );
      expect(policy).toBeDefined();
    }
  });

  it('routes each system its own task events: one rule on the status bus per system told by event', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([, rule]) =>
      JSON.stringify(rule.Properties.EventPattern).includes('Fulfilment Task Created'),
    );
    expect(rules).toHaveLength(2);
    for (const system of ['player-accounts', 'marketing-platform']) {
      const [queueId] = systemQueue(`makul-x2-tasks-${system}`);
      const [dlqId] = systemQueue(`makul-x2-tasks-${system}-dlq`);
      const [, rule] = only(template, 'AWS::Events::Rule', (candidate) =>
        JSON.stringify(candidate.Properties.EventPattern).includes(`"${system}"`),
      );
      expect(rule.Properties).toMatchObject({
        EventBusName: { Ref: logicalIdOf(stack.statusChanges.bus) },
        EventPattern: {
          source: ['makul.x2'],
          'detail-type': ['Fulfilment Task Created'],
          detail: { system: [system] },
        },
        Targets: [
          expect.objectContaining({
            Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
          }),
        ],
      });
    }
  });

  it("lets a system's own role consume its queue, when the profile names the role", () => {
    const [queueId] = systemQueue('makul-x2-tasks-player-accounts');
    const [otherId] = systemQueue('makul-x2-tasks-marketing-platform');
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy').map(([, policy]) =>
      JSON.stringify(policy.Properties),
    );
    const withRole = policies.filter((policy) => policy.includes(ROLE));
    expect(withRole).toHaveLength(1);
    expect(withRole[0]).toContain(queueId);
    expect(withRole[0]).toContain('sqs:ReceiveMessage');
    expect(withRole[0]).not.toContain(otherId);
  });

  it('outputs each queue URL for the system to poll', () => {
    const outputs = template.findOutputs('*');
    for (const [name, system] of [
      ['FulfilmentQueueUrlPlayerAccounts', 'player-accounts'],
      ['FulfilmentQueueUrlMarketingPlatform', 'marketing-platform'],
    ] as const) {
      const [queueId] = systemQueue(`makul-x2-tasks-${system}`);
      expect(outputs[name]?.Value).toEqual({ Ref: queueId });
    }
    expect(Object.keys(outputs).filter((name) => name.startsWith('FulfilmentQueueUrl'))).toHaveLength(2);
  });

  it('leaves no cdk-nag finding unacknowledged on the processor, the queues and the rules', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.flatMap((violation) =>
          violation.violatingResources.map(
            (resource) => `${violation.ruleName} ${resource.resourceLogicalId}`,
          ),
        ),
    );
    expect(findings.filter((finding) => finding.includes(' FulfilmentTasks'))).toEqual([]);
  });
});

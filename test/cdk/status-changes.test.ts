/**
 * The status-change processor in stacks built from the shipped x2 profile, as it is (no SES contact
 * list) and with a contact list, bundling skipped: only the template counts.
 */
import * as path from 'node:path';
import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { MakulStack } from '../../lib/makul-stack';
import { MakulTables } from '../../lib/makul-tables';
import { StatusChanges } from '../../lib/status-changes';
import { PROJECT_ROOT } from './synthesize';
import {
  type CfnResource,
  functionStatements,
  only,
  type PolicyStatement,
  x2Profile,
} from './template-helpers';

interface Built {
  readonly app: App;
  readonly stack: MakulStack;
  readonly template: Template;
}

let shipped: Built;
let withContactList: Built;

beforeAll(() => {
  shipped = built(x2Profile());
  withContactList = built(x2Profile({ sesContactList: { name: 'x2-news', topics: ['offers'] } }));
});

/** A stack for the profile, bundling skipped: these tests read the template only. */
function built(profile: DeploymentProfile): Built {
  const app = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new MakulStack(app, 'Makul-x2', { profile });
  return { app, stack, template: Template.fromStack(stack) };
}

const describes = (text: string) => (resource: CfnResource) =>
  String(resource.Properties.Description).includes(text);

function processor(from: Template) {
  return only(from, 'AWS::Lambda::Function', describes('publishes subject status changes'));
}

function variablesOf(fn: CfnResource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Statements of the inline policies attached to the processor's role. */
function processorStatements(from: Template): PolicyStatement[] {
  return functionStatements(from, describes('publishes subject status changes'));
}

const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const logicalIdOf = ({ stack }: Built, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

describe('the status-change processor (shipped profile: no SES contact list)', () => {
  it('reads the subjects table’s stream of new and old images', () => {
    const subjectsId = logicalIdOf(shipped, shipped.stack.tables.subjects);
    const table = shipped.template.toJSON().Resources[subjectsId] as CfnResource;

    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('maps the stream to the function in order, in batches, bisecting and reporting failures, with a dead-letter queue', () => {
    const { template } = shipped;
    const [functionId] = processor(template);
    const subjectsId = logicalIdOf(shipped, shipped.stack.tables.subjects);
    const deadLettersId = logicalIdOf(shipped, shipped.stack.statusChanges.deadLetterQueue);
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping', (resource) =>
      // The subjects table's stream: the requests table's drives the fulfilment-task processor.
      JSON.stringify(resource.Properties.EventSourceArn).includes(
        logicalIdOf(shipped, shipped.stack.tables.subjects),
      ),
    );

    expect(mapping.Properties).toEqual({
      FunctionName: { Ref: functionId },
      EventSourceArn: { 'Fn::GetAtt': [subjectsId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      // One batch per shard at a time: a subject's changes stay in order, the feed has one writer.
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLettersId, 'Arn'] } } },
      FilterCriteria: expect.any(Object),
      Tags: [{ Key: 'makul:operator', Value: 'x2' }],
    });
  });

  it('is invoked for subject records only, not for the change feed’s own writes or the counters', () => {
    const [, mapping] = only(shipped.template, 'AWS::Lambda::EventSourceMapping', (resource) =>
      // The subjects table's stream: the requests table's drives the fulfilment-task processor.
      JSON.stringify(resource.Properties.EventSourceArn).includes(
        logicalIdOf(shipped, shipped.stack.tables.subjects),
      ),
    );
    const { Filters } = mapping.Properties.FilterCriteria as { Filters: Array<{ Pattern: string }> };

    expect(Filters).toHaveLength(1);
    expect(JSON.parse(Filters[0]?.Pattern ?? '')).toEqual({
      dynamodb: { Keys: { sk: { S: ['PROFILE'] } } },
    });
  });

  it('leaves the records time in the stream (24 hours) to be read again after they reach the dead-letter queue', () => {
    const [, mapping] = only(shipped.template, 'AWS::Lambda::EventSourceMapping', (resource) =>
      // The subjects table's stream: the requests table's drives the fulfilment-task processor.
      JSON.stringify(resource.Properties.EventSourceArn).includes(
        logicalIdOf(shipped, shipped.stack.tables.subjects),
      ),
    );

    expect(mapping.Properties.MaximumRecordAgeInSeconds as number).toBeLessThanOrEqual(12 * 3600);
  });

  it('keeps the dead letters encrypted with the records key, TLS only, for 14 days', () => {
    const { template, stack } = shipped;
    const deadLettersId = logicalIdOf(shipped, stack.statusChanges.deadLetterQueue);
    const keyId = logicalIdOf(shipped, stack.tables.encryptionKey);
    const queue = template.toJSON().Resources[deadLettersId] as CfnResource;

    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: deadLettersId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('publishes to its own bus, named after the operator, and tells the function its name', () => {
    const { template } = shipped;
    const [, fn] = processor(template);
    const [, inbound] = only(template, 'AWS::Lambda::Function', describes('classifies and answers'));

    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'makul-x2-status' });
    expect(variablesOf(fn)).toEqual({ ...variablesOf(inbound), EVENT_BUS_NAME: 'makul-x2-status' });
    // No policy on the bus: only this account's principals (the processor, and rules the operator adds).
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('runs like the other functions, unreserved (the shards bound it), with a minute per batch', () => {
    const [, fn] = processor(shipped.template);

    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('may put events on its bus alone, write the feed in the subjects table, follow its stream and send to its dead-letter queue, and no more', () => {
    const { template, stack } = shipped;
    const statements = processorStatements(template);
    const actions = statements.flatMap(actionsOf);
    const busId = logicalIdOf(shipped, stack.statusChanges.bus);
    const subjectsId = logicalIdOf(shipped, stack.tables.subjects);
    const deadLettersId = logicalIdOf(shipped, stack.statusChanges.deadLetterQueue);
    const statementWith = (action: string) => {
      const found = statements.filter((statement) => actionsOf(statement).includes(action));
      expect(found, action).toHaveLength(1);
      return found[0] as PolicyStatement;
    };

    expect(statementWith('events:PutEvents').Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(actionsOf(statementWith('events:PutEvents'))).toEqual(['events:PutEvents']);
    expect(statementWith('dynamodb:PutItem').Resource).toEqual({ 'Fn::GetAtt': [subjectsId, 'Arn'] });
    expect(actionsOf(statementWith('dynamodb:PutItem')).sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    // The four stream actions on this stream only (no ListStreams on "*").
    expect(statementWith('dynamodb:GetRecords')).toMatchObject({
      Action: [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ],
      Resource: { 'Fn::GetAtt': [subjectsId, 'StreamArn'] },
    });
    expect(statementWith('sqs:SendMessage')).toMatchObject({
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [deadLettersId, 'Arn'] },
    });
    expect(actions.filter((action) => action.startsWith('dynamodb:Delete'))).toEqual([]);
    // Without a contact list: no SES, no request, no HMAC key.
    expect(actions.filter((action) => action.startsWith('ses:'))).toEqual([]);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(shipped, stack.tables.requests));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    for (const statement of statements) {
      if (!actionsOf(statement).some((action) => action.startsWith('xray:'))) {
        expect(statement.Resource, actionsOf(statement).join()).not.toBe('*');
      }
    }
  });

  it('uses the records key through DynamoDB and SQS, and decrypts stream records', () => {
    const { template, stack } = shipped;
    const keyId = logicalIdOf(shipped, stack.tables.encryptionKey);
    const keyStatements = processorStatements(template).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );

    for (const statement of keyStatements)
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const viaServices = keyStatements.map(
      (statement) =>
        JSON.stringify(statement.Condition ?? 'none').match(/"(dynamodb|sqs)\.eu-west-1\."/)?.[1] ?? 'none',
    );
    expect(viaServices.sort()).toEqual(['dynamodb', 'none', 'sqs']);
    // The unconditioned statement only decrypts (stream records).
    const unconditioned = keyStatements.find((statement) => statement.Condition === undefined);
    expect(unconditioned?.Action).toBe('kms:Decrypt');
  });

  it('alarms on dead letters, function errors and the stream falling behind, with all-clears', () => {
    const { template, stack } = shipped;
    const [topicId] = only(template, 'AWS::SNS::Topic', (topic) =>
      String(topic.Properties.DisplayName).includes('alarms'),
    );
    const [functionId] = processor(template);
    const deadLettersId = logicalIdOf(shipped, stack.statusChanges.deadLetterQueue);
    const alarmAction = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarmAction,
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Maximum',
      // Milliseconds: five minutes behind.
      Threshold: 5 * 60 * 1000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('adds a row for the processor to the dashboard: invocations, errors, iterator age, dead letters and its own metrics', () => {
    const [, dashboard] = only(shipped.template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    for (const title of [
      'Status changes: invocations, errors',
      'Status changes: stream behind (iterator age, ms)',
      'Status changes: dead-letter queue',
      'Status changes: feed, events, contact list',
    ]) {
      expect(body).toContain(title);
    }
    for (const metric of ['IteratorAge', 'StatusChanges', 'StatusEventsPublished', 'ContactListSynced']) {
      expect(body).toContain(metric);
    }
  });

  it('prints the bus name and ARN and the dead-letter queue', () => {
    const busId = logicalIdOf(shipped, shipped.stack.statusChanges.bus);
    const outputs = shipped.template.findOutputs('*');

    expect(outputs.StatusEventBusName?.Value).toEqual({ Ref: busId });
    expect(outputs.StatusEventBusArn?.Value).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(outputs.StatusChangesDeadLetterQueueUrl).toBeDefined();
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    expect(nagFindings(shipped.app)).toEqual([]);
  });
});

describe('the status-change processor with an SES contact list', () => {
  it('may read, create and update contacts of that one list, and no other SES action', () => {
    const statements = processorStatements(withContactList.template);
    const ses = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('ses:')),
    );

    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0] as PolicyStatement).sort()).toEqual([
      'ses:CreateContact',
      'ses:GetContact',
      'ses:UpdateContact',
    ]);
    expect(ses[0]?.Resource).toEqual({
      'Fn::Join': ['', ['arn:aws:ses:eu-west-1:', { Ref: 'AWS::AccountId' }, ':contact-list/x2-news']],
    });
  });

  it('may read a request (for its sealed address), mark it synced and forget the address, and read the HMAC key that opens it; nothing more of the requests table', () => {
    const { stack } = withContactList;
    const statements = processorStatements(withContactList.template);
    const requestsId = logicalIdOf(withContactList, stack.tables.requests);
    const onRequests = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(requestsId),
    );

    expect(onRequests).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [requestsId, 'Arn'] },
      }),
    ]);
    expect(statements.flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
  });

  it('stays cdk-nag clean', () => {
    expect(nagFindings(withContactList.app)).toEqual([]);
  });
});

describe('StatusChanges', () => {
  it('refuses an environment that does not name its bus', () => {
    const stack = new Stack(createApp({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Status', {
      env: { region: 'eu-west-1' },
    });

    expect(
      () =>
        new StatusChanges(stack, 'StatusChanges', {
          operatorId: 'x2',
          entry: path.join(PROJECT_ROOT, 'functions', 'status-changes', 'index.ts'),
          projectRoot: PROJECT_ROOT,
          environment: { EVENT_BUS_NAME: 'some-other-bus' },
          tables: new MakulTables(stack, 'Records'),
          alarmTopic: new sns.Topic(stack, 'Alarms'),
        }),
    ).toThrow(/EVENT_BUS_NAME to makul-x2-status/);
  });
});

function nagFindings(app: App): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(app).violations.map((violation) => violation.ruleName),
  );
}

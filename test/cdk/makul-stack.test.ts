import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type CfnElement, Token, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CALL_TIMEOUTS, CALL_BUDGET_MS, longestCallMs } from '../../functions/shared/aws-timeouts';
import { MAX_RECEIVE_COUNT, PROFILE_FILE_NAME, profileDigest } from '../../functions/shared/config';
import { TABLE_KEYS } from '../../functions/shared/table-design';
import { RAW_MAIL_PREFIX } from '../../lib/inbound-mail-receiving';
import type { MakulStack } from '../../lib/makul-stack';
import { type SynthesizedApp, stackFor, synthesizeShippedApp } from './synthesize';
import { type CfnResource, only, type PolicyStatement, resourcesOf, x2Profile } from './template-helpers';

/** The bundle budget, in esbuild's kilobytes (1024 bytes). */
const INBOUND_BUNDLE_LIMIT_BYTES = 550 * 1024;
/** Lambda's limit on all environment variables of a function together. */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4 * 1024;

let synthesized: SynthesizedApp;
let x2: MakulStack;
let x2Template: Template;

beforeAll(() => {
  synthesized = synthesizeShippedApp();
  x2 = stackFor(synthesized, 'x2');
  x2Template = Template.fromStack(x2);
});

afterAll(() => synthesized.dispose());

/** Where the cloud assembly staged a function's code: `asset.<hash>`, the hash its S3 key names. */
function assetDirectoryOf(fn: { Properties: Record<string, unknown> }): string {
  const key = (fn.Properties.Code as { S3Key?: unknown }).S3Key;
  if (typeof key !== 'string') throw new Error('the function’s code has no literal S3 key');
  return path.join(synthesized.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
}

function inboundFunction(template: Template): CfnResource {
  return only(
    template,
    'AWS::Lambda::Function',
    (resource) =>
      resource.Properties.Runtime === 'nodejs24.x' &&
      String(resource.Properties.Description).includes('classifies and answers'),
  )[1];
}

function deferredOutboundFunction(template: Template): CfnResource {
  return only(template, 'AWS::Lambda::Function', (resource) =>
    String(resource.Properties.Description).includes('waited for a rate-limit window'),
  )[1];
}

/**
 * The inbound queue (the only queue with a redrive policy) and the dead-letter queue its redrive policy
 * names: the stack has another dead-letter queue, the status-change processor's.
 */
function inboundQueues(template: Template): { queue: CfnResource; deadLetters: CfnResource } {
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  // The systems' task queues (lib/fulfilment-tasks.ts) have redrive policies too.
  const redriven = queues.filter(
    ([id, resource]) => 'RedrivePolicy' in resource.Properties && id.startsWith('Receiving'),
  );
  expect(redriven).toHaveLength(1);
  const queue = (redriven[0] as [string, CfnResource])[1];
  const target = (
    queue.Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } }
  ).deadLetterTargetArn['Fn::GetAtt'][0];
  const deadLetters = queues.find(([id]) => id === target)?.[1];
  if (!deadLetters) throw new Error('the inbound queue names no dead-letter queue of this template');
  return { queue, deadLetters };
}

/** The logical id of the CloudFormation resource a construct made in the x2 stack. */
function logicalIdOf(construct: IConstruct): string {
  return x2.getLogicalId(construct.node.defaultChild as CfnElement);
}

function statementsOf(template: Template): PolicyStatement[] {
  return resourcesOf(template, 'AWS::IAM::Policy').flatMap(
    ([, policy]) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
  );
}

function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

describe('the synthesized app', () => {
  it('has one stack per operator in the shipped operators file', () => {
    const names = synthesized.stacks.map((stack) => stack.stackName).sort();

    expect(names).toEqual(['Makul-sitronics', 'Makul-x2']);
  });

  it('places each stack in its operator’s region without fixing an account', () => {
    const sitronics = stackFor(synthesized, 'sitronics');

    expect([x2.region, sitronics.region]).toEqual(['eu-west-1', 'us-east-1']);
    expect(Token.isUnresolved(x2.account)).toBe(true);
  });
});

describe('InboundMailReceiving', () => {
  it('adds a receipt rule per support address that requires TLS and scans for spam and viruses', () => {
    const { operator } = x2Profile();

    x2Template.resourceCountIs('AWS::SES::ReceiptRule', operator.supportAddresses.length);
    x2Template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: 'makul-x2-inbound',
      Rule: {
        Enabled: true,
        Recipients: ['support@x2.kg'],
        TlsPolicy: 'Require',
        ScanEnabled: true,
        Actions: [
          {
            S3Action: {
              ObjectKeyPrefix: RAW_MAIL_PREFIX,
              TopicArn: Match.anyValue(),
              IamRoleArn: Match.anyValue(),
              // A KMS key here would switch SES to client-side encryption that a plain GET cannot read.
              KmsKeyArn: Match.absent(),
            },
          },
        ],
      },
    });
  });

  it('stores raw mail encrypted with a customer-managed key, private, unversioned and expiring', () => {
    const retentionDays = x2.receiving.rawMailRetentionDays;

    x2Template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: Match.absent(),
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Prefix: RAW_MAIL_PREFIX, ExpirationInDays: retentionDays, Status: 'Enabled' }),
        ],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'raw-mail/' },
    });
  });

  it('refuses plain HTTP and TLS older than 1.2 on the raw-mail bucket', () => {
    x2Template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('lets SES assume its delivery role only for this account’s rules of this rule set', () => {
    x2Template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': Match.objectLike({
                  'Fn::Join': ['', Match.arrayWith([':receipt-rule-set/makul-x2-inbound:receipt-rule/*'])],
                }),
              },
            },
          }),
        ],
      },
    });
  });

  it('sends notifications through an encrypted, TLS-only topic to an encrypted queue in raw form', () => {
    x2Template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    x2Template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    x2Template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    for (const [id, queue] of resourcesOf(x2Template, 'AWS::SQS::Queue')) {
      // The systems' task queues hold ids and keyed hashes only: SQS-managed keys, which EventBridge
      // can send to without a key policy (lib/fulfilment-tasks.ts).
      if (id.startsWith('FulfilmentTasksSystem')) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      else expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    }
  });

  it('moves a message to the dead-letter queue after 5 receives and hides it 6 times the function timeout', () => {
    const timeoutSeconds = inboundFunction(x2Template).Properties.Timeout as number;
    const [, queue] = only(
      x2Template,
      'AWS::SQS::Queue',
      (resource) => 'RedrivePolicy' in resource.Properties && 'VisibilityTimeout' in resource.Properties,
    );

    // The template's own values, not the constants that produced them.
    expect(queue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    // The function knows its last attempt (it logs the move to the DLQ) from the queue's count.
    const variables = (
      inboundFunction(x2Template).Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables.MAX_RECEIVE_COUNT).toBe('5');
    // AWS: a visibility timeout of at least six times the function timeout for an SQS event source.
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeoutSeconds);
  });

  it('keeps dead letters for the SQS maximum of 14 days', () => {
    const { deadLetters } = inboundQueues(x2Template);

    expect(deadLetters.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('keeps raw mail until a message redriven on the last day of the DLQ has had its retries', () => {
    const { queue, deadLetters } = inboundQueues(x2Template);
    const retentionSeconds = (resource: CfnResource) => resource.Properties.MessageRetentionPeriod as number;
    const queuesDays = (retentionSeconds(queue) + retentionSeconds(deadLetters)) / (24 * 3600);

    expect(queuesDays).toBe(4 + 14);
    x2Template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Prefix: RAW_MAIL_PREFIX, ExpirationInDays: queuesDays + 1 })],
      },
    });
    // The operator's 7 days is a floor; the queues decide here.
    expect(x2Profile().operator.rawMailRetentionDays).toBeLessThan(queuesDays + 1);
    expect(x2.receiving.rawMailRetentionDays).toBe(queuesDays + 1);
    x2Template.hasOutput('RawMailRetentionDays', { Value: String(queuesDays + 1) });
  });

  it('activates the rule set on create and deactivates it on delete', () => {
    const [, activation] = only(x2Template, 'Custom::SesActiveReceiptRuleSet');

    expect(JSON.parse(activation.Properties.Create as string)).toMatchObject({
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: { RuleSetName: 'makul-x2-inbound' },
    });
    expect(JSON.parse(activation.Properties.Delete as string)).toEqual({
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: {},
    });
    expect(activation.Properties.InstallLatestAwsSdk).toBe(false);
  });
});

describe('MakulTables', () => {
  it('creates the requests and subjects tables with PITR, deletion protection, KMS, TTL and streams', () => {
    const tables = resourcesOf(x2Template, 'AWS::DynamoDB::Table');

    expect(tables).toHaveLength(2);
    for (const [, table] of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      });
    }
  });

  it('retains the tables, the HMAC secret and their key when the stack is deleted', () => {
    x2Template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    x2Template.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('generates a 64-character HMAC key without punctuation, encrypted with the records key', () => {
    x2Template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('rotates every customer-managed key yearly', () => {
    x2Template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('MakulFunction (inbound)', () => {
  it('runs on nodejs24.x, arm64, with explicit memory, timeout, tracing and JSON logs', () => {
    expect(inboundFunction(x2Template).Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
    });
  });

  it('gives every AWS call of the function at most a quarter of its timeout', () => {
    const timeoutMs = (inboundFunction(x2Template).Properties.Timeout as number) * 1000;

    expect(4 * CALL_BUDGET_MS).toBeLessThanOrEqual(timeoutMs);
    for (const [call, longestMs] of Object.entries(longestCallMs(AWS_CALL_TIMEOUTS))) {
      expect(longestMs, call).toBeLessThanOrEqual(CALL_BUDGET_MS);
    }
  });

  it('reserves concurrency and lets the event source use exactly that much', () => {
    const reserved = inboundFunction(x2Template).Properties.ReservedConcurrentExecutions;

    x2Template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: reserved },
    });
    expect(reserved).toBe(5);
  });

  it('writes to its own log group, kept three months, that masks email addresses', () => {
    x2Template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      DataProtectionPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            DataIdentifier: ['arn:aws:dataprotection::aws:data-identifier/EmailAddress'],
            Operation: { Deidentify: { MaskConfig: {} } },
          }),
        ]),
      },
    });
    expect(inboundFunction(x2Template).Properties.LoggingConfig).toMatchObject({
      LogGroup: { Ref: expect.any(String) },
    });
  });

  it('gets the environment the handler validates, with this operator’s profile', () => {
    const variables = (
      inboundFunction(x2Template).Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;

    expect(Object.keys(variables).sort()).toEqual([
      'HMAC_SECRET_ARN',
      'LOG_LEVEL',
      'MAKUL_PROFILE_FILE',
      'MAKUL_PROFILE_SHA256',
      'MAX_RECEIVE_COUNT',
      'OUTBOUND_CLAIM_LEASE_SECONDS',
      'RAW_MAIL_BUCKET_NAME',
      'REQUESTS_TABLE_NAME',
      'SES_CONFIGURATION_SET',
      'SUBJECTS_TABLE_NAME',
    ]);
    // The profile ships in the function's code, beside the bundle (Lambda's environment holds 4 KB).
    expect(variables.MAKUL_PROFILE_FILE).toBe(PROFILE_FILE_NAME);
    const profileJson = readFileSync(
      path.join(assetDirectoryOf(inboundFunction(x2Template)), PROFILE_FILE_NAME),
      'utf8',
    );
    expect(JSON.parse(profileJson)).toEqual(x2Profile());
    // Sealed as validated at synth: the function checks this digest instead of the schema.
    expect(variables.MAKUL_PROFILE_SHA256).toBe(profileDigest(profileJson));
    // Source maps ship beside the bundle but are not read at every cold start (lib/makul-function.ts).
    expect(variables.NODE_OPTIONS).toBeUndefined();
    expect(variables.MAX_RECEIVE_COUNT).toBe(String(MAX_RECEIVE_COUNT));
    // A claim on a send must outlive the slowest attempt still running.
    const timeoutSeconds = inboundFunction(x2Template).Properties.Timeout as number;
    expect(Number(variables.OUTBOUND_CLAIM_LEASE_SECONDS)).toBe(2 * timeoutSeconds);
  });

  it('keeps its literal environment well under Lambda’s 4 KB limit', () => {
    const variables = (
      inboundFunction(x2Template).Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    // Values that CloudFormation resolves (names, ARNs) are counted at a generous 100 bytes each.
    const bytes = Object.entries(variables).reduce(
      (total, [name, value]) =>
        total + name.length + (typeof value === 'string' ? Buffer.byteLength(value) : 100),
      0,
    );

    expect(bytes).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
  });
});

describe('IAM scope', () => {
  it('grants no wildcard action and attaches no managed policy to any role', () => {
    const statements = statementsOf(x2Template);

    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
    for (const [, role] of resourcesOf(x2Template, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('uses Resource "*" only for calls that have no resource-level permissions', () => {
    const starActions = statementsOf(x2Template)
      .filter((statement) => statement.Resource === '*')
      .flatMap(actionsOf);

    expect([...new Set(starActions)].sort()).toEqual([
      'ses:SetActiveReceiptRuleSet',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('lets the three mail functions use only item actions on the two tables and their indexes', () => {
    // The deadline monitor's own narrower grants (its index, its markers) are tested in deadline-monitor.test.ts.
    const bothTables = statementsOf(x2Template).filter(
      (statement) =>
        actionsOf(statement).some((action) => action.startsWith('dynamodb:')) &&
        JSON.stringify(statement.Resource).includes(logicalIdOf(x2.tables.requests)) &&
        JSON.stringify(statement.Resource).includes(logicalIdOf(x2.tables.subjects)),
    );

    // One statement per function: inbound-email, deferred-outbound and pages (the status-change
    // processor's GetItem on requests comes only with an SES contact list, which no shipped operator has).
    expect(bothTables).toHaveLength(3);
    for (const statement of bothTables) {
      expect(actionsOf(statement).sort()).toEqual([
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
      // The two tables and the requests table's four indexes (the ops lists, a subject's requests,
      // requests by status and due date, the register by month).
      expect(statement.Resource).toHaveLength(6);
      expect(JSON.stringify(statement.Resource)).toContain('/index/ops-queue');
      expect(JSON.stringify(statement.Resource)).toContain('/index/by-subject');
      expect(JSON.stringify(statement.Resource)).toContain('/index/by-status-due');
      expect(JSON.stringify(statement.Resource)).toContain('/index/register-by-month');
    }
  });

  it('lets the status functions use the subjects table alone: the API reads, the processor reads, writes and follows its stream', () => {
    const subjects = logicalIdOf(x2.tables.subjects);
    const subjectsOnly = statementsOf(x2Template).filter(
      (statement) =>
        actionsOf(statement).some((action) => action.startsWith('dynamodb:')) &&
        !JSON.stringify(statement.Resource).includes(logicalIdOf(x2.tables.requests)),
    );

    expect(
      subjectsOnly.map((statement) => ({
        actions: actionsOf(statement).sort(),
        resource: statement.Resource,
      })),
    ).toEqual(
      expect.arrayContaining([
        {
          actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
          resource: { 'Fn::GetAtt': [subjects, 'Arn'] },
        },
        {
          actions: [
            'dynamodb:ConditionCheckItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:UpdateItem',
          ],
          resource: { 'Fn::GetAtt': [subjects, 'Arn'] },
        },
        {
          actions: [
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
            'dynamodb:ListStreams',
          ],
          resource: { 'Fn::GetAtt': [subjects, 'StreamArn'] },
        },
      ]),
    );
    expect(subjectsOnly).toHaveLength(3);
  });

  it('never lets a function scan or batch-write items or touch a table itself, and only the erasure executor delete (tokens)', () => {
    const dynamoActions = statementsOf(x2Template)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));

    expect(new Set(dynamoActions)).toEqual(
      new Set([
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        // The erasure executor's, on token keys only (lib/erasure-executor.ts, test/cdk/erasure-executor.test.ts).
        'dynamodb:DeleteItem',
        'dynamodb:DescribeStream',
        'dynamodb:GetItem',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]),
    );
  });

  it('lets the function read raw mail below the raw/ prefix only, decrypting through S3 only', () => {
    const statements = statementsOf(x2Template);
    const reads = statements.filter((statement) => actionsOf(statement).includes('s3:GetObject'));
    const s3Decrypt = statements.filter(
      (statement) =>
        actionsOf(statement).includes('kms:Decrypt') &&
        JSON.stringify(statement.Condition ?? {}).includes('"s3.eu-west-1."'),
    );

    // Both functions read raw mail (the deferred job forwards originals again).
    expect(reads).toHaveLength(2);
    for (const read of reads) expect(JSON.stringify(read.Resource)).toContain(`"/${RAW_MAIL_PREFIX}*"`);
    expect(s3Decrypt).toHaveLength(2);
  });

  it('lets the function send only from the support domain with the makul configuration set', () => {
    const sends = statementsOf(x2Template).filter((statement) =>
      actionsOf(statement).includes('ses:SendEmail'),
    );

    // Inbound, deferred-outbound and the deadline monitor (its digest to the DPO).
    expect(sends).toHaveLength(3);
    for (const send of sends) {
      const resources = JSON.stringify(send.Resource);
      expect(resources).toContain(':configuration-set/makul-x2');
      expect(resources).toContain(':identity/');
      expect(send.Resource).toHaveLength(2);
    }
  });

  it('lets the function read the one HMAC secret', () => {
    x2Template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'secretsmanager:GetSecretValue',
            Resource: { Ref: Match.stringLikeRegexp('HmacKey') },
          }),
        ]),
      },
    });
  });
});

describe('MailSendingIdentity', () => {
  it('verifies the support domain with Easy DKIM and a custom MAIL FROM, sending through the configuration set', () => {
    x2Template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'x2.kg',
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: 'bounce.x2.kg', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('publishes reputation metrics and requires TLS for outgoing mail', () => {
    x2Template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'makul-x2',
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('prints the DNS records the operator must publish', () => {
    const outputs = x2Template.findOutputs('*');
    const dkim = Object.keys(outputs).filter((id) => id.startsWith('DnsDkim1Record'));

    expect(dkim).toHaveLength(3);
    expect(outputs.DnsMx1?.Value).toBe('x2.kg MX 10 inbound-smtp.eu-west-1.amazonaws.com');
    expect(outputs.DnsMailFromSpf1?.Value).toBe('bounce.x2.kg TXT "v=spf1 include:amazonses.com ~all"');
  });
});

describe('the stack', () => {
  it('describes the whole deployment, not only the inbound path', () => {
    const description = String(x2Template.toJSON().Description);

    expect(description).toBe(
      'makul for X2 LLC (KG-58): personal-data requests by mail, public pages, status API',
    );
  });
});

describe('InboundAlarms and InboundDashboard', () => {
  it('emails alarms to the DPO from the profile', () => {
    x2Template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dpo@x2.kg' });
  });

  it('alarms on dead letters, backlog, errors, throttles, bounces, complaints, in-doubt sends, the operator-wide limit, old deferred replies, the public pages and the status API and processor, and says when they clear', () => {
    const alarms = resourcesOf(x2Template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const watched = (alarm: Record<string, unknown>) =>
      (alarm.MetricName as string | undefined) ??
      ((alarm.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string } } }>)
        .map((metric) => metric.MetricStat?.Metric.MetricName)
        .find(Boolean) as string);

    expect(alarms.map(watched).sort()).toEqual([
      // The public pages, the status API and the systems API.
      '5xx',
      '5xx',
      '5xx',
      'ApproximateAgeOfOldestMessage',
      // The inbound dead-letter queue, the status-change processor's, the fulfilment-task processor's and
      // those of the two systems told by event (player-accounts, marketing-platform).
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'CalendarYearMissing',
      // The erasure executor's failures and overdue erasures.
      'ErasureFailures',
      'ErasuresOverdue',
      // Inbound, deferred-outbound, pages, status API, status-change processor, deadline monitor and
      // fulfilment-task processor; the erasure executor and the systems API.
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      // The deadline monitor: systems that have not answered tasks of overdue requests.
      'FulfilmentTasksOverdue',
      // The status-change and fulfilment-task processors falling behind their streams.
      'IteratorAge',
      'IteratorAge',
      'OldestDeferredHours',
      'OperatorLimitReached',
      'OutboundInDoubt',
      'PublicPagesThrottled',
      'Reputation.BounceRate',
      'Reputation.ComplaintRate',
      'RequestsDueSoon',
      'RequestsOverdue',
      'StatusApiThrottled',
      'SystemsApiThrottled',
      'Throttles',
    ]);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect(alarm.AlarmDescription).toMatch(/Runbook: "/);
    }
  });

  it('fires on the first dead letter', () => {
    x2Template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('watches the reputation of makul’s own configuration set', () => {
    x2Template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Dimensions: [{ Name: 'ses:configuration-set', Value: 'makul-x2' }],
    });
  });

  it('lets CloudWatch publish to the encrypted alarm topic', () => {
    x2Template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
  });

  it('draws a dashboard of the inbound path', () => {
    x2Template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'makul-x2-inbound' });
  });

  it('shows every alarm of the stack on the dashboard, those of the pages, the status API and the processor included', () => {
    const [[, dashboard]] = resourcesOf(x2Template, 'AWS::CloudWatch::Dashboard') as [[string, CfnResource]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    const alarmIds = resourcesOf(x2Template, 'AWS::CloudWatch::Alarm').map(([id]) => id);

    expect(alarmIds).toHaveLength(35);
    for (const id of alarmIds) expect(body).toContain(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
  });
});

describe('the deferred-outbound job', () => {
  it('runs every minute, one run at a time, invoked by a role that may invoke only it', () => {
    const job = deferredOutboundFunction(x2Template);
    expect(job.Properties.ReservedConcurrentExecutions).toBe(1);
    x2Template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 } }),
    });
    // One invoker per scheduled function (this job, the deadline monitor and the erasure executor), each
    // for its function only.
    const invokes = statementsOf(x2Template).filter((statement) =>
      actionsOf(statement).includes('lambda:InvokeFunction'),
    );
    expect(invokes).toHaveLength(3);
    expect(JSON.stringify(invokes[0]?.Resource)).not.toContain(':*');
  });

  it('gets the same environment as the inbound function, with a claim lease of twice the longer timeout', () => {
    const variables = (fn: CfnResource) =>
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const inbound = variables(inboundFunction(x2Template));
    const job = variables(deferredOutboundFunction(x2Template));
    expect(job).toEqual(inbound);
    const longest = Math.max(
      inboundFunction(x2Template).Properties.Timeout as number,
      deferredOutboundFunction(x2Template).Properties.Timeout as number,
    );
    expect(Number(job.OUTBOUND_CLAIM_LEASE_SECONDS)).toBe(2 * longest);
  });

  it("finds deferred replies, a subject's requests, requests by status and due date, and the register by month through indexes on the requests table", () => {
    x2Template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'ops-queue',
          KeySchema: [
            { AttributeName: 'opsQueue', KeyType: 'HASH' },
            { AttributeName: 'opsQueueAt', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'by-subject',
          KeySchema: [
            { AttributeName: 'subjectKey', KeyType: 'HASH' },
            { AttributeName: 'receivedAt', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'by-status-due',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
        Match.objectLike({
          IndexName: 'register-by-month',
          KeySchema: [
            { AttributeName: 'registerMonth', KeyType: 'HASH' },
            { AttributeName: 'registerAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ],
    });
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions and Serverless packs', () => {
    const reports = [new AwsSolutionsChecks(), new ServerlessChecks()].map((pack) =>
      pack.validateScope(synthesized.app),
    );

    expect(reports.flatMap((report) => report.violations.map((violation) => violation.ruleName))).toEqual([]);
  });

  it('leaves no CDK error or warning annotation on any stack', () => {
    for (const stack of synthesized.stacks) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledgements = collectAcknowledgements(synthesized.app);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect(reason.length, `reason of ${id}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges only the findings reviewed for this design', () => {
    const ids = new Set(collectAcknowledgements(x2).map(({ id }) => id.replace(/<[^>]+>/g, '<ref>')));

    expect([...ids].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<ref>/raw/*]',
      // The systems API's caller policy: its two routes, path parameters as wildcards.
      'AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:<ref>:<ref>/$default/GET/v1/requests/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-west-1:<ref>:<ref>/$default/POST/v1/requests/*/tasks/*]',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-LambdaTracing',
      'Serverless-SNSRedrivePolicy',
      'Serverless-SQSRedrivePolicy',
    ]);
  });
});

describe('the inbound bundle', () => {
  it('is an ESM bundle of at most 550 KB that points to its source map', () => {
    const assetDirectory = inboundAssetDirectory(synthesized, x2Template);
    const bundle = path.join(assetDirectory, 'index.mjs');

    const code = readFileSync(bundle, 'utf8');

    // Booleans, so that a failure does not print half a megabyte of bundle.
    expect(
      code.startsWith('import{createRequire as __makulCreateRequire}'),
      'starts with the require shim',
    ).toBe(true);
    expect(/export\{[^}]*\bas handler\b[^}]*\}/.test(code), 'exports handler as ESM').toBe(true);
    expect(code.includes('//# sourceMappingURL=index.mjs.map'), 'points to its source map').toBe(true);
    // Licence notices live beside the bundle (esbuild --legal-comments=external), not in it.
    expect(code.includes('@license'), 'has no licence comments').toBe(false);
    expect(statSync(path.join(assetDirectory, 'index.mjs.map')).size).toBeGreaterThan(0);
    expect(statSync(bundle).size).toBeLessThanOrEqual(INBOUND_BUNDLE_LIMIT_BYTES);
  });
});

function collectAcknowledgements(root: IConstruct): Array<{ id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([qualifiedId, reason]) => ({
          id: qualifiedId.replace(/^[A-Za-z-]+::/, ''),
          reason,
        })),
      ),
  );
}

/** The asset directory of the inbound function, found through the S3 key CloudFormation deploys. */
function inboundAssetDirectory(app: SynthesizedApp, template: Template): string {
  const code = inboundFunction(template).Properties.Code as { S3Key: string };
  const assetHash = code.S3Key.replace(/\.zip$/, '');
  return path.join(app.assembly.directory, `asset.${assetHash}`);
}

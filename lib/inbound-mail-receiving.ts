/**
 * Mail in: an SES receipt rule per support address (TLS required, spam and virus scanning on) stores the
 * raw MIME in S3 and notifies an SNS topic; the topic feeds an encrypted SQS queue with a dead-letter
 * queue, which the inbound function consumes. The stack activates the rule set itself, because
 * CloudFormation creates rule sets inactive and an inactive set receives nothing.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as customResources from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT } from '../functions/shared/config';

/** Construct id of the singleton function behind every AwsCustomResource in a stack (fixed by CDK). */
const ACTIVATION_PROVIDER_ID = `AWS${customResources.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/** Object key prefix of raw mail; the function may read only below it. */
export const RAW_MAIL_PREFIX = 'raw/';

/**
 * AWS's guidance for SQS event sources: the queue's visibility timeout is at least six times the
 * function timeout, so a message is not handed to a second invocation while retries of the first run.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** How long a notification may wait in the inbound queue (or be retried there) before SQS drops it. */
export const INBOUND_QUEUE_RETENTION = Duration.days(4);
/**
 * How long a notification may wait in the dead-letter queue: fourteen days, the SQS maximum, so a
 * failed request is never silently dropped; the DLQ alarm fires on the first message.
 */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** Slack on top of the queues' retention: SES stores the object a moment before SQS has the message. */
export const RAW_MAIL_RETENTION_MARGIN = Duration.days(1);

export interface RawMailRetentionInputs {
  readonly queueRetention: Duration;
  readonly deadLetterRetention: Duration;
  /** The operator's own minimum (`rawMailRetentionDays` of its profile). */
  readonly minimumDays: number;
}

/**
 * Days raw mail is kept: as long as a notification pointing to it can still be handled, and never less
 * than the operator's minimum. The queues are standard queues, so a message moved to the DLQ keeps its
 * original enqueue time (it leaves the DLQ at most `deadLetterRetention` after the mail arrived), while a
 * redrive enqueues it anew with the inbound queue's full retention. A message redriven on its last DLQ day
 * may therefore be retried until `deadLetterRetention + queueRetention` after arrival; the margin covers
 * the gap between SES storing the object and SQS enqueueing the message. (If the DLQ ever reset the
 * enqueue time, as FIFO queues do, the same sum still bounds the time to the redrive.) The one place the
 * raw-mail lifetime is computed: the lifecycle rule, the construct and the stack output all use it.
 */
export function rawMailRetentionDays({
  queueRetention,
  deadLetterRetention,
  minimumDays,
}: RawMailRetentionInputs): number {
  const queuesSeconds =
    queueRetention.toSeconds() + deadLetterRetention.toSeconds() + RAW_MAIL_RETENTION_MARGIN.toSeconds();
  return Math.max(minimumDays, Math.ceil(queuesSeconds / Duration.days(1).toSeconds()));
}

export interface InboundMailReceivingProps {
  /** Operator id, used in the names SES and operators see (rule set, rules). */
  readonly operatorId: string;
  /** Every address named in the privacy policy; each gets its own receipt rule. */
  readonly supportAddresses: readonly string[];
  /**
   * The operator's minimum for keeping raw mail, in days. Raw mail is kept this long, or until the last
   * notification pointing to it has left the queues if that is later (see `rawMailRetentionDays()`).
   */
  readonly minimumRawMailRetentionDays: number;
  /** Timeout of the function that consumes the queue; sets the queue's visibility timeout. */
  readonly consumerTimeout: Duration;
  /**
   * How long S3 server access logs of the raw-mail bucket are kept. They name objects and callers,
   * not people, and answer "who read this mail" during an incident review.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
  /**
   * How long a notification may wait in the inbound queue, retries included. Raw mail outlives it.
   * @default INBOUND_QUEUE_RETENTION (4 days)
   */
  readonly queueRetention?: Duration;
  /**
   * How long a notification may wait in the dead-letter queue, counted from its arrival in the inbound
   * queue (standard queues keep the original enqueue time). At least `queueRetention`. Raw mail outlives it.
   * @default DEAD_LETTER_RETENTION (14 days, the SQS maximum)
   */
  readonly deadLetterRetention?: Duration;
  /**
   * Log retention of the small function that activates the rule set.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly activationLogRetention?: logs.RetentionDays;
}

export class InboundMailReceiving extends Construct {
  /** Customer-managed key for raw mail and its SNS notifications (both written by SES's role). */
  public readonly mailKey: kms.Key;
  /**
   * Customer-managed key for the queue and dead-letter queue. Separate from the mail key because its
   * policy names the topic (only that topic may have SNS encrypt for the queue), and the topic is
   * encrypted with the mail key: one key for both would be a circular dependency.
   */
  public readonly queueKey: kms.Key;
  public readonly rawMailBucket: s3.Bucket;
  /** Days raw mail is kept before the lifecycle rule deletes it (`rawMailRetentionDays()`). */
  public readonly rawMailRetentionDays: number;
  public readonly accessLogBucket: s3.Bucket;
  public readonly notificationTopic: sns.Topic;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly ruleSet: ses.ReceiptRuleSet;
  public readonly ruleSetName: string;
  public readonly receiptRules: ses.CfnReceiptRule[];
  /** The role SES assumes to write mail to S3 and publish the notification. */
  public readonly sesDeliveryRole: iam.Role;

  constructor(scope: Construct, id: string, props: InboundMailReceivingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.supportAddresses.length === 0) {
      throw new Error('InboundMailReceiving needs at least one support address');
    }
    const queueRetention = props.queueRetention ?? INBOUND_QUEUE_RETENTION;
    const deadLetterRetention = props.deadLetterRetention ?? DEAD_LETTER_RETENTION;
    if (deadLetterRetention.toSeconds() < queueRetention.toSeconds()) {
      // The DLQ counts from the original enqueue time: a shorter retention drops messages as they arrive.
      throw new Error('InboundMailReceiving: deadLetterRetention must be at least queueRetention');
    }
    this.rawMailRetentionDays = rawMailRetentionDays({
      queueRetention,
      deadLetterRetention,
      minimumDays: props.minimumRawMailRetentionDays,
    });

    this.mailKey = new kms.Key(this, 'MailKey', {
      description: `makul ${props.operatorId}: raw inbound mail and its SNS notifications`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
    });
    this.queueKey = new kms.Key(this, 'QueueKey', {
      description: `makul ${props.operatorId}: inbound mail queue and dead-letter queue`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
    });

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging can deliver only to buckets encrypted with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 90) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log destination itself; logging it into itself would loop.',
    });

    this.rawMailBucket = new s3.Bucket(this, 'RawMail', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.mailKey,
      // One data key per bucket instead of per object: fewer KMS calls, same key policy.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // No versioning: a deleted (erased) message must not survive as a noncurrent version.
      versioned: false,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'raw-mail/',
      lifecycleRules: [
        {
          id: 'expire-raw-mail',
          prefix: RAW_MAIL_PREFIX,
          // Raw mail holds whole messages (names, addresses, bodies): kept no longer than a notification
          // pointing to it may still be handled (or the operator's minimum, if longer).
          expiration: Duration.days(this.rawMailRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Retained so a stack deletion never drops mail still being processed; the lifecycle rule keeps
      // deleting it after the stack is gone.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.notificationTopic = new sns.Topic(this, 'Notifications', {
      displayName: `makul ${props.operatorId} inbound mail`,
      masterKey: this.mailKey,
      enforceSSL: true,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: deadLetterRetention,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This is the dead-letter queue of the inbound queue; its messages wait for a person to redrive them (docs/runbook.md), not for another queue.',
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      // Messages are pointers to raw mail, which is kept until this and the DLQ's retention have passed.
      retentionPeriod: queueRetention,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    this.notificationTopic.addSubscription(
      new snsSubscriptions.SqsSubscription(this.queue, {
        // The queue receives SES's notification JSON itself, not wrapped in an SNS envelope.
        rawMessageDelivery: true,
        // Notifications SNS cannot deliver (e.g. a key misconfiguration) land beside failed ones.
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    this.ruleSetName = `makul-${props.operatorId}-inbound`;
    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: this.ruleSetName });

    const ruleArnPattern = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${this.ruleSetName}:receipt-rule/*`,
    });
    this.sesDeliveryRole = new iam.Role(this, 'SesDeliveryRole', {
      description: `SES stores mail for makul ${props.operatorId} and notifies the queue`,
      assumedBy: new iam.ServicePrincipal('ses.amazonaws.com', {
        // Only this account's receipt rules in this rule set may use the role (confused deputy).
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': ruleArnPattern },
        },
      }),
    });
    const deliveryPolicy = new iam.Policy(this, 'SesDeliveryPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [this.rawMailBucket.arnForObjects(`${RAW_MAIL_PREFIX}*`)],
        }),
        new iam.PolicyStatement({
          // S3 encrypts the object with the bucket's key; SNS encrypts the notification with the same key.
          actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
          resources: [this.mailKey.keyArn],
        }),
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.notificationTopic.topicArn] }),
      ],
    });
    this.sesDeliveryRole.attachInlinePolicy(deliveryPolicy);
    Validations.of(deliveryPolicy).acknowledge({
      id: this.rawMailWildcardFinding(),
      reason:
        'SES names each object after its message id, unknown in advance; the wildcard is limited to the raw-mail prefix of this one bucket.',
    });

    this.receiptRules = [];
    let previousRule: ses.CfnReceiptRule | undefined;
    props.supportAddresses.forEach((address, index) => {
      const ruleName = `support-${index + 1}`;
      const rule = new ses.CfnReceiptRule(this, `Rule${index + 1}`, {
        ruleSetName: this.ruleSetName,
        after: previousRule?.ref,
        rule: {
          name: ruleName,
          enabled: true,
          recipients: [address],
          // Require: a sender that cannot do TLS is refused, so mail is never in clear text on the way in.
          tlsPolicy: 'Require',
          // Spam and virus verdicts travel with the notification; the function never answers a FAIL.
          scanEnabled: true,
          actions: [
            {
              s3Action: {
                bucketName: this.rawMailBucket.bucketName,
                objectKeyPrefix: RAW_MAIL_PREFIX,
                topicArn: this.notificationTopic.topicArn,
                // With a role, SES uses only the role for S3, KMS and SNS. No kmsKeyArn: that would
                // switch SES to client-side encryption, which only the S3 encryption client can read.
                iamRoleArn: this.sesDeliveryRole.roleArn,
              },
            },
          ],
        },
      });
      // SES test-writes to the bucket when the rule is created, so the role's policy must exist first.
      rule.node.addDependency(this.ruleSet, deliveryPolicy, this.rawMailBucket, this.notificationTopic);
      previousRule = rule;
      this.receiptRules.push(rule);
    });

    this.activateRuleSet(props.activationLogRetention ?? logs.RetentionDays.THREE_MONTHS);
  }

  /** Lets a function read raw mail (and decrypt it through S3 only). */
  grantReadRawMail(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.rawMailBucket.arnForObjects(`${RAW_MAIL_PREFIX}*`)],
      }),
    );
    if (Construct.isConstruct(principal)) {
      Validations.of(principal).acknowledge({
        id: this.rawMailWildcardFinding(),
        reason:
          'Objects are named after SES message ids, known only from each notification; the wildcard is limited to the raw-mail prefix of this one bucket.',
      });
    }
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.mailKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  /** cdk-nag's finding id for `<bucket>/raw/*`, the one wildcard that object-level access needs. */
  private rawMailWildcardFinding(): string {
    const bucketLogicalId = Stack.of(this).getLogicalId(this.rawMailBucket.node.defaultChild as s3.CfnBucket);
    return `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${RAW_MAIL_PREFIX}*]`;
  }

  /**
   * SES has one active rule set per account and region. The custom resource makes this stack's set the
   * active one on create and update, and deactivates it on delete (CloudFormation cannot delete an
   * active rule set).
   */
  private activateRuleSet(logRetention: logs.RetentionDays): void {
    const activationLogs = new logs.LogGroup(this, 'ActivationLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role instead of the default, which attaches AWSLambdaBasicExecutionRole (every log group).
    const activationRole = new iam.Role(this, 'ActivationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Activates and deactivates the makul receipt rule set during deployments',
    });
    activationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The Arn attribute ends in ":*": the streams of this log group only.
        resources: [activationLogs.logGroupArn],
      }),
    );
    const activate: customResources.AwsSdkCall = {
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: { RuleSetName: this.ruleSetName },
      physicalResourceId: customResources.PhysicalResourceId.of(this.ruleSetName),
    };
    const activation = new customResources.AwsCustomResource(this, 'ActivateRuleSet', {
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      onCreate: activate,
      onUpdate: activate,
      // Without RuleSetName, SetActiveReceiptRuleSet deactivates whichever set is active.
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      policy: customResources.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      // Use the runtime's SDK: installing the latest one at deploy time would need npm from Lambda.
      installLatestAwsSdk: false,
      role: activationRole,
      logGroup: activationLogs,
      memorySize: 256,
      timeout: Duration.minutes(2),
    });
    // Activate only once every rule exists, and deactivate before the rules and the set are deleted.
    activation.node.addDependency(this.ruleSet, ...this.receiptRules);
    Validations.of(activation).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ses:SetActiveReceiptRuleSet does not support resource-level permissions.',
    });
    // The provider function is a stack-level singleton that AwsCustomResource creates.
    const provider = Stack.of(this).node.tryFindChild(ACTIVATION_PROVIDER_ID);
    if (!provider) throw new Error('AwsCustomResource no longer creates its provider where expected');
    Validations.of(provider).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'CloudFormation waits for this function’s answer; a failed activation fails and rolls back the deployment, so there is nothing for a dead-letter queue to keep.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'Runs once per deployment and makes one SES call; CloudFormation events and its log group show every run.',
      },
    );
  }
}

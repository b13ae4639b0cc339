/**
 * makul's records: the `requests` table (register, audit trail, verification tokens) and the
 * `subjects` table (opt-outs, consent, restriction, reply counters), plus the HMAC key that turns an
 * address into a subject key. Key names come from functions/adapters/table-design.ts so the adapters,
 * the local stack and this stack agree on one shape.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { REQUEST_INDEXES, TABLE_KEYS } from '../functions/shared/table-design';

/** Item-level actions a function may be given; table-level and destructive admin actions are never granted. */
export type TableItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:ConditionCheckItem';

/** The item actions that only read. */
const READ_ACTIONS: ReadonlySet<TableItemAction> = new Set([
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
]);

export interface MakulTablesProps {
  /**
   * What happens to the tables, the key and the HMAC secret when the stack is deleted. RETAIN because
   * they hold the register the regulator may ask for and the suppression entries that keep opted-out
   * people from being contacted again.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class MakulTables extends Construct {
  public readonly requests: dynamodb.Table;
  public readonly subjects: dynamodb.Table;
  /** Customer-managed key for both tables and the HMAC secret: one place to audit and revoke. */
  public readonly encryptionKey: kms.Key;
  /** SecretString is the HMAC key itself: 64 letters and digits (~380 bits). */
  public readonly hmacSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: MakulTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'makul records: requests and subjects tables, HMAC key secret',
      enableKeyRotation: true,
      removalPolicy,
      // The longest waiting period: a key scheduled for deletion by mistake can still be rescued.
      pendingWindow: Duration.days(30),
    });

    this.requests = this.createTable('Requests', {
      // The fulfilment-task processor follows it (lib/fulfilment-tasks.ts): a request that becomes
      // in-progress gets its tasks, a task its event. Both images: "became" needs the old one.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy,
    });
    for (const index of Object.values(REQUEST_INDEXES)) {
      this.requests.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.subjects = this.createTable('Subjects', {
      // The status-change processor follows it (lib/status-changes.ts): the change feed, the events and
      // the contact-list sync come from the old and new images of each subject record.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy,
    });

    this.hmacSecret = new secretsmanager.Secret(this, 'HmacKey', {
      description:
        'makul HMAC key that pseudonymises email addresses (subject keys). Rotating it re-keys every subject: see docs/runbook.md.',
      encryptionKey: this.encryptionKey,
      removalPolicy,
      generateSecretString: {
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
        requireEachIncludedType: true,
      },
    });
    Validations.of(this.hmacSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Subject keys are HMACs of addresses under this key: rotating it must re-key every subject record in the same step, so rotation is a planned runbook procedure (docs/runbook.md), not a timer.',
    });
  }

  /** Item actions on both tables, and the key use DynamoDB needs to serve them, nothing more. */
  grantItemActions(grantee: iam.IGrantable, actions: readonly TableItemAction[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        // Queries may read the requests table's indexes (the ops lists); nothing else gets index ARNs.
        resources: [
          this.requests.tableArn,
          this.subjects.tableArn,
          ...(actions.includes('dynamodb:Query')
            ? Object.values(REQUEST_INDEXES).map(
                (index) => `${this.requests.tableArn}/index/${index.indexName}`,
              )
            : []),
        ],
      }),
    );
    this.grantKeyUseVia(grantee, 'dynamodb', [
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:DescribeKey',
    ]);
  }

  /**
   * Item actions on one table only, and the key use DynamoDB needs to serve them: the status functions
   * touch the subjects table and nothing else (the processor also reads a request when it syncs an SES
   * contact). A grant of reads only gets decryption only.
   */
  grantItemActionsOn(
    grantee: iam.IGrantable,
    tableName: 'requests' | 'subjects',
    actions: readonly TableItemAction[],
  ): void {
    const table = this[tableName];
    const queriesIndexes = tableName === 'requests' && actions.includes('dynamodb:Query');
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [
          table.tableArn,
          ...(queriesIndexes
            ? Object.values(REQUEST_INDEXES).map((index) => `${table.tableArn}/index/${index.indexName}`)
            : []),
        ],
      }),
    );
    const readsOnly = actions.every((action) => READ_ACTIONS.has(action));
    this.grantKeyUseVia(
      grantee,
      'dynamodb',
      readsOnly
        ? ['kms:Decrypt', 'kms:DescribeKey']
        : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    );
  }

  /** Read the HMAC key: one secret, and decryption only when Secrets Manager asks on the caller's behalf. */
  grantReadHmacKey(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.hmacSecret.secretArn],
      }),
    );
    this.grantKeyUseVia(grantee, 'secretsmanager', ['kms:Decrypt']);
  }

  private grantKeyUseVia(
    grantee: iam.IGrantable,
    service: 'dynamodb' | 'secretsmanager',
    actions: string[],
  ): void {
    const stack = this.encryptionKey.stack;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [this.encryptionKey.keyArn],
        // The key only works through the service; a stolen role credential cannot decrypt a raw copy.
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  private createTable(
    id: string,
    options: { readonly stream: dynamodb.StreamViewType; readonly removalPolicy: RemovalPolicy },
  ): dynamodb.Table {
    return new dynamodb.Table(this, id, {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      // Mail arrives in bursts and mostly not at all: on-demand costs nothing while idle.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Tokens and daily reply counters carry an expiry; DynamoDB deletes them without a job.
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      stream: options.stream,
      removalPolicy: options.removalPolicy,
    });
  }
}

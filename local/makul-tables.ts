/**
 * The requests and subjects tables, made in DynamoDB Local (by the local stack and the integration
 * tests) from the same key design the handlers read and write, so local data has production's shape.
 */
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  FULFILMENT_KEYS,
  type IndexDesign,
  REQUEST_INDEXES,
  TABLE_KEYS,
} from '../functions/shared/table-design';
import { delay, LOCAL_CREDENTIALS, LOCAL_REGION } from './loopback';

export interface MakulTableNames {
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
}

/**
 * Creates the requests and subjects tables with the key design of functions/shared/table-design.ts
 * (string pk/sk, TTL on expiresAt), both with a stream (new and old images: the fulfilment-task
 * processor follows the requests table's, and the
 * status-change processor tells changes from them, local/stream-poller.ts reads it). Safe to call
 * again: existing tables, streams and TTL settings are kept.
 */
export async function createMakulTables(endpoint: string, names: MakulTableNames): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  // The same secondary indexes as the stack (lib/makul-tables.ts), from the same design.
  const indexes = new Map<string, readonly IndexDesign[]>([
    [names.requestsTableName, Object.values(REQUEST_INDEXES)],
  ]);
  try {
    for (const tableName of [names.requestsTableName, names.subjectsTableName]) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
              { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
              ...(indexes.get(tableName) ?? []).flatMap((index) => [
                { AttributeName: index.partitionKey, AttributeType: 'S' as const },
                { AttributeName: index.sortKey, AttributeType: 'S' as const },
              ]),
            ],
            KeySchema: [
              { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: indexes.get(tableName)?.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'ALL' as const },
            })),
            StreamSpecification: SUBJECTS_STREAM,
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableActive(client, tableName);
      await addMissingIndexes(client, tableName, indexes.get(tableName) ?? []);
      await enableStream(client, tableName);
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
      if (ttlStatus !== 'ENABLED' && ttlStatus !== 'ENABLING') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * The tables' stream, as the stack has it (lib/makul-tables.ts): both images, for the status-change
 * processor (subjects) and the fulfilment-task processor (requests).
 */
const SUBJECTS_STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

/** A table kept from an earlier version in a local data folder gets its stream. */
async function enableStream(client: DynamoDBClient, tableName: string): Promise<void> {
  const description = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (description.Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: SUBJECTS_STREAM }));
  await waitUntilTableActive(client, tableName);
}

/** Tables kept from an earlier version in a local data folder get the indexes added since. */
async function addMissingIndexes(
  client: DynamoDBClient,
  tableName: string,
  wanted: readonly IndexDesign[],
): Promise<void> {
  const description = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((description.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of wanted.filter((candidate) => !present.has(candidate.indexName))) {
    await removeNullKeys(client, tableName, [index.partitionKey, index.sortKey]);
    if (index.indexName === REQUEST_INDEXES.byMonth.indexName) await fileUnderMonths(client, tableName);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    await waitUntilTableActive(client, tableName);
  }
}

/**
 * Earlier versions wrote some attributes that are index keys now as NULL (`dueAt` of an entry without
 * a due date); once an index names them, any write to such an item is refused, and DynamoDB Local
 * never finishes filling the index. Absent is what the adapters write now, and what they read as null.
 * A scan is fine here: local data only, at start.
 */
async function removeNullKeys(
  client: DynamoDBClient,
  tableName: string,
  attributes: readonly string[],
): Promise<void> {
  for (const attribute of attributes) {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'attribute_type(#key, :null)',
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: {
            '#key': attribute,
            '#pk': TABLE_KEYS.partitionKey,
            '#sk': TABLE_KEYS.sortKey,
          },
          ExpressionAttributeValues: { ':null': { S: 'NULL' } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const key of page.Items ?? []) {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'REMOVE #key',
            ExpressionAttributeNames: { '#key': attribute },
          }),
        );
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

/**
 * Request entries kept from a version before the register by month get their month, so the export finds
 * them: the UTC month of receipt (the zone is not known here; the export reads the neighbouring months
 * too). Notices stay out, as the adapter writes them. A scan is fine here: local data only, once.
 */
async function fileUnderMonths(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey: month, sortKey: at } = REQUEST_INDEXES.byMonth;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression:
          '#sk = :meta AND attribute_not_exists(#month) AND attribute_type(receivedAt, :string) AND NOT attribute_type(noticeOf, :string)',
        ProjectionExpression: '#pk, #sk, receivedAt',
        ExpressionAttributeNames: {
          '#pk': TABLE_KEYS.partitionKey,
          '#sk': TABLE_KEYS.sortKey,
          '#month': month,
        },
        ExpressionAttributeValues: { ':meta': { S: 'META' }, ':string': { S: 'S' } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const { receivedAt, ...key } of page.Items ?? []) {
      const received = receivedAt?.S ?? '';
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET #month = :month, #at = :at',
          ExpressionAttributeNames: { '#month': month, '#at': at },
          ExpressionAttributeValues: {
            ':month': { S: `${FULFILMENT_KEYS.requestMonthPrefix}${received.slice(0, 7)}` },
            ':at': { S: received },
          },
        }),
      );
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

async function waitUntilTableActive(client: DynamoDBClient, tableName: string): Promise<void> {
  // DynamoDB Local creates tables ACTIVE at once, but an index added to a table is CREATING while it
  // fills from the items (a write to an item then fails with an internal error): wait for both.
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await delay(100);
  }
  throw new Error(`table ${tableName} or one of its indexes did not become ACTIVE`);
}

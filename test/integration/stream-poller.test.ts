/**
 * The local stand-in for Lambda's DynamoDB stream event source mapping, on DynamoDB Local: records in
 * the order written, in Lambda's event shape, and partial batch failures honoured as the mapping does.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../local/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { createMakulTables } from '../../local/makul-tables';
import { type StreamHandler, StreamPoller } from '../../local/stream-poller';

let dynamodb: DynamoDbLocalHandle;
let client: DynamoDBClient;
let tableSerial = 0;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal({ report: () => undefined });
  client = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: dynamodb.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await dynamodb?.dispose();
});

/** A subjects table of its own with `count` items written, and a poller on it. */
async function tableWith(count: number, handler: StreamHandler, options: { batchSize?: number } = {}) {
  tableSerial += 1;
  const tableName = `poller-subjects-${tableSerial}`;
  await createMakulTables(dynamodb.endpoint, {
    requestsTableName: `poller-requests-${tableSerial}`,
    subjectsTableName: tableName,
  });
  for (let index = 0; index < count; index += 1) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `SUB#${index}` },
          sk: { S: 'PROFILE' },
          n: { N: String(index) },
          b: { B: new Uint8Array([index]) },
        },
      }),
    );
  }
  const poller = new StreamPoller({
    endpoint: dynamodb.endpoint,
    tableName,
    handler,
    retryDelayMs: 1,
    maxAttempts: 3,
    report: () => undefined,
    ...options,
  });
  return { poller, tableName };
}

const itemNumbers = (event: DynamoDBStreamEvent) =>
  event.Records.map((record) => Number(record.dynamodb?.NewImage?.n?.N));

describe('StreamPoller', () => {
  it("delivers every record once, in order, in Lambda's event shape", async () => {
    const batches: DynamoDBStreamEvent[] = [];
    const { poller } = await tableWith(
      5,
      async (event) => {
        batches.push(event);
        return { batchItemFailures: [] };
      },
      { batchSize: 2 },
    );

    await poller.drain();
    await poller.drain();
    await poller.stop();

    expect(batches.map(itemNumbers)).toEqual([[0, 1], [2, 3], [4]]);
    const [first] = batches[0]?.Records ?? [];
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      dynamodb: {
        Keys: { pk: { S: 'SUB#0' }, sk: { S: 'PROFILE' } },
        NewImage: { b: { B: 'AA==' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof first?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(first?.eventID).toEqual(expect.any(String));
  });

  it('delivers the first failed record again with the records after it, never the ones before', async () => {
    const deliveries: number[][] = [];
    let failures = 2;
    const { poller } = await tableWith(4, async (event): Promise<DynamoDBBatchResponse> => {
      deliveries.push(itemNumbers(event));
      const failing = event.Records.find((record) => record.dynamodb?.NewImage?.n?.N === '1');
      if (failing && failures > 0) {
        failures -= 1;
        // Reported with a later one too: the mapping retries from the earliest.
        const later = event.Records.at(-1)?.dynamodb?.SequenceNumber ?? '';
        return {
          batchItemFailures: [
            { itemIdentifier: later },
            { itemIdentifier: failing.dynamodb?.SequenceNumber ?? '' },
          ],
        };
      }
      return { batchItemFailures: [] };
    });

    await poller.drain();
    await poller.stop();

    expect(deliveries).toEqual([
      [0, 1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(poller.givenUp).toEqual([]);
  });

  it('delivers the whole batch again when the handler throws', async () => {
    const deliveries: number[][] = [];
    let throws = 1;
    const { poller } = await tableWith(3, async (event) => {
      deliveries.push(itemNumbers(event));
      if (throws-- > 0) throw new Error('crashed');
      return { batchItemFailures: [] };
    });

    await poller.drain();
    await poller.stop();

    expect(deliveries).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('gives a record up after its attempts, as the mapping sends it to its DLQ, and goes on', async () => {
    const deliveries: number[][] = [];
    const { poller } = await tableWith(3, async (event) => {
      deliveries.push(itemNumbers(event));
      const poison = event.Records.find((record) => record.dynamodb?.NewImage?.n?.N === '1');
      return { batchItemFailures: poison ? [{ itemIdentifier: poison.dynamodb?.SequenceNumber ?? '' }] : [] };
    });

    await poller.drain();
    await poller.stop();

    // maxAttempts 3: the poison record's first delivery was with record 0.
    expect(deliveries).toEqual([[0, 1, 2], [1, 2], [1, 2], [2]]);
    expect(poller.givenUp).toHaveLength(1);
  });

  it('polls in the background after start(), until stop()', async () => {
    const seen: number[] = [];
    const { poller, tableName } = await tableWith(1, async (event) => {
      seen.push(...itemNumbers(event));
      return { batchItemFailures: [] };
    });
    poller.start();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'SUB#9' }, sk: { S: 'PROFILE' }, n: { N: '9' } },
      }),
    );

    for (let waited = 0; seen.length < 2 && waited < 5_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await poller.stop();

    expect(seen).toEqual([0, 9]);
  });
});

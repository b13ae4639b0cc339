/**
 * BatchGetItem's unprocessed keys, which DynamoDB Local never returns (it does not throttle): a client
 * stand-in that holds keys back the way a throttled table does. The happy path runs against DynamoDB
 * Local in test/integration/status-api.test.ts.
 */
import type { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  BATCH_GET_MAX_KEYS,
  DynamoDbSubjectStatusReader,
} from '../../../../functions/adapters/dynamodb/subject-status-reader';
import { UNAVAILABLE } from '../../../../functions/ports/subject-status';

const TABLE = 'subjects';
const sid = (index: number) => index.toString(16).padStart(64, '0');

/** Holds back the keys `holdBack` picks on each call; answers the rest as opted out. */
function throttledClient(holdBack: (call: number, keys: string[]) => string[]) {
  const calls: string[][] = [];
  const client = {
    send: async (command: BatchGetItemCommand) => {
      const request = command.input.RequestItems?.[TABLE];
      expect(request?.ConsistentRead).toBe(true);
      const keys = (request?.Keys ?? []).map((key) => (key.pk?.S ?? '').slice('SUB#'.length));
      calls.push(keys);
      const held = new Set(holdBack(calls.length, keys));
      return {
        Responses: {
          [TABLE]: keys
            .filter((key) => !held.has(key))
            .map((key) => ({
              pk: { S: `SUB#${key}` },
              marketingOptOut: { BOOL: true },
              updatedAt: { S: 'T' },
            })),
        },
        UnprocessedKeys:
          held.size > 0
            ? {
                [TABLE]: {
                  ...request,
                  Keys: [...held].map((key) => ({ pk: { S: `SUB#${key}` }, sk: { S: 'PROFILE' } })),
                },
              }
            : {},
      };
    },
  };
  return { client: client as unknown as DynamoDBClient, calls };
}

describe('reading one subject', () => {
  it('reads strongly consistent, so an opt-out just recorded is already seen', async () => {
    // DynamoDB Local is always consistent: only the request can show that it asks to be.
    const inputs: Record<string, unknown>[] = [];
    const client = {
      send: async (command: { input: Record<string, unknown> }) => {
        inputs.push(command.input);
        return {
          Item: { pk: { S: `SUB#${sid(1)}` }, marketingOptOut: { BOOL: true }, updatedAt: { S: 'T' } },
        };
      },
    } as unknown as DynamoDBClient;

    const record = await new DynamoDbSubjectStatusReader(client, TABLE).read(sid(1));

    expect(inputs[0]).toMatchObject({ TableName: TABLE, ConsistentRead: true });
    expect(record).toEqual({ flags: { marketingOptOut: true }, updatedAt: 'T' });
  });
});

describe('reading many subjects at once', () => {
  it('asks in chunks of at most 100 keys, each key once', async () => {
    const { client, calls } = throttledClient(() => []);
    const reader = new DynamoDbSubjectStatusReader(client, TABLE);
    const sids = Array.from({ length: 250 }, (_, index) => sid(index));

    const results = await reader.readMany([...sids, ...sids.slice(0, 10)]);

    expect(calls.map((keys) => keys.length).sort((a, b) => a - b)).toEqual([
      50,
      BATCH_GET_MAX_KEYS,
      BATCH_GET_MAX_KEYS,
    ]);
    expect(new Set(calls.flat()).size).toBe(250);
    expect(results.size).toBe(250);
  });

  it('asks again for unprocessed keys, waiting longer each time, with jitter', async () => {
    // The first two calls leave half the keys unprocessed.
    const { client, calls } = throttledClient((call, keys) =>
      call <= 2 ? keys.slice(0, Math.ceil(keys.length / 2)) : [],
    );
    const waits: number[] = [];
    const reader = new DynamoDbSubjectStatusReader(
      client,
      TABLE,
      { maxAttempts: 6, baseDelayMs: 100 },
      async (ms) => {
        waits.push(ms);
      },
    );

    const results = await reader.readMany([sid(1), sid(2), sid(3), sid(4)]);

    expect(calls).toHaveLength(3);
    expect(
      [...results.values()].every((record) => record !== UNAVAILABLE && record?.flags.marketingOptOut),
    ).toBe(true);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThan(100);
    expect(waits[1]).toBeLessThan(200);
  });

  it('answers keys still unprocessed after its attempts as unavailable, the others as read', async () => {
    const { client, calls } = throttledClient((_call, keys) => keys.filter((key) => key === sid(2)));
    const reader = new DynamoDbSubjectStatusReader(
      client,
      TABLE,
      { maxAttempts: 4, baseDelayMs: 1 },
      async () => {},
    );

    const results = await reader.readMany([sid(1), sid(2)]);

    expect(calls).toHaveLength(4);
    expect(results.get(sid(2))).toBe(UNAVAILABLE);
    expect(results.get(sid(1))).toMatchObject({ flags: { marketingOptOut: true } });
  });
});

/**
 * The change feed on DynamoDB Local: gap-free sequences and one append per stream record, with several
 * processors appending at once (the stream's shards), and pages that never skip or repeat an entry
 * while appends land.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStatusFeed, MARKER_TTL_SECONDS } from '../../../functions/adapters/dynamodb/status-feed';
import type { SubjectStateChange } from '../../../functions/domain/subjects/status-change';
import { stateOf } from '../../../functions/domain/subjects/subject-status';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../../local/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/loopback';
import { createMakulTables } from '../../../local/makul-tables';

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

/** A feed in a table of its own: each test starts at sequence 0. */
async function freshFeed(): Promise<{ feed: DynamoDbStatusFeed; tableName: string }> {
  tableSerial += 1;
  const tableName = `feed-subjects-${tableSerial}`;
  await createMakulTables(dynamodb.endpoint, {
    requestsTableName: `feed-requests-${tableSerial}`,
    subjectsTableName: tableName,
  });
  return { feed: new DynamoDbStatusFeed(client, tableName), tableName };
}

const change = (sid: string): SubjectStateChange => ({
  sid,
  changedAt: '2026-12-02T10:00:00.000Z',
  previous: stateOf({}),
  current: stateOf({ marketingOptOut: true }),
});

const sidFor = (recordId: string) => recordId.padEnd(64, '0');

/** `appenders` processors at once, each appending its own records one after the other. */
async function appendConcurrently(
  feed: DynamoDbStatusFeed,
  appenders: number,
  perAppender: number,
  prefix = 'record',
): Promise<Map<string, number>> {
  const sequences = new Map<string, number>();
  await Promise.all(
    Array.from({ length: appenders }, async (_, appender) => {
      for (let index = 0; index < perAppender; index += 1) {
        const recordId = `${prefix}-${appender}-${index}`;
        const { sequence } = await feed.append(recordId, change(sidFor(recordId)));
        sequences.set(recordId, sequence);
      }
    }),
  );
  return sequences;
}

describe('DynamoDbStatusFeed.append', () => {
  it('gives 4 processors appending 25 changes each the sequences 1 to 100, no gap, no repeat', async () => {
    const { feed } = await freshFeed();

    const sequences = await appendConcurrently(feed, 4, 25);

    expect([...sequences.values()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(await feed.lastSequence()).toBe(100);
    // Each entry holds the change of the record that got its sequence.
    const page = await feed.changesAfter(0, 100);
    for (const entry of page.changes) {
      const recordId = [...sequences.entries()].find(([, sequence]) => sequence === entry.sequence)?.[0];
      expect(entry.sid).toBe(sidFor(recordId ?? ''));
    }
  });

  it('gives a record appended again the sequence it got, and appends nothing, even when all retry at once', async () => {
    const { feed } = await freshFeed();
    const first = await appendConcurrently(feed, 4, 25);

    const again = await appendConcurrently(feed, 4, 25);

    expect(again).toEqual(first);
    expect(await feed.lastSequence()).toBe(100);
  });

  it('appends a record delivered to two processors at the same moment once', async () => {
    const { feed } = await freshFeed();

    const results = await Promise.all(
      Array.from({ length: 4 }, () => feed.append('the-same-record', change(sidFor('the-same')))),
    );

    expect(new Set(results.map((result) => result.sequence))).toEqual(new Set([1]));
    expect(results.filter((result) => result.appended)).toHaveLength(1);
    expect(await feed.lastSequence()).toBe(1);
  });

  it('tells a retried record whether its event went out', async () => {
    const { feed } = await freshFeed();
    const fresh = await feed.append('published-record', change(sidFor('published')));
    expect(fresh).toEqual({ sequence: 1, publishedAt: null, appended: true });
    expect(await feed.append('published-record', change(sidFor('published')))).toEqual({
      sequence: 1,
      publishedAt: null,
      appended: false,
    });

    await feed.markPublished(1, new Date('2026-12-02T10:00:01.000Z'));
    // A second note keeps the first time.
    await feed.markPublished(1, new Date('2026-12-02T11:00:00.000Z'));

    expect(await feed.append('published-record', change(sidFor('published')))).toEqual({
      sequence: 1,
      publishedAt: '2026-12-02T10:00:01.000Z',
      appended: false,
    });
  });

  it('keeps a marker three days, beyond the 24 hours a stream keeps a record', async () => {
    const { feed, tableName } = await freshFeed();
    const before = Math.floor(Date.now() / 1000);
    await feed.append('expiring-record', change(sidFor('expiring')));

    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'CHANGE#expiring-record' }, sk: { S: 'CHANGE' } },
      }),
    );

    expect(Number(Item?.expiresAt?.N) - before).toBeGreaterThanOrEqual(MARKER_TTL_SECONDS);
    expect(Number(Item?.expiresAt?.N) - before).toBeLessThan(MARKER_TTL_SECONDS + 60);
  });
});

describe('DynamoDbStatusFeed.changesAfter', () => {
  it('answers an empty feed with no changes and the cursor it was given', async () => {
    const { feed } = await freshFeed();

    expect(await feed.changesAfter(0, 10)).toEqual({ changes: [], lastSequence: 0, more: false });
  });

  it('pages through in order and says when more are there', async () => {
    const { feed } = await freshFeed();
    await appendConcurrently(feed, 1, 5);

    const first = await feed.changesAfter(0, 2);
    const last = await feed.changesAfter(4, 2);

    expect(first.changes.map((entry) => entry.sequence)).toEqual([1, 2]);
    expect(first).toMatchObject({ lastSequence: 2, more: true });
    expect(last.changes.map((entry) => entry.sequence)).toEqual([5]);
    expect(last).toMatchObject({ lastSequence: 5, more: false });
    expect(last.changes[0]).toEqual({ ...change(sidFor('record-0-4')), sequence: 5 });
  });

  it('never skips or repeats an entry while 4 processors append', async () => {
    const { feed } = await freshFeed();
    let writing = true;
    const appending = appendConcurrently(feed, 4, 25).finally(() => {
      writing = false;
    });
    const seen: number[] = [];
    let cursor = 0;
    for (let drained = false; !drained; ) {
      const finished = !writing;
      const page = await feed.changesAfter(cursor, 7);
      seen.push(...page.changes.map((entry) => entry.sequence));
      cursor = page.lastSequence;
      drained = finished && !page.more;
    }
    await appending;

    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('refuses a cursor or a limit that is not a whole number in range', async () => {
    const { feed } = await freshFeed();

    await expect(feed.changesAfter(-1, 10)).rejects.toThrow(RangeError);
    await expect(feed.changesAfter(0, 0)).rejects.toThrow(RangeError);
    await expect(feed.changesAfter(1.5, 10)).rejects.toThrow(RangeError);
  });
});

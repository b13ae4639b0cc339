/**
 * Requests by status and due date (the `by-status-due` index) on DynamoDB Local: ordered, bounded,
 * paged past a page's limit and past DynamoDB's 1 MB, and never listing a notice entry or an entry
 * without a due date. Each test gets tables of its own, so what one writes no other one lists.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromRequest } from '../../../functions/adapters/dynamodb/request-items';
import { DynamoDbRequestRegister } from '../../../functions/adapters/dynamodb/request-register';
import { newNoticeEntry } from '../../../functions/domain/requests/notice-entry';
import type { RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import { REQUEST_INDEXES } from '../../../functions/shared/table-design';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../../local/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/loopback';
import { createMakulTables } from '../../../local/makul-tables';
import { startLocalRegister } from '../../support/local-register';
import { sampleRequest } from '../../support/sample-request';

const T0 = new Date('2031-03-02T18:59:59.000Z');
/** `T0` plus `hours`, as an ISO string: due dates the tests order by. */
const due = (hours: number) => new Date(T0.getTime() + hours * 3_600_000).toISOString();

let dynamodb: DynamoDbLocalHandle;
let client: DynamoDBClient;
let tableSerial = 0;
let serial = 0;

beforeAll(async () => {
  ({ dynamodb, client } = await startLocalRegister({
    requestsTableName: 'listing-requests-0',
    subjectsTableName: 'listing-subjects-0',
  }));
});

afterAll(async () => {
  client?.destroy();
  await dynamodb?.dispose();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A register on fresh tables. */
async function freshRegister(options: { pageSize?: number } = {}): Promise<DynamoDbRequestRegister> {
  tableSerial += 1;
  const tables = {
    requestsTableName: `listing-requests-${tableSerial}`,
    subjectsTableName: `listing-subjects-${tableSerial}`,
  };
  await createMakulTables(dynamodb.endpoint, tables);
  return new DynamoDbRequestRegister(client, tables, options);
}

async function write(
  register: DynamoDbRequestRegister,
  overrides: Partial<RegisteredRequest>,
  notices: readonly RegisteredRequest[] = [],
): Promise<RegisteredRequest> {
  serial += 1;
  const request = sampleRequest(serial, { status: 'in-progress', kind: 'access', ...overrides });
  const received = { at: request.receivedAt, event: 'received', detail: {} };
  expect(await register.recordNew(request, received, null, null, { notices })).toEqual({
    outcome: 'recorded',
  });
  return request;
}

const idsOf = (requests: readonly RegisteredRequest[]) => requests.map((request) => request.requestId);

/** The Query calls made on the index while `act` runs. */
async function queriesDuring(act: () => Promise<unknown>): Promise<number> {
  const send = vi.spyOn(client, 'send');
  await act();
  return send.mock.calls.filter(
    ([command]) =>
      command instanceof QueryCommand && command.input.IndexName === REQUEST_INDEXES.byStatusDue.indexName,
  ).length;
}

describe('DynamoDbRequestRegister.requestsByStatus', () => {
  it('lists the requests in one status, soonest due first, and none in another status', async () => {
    const register = await freshRegister();
    const later = await write(register, { dueAt: due(48) });
    const soonest = await write(register, { dueAt: due(1) });
    const middle = await write(register, { dueAt: due(5) });
    await write(register, { status: 'awaiting-verification', dueAt: due(2) });
    await write(register, { status: 'completed', dueAt: due(3) });

    const listed = await register.requestsByStatus('in-progress');

    expect(idsOf(listed)).toEqual(idsOf([soonest, middle, later]));
    expect(listed[0]).toEqual(soonest);
    expect(idsOf(await register.requestsByStatus('rejected'))).toEqual([]);
  });

  it('lists due dates from dueFrom (included) to dueBefore (excluded)', async () => {
    const register = await freshRegister();
    const from = new Date(due(10));
    const before = new Date(due(20));
    const justBefore = (date: Date) => new Date(date.getTime() - 1).toISOString();
    const earlier = await write(register, { dueAt: justBefore(from) });
    const atFrom = await write(register, { dueAt: from.toISOString() });
    const inside = await write(register, { dueAt: due(15) });
    const lastInside = await write(register, { dueAt: justBefore(before) });
    const atBefore = await write(register, { dueAt: before.toISOString() });
    const after = await write(register, { dueAt: due(30) });

    expect(
      idsOf(await register.requestsByStatus('in-progress', { dueFrom: from, dueBefore: before })),
    ).toEqual(idsOf([atFrom, inside, lastInside]));
    expect(idsOf(await register.requestsByStatus('in-progress', { dueFrom: from }))).toEqual(
      idsOf([atFrom, inside, lastInside, atBefore, after]),
    );
    expect(idsOf(await register.requestsByStatus('in-progress', { dueBefore: before }))).toEqual(
      idsOf([earlier, atFrom, inside, lastInside]),
    );
    expect(await register.requestsByStatus('in-progress', { dueFrom: before, dueBefore: before })).toEqual(
      [],
    );
    expect(await register.requestsByStatus('in-progress', { dueFrom: before, dueBefore: from })).toEqual([]);
  });

  it('keeps entries without a due date out of the index: no NULL key is written, and they read back as null', async () => {
    const register = await freshRegister();
    const dropped = await write(register, { status: 'dropped', kind: null, dueAt: null });
    const undated = await write(register, { dueAt: null });
    const dated = await write(register, { dueAt: due(1) });

    expect(idsOf(await register.requestsByStatus('in-progress'))).toEqual([dated.requestId]);
    expect(await register.requestsByStatus('dropped')).toEqual([]);
    expect((await register.get(undated.requestId))?.dueAt).toBeNull();
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: `listing-requests-${tableSerial}`,
        Key: { pk: { S: `REQ#${dropped.requestId}` }, sk: { S: 'META' } },
      }),
    );
    expect(Item?.dueAt).toBeUndefined();
    expect(Item?.status).toEqual({ S: 'dropped' });
  });

  it('never lists a notice entry, though it copies its request’s status and due date', async () => {
    const register = await freshRegister();
    serial += 1;
    const parent = sampleRequest(serial, { status: 'completed', dueAt: due(2) });
    const notice = newNoticeEntry(parent, 'confirmed', T0, {
      sealedContact: 'v1.sealed',
      replyLimitKey: null,
    });
    expect(notice).toMatchObject({ status: 'completed', dueAt: due(2) });
    await register.recordNew(parent, { at: parent.receivedAt, event: 'received', detail: {} }, null, null, {
      notices: [notice],
    });

    expect(idsOf(await register.requestsByStatus('completed'))).toEqual([parent.requestId]);
  });

  it('follows the pages up to the limit, soonest first, even past pages that hold only notices', async () => {
    const register = await freshRegister({ pageSize: 2 });
    // Notices (all `completed`) of requests still in progress, due first: the first two pages hold
    // nothing but them, and the filter leaves those pages empty.
    for (const hour of [1, 2, 3, 4]) {
      serial += 1;
      const parent = sampleRequest(serial, { status: 'in-progress', dueAt: due(hour) });
      const notice = newNoticeEntry(parent, 'confirmed', T0, {
        sealedContact: 'v1.sealed',
        replyLimitKey: null,
      });
      await register.recordNew(parent, { at: parent.receivedAt, event: 'received', detail: {} }, null, null, {
        notices: [notice],
      });
    }
    const completed: RegisteredRequest[] = [];
    for (const hour of [17, 11, 15, 13, 12, 16, 14])
      completed.push(await write(register, { status: 'completed', dueAt: due(hour) }));
    const byDue = [...completed].sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));

    let firstFive: RegisteredRequest[] = [];
    const pages = await queriesDuring(async () => {
      firstFive = await register.requestsByStatus('completed', { limit: 5 });
    });

    expect(idsOf(firstFive)).toEqual(idsOf(byDue.slice(0, 5)));
    // Two pages of notices, then 2 + 2 + 1 requests: not one item read beyond the limit.
    expect(pages).toBe(5);
    expect(idsOf(await register.requestsByStatus('completed'))).toEqual(idsOf(byDue));
  });

  it('lists at most 1000 unless told otherwise, and `limit` entries when told', async () => {
    const register = await freshRegister({ pageSize: 3 });
    const written: RegisteredRequest[] = [];
    for (let hour = 0; hour < 8; hour += 1) written.push(await write(register, { dueAt: due(hour) }));

    expect(idsOf(await register.requestsByStatus('in-progress', { limit: 5 }))).toEqual(
      idsOf(written.slice(0, 5)),
    );
    expect(idsOf(await register.requestsByStatus('in-progress'))).toEqual(idsOf(written));
  });

  it('reads on past a page that DynamoDB ends at 1 MB', async () => {
    const register = await freshRegister();
    // Five entries of ~300 KB each: DynamoDB returns at most 1 MB a page, so three pages or so.
    const bulk = 'x'.repeat(300 * 1024);
    const written: RegisteredRequest[] = [];
    for (let hour = 0; hour < 5; hour += 1)
      written.push(await write(register, { dueAt: due(hour), sealedDetails: bulk }));

    let listed: RegisteredRequest[] = [];
    const pages = await queriesDuring(async () => {
      listed = await register.requestsByStatus('in-progress');
    });

    expect(idsOf(listed)).toEqual(idsOf(written));
    expect(pages).toBeGreaterThan(1);
  });
});

describe('createMakulTables on a local data folder from the previous version', () => {
  it('gives a table kept from the previous version the index, removing the NULL due dates that would make its entries unwritable', async () => {
    // A DynamoDB Local of its own: in the shared one, holding the tables of the tests above, the added
    // index was still filling minutes later. A local stack's data folder holds two tables.
    const own = await startDynamoDbLocal({ report: () => undefined });
    const client = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: own.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const tables = { requestsTableName: 'upgraded-requests', subjectsTableName: 'upgraded-subjects' };
    try {
      // The requests table as the previous version made it: its two indexes, not by-status-due.
      const earlier = [REQUEST_INDEXES.opsQueue, REQUEST_INDEXES.bySubject];
      await client.send(
        new CreateTableCommand({
          TableName: tables.requestsTableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            'pk',
            'sk',
            ...earlier.flatMap((index) => [index.partitionKey, index.sortKey]),
          ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: earlier.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }),
      );
      serial += 1;
      const old = sampleRequest(serial, {
        status: 'dropped',
        kind: null,
        dueAt: null,
        outboundState: 'pending',
      });
      const key = { pk: { S: `REQ#${old.requestId}` }, sk: { S: 'META' } };
      await client.send(
        new PutItemCommand({
          TableName: tables.requestsTableName,
          Item: { ...key, ...fromRequest(old), dueAt: { NULL: true } },
        }),
      );

      await createMakulTables(own.endpoint, tables);

      const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.requestsTableName }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toContain('by-status-due');
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tables.requestsTableName, Key: key }),
      );
      expect(Item?.dueAt).toBeUndefined();
      const register = new DynamoDbRequestRegister(client, tables);
      // A write to the old entry is not refused for a NULL index key.
      await register.deferOutbound(old.requestId, T0, {
        at: T0.toISOString(),
        event: 'deferred',
        detail: {},
      });
      expect(await register.get(old.requestId)).toMatchObject({ dueAt: null, outboundState: 'deferred' });
    } finally {
      client.destroy();
      await own.dispose();
    }
  });
});

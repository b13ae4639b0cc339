/**
 * The fulfilment register on DynamoDB Local: tasks are made once however often (or however many
 * processors at once) ask, an answer is taken once, and a retried or conflicting answer finds the first.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFulfilmentRegister } from '../../../functions/adapters/dynamodb/fulfilment-register';
import { type DataSystem, tasksFor } from '../../../functions/domain/fulfilment/tasks';
import type { AuditEvent } from '../../../functions/domain/requests/registered-request';
import type { DynamoDbLocalHandle } from '../../../local/dynamodb-local';
import { startLocalRegister } from '../../support/local-register';
import { sampleRequest } from '../../support/sample-request';

const TABLES = { requestsTableName: 'tasks-requests', subjectsTableName: 'tasks-subjects' };
const NOW = new Date('2026-12-02T09:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const system = (id: string, toldBy: DataSystem['toldBy']): DataSystem => ({
  id,
  name: { ky: id, ru: id, en: id },
  purpose: { ky: id, ru: id, en: id },
  categories: ['email'],
  toldBy,
  kinds: ['erasure', 'access'],
});
const SYSTEMS = [system('player-accounts', 'event'), system('helpdesk', 'person')];

let dynamodb: DynamoDbLocalHandle;
let client: DynamoDBClient;
let register: DynamoDbFulfilmentRegister;
let serial = 0;

beforeAll(async () => {
  ({ dynamodb, client } = await startLocalRegister(TABLES));
  register = new DynamoDbFulfilmentRegister(client, TABLES.requestsTableName);
});

afterAll(async () => {
  client?.destroy();
  await dynamodb?.dispose();
});

function erasureTasks(at: Date = NOW) {
  serial += 1;
  const request = sampleRequest(serial, {
    kind: 'erasure',
    status: 'in-progress',
    closedAt: null,
    dueAt: '2026-12-10T18:00:00.000Z',
  });
  return { requestId: request.requestId, tasks: tasksFor(request, SYSTEMS, at) };
}

const created = (at: Date = NOW): AuditEvent => ({
  at: at.toISOString(),
  event: 'tasks-created',
  detail: { systems: 'helpdesk,player-accounts' },
});

async function auditEvents(requestId: string): Promise<string[]> {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: TABLES.requestsTableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
      ExpressionAttributeValues: { ':pk': { S: `REQ#${requestId}` }, ':audit': { S: 'AUDIT#' } },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => item.event?.S ?? '');
}

describe('createTasks', () => {
  it('writes one open task per system and one audit item, keyed REQ#id / TASK#system', async () => {
    const { requestId, tasks } = erasureTasks();

    const stored = await register.createTasks(tasks, created());

    expect(stored.map((task) => task.systemId)).toEqual(['helpdesk', 'player-accounts']);
    expect(stored).toEqual(expect.arrayContaining(tasks));
    expect(await auditEvents(requestId)).toEqual(['tasks-created']);
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: TABLES.requestsTableName,
        Key: { pk: { S: `REQ#${requestId}` }, sk: { S: 'TASK#player-accounts' } },
      }),
    );
    expect(Item?.state?.S).toBe('open');
    // Not a register entry: no status, so the by-status-due index leaves it out.
    expect(Item?.status).toBeUndefined();
  });

  it('is idempotent: a retry later writes nothing and returns the tasks as first made', async () => {
    const { requestId, tasks } = erasureTasks();
    await register.createTasks(tasks, created());
    const retried = tasksFor(
      { ...sampleRequest(0), requestId, kind: 'erasure', status: 'in-progress' },
      SYSTEMS,
      later(60),
    );

    const stored = await register.createTasks(retried, created(later(60)));

    expect(stored.map((task) => task.createdAt)).toEqual([NOW.toISOString(), NOW.toISOString()]);
    expect(await auditEvents(requestId)).toEqual(['tasks-created']);
  });

  it('makes the tasks once when several processors create them at the same moment', async () => {
    const { requestId, tasks } = erasureTasks();

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => register.createTasks(tasks, created(later(index)))),
    );

    for (const stored of results) expect(stored).toHaveLength(2);
    expect(await register.tasksOf(requestId)).toHaveLength(2);
    expect(await auditEvents(requestId)).toEqual(['tasks-created']);
  });

  it('makes nothing for no tasks', async () => {
    expect(await register.createTasks([], created())).toEqual([]);
  });
});

describe('answerTask', () => {
  const answered = (at: Date): AuditEvent => ({
    at: at.toISOString(),
    event: 'task-answered',
    detail: { system: 'player-accounts', state: 'done' },
  });

  it('moves an open task to done once, with who answered, and audits it', async () => {
    const { requestId, tasks } = erasureTasks();
    await register.createTasks(tasks, created());
    const by = { via: 'api', caller: 'arn:aws:iam::123456789012:role/players' } as const;

    const result = await register.answerTask(
      requestId,
      'player-accounts',
      { state: 'done', outcome: 'erased', sealedData: null },
      by,
      later(10),
      answered(later(10)),
    );

    expect(result).toEqual({
      outcome: 'answered',
      task: expect.objectContaining({
        state: 'done',
        outcome: 'erased',
        answeredAt: later(10).toISOString(),
        answeredBy: by,
        reason: null,
      }),
    });
    expect(await auditEvents(requestId)).toEqual(['tasks-created', 'task-answered']);
  });

  it('answers a retried or different report with the task as it stands, changing nothing', async () => {
    const { requestId, tasks } = erasureTasks();
    await register.createTasks(tasks, created());
    const by = { via: 'cli', person: 'dpo@x2.kg' } as const;
    await register.answerTask(
      requestId,
      'helpdesk',
      { state: 'refused', reason: 'legal hold' },
      by,
      later(10),
      answered(later(10)),
    );

    const retried = await register.answerTask(
      requestId,
      'helpdesk',
      { state: 'refused', reason: 'legal hold' },
      by,
      later(20),
      answered(later(20)),
    );
    const different = await register.answerTask(
      requestId,
      'helpdesk',
      { state: 'done', outcome: 'erased', sealedData: null },
      by,
      later(30),
      answered(later(30)),
    );

    for (const result of [retried, different]) {
      expect(result).toEqual({
        outcome: 'already-answered',
        task: expect.objectContaining({ state: 'refused', reason: 'legal hold', outcome: null }),
      });
    }
    expect(await auditEvents(requestId)).toEqual(['tasks-created', 'task-answered']);
  });

  it('takes one of two answers given at once', async () => {
    const { requestId, tasks } = erasureTasks();
    await register.createTasks(tasks, created());
    const by = { via: 'cli', person: 'ops' } as const;

    const results = await Promise.all(
      [1, 2, 3].map((index) =>
        register.answerTask(
          requestId,
          'player-accounts',
          { state: 'done', outcome: 'erased', sealedData: null },
          by,
          later(index),
          answered(later(index)),
        ),
      ),
    );

    expect(results.filter((result) => result.outcome === 'answered')).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'already-answered')).toHaveLength(2);
  });

  it('says unknown-task for a system without a task, and writes nothing', async () => {
    const { requestId, tasks } = erasureTasks();
    await register.createTasks(tasks, created());

    const result = await register.answerTask(
      requestId,
      'crm',
      { state: 'done', outcome: 'not-held', sealedData: null },
      { via: 'cli', person: 'ops' },
      later(5),
      answered(later(5)),
    );

    expect(result).toEqual({ outcome: 'unknown-task' });
    expect(await register.tasksOf(requestId)).toHaveLength(2);
    expect(await auditEvents(requestId)).toEqual(['tasks-created']);
  });
});

describe('markPublished', () => {
  it('keeps the first time, and never makes a task', async () => {
    const { requestId, tasks } = erasureTasks();
    await register.createTasks(tasks, created());

    await register.markPublished(requestId, 'player-accounts', later(1));
    await register.markPublished(requestId, 'player-accounts', later(2));
    await register.markPublished(requestId, 'no-such-system', later(3));

    const stored = await register.tasksOf(requestId);
    expect(stored.find((task) => task.systemId === 'player-accounts')?.publishedAt).toBe(
      later(1).toISOString(),
    );
    expect(stored.find((task) => task.systemId === 'helpdesk')?.publishedAt).toBeNull();
    expect(stored).toHaveLength(2);
  });
});

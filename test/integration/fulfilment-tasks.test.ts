/**
 * Fulfilment tasks end to end on the real local services: a request arrives through the inbound
 * function (or its link is confirmed), the requests table's stream on DynamoDB Local carries the write
 * to the deployed fulfilment-tasks handler (local/stream-poller.ts does what Lambda's event source
 * mapping does), and the tasks in the table and the events on the EventBridge stand-in show what came
 * of it. The processor runs with X2's data systems from the shipped operators file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { TASK_EVENT_DETAIL_TYPE } from '../../functions/adapters/eventbridge/task-event-publisher';
import { actOnLink } from '../../functions/app/confirmation-links';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import {
  createFulfilmentTasksHandler,
  type FulfilmentTasksHandler,
} from '../../functions/fulfilment-tasks/handler';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { createLogger } from '../../functions/shared/log';
import { DEFAULT_OPERATORS_FILE } from '../../functions/shared/operators-file';
import { loadDeploymentProfiles } from '../../lib/operators-config';
import {
  type EventBridgeStandInHandle,
  type PutEvent,
  startEventBridgeStandIn,
} from '../../local/eventbridge-stand-in';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { signedByDomainVerdicts } from '../../local/sample-verdicts';
import { StreamPoller } from '../../local/stream-poller';
import { HMAC_KEY, InboundHarness, requestMail } from '../support/inbound-harness';
import { schemaProblems } from '../support/json-schema';
import { PROJECT_ROOT } from '../support/paths';
import { sampleProfile } from '../support/sample-profile';
import { StatusChangesHarness } from '../support/status-changes-harness';

const EVENT_BUS_NAME = 'makul-x2-status';
const EVENT_SCHEMA = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'docs/events/fulfilment-task-created.schema.json'), 'utf8'),
) as Record<string, unknown>;

/** X2's data categories and systems, as shipped: player-accounts and marketing-platform by event, helpdesk by a person. */
const X2 = (() => {
  const profile = loadDeploymentProfiles(join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE)).find(
    (candidate) => candidate.operator.id === 'x2',
  );
  if (!profile) throw new Error('the shipped operators file has no x2 operator');
  return profile.operator;
})();

let inbound: InboundHarness;
let bus: EventBridgeStandInHandle;
let poller: StreamPoller;
let handler: FulfilmentTasksHandler;
let register: DynamoDbFulfilmentRegister;
const batches: DynamoDBStreamEvent[] = [];
const logLines: string[] = [];

async function handle(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  batches.push(event);
  return handler(event, { awsRequestId: `tasks-test-${batches.length}` } as Context);
}

beforeAll(async () => {
  inbound = await InboundHarness.start();
  const quiet = () => undefined;
  bus = await startEventBridgeStandIn({ report: quiet });
  const { config } = inbound;
  const profile = sampleProfile({ dataHeld: X2.dataHeld, dataSystems: X2.dataSystems });
  handler = createFulfilmentTasksHandler(
    {
      ...functionEnvironment({
        profile,
        requestsTableName: config.requestsTableName,
        subjectsTableName: config.subjectsTableName,
        rawMailBucketName: config.rawMailBucketName,
        hmac: { key: HMAC_KEY },
        region: LOCAL_REGION,
        endpoints: { dynamodb: inbound.dynamodb.endpoint, eventBridge: bus.endpoint },
        eventBusName: EVENT_BUS_NAME,
      }),
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
    createLogger('DEBUG', { fn: 'fulfilment-tasks' }, (line) => logLines.push(line)),
  );
  register = new DynamoDbFulfilmentRegister(inbound.client, config.requestsTableName);
  poller = new StreamPoller({
    endpoint: inbound.dynamodb.endpoint,
    tableName: config.requestsTableName,
    handler: handle,
    retryDelayMs: 10,
    report: quiet,
  });
});

afterAll(async () => {
  await poller?.stop();
  await bus?.dispose();
  await inbound?.stop();
});

let sourceSerial = 0;
const nextSource = () => {
  sourceSerial += 1;
  return `198.51.100.${sourceSerial}`;
};

/** A request mail through the inbound function; its confirmation link, when the reply carries one. */
async function arrive(
  from: string,
  subject: string,
  options: { authenticated?: boolean } = {},
): Promise<{ requestId: string; link: string }> {
  const domain = from.slice(from.indexOf('@') + 1);
  const delivery = await inbound.deliver(
    requestMail({ from, subject }),
    options.authenticated ? { verdicts: signedByDomainVerdicts(domain) } : {},
  );
  expect((await inbound.runBatch([delivery.record])).batchItemFailures).toEqual([]);
  const text = (await inbound.sentTo(from)).at(-1)?.body.text ?? '';
  const link = /https?:\/\/\S+\/c\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';
  return { requestId: requestIdFor(delivery.sesMessageId), link };
}

const taskEventsOf = (requestId: string): PutEvent[] =>
  bus.events.filter(
    (event) =>
      event.detailType === TASK_EVENT_DETAIL_TYPE &&
      (event.detail as { requestId?: string }).requestId === requestId,
  );

const systemsOf = (events: readonly PutEvent[]) =>
  events.map((event) => (event.detail as { system: string }).system).sort();

describe('an authenticated erasure, recorded in progress', () => {
  const sender = 'erase.me@example.kg';
  let requestId: string;

  beforeAll(async () => {
    ({ requestId } = await arrive(sender, 'delete my data', { authenticated: true }));
    expect((await inbound.requestItem(requestId))?.status?.S).toBe('in-progress');
    await poller.drain();
  });

  it('gets one open task per system concerned, with the due date and keyed hash of the request', async () => {
    const entry = await inbound.requestItem(requestId);
    const tasks = await register.tasksOf(requestId);

    expect(tasks.map((task) => [task.systemId, task.toldBy, task.state]).sort()).toEqual([
      ['helpdesk', 'person', 'open'],
      ['marketing-platform', 'event', 'open'],
      ['player-accounts', 'event', 'open'],
    ]);
    for (const task of tasks) {
      expect(task).toMatchObject({
        kind: 'erasure',
        dueAt: entry?.dueAt?.S,
        subjectKey: entry?.subjectKey?.S,
      });
    }
    const trail = await inbound.runtime.register.auditTrail(requestId);
    expect(trail.filter((event) => event.event === 'tasks-created')).toHaveLength(1);
  });

  it('publishes one event for each system told by event, none for the helpdesk, and notes it', async () => {
    const events = taskEventsOf(requestId);

    expect(systemsOf(events)).toEqual(['marketing-platform', 'player-accounts']);
    const tasks = await register.tasksOf(requestId);
    expect(tasks.find((task) => task.systemId === 'helpdesk')?.publishedAt).toBeNull();
    for (const system of ['marketing-platform', 'player-accounts'])
      expect(tasks.find((task) => task.systemId === system)?.publishedAt).toEqual(expect.any(String));
  });

  it('publishes events that match the schema and say nothing of the person but the keyed hash', async () => {
    const entry = await inbound.requestItem(requestId);
    const [event] = taskEventsOf(requestId).filter(
      (candidate) => (candidate.detail as { system: string }).system === 'player-accounts',
    );

    expect(event).toMatchObject({
      eventBusName: EVENT_BUS_NAME,
      source: 'makul.x2',
      detailType: 'Fulfilment Task Created',
    });
    expect(event?.detail).toEqual({
      requestId,
      system: 'player-accounts',
      kind: 'erasure',
      dueAt: entry?.dueAt?.S,
      subjectKey: entry?.subjectKey?.S,
      operator: 'x2',
      createdAt: expect.any(String),
    });
    for (const published of taskEventsOf(requestId)) {
      expect(schemaProblems(EVENT_SCHEMA, StatusChangesHarness.delivered(published))).toEqual([]);
    }
    expect(JSON.stringify(bus.events)).not.toContain(sender);
    expect(JSON.stringify(bus.events)).not.toContain('example.kg');
    expect(logLines.join('\n')).not.toContain(sender);
  });

  it('makes no second task and publishes no second event when every batch is delivered again', async () => {
    const eventsBefore = bus.events.length;
    const delivered = [...batches];

    for (const batch of delivered) expect((await handle(batch)).batchItemFailures).toEqual([]);
    await poller.drain();

    expect(await register.tasksOf(requestId)).toHaveLength(3);
    expect(bus.events.length).toBe(eventsBefore);
    const trail = await inbound.runtime.register.auditTrail(requestId);
    expect(trail.filter((event) => event.event === 'tasks-created')).toHaveLength(1);
  });
});

describe('an erasure confirmed by its link', () => {
  it('gets its tasks when the link moves it from awaiting-verification to in progress, not before', async () => {
    const sender = 'confirms@example.org';
    const { requestId, link } = await arrive(sender, 'delete my data');
    expect((await inbound.requestItem(requestId))?.status?.S).toBe('awaiting-verification');
    await poller.drain();
    expect(await register.tasksOf(requestId)).toEqual([]);
    expect(taskEventsOf(requestId)).toEqual([]);

    await actOnLink(link, 'confirm', nextSource(), null, inbound.dependencies());
    expect((await inbound.requestItem(requestId))?.status?.S).toBe('in-progress');
    await poller.drain();

    expect((await register.tasksOf(requestId)).map((task) => task.systemId).sort()).toEqual([
      'helpdesk',
      'marketing-platform',
      'player-accounts',
    ]);
    expect(systemsOf(taskEventsOf(requestId))).toEqual(['marketing-platform', 'player-accounts']);
  });
});

describe('requests that get no task', () => {
  it('an unsubscribe is followed through the status API, not by tasks', async () => {
    const { requestId } = await arrive('leaves@example.org', 'unsubscribe');
    await poller.drain();

    expect(await register.tasksOf(requestId)).toEqual([]);
    expect(taskEventsOf(requestId)).toEqual([]);
  });
});

describe('a refused event', () => {
  it('is published once the stream delivers the record again', async () => {
    const { requestId } = await arrive('bus.down@example.kg', 'delete my data', { authenticated: true });
    bus.failNext(1, 'failed-entry');

    await poller.drain();

    expect(poller.givenUp).toEqual([]);
    expect(systemsOf(taskEventsOf(requestId))).toEqual(['marketing-platform', 'player-accounts']);
  });
});

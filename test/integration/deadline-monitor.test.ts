/**
 * The deadline monitor's deployed handler on the real local services (DynamoDB Local with makul's
 * tables and the `by-status-due` index, the SES v2 emulator), its clock injected: entries due around
 * it, one digest per local day whoever runs, the marker as the table holds it.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDigestMarker } from '../../functions/adapters/dynamodb/digest-marker';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbRequestRegister } from '../../functions/adapters/dynamodb/request-register';
import {
  createDeadlineMonitorHandler,
  type DeadlineMonitorHandler,
} from '../../functions/deadline-monitor/handler';
import { digestHourEnvironment } from '../../functions/deadline-monitor/settings';
import type { FulfilmentTask } from '../../functions/domain/fulfilment/tasks';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { createLogger } from '../../functions/shared/log';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../local/dynamodb-local';
import { localLambdaContext } from '../../local/lambda-context';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { createMakulTables } from '../../local/makul-tables';
import { type SesEmulatorHandle, startSesEmulator } from '../../local/ses-emulator';
import { sampleProfile } from '../support/sample-profile';
import { sampleRequest } from '../support/sample-request';

const TABLES = { requestsTableName: 'monitor-requests', subjectsTableName: 'monitor-subjects' };
const DPO = 'dpo@x2.kg';
/** What the register holds for the person; none of it may reach the digest. */
const PERSON = 'person-7781@example.kg';

/** An instant as Bishkek wall-clock time (UTC+6 all year). */
const bishkek = (local: string) => new Date(`${local}+06:00`);
const endOfDay = (day: string) => bishkek(`${day}T23:59:59`).toISOString();

/** KG profile with a calendar of its own for 2031–2032 (Monday 10 March 2031 a holiday), staff in Russian. */
function profile(): DeploymentProfile {
  const base = sampleProfile({ staffLanguage: 'ru' });
  const year = { holidays: [], movedDaysOff: [], workingWeekends: [] };
  return {
    ...base,
    jurisdiction: {
      ...base.jurisdiction,
      country: 'KG',
      calendar: { '2031': { ...year, holidays: ['03-10'] }, '2032': year },
    },
  };
}

let dynamodb: DynamoDbLocalHandle;
let ses: SesEmulatorHandle;
let client: DynamoDBClient;
let register: DynamoDbRequestRegister;
let handler: DeadlineMonitorHandler;
let clock = new Date(0);
const logLines: string[] = [];
let serial = 0;

beforeAll(async () => {
  const quiet = () => undefined;
  [dynamodb, ses] = await Promise.all([
    startDynamoDbLocal({ report: quiet }),
    startSesEmulator({ report: quiet }),
  ]);
  await createMakulTables(dynamodb.endpoint, TABLES);
  client = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: dynamodb.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  register = new DynamoDbRequestRegister(client, TABLES);
  const environment = {
    ...functionEnvironment({
      profile: profile(),
      ...TABLES,
      rawMailBucketName: 'raw-not-used',
      hmac: { key: 'not-used-by-the-deadline-monitor' },
      region: LOCAL_REGION,
      endpoints: { dynamodb: dynamodb.endpoint, sesv2: ses.endpoint },
    }),
    ...digestHourEnvironment(9),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  const logger = createLogger('DEBUG', { fn: 'deadline-monitor' }, (line) => logLines.push(line));
  handler = createDeadlineMonitorHandler(environment, logger, () => clock);

  // Around Friday 7 March 2031: two overdue, two due within two working days (Monday is a holiday),
  // one due later, one awaiting confirmation, one closed.
  await record({ dueAt: endOfDay('2031-03-05'), status: 'needs-human', kind: null });
  const late = await record({ dueAt: endOfDay('2031-03-06') });
  await record({ dueAt: endOfDay('2031-03-07'), status: 'held' });
  await record({ dueAt: endOfDay('2031-03-12') });
  await record({ dueAt: endOfDay('2031-03-20') });
  await record({ dueAt: endOfDay('2031-03-06'), status: 'awaiting-verification', kind: 'erasure' });
  await record({ dueAt: endOfDay('2031-03-01'), status: 'completed' });
  // The overdue access request waits for two of three systems.
  const tasks = new DynamoDbFulfilmentRegister(client, TABLES.requestsTableName);
  const made = { at: late.receivedAt, event: 'tasks-created', detail: {} };
  await tasks.createTasks(
    ['crm', 'helpdesk', 'player-accounts'].map((system) => openTask(late, system)),
    made,
  );
  await tasks.answerTask(
    late.requestId,
    'player-accounts',
    { state: 'done', outcome: 'not-held', sealedData: null },
    { via: 'cli', person: 'ops' },
    new Date(late.receivedAt),
    { at: late.receivedAt, event: 'task-answered', detail: { system: 'player-accounts' } },
  );
});

function openTask(request: RegisteredRequest, systemId: string): FulfilmentTask {
  return {
    requestId: request.requestId,
    systemId,
    kind: 'access',
    dueAt: request.dueAt,
    subjectKey: request.subjectKey,
    toldBy: 'event',
    state: 'open',
    createdAt: request.receivedAt,
    outcome: null,
    reason: null,
    sealedData: null,
    answeredAt: null,
    answeredBy: null,
    publishedAt: null,
  };
}

afterAll(async () => {
  client?.destroy();
  await Promise.allSettled([dynamodb?.dispose(), ses?.dispose()]);
});

async function record(overrides: Partial<RegisteredRequest>): Promise<RegisteredRequest> {
  serial += 1;
  const request = sampleRequest(serial, {
    requestId: `MK-DEADLINE${String(serial).padStart(2, '0')}`,
    kind: 'access',
    status: 'in-progress',
    closedAt: null,
    jurisdiction: 'KG-58',
    sealedContact: `v1.sealed.${PERSON}`,
    rawMail: { bucket: 'raw', key: `inbound/${PERSON}` },
    ...overrides,
  });
  const received = { at: request.receivedAt, event: 'received', detail: {} };
  expect(await register.recordNew(request, received, null, null)).toEqual({ outcome: 'recorded' });
  return request;
}

async function runAt(local: string) {
  clock = bishkek(local);
  return handler(
    {},
    localLambdaContext({
      functionName: 'deadline-monitor',
      region: LOCAL_REGION,
      timeoutMs: 60_000,
      memoryMb: 512,
    }),
  );
}

async function digests() {
  return (await ses.sentEmails()).filter((email) => email.destination.to.includes(DPO));
}

describe('the deadline monitor on DynamoDB Local and the SES emulator', () => {
  it('reports what is overdue and due soon, and the one awaiting confirmation apart', async () => {
    const report = await runAt('2031-03-07T08:00:00');

    expect(report.overdue.map((request) => request.requestId)).toEqual(['MK-DEADLINE01', 'MK-DEADLINE02']);
    expect(report.dueSoon.map((request) => request.requestId)).toEqual(['MK-DEADLINE03', 'MK-DEADLINE04']);
    expect(report.awaitingVerification.map((request) => request.requestId)).toEqual(['MK-DEADLINE06']);
    expect(report.digest).toEqual({ outcome: 'before-hour', fromLocalHour: 9 });
    expect(await digests()).toEqual([]);
  });

  it('names the systems whose tasks are still open, and counts the open tasks of overdue requests', async () => {
    const report = await runAt('2031-03-07T08:00:00');

    expect(report.overdue.map((request) => request.waitingFor)).toEqual([[], ['crm', 'helpdesk']]);
    expect(report.dueSoon.map((request) => request.waitingFor)).toEqual([[], []]);
    expect(report.tasksOverdue).toBe(2);
  });

  it('sends one digest on the first run at or after the hour, none on a later run that day, one the next day', async () => {
    const first = await runAt('2031-03-07T09:05:00');
    const second = await runAt('2031-03-07T10:05:00');

    expect(first.digest).toMatchObject({ outcome: 'sent', day: '2031-03-07' });
    expect(second.digest).toEqual({ outcome: 'already-taken', day: '2031-03-07', state: 'sent' });
    const [digest, ...others] = await digests();
    expect(others).toEqual([]);
    expect(digest?.from).toBe('support@x2.kg');
    expect(digest?.subject).toBe('[makul x2] Сроки запросов: просрочено — 2, срок скоро истекает — 2');
    const text = digest?.body.text ?? '';
    expect(text).toContain('MK-DEADLINE01  -       needs-human  2031-03-05 23:59     2');
    expect(text).toContain('MK-DEADLINE04  access  in-progress  2031-03-12 23:59     —');
    expect(text).toMatch(/Ждём ответа систем\n.*\n.*MK-DEADLINE02 .* crm, helpdesk\n/);
    expect(text).toContain('npx makul requests show ID --operator x2');
    expect(text).toContain('Ожидают подтверждения отправителем');
    expect(text).not.toContain('MK-DEADLINE05');
    expect(text).not.toContain('MK-DEADLINE06');
    expect(JSON.stringify(digest)).not.toContain(PERSON);

    const saturday = await runAt('2031-03-08T09:05:00');

    expect(saturday.digest).toMatchObject({ outcome: 'sent', day: '2031-03-08' });
    expect(await digests()).toHaveLength(2);
    // Saturday's digest counts Friday's due-today request as overdue now.
    expect((await digests())[1]?.subject).toContain('просрочено — 3');
  });

  it('keeps the day’s marker in the requests table, with a TTL a few days on', async () => {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: TABLES.requestsTableName,
        Key: { pk: { S: 'DIGEST#2031-03-07' }, sk: { S: 'DIGEST' } },
      }),
    );

    expect(Item?.state).toEqual({ S: 'sent' });
    expect(Item?.messageId?.S).toBeTruthy();
    expect(Item?.overdue).toEqual({ N: '2' });
    const expiresAt = Number(Item?.expiresAt?.N) * 1000;
    expect(expiresAt - bishkek('2031-03-07T09:05:00').getTime()).toBe(3 * 24 * 60 * 60 * 1000);
  });

  it('sends one digest when two runs race on the same day', async () => {
    const before = (await digests()).length;

    const reports = await Promise.all([runAt('2031-03-11T09:05:00'), runAt('2031-03-11T09:05:00')]);

    expect(reports.map((report) => report.digest.outcome).sort()).toEqual(['already-taken', 'sent']);
    expect(await digests()).toHaveLength(before + 1);
  });

  it('gives the day back when SES cannot be reached, and the next run sends the digest', async () => {
    const before = (await digests()).length;
    await ses.stop();
    let failed: Awaited<ReturnType<typeof runAt>>;
    try {
      failed = await runAt('2031-03-12T09:05:00');
    } finally {
      await ses.start();
    }
    const retried = await runAt('2031-03-12T10:05:00');

    expect(failed.digest).toEqual({ outcome: 'failed', day: '2031-03-12', errorName: 'MailNotSentError' });
    expect(retried.digest).toMatchObject({ outcome: 'sent', day: '2031-03-12' });
    expect(await digests()).toHaveLength(before + 1);
  });

  it('logs the counts and no address', () => {
    const checked = logLines
      .map((line) => JSON.parse(line))
      .filter((line) => line.message === 'deadlines checked');

    expect(checked.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(PERSON);
  });
});

describe('DynamoDbDigestMarker', () => {
  const claimInput = (claimId: string) => ({
    claimId,
    at: bishkek('2031-04-01T09:00:00'),
    expiresAt: bishkek('2031-04-04T09:00:00'),
    overdue: 1,
    dueSoon: 0,
  });

  it('gives a day to one claim; another finds it taken; only its own claim gives it back, marked released, not deleted', async () => {
    const marker = new DynamoDbDigestMarker(client, TABLES.requestsTableName);

    expect(await marker.claim('2031-04-01', claimInput('a'))).toEqual({ outcome: 'claimed' });
    expect(await marker.claim('2031-04-01', claimInput('b'))).toEqual({
      outcome: 'taken',
      state: 'sending',
      claimedAt: bishkek('2031-04-01T09:00:00').toISOString(),
    });
    await marker.release('2031-04-01', 'b', bishkek('2031-04-01T09:01:00'));
    expect((await marker.claim('2031-04-01', claimInput('c'))).outcome).toBe('taken');
    await marker.release('2031-04-01', 'a', bishkek('2031-04-01T09:01:00'));
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: TABLES.requestsTableName,
        Key: { pk: { S: 'DIGEST#2031-04-01' }, sk: { S: 'DIGEST' } },
      }),
    );
    expect(Item?.state).toEqual({ S: 'released' });
    expect(await marker.claim('2031-04-01', claimInput('d'))).toEqual({ outcome: 'claimed' });
    expect((await marker.claim('2031-04-01', claimInput('e'))).outcome).toBe('taken');
  });

  it('keeps a sent day: releasing it then changes nothing, and a second markSent is refused', async () => {
    const marker = new DynamoDbDigestMarker(client, TABLES.requestsTableName);
    await marker.claim('2031-04-02', claimInput('a'));

    await marker.markSent('2031-04-02', 'a', 'ses-1', bishkek('2031-04-02T09:00:01'));
    await marker.release('2031-04-02', 'a', bishkek('2031-04-02T09:01:00'));

    expect(await marker.claim('2031-04-02', claimInput('b'))).toMatchObject({
      outcome: 'taken',
      state: 'sent',
    });
    await expect(marker.markSent('2031-04-02', 'b', 'ses-2', new Date())).rejects.toThrow();
  });
});

/**
 * `makul monitor` against DynamoDB Local and the SES v2 emulator, through a data folder that looks to it
 * exactly like a running local stack's (the lock naming a live process, the state file written by the
 * stack's own writer): the report as a table and as JSON, and the digest sent once a local day.
 *
 * The command is run the way the dispatcher runs it (global and own options parsed together); the
 * clock is injected with --at.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS, UsageError } from '../../bin/cli/command';
import { monitorCommand } from '../../bin/cli/monitor';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import type { DynamoDbRequestRegister } from '../../functions/adapters/dynamodb/request-register';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { type DataFolderLock, lockDataFolder } from '../../local/data-folder-lock';
import { writeLocalStackState } from '../../local/local-stack-state';
import { type SesEmulatorHandle, startSesEmulator } from '../../local/ses-emulator';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { sampleRequest } from '../support/sample-request';

const TABLES = { requestsTableName: 'makul-x2-requests', subjectsTableName: 'makul-x2-subjects' };
const PERSON = 'subject-address@example.kg';
/** Friday 7 March 2031, 10:00 in Bishkek (the x2 operator's KG-58 zone). */
const AT = '2031-03-07T10:00:00+06:00';
const endOfDay = (day: string) => new Date(`${day}T23:59:59+06:00`).toISOString();

let local: LocalRegister;
let register: DynamoDbRequestRegister;
let ses: SesEmulatorHandle;
let dataDirectory: string;
let lock: DataFolderLock;
let serial = 0;

async function record(overrides: Partial<RegisteredRequest>): Promise<void> {
  serial += 1;
  const request = sampleRequest(serial, {
    requestId: `MK-MONITOR${String(serial).padStart(2, '0')}`,
    kind: 'access',
    status: 'in-progress',
    closedAt: null,
    jurisdiction: 'KG-58',
    sealedContact: `v1.sealed.${PERSON}`,
    ...overrides,
  });
  expect(
    await register.recordNew(request, { at: request.receivedAt, event: 'received', detail: {} }, null, null),
  ).toEqual({ outcome: 'recorded' });
}

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  register = local.register;
  ses = await startSesEmulator({ report: () => undefined });
  dataDirectory = await mkdtemp(join(tmpdir(), 'makul-monitor-test-'));
  lock = lockDataFolder(dataDirectory);
  writeLocalStackState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDirectory,
    operator: 'x2',
    jurisdiction: 'KG-58',
    region: 'eu-west-1',
    dynamodbEndpoint: local.dynamodb.endpoint,
    ...TABLES,
    sesEndpoint: ses.endpoint,
    sesWebPage: ses.webPageUrl,
    s3Endpoint: 'http://127.0.0.1:2',
    rawMailBucketName: 'makul-x2-raw-mail-local',
    smtp: '127.0.0.1:3',
    deferredOutboundEverySeconds: 30,
  });
  await record({ dueAt: endOfDay('2031-03-05'), status: 'needs-human', kind: null });
  await record({ dueAt: endOfDay('2031-03-10'), kind: 'erasure' });
  // The erasure due soon waits for two systems.
  const tasks = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
  await tasks.createTasks(
    ['helpdesk', 'crm'].map((systemId) => ({
      requestId: 'MK-MONITOR02',
      systemId,
      kind: 'erasure' as const,
      dueAt: endOfDay('2031-03-10'),
      subjectKey: null,
      toldBy: 'event' as const,
      state: 'open' as const,
      createdAt: '2031-03-03T04:00:00.000Z',
      outcome: null,
      reason: null,
      sealedData: null,
      answeredAt: null,
      answeredBy: null,
      publishedAt: null,
    })),
    { at: '2031-03-03T04:00:00.000Z', event: 'tasks-created', detail: {} },
  );
  await record({ dueAt: endOfDay('2031-03-25') });
  await record({ dueAt: endOfDay('2031-03-06'), status: 'awaiting-verification' });
});

afterAll(async () => {
  lock?.release();
  await Promise.allSettled([local?.stop(), ses?.dispose()]);
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

/** The command as the dispatcher runs it: global and own options parsed together. */
async function monitor(...args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...GLOBAL_OPTIONS, ...monitorCommand.options },
  });
  let stdout = '';
  let stderr = '';
  const code = await monitorCommand.run({
    positionals,
    options: values,
    global: {
      operator: values.operator,
      config: values.config,
      local: values.local === true,
      dataDir: values['data-dir'],
      requestsTable: values['requests-table'],
      subjectsTable: values['subjects-table'],
      hmacSecretArn: values['hmac-secret-arn'],
      json: values.json === true,
    },
    output: {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
    },
  });
  return { code, stdout, stderr };
}

const onLocalStack = ['--local', '--data-dir'];

describe('makul monitor --local', () => {
  it('prints what is overdue, due soon and awaiting confirmation, as tables, with no address', async () => {
    const { code, stdout } = await monitor('--at', AT, ...onLocalStack, dataDirectory);

    expect(code).toBe(0);
    expect(stdout).toContain('Deadlines of operator x2 (KG-58; local stack on');
    expect(stdout).toContain(
      [
        'Overdue (1):',
        'REQUEST       KIND  STATUS       DUE (Asia/Bishkek)  DAYS OVERDUE  WAITING FOR',
        'MK-MONITOR01  -     needs-human  2031-03-05 23:59    2             -',
      ].join('\n'),
    );
    expect(stdout).toContain('Due soon (1):');
    expect(stdout).toContain(
      'MK-MONITOR02  erasure  in-progress  2031-03-10 23:59    -             crm, helpdesk',
    );
    expect(stdout).toContain('Open tasks of overdue requests: 0.');
    expect(stdout).toContain("Awaiting the sender's confirmation (not alarmed");
    expect(stdout).toContain('MK-MONITOR04');
    expect(stdout).not.toContain('MK-MONITOR03');
    expect(stdout).toContain('Digest: not sent (add --send-digest');
    expect(stdout).not.toContain('@');
  });

  it('prints one JSON document with --json, and warns on stderr of the calendar years it lacks', async () => {
    const { code, stdout, stderr } = await monitor('--at', AT, '--json', ...onLocalStack, dataDirectory);

    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({
      source: { local: true, dataDirectory },
      operator: 'x2',
      jurisdiction: 'KG-58',
      today: '2031-03-07',
      dueSoonWorkingDays: 2,
      digest: { outcome: 'not-asked' },
    });
    expect(document.overdue.map((entry: { requestId: string }) => entry.requestId)).toEqual(['MK-MONITOR01']);
    expect(document.dueSoon.map((entry: { requestId: string }) => entry.requestId)).toEqual(['MK-MONITOR02']);
    expect(document.dueSoon[0].waitingFor).toEqual(['crm', 'helpdesk']);
    expect(document.overdue[0].waitingFor).toEqual([]);
    expect(document.tasksOverdue).toBe(0);
    // No official KG calendar for 2031–2032 (weekends only): said on stderr, stdout stays one document.
    expect(document.calendar.missing).toEqual([2031, 2032]);
    expect(stderr).toContain('makul monitor: warn: the official working-day calendar lacks 2031 and 2032');
    expect(stderr).toContain('config/calendars/README.md');
    expect(stdout).not.toContain(PERSON);
  });

  it('with --send-digest mails the DPO one digest through the SES emulator, and none again that day', async () => {
    const first = await monitor('--at', AT, '--send-digest', ...onLocalStack, dataDirectory);
    const again = await monitor(
      '--at',
      '2031-03-07T16:00:00+06:00',
      '--send-digest',
      ...onLocalStack,
      dataDirectory,
    );

    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Digest: sent to the DPO for 2031-03-07 \(message id .+\)\./);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Digest: already sent for 2031-03-07; none sent again.');
    const mails = (await ses.sentEmails()).filter((mail) => mail.destination.to.includes('dpo@x2.kg'));
    expect(mails).toHaveLength(1);
    // x2 writes to its staff in Kyrgyz (its default language).
    expect(mails[0]?.subject).toBe(
      '[makul x2] Суроо-талаптардын мөөнөттөрү: мөөнөтү өткөн — 1, мөөнөтү жакында бүтөт — 1',
    );
    expect(mails[0]?.body.text).toContain('npx makul requests show ID --local --data-dir');
    expect(JSON.stringify(mails)).not.toContain(PERSON);
  });

  it('refuses a time it cannot read, and arguments it does not take', async () => {
    await expect(monitor('--at', 'next tuesday', ...onLocalStack, dataDirectory)).rejects.toThrow(UsageError);
    await expect(monitor('now', ...onLocalStack, dataDirectory)).rejects.toThrow(UsageError);
  });

  it('says in one line, exit 1, when no local stack runs on the folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'makul-monitor-none-'));
    try {
      const { code, stdout, stderr } = await monitor('--at', AT, ...onLocalStack, empty);

      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^makul monitor: no local stack is running on .+\n$/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

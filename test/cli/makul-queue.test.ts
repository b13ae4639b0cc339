/**
 * `makul queue` end to end: the real command (bin/makul.mjs, through tsx) against DynamoDB Local, with a
 * data folder that looks to it exactly like a running local stack's (the lock naming a live process, the
 * state file written by the stack's own writer), and entries put there by the functions' adapter along
 * the paths the functions take (recorded, claimed or rate-limited, deferred, in doubt, held).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbRequestRegister } from '../../functions/adapters/dynamodb/request-register';
import type { AuditEvent, RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { sealAddress } from '../../functions/domain/subjects/sealed-address';
import type { OutboundLimits } from '../../functions/ports/request-register';
import { type DataFolderLock, LOCK_FILE_NAME, lockDataFolder } from '../../local/data-folder-lock';
import type { DynamoDbLocalHandle } from '../../local/dynamodb-local';
import { STATE_FILE_NAME, writeLocalStackState } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS } from '../../local/loopback';
import { startLocalRegister } from '../support/local-register';
import { cleanEnvironment, makulHere, makulProcess } from '../support/makul-cli';
import { sampleRequest } from '../support/sample-request';

const _run = promisify(execFile);
const TABLES = { requestsTableName: 'makul-x2-requests', subjectsTableName: 'makul-x2-subjects' };
const RECEIVED = new Date('2026-11-20T08:00:00Z');
const LATER = new Date('2099-01-01T00:00:00Z');
/** Nothing the command prints may carry one of these. */
const ADDRESS = 'subject-address@example.kg';
const SEALED = 'v1.sealed-contact-text';

const makul = makulProcess;

let dynamodb: DynamoDbLocalHandle;
let client: DynamoDBClient;
let register: DynamoDbRequestRegister;
let dataDirectory: string;
let lock: DataFolderLock;
let counter = 0;

function request(overrides: Partial<RegisteredRequest> = {}): RegisteredRequest {
  counter += 1;
  // Addresses in fields the command must never print: the rows are checked for them.
  return sampleRequest(counter, {
    requestId: `MK-QUEUE${String(counter).padStart(4, '0')}`,
    sesMessageId: `ses-queue-${counter}`,
    receivedAt: new Date(RECEIVED.getTime() + counter * 60_000).toISOString(),
    dueAt: '2026-12-01T17:59:59.000Z',
    jurisdiction: 'KG-58',
    replyLimitKey: 'one-mailbox',
    sealedContact: SEALED,
    rawMail: { bucket: 'raw', key: `inbound/${ADDRESS}/${counter}` },
    originalMessageId: `<${counter}.${ADDRESS}>`,
    ...overrides,
  });
}

const event = (name: string, detail: AuditEvent['detail'] = {}): AuditEvent => ({
  at: new Date().toISOString(),
  event: name,
  detail,
});

/**
 * One reply a day to the mailbox: the first claim takes it, every later one is refused. Claims are made
 * now: a counter dated in the past would expire, and DynamoDB Local's TTL deletes it.
 */
const ONE_A_DAY: OutboundLimits = {
  mailbox: { key: 'one-mailbox', day: '2026-11-20', maxPerDay: 1 },
  operator: { counter: 'replies', hour: '2026-11-20T08', maxPerHour: 1_000 },
};

async function recorded(overrides: Partial<RegisteredRequest> = {}): Promise<RegisteredRequest> {
  const entry = request(overrides);
  expect(await register.recordNew(entry, event('received'), null, null)).toEqual({ outcome: 'recorded' });
  return entry;
}

/** A reply over the mailbox's daily limit, deferred until `until`, as deliverOutbound does. */
async function deferred(until: Date, overrides: Partial<RegisteredRequest> = {}): Promise<RegisteredRequest> {
  const entry = await recorded(overrides);
  expect(await register.claimOutbound(entry.requestId, new Date(), ONE_A_DAY)).toEqual({
    outcome: 'rate-limited',
    limit: 'mailbox',
  });
  await register.deferOutbound(entry.requestId, until, event('reply-deferred', { limit: 'mailbox' }));
  return entry;
}

let sent: RegisteredRequest;
let soon: RegisteredRequest;
let late: RegisteredRequest;
let forward: RegisteredRequest;
let held: RegisteredRequest;
let inDoubt: RegisteredRequest;

beforeAll(async () => {
  ({ dynamodb, client, register } = await startLocalRegister(TABLES));

  // A data folder as `npm start` leaves it while running: its lock (naming a live process: this one)
  // and its state file, written by the local stack's own writer.
  dataDirectory = await mkdtemp(join(tmpdir(), 'makul-queue-test-'));
  lock = lockDataFolder(dataDirectory);
  writeLocalStackState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDirectory,
    operator: 'x2',
    jurisdiction: 'KG-58',
    region: 'eu-west-1',
    dynamodbEndpoint: dynamodb.endpoint,
    ...TABLES,
    sesEndpoint: 'http://127.0.0.1:1',
    sesWebPage: 'http://127.0.0.1:1/',
    s3Endpoint: 'http://127.0.0.1:2',
    rawMailBucketName: 'makul-x2-raw-mail-local',
    smtp: '127.0.0.1:3',
    deferredOutboundEverySeconds: 30,
  });

  // The mailbox's one reply of the day: sent, so on no list.
  sent = await recorded();
  expect(await register.claimOutbound(sent.requestId, new Date(), ONE_A_DAY)).toEqual({ outcome: 'claimed' });
  await register.markSent(sent.requestId, 'ses-out-1', event('reply-sent'));
  // Deferred, the later one recorded first: the list is in order of when they may go out.
  late = await deferred(LATER, { kind: 'withdraw-consent', status: 'awaiting-verification' });
  soon = await deferred(new Date('2026-11-21T00:00:00Z'));
  // A forward to humans over the operator's hourly limit, then picked up by the job (pending again,
  // still listed until its retry time).
  forward = await recorded({
    action: 'review',
    reason: 'no-tag',
    kind: null,
    language: null,
    status: 'needs-human',
    outbound: 'forward',
    replyLimitKey: null,
    sealedContact: null,
  });
  await register.deferOutbound(
    forward.requestId,
    new Date('2026-11-20T09:00:00Z'),
    event('forward-deferred'),
  );
  await register.resumeDeferred(
    forward.requestId,
    new Date('2026-11-20T09:15:00Z'),
    event('forward-resumed'),
  );
  held = await recorded({
    reason: 'spam-verdict-fail',
    status: 'held',
    outbound: 'none',
    outboundState: 'skipped',
    opsQueue: 'held',
    opsQueueAt: RECEIVED.toISOString(),
  });
  inDoubt = await recorded({ replyLimitKey: 'another-mailbox' });
  expect(
    await register.claimOutbound(inDoubt.requestId, new Date(), {
      ...ONE_A_DAY,
      mailbox: { ...(ONE_A_DAY.mailbox ?? { key: '', day: '', maxPerDay: 1 }), key: 'another-mailbox' },
    }),
  ).toEqual({ outcome: 'claimed' });
  await register.markInDoubt(inDoubt.requestId, event('reply-in-doubt'));
});

afterAll(async () => {
  lock?.release();
  client?.destroy();
  await dynamodb?.dispose();
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

function neverPersonal(text: string): void {
  expect(text).not.toContain('@');
  expect(text).not.toContain(SEALED);
  expect(text).not.toContain('subject-address');
}

describe('makul queue --local', () => {
  it('prints the deferred list as a table, soonest to go out first, with no address', async () => {
    const { code, stdout, stderr } = await makul([
      'queue',
      'deferred',
      '--local',
      '--data-dir',
      dataDirectory,
    ]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'deferred: replies and forwards waiting for a rate-limit window (sent by the deferred-outbound job)',
    );
    expect(lines[1]).toBe(`(operator x2, local stack on ${dataDirectory}; times UTC)`);
    expect(lines[3]).toMatch(/^REQUEST +KIND +REASON +STATUS +OUTBOUND +RECEIVED +DUE +MAY GO OUT$/);
    const rows = lines.slice(4, -2);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      forward.requestId,
      soon.requestId,
      late.requestId,
    ]);
    expect(rows[0]).toMatch(
      /^MK-QUEUE\d+ +- +no-tag +needs-human +forward pending +2026-11-20 08:\d\d +2026-12-01 17:59 +2026-11-20 09:15 \(due now\)$/,
    );
    expect(rows[1]).toMatch(
      /^MK-QUEUE\d+ +unsubscribe +tag-in-subject +completed +reply deferred +2026-11-20 08:\d\d +2026-12-01 17:59 +2026-11-21 00:00 \(due now\)$/,
    );
    expect(rows[2]).toMatch(
      /withdraw-consent +tag-in-subject +awaiting-verification +reply deferred .* 2099-01-01 00:00 \(in \d+ h \d+ min\)$/,
    );
    expect(lines.at(-1)).toBe('3 entries.');
    expect(stdout).not.toContain(sent.requestId);
    expect(stdout).not.toContain(held.requestId);
    neverPersonal(stdout);
  });

  it('prints one JSON document with --json, the global options before the command name', async () => {
    const { code, stdout } = await makul([
      '--local',
      '--json',
      '--data-dir',
      dataDirectory,
      '--operator',
      'x2',
      'queue',
      'deferred',
    ]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({
      queue: 'deferred',
      operator: 'x2',
      source: { local: true, dataDirectory, dynamodbEndpoint: dynamodb.endpoint },
      count: 3,
      more: false,
    });
    expect(document.entries[1]).toEqual({
      requestId: soon.requestId,
      kind: 'unsubscribe',
      reason: 'tag-in-subject',
      status: 'completed',
      outbound: 'reply',
      outboundState: 'deferred',
      receivedAt: soon.receivedAt,
      dueAt: '2026-12-01T17:59:59.000Z',
      mayGoOutAt: '2026-11-21T00:00:00.000Z',
    });
    expect(document.entries.map((entry: { requestId: string }) => entry.requestId)).toEqual([
      forward.requestId,
      soon.requestId,
      late.requestId,
    ]);
    neverPersonal(stdout);
  });

  it('shows at most --limit entries and says there are more', async () => {
    const json = await makulHere([
      'queue',
      'deferred',
      '--limit',
      '2',
      '--json',
      '--local',
      '--data-dir',
      dataDirectory,
    ]);
    const text = await makulHere(['queue', 'deferred', '--limit=1', '--local', '--data-dir', dataDirectory]);
    expect(JSON.parse(json.stdout)).toMatchObject({ count: 2, more: true });
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe(
      'The first 1 shown; there are more (--limit N shows up to 10000).',
    );
  });

  it('lists held and in-doubt requests, with since when', async () => {
    const heldList = await makulHere(['queue', 'held', '--json', '--local', '--data-dir', dataDirectory]);
    const inDoubtList = await makulHere(['queue', 'in-doubt', '--local', '--data-dir', dataDirectory]);
    expect(JSON.parse(heldList.stdout).entries).toEqual([
      {
        requestId: held.requestId,
        kind: 'unsubscribe',
        reason: 'spam-verdict-fail',
        status: 'held',
        outbound: 'none',
        outboundState: 'skipped',
        receivedAt: held.receivedAt,
        dueAt: '2026-12-01T17:59:59.000Z',
        since: RECEIVED.toISOString(),
      },
    ]);
    expect(inDoubtList.code).toBe(0);
    expect(inDoubtList.stdout).toMatch(/ +IN DOUBT SINCE\n/);
    expect(inDoubtList.stdout).toContain(
      `${inDoubt.requestId}  unsubscribe  tag-in-subject  completed  reply in-doubt`,
    );
    expect(inDoubtList.stdout).toContain('\n1 entry.\n');
    neverPersonal(heldList.stdout + inDoubtList.stdout);
  });

  it('refuses an operator other than the local stack’s (exit 1)', async () => {
    const { code, stderr } = await makulHere([
      'queue',
      'held',
      '--local',
      '--data-dir',
      dataDirectory,
      '--operator',
      'sitronics',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`the local stack on ${dataDirectory} runs operator x2, not sitronics`);
  });
});

describe('makul queue without a running local stack', () => {
  it('says no local stack is running on the folder (exit 1), also when a killed one left its files', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'makul-queue-none-'));
    const killed = await mkdtemp(join(tmpdir(), 'makul-queue-killed-'));
    // A stack killed with SIGKILL leaves its lock (naming a PID that is gone) and its state file.
    const gonePid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(killed, LOCK_FILE_NAME), `${gonePid}\n`);
    await writeFile(join(killed, STATE_FILE_NAME), JSON.stringify({ pid: gonePid }));
    try {
      const none = await makul(['queue', 'deferred', '--local', '--data-dir', empty]);
      const left = await makulHere(['queue', 'deferred', '--json', '--local', '--data-dir', killed]);
      expect(none.code).toBe(1);
      expect(none.stderr).toBe(
        `makul queue: no local stack is running on ${empty} (start it with npm start)\n`,
      );
      expect(none.stdout).toBe('');
      expect(left.code).toBe(1);
      expect(left.stderr).toContain(`no local stack is running on ${killed} (start it with npm start)`);
    } finally {
      await Promise.all([empty, killed].map((folder) => rm(folder, { recursive: true, force: true })));
    }
  });
});

describe('makul queue with a local stack that cannot answer (exit 1)', () => {
  it('says when the stack is starting or stopping, or its DynamoDB Local is gone', async () => {
    // Folders held by this (live) process: one with no state file yet, one whose database is gone.
    const starting = await mkdtemp(join(tmpdir(), 'makul-queue-starting-'));
    const gone = await mkdtemp(join(tmpdir(), 'makul-queue-gone-'));
    const locks = [lockDataFolder(starting), lockDataFolder(gone)];
    writeLocalStackState({
      ...JSON.parse(await readFile(join(dataDirectory, STATE_FILE_NAME), 'utf8')),
      dataDirectory: gone,
      dynamodbEndpoint: 'http://127.0.0.1:1',
    });
    try {
      const notReady = await makulHere(['queue', 'held', '--local', '--data-dir', starting]);
      expect(notReady.code).toBe(1);
      expect(notReady.stderr).toBe(
        `makul queue: the local stack on ${starting} (PID ${process.pid}) is starting or stopping; try again once it prints "makul local stack ready"\n`,
      );
      const unreachable = await makulHere(['queue', 'held', '--local', '--data-dir', gone]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toBe(
        `makul queue: cannot reach DynamoDB Local at http://127.0.0.1:1: is the local stack on ${gone} still running?\n`,
      );
    } finally {
      for (const folderLock of locks) folderLock.release();
      await Promise.all([starting, gone].map((folder) => rm(folder, { recursive: true, force: true })));
    }
  });
});

describe('makul queue from AWS (--requests-table instead of the stack output)', () => {
  it('reads the named table in the operator’s region with the standard credential chain', async () => {
    // The SDK's own endpoint setting points the AWS path at DynamoDB Local; credentials from the environment.
    const env = cleanEnvironment({
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    const [found, missing] = await Promise.all([
      makul(['queue', 'in-doubt', '--json', '--requests-table', TABLES.requestsTableName], env),
      makul(['queue', 'in-doubt', '--requests-table', 'no-such-table'], env),
    ]);
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({
      queue: 'in-doubt',
      operator: 'x2',
      source: { local: false, region: 'eu-west-1', requestsTable: TABLES.requestsTableName },
      entries: [{ requestId: inDoubt.requestId, outboundState: 'in-doubt' }],
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'makul queue: table no-such-table (or one of its indexes) not found in eu-west-1: check --operator, and the ' +
        'table options against the stack outputs RequestsTable and SubjectsTable (or deploy the current version)\n',
    );
  });

  it('says so when there are no AWS credentials (exit 1)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'makul-queue-home-'));
    try {
      const { code, stderr } = await makul(
        ['queue', 'deferred', '--requests-table', TABLES.requestsTableName],
        cleanEnvironment({
          HOME: home,
          AWS_CONFIG_FILE: join(home, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
      );
      expect(code).toBe(1);
      expect(stderr).toContain('makul queue: no AWS credentials found');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('makul queue usage errors (exit 2)', () => {
  it.each([
    [['queue', '--local'], 'name the list: deferred, held, in-doubt'],
    [['queue', 'later', '--local'], 'no list "later": the lists are deferred, held, in-doubt'],
    [['queue', 'held', 'deferred', '--local'], 'one list at a time'],
    [['queue', 'held', '--local', '--limit', '0'], '--limit must be a whole number from 1 to 10000, got "0"'],
    [['queue', 'held', '--local', '--limit', 'all'], '--limit must be a whole number'],
    [['queue', 'held', '--local', '--requests-table', 'x'], '--requests-table names a resource in AWS'],
    [['queue', 'held', '--local', '--hmac-secret-arn', 'x'], '--hmac-secret-arn names a resource in AWS'],
    [
      ['queue', 'held', '--data-dir', '.local-stack', '--requests-table', 'x'],
      '--data-dir goes with --local',
    ],
    [['queue', 'held', '--local', '--verbose'], "Unknown option '--verbose'"],
    [['queue', 'held', '--requests-table', 'x', '--operator', 'nobody'], 'no operator "nobody"'],
  ])('makul %j', async (args, message) => {
    const { code, stdout, stderr } = await makulHere(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: makul queue deferred|held|in-doubt');
  });

  it('explains itself with --help (exit 0)', async () => {
    const { code, stdout } = await makulHere(['queue', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: makul queue deferred\|held\|in-doubt/);
    expect(stdout).toContain('--local');
    expect(stdout).toContain('--requests-table NAME');
  });
});

describe('makul restriction lift', () => {
  const subject = 'restricted-subject';
  /** The local stack's key, in its data folder as the stack writes it: it addresses the subject's mail. */
  const LOCAL_SECRET = 'local-stack-test-secret-0123456789abcdef0123';

  beforeAll(async () => {
    await writeFile(join(dataDirectory, 'hmac-key'), `${LOCAL_SECRET}\n`, { mode: 0o600 });
  });

  async function restricted(status: RegisteredRequest['status'] = 'in-progress'): Promise<RegisteredRequest> {
    const requestId = `MK-LIFT${String(counter + 1).padStart(5, '0')}`;
    const entry = request({
      requestId,
      kind: 'restrict',
      status,
      subjectKey: subject,
      outboundState: 'sent',
      sealedContact: sealAddress('restricted.person@example.kg', LOCAL_SECRET, requestId),
    });
    expect(await register.recordNew(entry, event('received'), { processingRestricted: true }, null)).toEqual({
      outcome: 'recorded',
    });
    return entry;
  }

  async function profile() {
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: TABLES.subjectsTableName,
        Key: { pk: { S: `SUB#${subject}` }, sk: { S: 'PROFILE' } },
      }),
    );
    return Item;
  }

  it('lifts the restriction on the local stack and says so, with the note in the audit trail', async () => {
    const entry = await restricted();
    expect(await profile()).toMatchObject({ processingRestricted: { BOOL: true } });

    const result = await makulHere([
      'restriction',
      'lift',
      entry.requestId,
      '--note',
      'ticket 4711: the subject asked by phone',
      '--local',
      '--data-dir',
      dataDirectory,
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `restriction lifted: ${entry.requestId} (local stack on ${dataDirectory})\n` +
        'the subject is told by mail (sent by the deferred-outbound job within a minute)\n',
    );
    expect(await register.get(`${entry.requestId}.restriction-lifted`)).toMatchObject({
      notice: 'restriction-lifted',
      outboundState: 'pending',
      opsQueue: 'deferred',
    });
    expect((await profile())?.processingRestricted).toBeUndefined();
    const trail = await register.auditTrail(entry.requestId);
    expect(trail.at(-1)).toMatchObject({
      event: 'restriction-lifted-by-ops',
      detail: { who: 'ops', proof: 'ops', note: 'ticket 4711: the subject asked by phone' },
    });
  });

  it('refuses without a note, and for a request that is not a standing restriction', async () => {
    const cancelled = await restricted('cancelled');

    const withoutNote = await makulHere([
      'restriction',
      'lift',
      cancelled.requestId,
      '--local',
      '--data-dir',
      dataDirectory,
    ]);
    const notStanding = await makulHere([
      'restriction',
      'lift',
      cancelled.requestId,
      '--note',
      'test',
      '--local',
      '--data-dir',
      dataDirectory,
    ]);

    expect(withoutNote.code).toBe(2);
    expect(withoutNote.stderr).toContain('--note');
    expect(notStanding.code).toBe(1);
    expect(notStanding.stderr).toContain('not a standing restrict request');
  });

  it('refuses a note that looks like personal data (exit 2)', async () => {
    const result = await makulHere([
      'restriction',
      'lift',
      'MK-AAAAAAAAAAAA',
      '--note',
      'the subject wrote from restricted.person@example.kg',
      '--local',
      '--data-dir',
      dataDirectory,
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--note must carry no personal data: it contains '@'");
  });
});

/**
 * `makul requests …`, `makul subject show` and `makul restriction lift` end to end against DynamoDB
 * Local: a data folder that looks to the commands exactly like a running local stack's (its lock naming
 * a live process, the state file written by the stack's own writer, the HMAC key file), entries put
 * there by the functions' adapter, and, for the AWS path, the same tables reached through the operator's
 * stack outputs (a CloudFormation and Secrets Manager stand-in) with the standard credential chain.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import { noticeId } from '../../functions/domain/requests/link-actions';
import type { AuditEvent, RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { SUBJECT_FLAGS, type SubjectEffect } from '../../functions/domain/requests/request-policies';
import { sealAddress } from '../../functions/domain/subjects/sealed-address';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { type DataFolderLock, lockDataFolder } from '../../local/data-folder-lock';
import { writeLocalStackState } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS } from '../../local/loopback';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { cleanEnvironment, makulHere, makulProcess } from '../support/makul-cli';
import { sampleRequest } from '../support/sample-request';
import { type DeploymentStandIn, startDeploymentStandIn } from './deployment-stand-in';

const TABLES = {
  requestsTableName: 'makul-sitronics-requests',
  subjectsTableName: 'makul-sitronics-subjects',
};
const LOCAL_SECRET = 'requests-cli-test-secret-0123456789abcdef0123';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:makul-sitronics-hmac-AbCdEf';
/** The subject of most requests here, as makul keys it. */
const ADDRESS = 'ivan.petrov@example.ru';
const SUBJECT = subjectKey(ADDRESS, LOCAL_SECRET);
/** Friday 20 November 2026, noon in Moscow: the clock of the listing tests. */
const NOW = '2026-11-20T09:00:00.000Z';
/** End of a Moscow day (23:59:59 MSK = 20:59:59 UTC). */
const endOfDay = (day: string) => `${day}T20:59:59.000Z`;

let local: LocalRegister;
let register: DynamoDbLinkRegister;
let dataDirectory: string;
let lock: DataFolderLock;
let standIn: DeploymentStandIn;
let serial = 0;

const event = (name: string): AuditEvent => ({ at: new Date().toISOString(), event: name, detail: {} });

/** A request of the sitronics (RU 152-FZ) deployment, its address sealed with the local stack's key. */
async function recorded(
  overrides: Partial<RegisteredRequest> = {},
  effect: SubjectEffect | null = null,
): Promise<RegisteredRequest> {
  serial += 1;
  const requestId = `MK-CLI${String(serial).padStart(6, '0')}`;
  const entry = sampleRequest(serial, {
    requestId,
    sesMessageId: `ses-cli-${serial}`,
    kind: 'access',
    status: 'in-progress',
    receivedAt: `2026-11-${String(10 + (serial % 9)).padStart(2, '0')}T08:00:00.000Z`,
    dueAt: endOfDay('2026-12-04'),
    closedAt: null,
    jurisdiction: 'RU-152FZ',
    subjectKey: SUBJECT,
    sealedContact: sealAddress(ADDRESS, LOCAL_SECRET, requestId),
    originalMessageId: `<${serial}.${ADDRESS}>`,
    outboundState: 'sent',
    ...overrides,
  });
  expect(await register.recordNew(entry, event('received'), effect, null)).toEqual({ outcome: 'recorded' });
  return entry;
}

const here = (...args: string[]) => makulHere([...args, '--local', '--data-dir', dataDirectory]);

/** Nothing printed may carry the subject's address (or any address), or the sealed texts. */
function neverPersonal(text: string): void {
  expect(text).not.toContain('@');
  expect(text).not.toContain('ivan');
  expect(text).not.toContain('v1.');
}

let overdue: RegisteredRequest;
let dueSoon: RegisteredRequest;
let awaiting: RegisteredRequest;
let forHuman: RegisteredRequest;
let completed: RegisteredRequest;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  register = new DynamoDbLinkRegister(local.client, TABLES);
  standIn = await startDeploymentStandIn({
    stacks: {
      'Makul-sitronics': {
        RequestsTable: TABLES.requestsTableName,
        SubjectsTable: TABLES.subjectsTableName,
        HmacSecretArn: SECRET_ARN,
      },
    },
    secrets: { [SECRET_ARN]: LOCAL_SECRET },
  });

  dataDirectory = await mkdtemp(join(tmpdir(), 'makul-requests-test-'));
  lock = lockDataFolder(dataDirectory);
  writeLocalStackState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDirectory,
    operator: 'sitronics',
    jurisdiction: 'RU-152FZ',
    region: 'us-east-1',
    dynamodbEndpoint: local.dynamodb.endpoint,
    ...TABLES,
    sesEndpoint: 'http://127.0.0.1:1',
    sesWebPage: 'http://127.0.0.1:1/',
    s3Endpoint: 'http://127.0.0.1:2',
    rawMailBucketName: 'makul-sitronics-raw-mail-local',
    smtp: '127.0.0.1:3',
    deferredOutboundEverySeconds: 30,
  });
  await writeFile(join(dataDirectory, 'hmac-key'), `${LOCAL_SECRET}\n`, { mode: 0o600 });

  // The listing's requests, all of one subject: overdue, due in 2 working days, due in 10, one for a
  // person (no kind) due Monday, and a completed one.
  overdue = await recorded({ dueAt: endOfDay('2026-11-16') });
  dueSoon = await recorded({ kind: 'update-data', dueAt: endOfDay('2026-11-24') });
  awaiting = await recorded({ status: 'awaiting-verification', dueAt: endOfDay('2026-12-04') });
  forHuman = await recorded({
    kind: null,
    action: 'review',
    reason: 'no-tag',
    status: 'needs-human',
    outbound: 'forward',
    sealedContact: null,
    dueAt: endOfDay('2026-11-23'),
  });
  completed = await recorded(
    {
      kind: 'unsubscribe',
      status: 'completed',
      closedAt: '2026-11-12T08:00:01.000Z',
      dueAt: '2026-11-12T08:00:00.000Z',
    },
    { marketingOptOut: true },
  );
  // A notice entry of the overdue request: in the index with its request's status, never listed.
  await register.recordNew(
    sampleRequest(900, {
      requestId: noticeId(overdue.requestId, 'access-report'),
      sesMessageId: 'ses-cli-notice',
      status: 'in-progress',
      dueAt: overdue.dueAt,
      notice: 'access-report',
      noticeOf: overdue.requestId,
      jurisdiction: 'RU-152FZ',
    }),
    event('recorded'),
    null,
    null,
  );
});

afterAll(async () => {
  lock?.release();
  await standIn?.dispose();
  await local?.stop();
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

describe('makul requests list', () => {
  it('lists the open requests soonest due first, with how each stands in working days', async () => {
    const { code, stdout, stderr } = await here('requests', 'list', '--now', NOW);
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'Open requests (awaiting-verification, in-progress, needs-human, held), soonest due first',
    );
    expect(lines[1]).toBe(`(operator sitronics, local stack on ${dataDirectory}; times Europe/Moscow)`);
    expect(lines[3]).toMatch(/^ID +KIND +STATUS +RECEIVED +DUE +DEADLINE$/);
    const rows = lines.slice(4, -2);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      overdue.requestId,
      forHuman.requestId,
      dueSoon.requestId,
      awaiting.requestId,
    ]);
    expect(rows[0]).toMatch(/ access +in-progress +2026-11-\d\d 11:00 +2026-11-16 23:59 +overdue by 4 days$/);
    // Friday noon: Monday 23 is the first working day, Tuesday 24 the second.
    expect(rows[1]).toMatch(/ - +needs-human .* 2026-11-23 23:59 +due in 1 working day$/);
    expect(rows[2]).toMatch(/ update-data +in-progress .* 2026-11-24 23:59 +due in 2 working days$/);
    expect(rows[3]).toMatch(/ access +awaiting-verification .* 2026-12-04 23:59 +due in 10 working days$/);
    expect(lines.at(-1)).toBe('4 requests.');
    expect(stdout).not.toContain(completed.requestId);
    expect(stdout).not.toContain('.access-report');
    expect(stderr).toBe('');
    neverPersonal(stdout);
  });

  it('filters: --overdue, --due-within N working days (overdue included), --kind, --status', async () => {
    const ids = async (...args: string[]) => {
      const { code, stdout, stderr } = await here('requests', 'list', '--json', '--now', NOW, ...args);
      expect(code, stderr).toBe(0);
      return (JSON.parse(stdout).requests as { requestId: string }[]).map((request) => request.requestId);
    };
    expect(await ids('--overdue')).toEqual([overdue.requestId]);
    expect(await ids('--due-within', '2')).toEqual([
      overdue.requestId,
      forHuman.requestId,
      dueSoon.requestId,
    ]);
    expect(await ids('--due-within', '1')).toEqual([overdue.requestId, forHuman.requestId]);
    expect(await ids('--due-within', '0')).toEqual([overdue.requestId]);
    expect(await ids('--kind', 'access')).toEqual([overdue.requestId, awaiting.requestId]);
    expect(await ids('--status', 'completed')).toContain(completed.requestId);
    expect(await ids('--status', 'awaiting-verification', '--kind', 'update-data')).toEqual([]);
  });

  it('prints one JSON document with the global options before the command', async () => {
    const { code, stdout } = await makulHere([
      '--json',
      '--local',
      '--data-dir',
      dataDirectory,
      'requests',
      'list',
      '--overdue',
      '--now',
      NOW,
    ]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toEqual({
      operator: 'sitronics',
      source: { local: true, dataDirectory, dynamodbEndpoint: local.dynamodb.endpoint },
      jurisdiction: 'RU-152FZ',
      timeZone: 'Europe/Moscow',
      now: NOW,
      filter: {
        statuses: ['awaiting-verification', 'in-progress', 'needs-human', 'held'],
        kind: null,
        overdue: true,
        dueWithin: null,
        dueBefore: NOW,
      },
      count: 1,
      more: false,
      warnings: [],
      requests: [
        {
          requestId: overdue.requestId,
          kind: 'access',
          status: 'in-progress',
          receivedAt: overdue.receivedAt,
          dueAt: endOfDay('2026-11-16'),
          originalDueAt: null,
          overdueDays: 4,
          workingDaysLeft: null,
          standing: 'overdue by 4 days',
        },
      ],
    });
  });

  it('shows at most --limit and says there are more', async () => {
    const { stdout } = await here('requests', 'list', '--limit', '2', '--now', NOW);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(
      'The first 2 shown; there are more (--limit N shows up to 10000).',
    );
  });
});

describe('makul requests show', () => {
  it('shows the entry, its statute and extension state, and the audit trail oldest first', async () => {
    const { code, stdout, stderr } = await here('requests', 'show', overdue.requestId, '--now', NOW);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`${overdue.requestId}  access  in-progress\n`);
    expect(stdout).toContain('  due           2026-11-16 23:59: overdue by 4 days\n');
    expect(stdout).toContain(
      '  statute       152-FZ art. 14 part 3, art. 20 part 1: within 10 working days of the request (RU-152FZ)\n',
    );
    expect(stdout).toMatch(
      / {2}extension {5}not extended; allowed once: 152-FZ art. 14 part 3, art. 20 part 1: extendable once by 5 working days/,
    );
    expect(stdout).toContain('  address       kept (sealed), for the mail makul still owes the subject\n');
    expect(stdout).toContain(`  subject key   ${SUBJECT}\n`);
    expect(stdout).toMatch(/Audit trail, oldest first:\n {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}received\n$/);
    neverPersonal(stdout);
  });

  it('prints {request, tasks, auditTrail} with --json, without the sealed address or the Message-ID', async () => {
    const { code, stdout } = await here('requests', 'show', forHuman.requestId, '--json');
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual(['request', 'tasks', 'auditTrail']);
    expect(document.tasks).toEqual([]);
    expect(document.request).toMatchObject({
      requestId: forHuman.requestId,
      kind: null,
      status: 'needs-human',
      dueAt: endOfDay('2026-11-23'),
      statute: null,
      extension: { allowedBy: null, extendedAt: null, originalDueAt: null, reason: null },
      addressKept: false,
      detailsKept: false,
      subjectKey: SUBJECT,
    });
    expect(document.request).not.toHaveProperty('sealedContact');
    expect(document.request).not.toHaveProperty('originalMessageId');
    expect(document.auditTrail).toEqual([{ at: expect.any(String), event: 'received', detail: {} }]);
    neverPersonal(stdout);
  });

  it('says there is no such request (exit 1), a notice entry included', async () => {
    const unknown = await here('requests', 'show', 'MK-NOSUCH0001');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      `makul requests show: no request MK-NOSUCH0001 in the register (local stack on ${dataDirectory})\n`,
    );
    const notice = await here('requests', 'show', `${overdue.requestId}.access-report`);
    expect(notice.code).toBe(2);
    expect(notice.stderr).toContain('not a request id');
  });
});

describe('makul requests extend', () => {
  it('moves the due date by the law’s extension, tells the subject, and audits it as ops', async () => {
    const entry = await recorded({ dueAt: endOfDay('2026-12-10') });
    const reason = 'the data sit in an archive that answers within a week';
    const { code, stdout, stderr } = await here('requests', 'extend', entry.requestId, '--reason', reason);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(
      `${entry.requestId} due date moved from 2026-12-10 to 2026-12-17 (152-FZ art. 14 part 3, art. 20 part 1: ` +
        'extendable once by 5 working days, with a reasoned notice sent to the subject); the subject is told by mail ' +
        '(sent by the deferred-outbound job within a minute)\n',
    );
    expect(await register.get(entry.requestId)).toMatchObject({
      dueAt: endOfDay('2026-12-17'),
      originalDueAt: endOfDay('2026-12-10'),
      extensionReason: reason,
    });
    expect(await register.get(noticeId(entry.requestId, 'extended'))).toMatchObject({
      notice: 'extended',
      outboundState: 'pending',
    });
    expect((await register.auditTrail(entry.requestId)).at(-1)).toMatchObject({
      event: 'deadline-extended-by-ops',
      detail: { who: 'ops', reason },
    });

    const again = await here('requests', 'extend', entry.requestId, '--reason', 'once more', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({
      requestId: entry.requestId,
      outcome: 'already-extended',
      originalDueAt: endOfDay('2026-12-10'),
      dueAt: endOfDay('2026-12-17'),
    });
    expect(again.stderr).toContain(
      'the law allows one extension, and it had it (from 2026-12-10 to 2026-12-17)',
    );

    const shown = await here('requests', 'show', entry.requestId);
    expect(shown.stdout).toMatch(
      / {2}extension {5}extended \d{4}-\d\d-\d\d \d\d:\d\d from 2026-12-10 23:59 to 2026-12-17 23:59: "the data sit in an archive that answers within a week"\n/,
    );
  });

  it('refuses what the law or the register does not allow (exit 1)', async () => {
    const noAddress = await recorded({ sealedContact: null });
    const cases: [string, string][] = [
      [dueSoon.requestId, 'RU-152FZ allows no extension for kind update-data'],
      [completed.requestId, 'it is closed (status completed): there is no term left to extend'],
      [
        noAddress.requestId,
        'the law makes a reasoned notice to the subject its condition, and makul cannot send one ' +
          '(it keeps no address for this request, or the request is held)',
      ],
      ['MK-NOSUCH0002', `no such request in the register (local stack on ${dataDirectory})`],
    ];
    for (const [requestId, message] of cases) {
      const { code, stderr } = await here('requests', 'extend', requestId, '--reason', 'backlog');
      expect(code, requestId).toBe(1);
      expect(stderr).toBe(`makul requests extend: ${requestId} not extended: ${message}\n`);
    }
    expect((await register.get(noAddress.requestId))?.originalDueAt).toBeNull();
  });
});

describe('makul requests complete', () => {
  it('completes an open request with the note in the audit trail, as ops', async () => {
    const entry = await recorded();
    const { code, stdout } = await here(
      'requests',
      'complete',
      entry.requestId,
      '--note',
      'report sent by post',
    );
    expect(code).toBe(0);
    expect(stdout).toBe(`${entry.requestId} completed (by ops, with the note); nothing is mailed\n`);
    expect(await register.get(entry.requestId)).toMatchObject({
      status: 'completed',
      closingReason: 'report sent by post',
    });
    expect((await register.auditTrail(entry.requestId)).at(-1)).toMatchObject({
      event: 'completed-by-ops',
      detail: { who: 'ops', note: 'report sent by post' },
    });
  });

  it('prints the outcome as JSON, and refuses an unverified or closed request (exit 1)', async () => {
    const entry = await recorded({ kind: 'update-data' });
    const done = await here('requests', 'complete', entry.requestId, '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ requestId: entry.requestId, outcome: 'completed' });

    const unverified = await here('requests', 'complete', awaiting.requestId);
    expect(unverified.code).toBe(1);
    expect(unverified.stderr).toContain(`${awaiting.requestId} not completed: it awaits verification`);
    const closed = await here('requests', 'complete', entry.requestId);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('it is closed already (status completed)');
  });
});

describe('makul requests reject', () => {
  it('rejects with the reason, gives the flags back (not the opt-out), tells the subject, audits as ops', async () => {
    const own = `withdrawer-${serial}`;
    const entry = await recorded(
      { kind: 'withdraw-consent', subjectKey: own },
      {
        consentWithdrawn: true,
        marketingOptOut: true,
      },
    );
    const reason = 'no consent-based processing takes place';
    const { code, stdout, stderr } = await here('requests', 'reject', entry.requestId, '--reason', reason);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(
      `${entry.requestId} rejected; given back on the subject's record: consentWithdrawn; the subject is told by mail, ` +
        'with the reason (sent by the deferred-outbound job within a minute)\n',
    );
    const record = await register.subjectRecord(own);
    expect(record?.flags.consentWithdrawn).toBeUndefined();
    expect(record?.flags.marketingOptOut?.heldBy).toEqual([entry.requestId]);
    expect(await register.get(noticeId(entry.requestId, 'rejected'))).toMatchObject({ notice: 'rejected' });
    expect((await register.auditTrail(entry.requestId)).at(-1)).toMatchObject({
      event: 'rejected-by-ops',
      detail: { who: 'ops', reason, released: 'consentWithdrawn' },
    });

    const again = await here('requests', 'reject', entry.requestId, '--reason', reason, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({
      requestId: entry.requestId,
      outcome: 'not-open',
      status: 'rejected',
    });
  });
});

describe('makul requests usage errors (exit 2)', () => {
  it.each([
    [['requests', 'list', '--overdue', '--due-within', '3'], '--overdue or --due-within, not both'],
    [['requests', 'list', '--due-within', 'soon'], '--due-within must be a whole number from 0 to 260'],
    [['requests', 'list', '--status', 'open'], 'no status "open": the statuses are awaiting-verification'],
    [['requests', 'list', '--kind', 'delete'], 'no kind "delete": the kinds are'],
    [['requests', 'list', '--reason', 'x'], "Unknown option '--reason'"],
    [['requests', 'show'], 'usage: makul requests show ID'],
    [['requests', 'show', 'mk-1'], 'not a request id: mk-1'],
    [['requests', 'extend', 'MK-CLI000001'], 'say why with --reason TEXT'],
    [['requests', 'extend', 'MK-CLI000001', '--reason', 'asked by ivan@example.ru'], "it contains '@'"],
    [
      ['requests', 'reject', 'MK-CLI000001', '--reason', 'call +7 912 345-67-89'],
      'it contains a long number',
    ],
    [['requests', 'complete', 'MK-CLI000001', '--note', 'passport 4509123456'], 'it contains a long number'],
    [['requests', 'list', '--requests-table', 'x'], '--requests-table names a resource in AWS'],
  ])('makul %j', async (args, message) => {
    const { code, stdout, stderr } = await here(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain(`Usage: makul ${args[0]} ${args[1]}`);
  });

  it('accepts a reason with a date and a short number', async () => {
    const entry = await recorded({ kind: 'update-data' });
    const { code, stderr } = await here(
      'requests',
      'reject',
      entry.requestId,
      '--reason',
      'see policy 4.2 of 2026-11-01',
    );
    expect(code, stderr).toBe(0);
  });

  it('names the group’s commands for an unknown or missing one', async () => {
    const unknown = await makulHere(['requests', 'delete']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^makul requests: unknown command "delete"\n\nUsage: makul requests list/);
    const none = await makulHere(['--local', 'requests']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('makul requests: name one of its commands');
    const help = await makulHere(['requests', 'extend', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: makul requests extend ID --reason TEXT/);
    expect(help.stdout).toContain('must carry no personal data');
  });
});

describe('makul subject show', () => {
  it('shows the flags, since when and held by which requests, and the subject’s requests', async () => {
    const { code, stdout, stderr } = await here('subject', 'show', 'Ivan.Petrov@Example.RU');
    expect(code, stderr).toBe(0);
    const [header, ...rest] = stdout.split('\n');
    expect(header).toBe('subject Ivan.Petrov@Example.RU');
    neverPersonal(rest.join('\n'));
    expect(stdout).toContain(`  subject key  ${SUBJECT}\n`);
    expect(stdout).toMatch(
      new RegExp(
        `\\n {2}marketing opt-out {7}since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d, held by ${completed.requestId}\\n`,
      ),
    );
    expect(stdout).toContain('\n  consent withdrawn       no\n');
    expect(stdout).toMatch(/Requests, oldest first:\nID +KIND +STATUS +RECEIVED +DUE +CLOSED\n/);
    for (const request of [overdue, dueSoon, awaiting, forHuman, completed])
      expect(stdout).toContain(request.requestId);
    expect(stdout).not.toContain('.access-report');
  });

  it('prints one JSON document without the address', async () => {
    const { code, stdout } = await here('subject', 'show', ADDRESS, '--json');
    expect(code).toBe(0);
    neverPersonal(stdout);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual([
      'subjectKey',
      'known',
      'flags',
      'disseminationStoppedItems',
      'requests',
    ]);
    expect(document.subjectKey).toBe(SUBJECT);
    expect(Object.keys(document.flags)).toEqual(SUBJECT_FLAGS);
    expect(document.flags.marketingOptOut).toEqual({
      since: expect.any(String),
      heldBy: [completed.requestId],
    });
    expect(document.flags.consentWithdrawn).toBeNull();
    expect(document.requests).toContainEqual({
      requestId: completed.requestId,
      kind: 'unsubscribe',
      status: 'completed',
      receivedAt: completed.receivedAt,
      dueAt: completed.dueAt,
      closedAt: completed.closedAt,
    });
  });

  it('says makul holds nothing about an unknown address (exit 0), and refuses a malformed one (exit 2)', async () => {
    const unknown = await here('subject', 'show', 'nobody@example.ru');
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toContain(
      'makul holds nothing about this address: no subject record and no requests.\n',
    );
    const malformed = await here('subject', 'show', 'Ivan <ivan@example.ru>');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('give the bare address');
    expect(malformed.stderr).not.toContain('ivan@');
  });
});

describe('the ops commands without a running local stack (exit 1)', () => {
  it.each([
    [['requests', 'list']],
    [['requests', 'show', 'MK-CLI000001']],
    [['requests', 'extend', 'MK-CLI000001', '--reason', 'backlog']],
    [['subject', 'show', ADDRESS]],
  ])('makul %j --local', async (args) => {
    const empty = await mkdtemp(join(tmpdir(), 'makul-requests-none-'));
    try {
      const { code, stdout, stderr } = await makulHere([...args, '--local', '--data-dir', empty]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `makul ${args[0]} ${args[1]}: no local stack is running on ${empty} (start it with npm start)\n`,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('the ops commands against a deployment found from --operator', () => {
  /** The SDK's endpoint settings point CloudFormation, Secrets Manager and DynamoDB at the stand-ins. */
  const awsEnvironment = () =>
    cleanEnvironment({
      AWS_ENDPOINT_URL_CLOUDFORMATION: standIn.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: local.dynamodb.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });

  it('reads the tables and the HMAC secret the stack Makul-<operator> names', async () => {
    const env = awsEnvironment();
    const [listed, subject] = await Promise.all([
      makulProcess(['requests', 'list', '--overdue', '--json', '--operator', 'sitronics', '--now', NOW], env),
      makulProcess(['--operator', 'sitronics', 'subject', 'show', ADDRESS, '--json'], env),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      operator: 'sitronics',
      source: {
        local: false,
        region: 'us-east-1',
        requestsTable: TABLES.requestsTableName,
        stack: 'Makul-sitronics',
      },
      requests: [{ requestId: overdue.requestId }],
    });
    expect(subject.code, subject.stderr).toBe(0);
    // The same key as the local stack's: the secret came from the stack's HmacSecretArn.
    expect(JSON.parse(subject.stdout).subjectKey).toBe(SUBJECT);
    expect(standIn.calls).toContain('DescribeStacks Makul-sitronics');
    expect(standIn.calls).toContain(`GetSecretValue ${SECRET_ARN}`);
  });

  it('lifts a restriction with the stack’s tables and secret (no table options)', async () => {
    const entry = await recorded(
      { kind: 'restrict', subjectKey: `restricted-${serial}` },
      { processingRestricted: true },
    );
    const { code, stdout, stderr } = await makulProcess(
      [
        'restriction',
        'lift',
        entry.requestId,
        '--note',
        'checked: processing is lawful',
        '--operator',
        'sitronics',
      ],
      awsEnvironment(),
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(
      `restriction lifted: ${entry.requestId} (AWS us-east-1, stack Makul-sitronics)\n` +
        'the subject is told by mail (sent by the deferred-outbound job within a minute)\n',
    );
  });

  it('names the stack and the region it did not find, and uses the table options without asking', async () => {
    const env = awsEnvironment();
    const calls = standIn.calls.length;
    const [missing, overridden] = await Promise.all([
      makulProcess(['requests', 'show', overdue.requestId, '--operator', 'x2'], env),
      makulProcess(
        [
          'requests',
          'show',
          overdue.requestId,
          '--operator',
          'x2',
          '--requests-table',
          TABLES.requestsTableName,
          '--json',
        ],
        env,
      ),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'makul requests show: no stack Makul-x2 in eu-west-1: check --operator (the stack is Makul-<operator id>) ' +
        "and the operator's env.region in the operators file, or the AWS account your credentials are for\n",
    );
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(JSON.parse(overridden.stdout).request.requestId).toBe(overdue.requestId);
    expect(standIn.calls.slice(calls)).toEqual(['DescribeStacks Makul-x2']);
  });

  it('says so when there are no AWS credentials', async () => {
    const home = await mkdtemp(join(tmpdir(), 'makul-requests-home-'));
    try {
      const { code, stderr } = await makulProcess(
        ['requests', 'list', '--operator', 'sitronics'],
        cleanEnvironment({
          HOME: home,
          AWS_CONFIG_FILE: join(home, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_CLOUDFORMATION: standIn.endpoint,
        }),
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(/^makul requests list: no AWS credentials found: set AWS_PROFILE/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

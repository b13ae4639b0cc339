/**
 * A register for the export's tests (integration and CLI): requests received across February and
 * March 2026 in Bishkek, one missed deadline, one extended, one still open past its due date with a
 * system yet to answer, entries just outside the period, a notice, and destruction acts in and out of
 * the period, written through the functions' own adapters and item formats.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { fromAct } from '../../functions/adapters/dynamodb/erasure-register';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import type { DynamoDbRequestRegister } from '../../functions/adapters/dynamodb/request-register';
import { buildDestructionAct } from '../../functions/domain/fulfilment/destruction-act';
import type { FulfilmentTask } from '../../functions/domain/fulfilment/tasks';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { sampleProfile } from './sample-profile';
import { sampleRequest } from './sample-request';

/** What the register holds about the person: never in an export without --with-personal-data. */
export const PERSON = 'aigul.person@example.kg';
export const SUBJECT_KEY = 'subject-hmac-7f3a';
/** A statute with Cyrillic, a comma, quotes and a line break: the CSV must carry it back whole. */
export const ACCESS_STATUTE = 'Закон КР № 58, ст. 17 «доступ»\n"one week", extendable';
export const EXTENSION_STATUTE = 'ст. 17, продление';

/** x2 in Bishkek (UTC+6), with two data systems and acts that name the address. */
export function exportProfile(): DeploymentProfile {
  const base = sampleProfile({
    destructionActNamesAddress: true,
    dataSystems: [
      {
        id: 'crm',
        name: { ky: 'CRM', ru: 'CRM-система', en: 'CRM' },
        purpose: { ky: 'кардарлар', ru: 'работа с клиентами', en: 'customer care' },
        categories: ['email', 'full-name'],
        toldBy: 'event',
        kinds: ['access', 'erasure', 'update-data', 'withdraw-consent', 'restrict', 'stop-dissemination'],
      },
      {
        id: 'helpdesk',
        name: { ky: 'Колдоо кызматы', ru: 'Служба поддержки', en: 'Helpdesk' },
        purpose: { ky: 'колдоо', ru: 'поддержка', en: 'support' },
        categories: ['email'],
        toldBy: 'person',
        kinds: ['access', 'erasure', 'update-data', 'withdraw-consent', 'restrict', 'stop-dissemination'],
      },
    ],
  });
  const deadlines = {
    ...base.jurisdiction.deadlines,
    access: {
      amount: 7,
      unit: 'calendar-days' as const,
      source: ACCESS_STATUTE,
      extension: { amount: 5, unit: 'working-days' as const, source: EXTENSION_STATUTE },
    },
  };
  return { ...base, jurisdiction: { ...base.jurisdiction, deadlines } };
}

/** An instant as Bishkek wall-clock time. */
export const bishkek = (local: string) => new Date(`${local}+06:00`).toISOString();

export interface ExportFixture {
  readonly inPeriod: readonly RegisteredRequest[];
  readonly outOfPeriod: readonly RegisteredRequest[];
}

function task(request: RegisteredRequest, systemId: string): FulfilmentTask {
  return {
    requestId: request.requestId,
    systemId,
    kind: request.kind as FulfilmentTask['kind'],
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

/**
 * Writes the fixture: the period is 2026-02-01 … 2026-03-31 (Bishkek days); the export is judged at
 * 5 April 2026.
 */
export async function writeExportFixture(
  client: DynamoDBClient,
  register: DynamoDbRequestRegister,
  requestsTableName: string,
): Promise<ExportFixture> {
  const entry = (requestId: string, overrides: Partial<RegisteredRequest>) =>
    sampleRequest(0, {
      requestId,
      jurisdiction: 'KG-58',
      subjectKey: SUBJECT_KEY,
      sealedContact: `v1.sealed.${PERSON}`,
      rawMail: { bucket: 'raw', key: `inbound/${PERSON}` },
      ...overrides,
    });
  const first = entry('MK-EXP-FIRST', {
    // The first instant of the period: in it.
    kind: 'unsubscribe',
    receivedAt: bishkek('2026-02-01T00:00:00'),
    dueAt: bishkek('2026-02-01T00:00:00'),
    closedAt: bishkek('2026-02-01T00:00:00'),
    registerMonth: '2026-02',
  });
  const met = entry('MK-EXP-MET', {
    kind: 'access',
    status: 'completed',
    receivedAt: bishkek('2026-02-10T11:00:00'),
    dueAt: bishkek('2026-02-17T23:59:59'),
    closedAt: bishkek('2026-02-16T15:00:00'),
    registerMonth: '2026-02',
  });
  const missed = entry('MK-EXP-MISSED', {
    kind: 'update-data',
    channel: 'email',
    status: 'completed',
    receivedAt: bishkek('2026-02-20T09:00:00'),
    dueAt: bishkek('2026-02-27T23:59:59'),
    closedAt: bishkek('2026-03-02T10:00:00'),
    registerMonth: '2026-02',
  });
  // 1 March, 02:00 in Bishkek, still 28 February in UTC: filed under March, where the law counts it.
  const extended = entry('MK-EXP-EXTENDED', {
    kind: 'access',
    status: 'completed',
    receivedAt: bishkek('2026-03-01T02:00:00'),
    originalDueAt: bishkek('2026-03-08T23:59:59'),
    extendedAt: bishkek('2026-03-06T12:00:00'),
    extensionReason: 'archive search',
    dueAt: bishkek('2026-03-13T23:59:59'),
    closedAt: bishkek('2026-03-12T17:00:00'),
    registerMonth: '2026-03',
  });
  // No register month of its own (an older path): filed under its UTC month, and still found.
  const overdue = entry('MK-EXP-OVERDUE', {
    kind: 'erasure',
    status: 'in-progress',
    receivedAt: bishkek('2026-03-15T10:00:00'),
    dueAt: bishkek('2026-03-22T23:59:59'),
    closedAt: null,
  });
  const erased = entry('MK-EXP-ERASED', {
    kind: 'erasure',
    status: 'completed',
    receivedAt: bishkek('2026-03-03T10:00:00'),
    dueAt: bishkek('2026-03-10T23:59:59'),
    closedAt: bishkek('2026-03-09T10:00:00'),
    registerMonth: '2026-03',
  });
  // Just outside: the last minute of January and the first instant of April, local time.
  const before = entry('MK-EXP-JANUARY', {
    receivedAt: bishkek('2026-01-31T23:59:00'),
    registerMonth: '2026-01',
  });
  const after = entry('MK-EXP-APRIL', {
    receivedAt: bishkek('2026-04-01T00:00:00'),
    registerMonth: '2026-04',
  });
  const notice = entry('MK-EXP-MET.confirmed', {
    receivedAt: bishkek('2026-02-10T11:05:00'),
    notice: 'confirmed',
    noticeOf: met.requestId,
    registerMonth: '2026-02',
  });
  for (const request of [first, met, missed, extended, overdue, erased, before, after, notice]) {
    await register.recordNew(request, { at: request.receivedAt, event: 'received', detail: {} }, null, null);
  }

  const tasks = new DynamoDbFulfilmentRegister(client, requestsTableName);
  const audit = (request: RegisteredRequest, event: string) => ({
    at: request.receivedAt,
    event,
    detail: {},
  });
  const ops = { via: 'cli' as const, person: 'ops' };
  await tasks.createTasks([task(met, 'crm'), task(met, 'helpdesk')], audit(met, 'tasks-created'));
  await tasks.answerTask(
    met.requestId,
    'crm',
    { state: 'done', outcome: 'provided', sealedData: 'v1.sealed.data' },
    ops,
    new Date(met.receivedAt),
    audit(met, 'answered-crm'),
  );
  await tasks.answerTask(
    met.requestId,
    'helpdesk',
    { state: 'done', outcome: 'not-held', sealedData: null },
    ops,
    new Date(met.receivedAt),
    audit(met, 'answered-helpdesk'),
  );
  await tasks.createTasks([task(overdue, 'crm'), task(overdue, 'helpdesk')], audit(overdue, 'tasks-created'));
  await tasks.answerTask(
    overdue.requestId,
    'helpdesk',
    { state: 'done', outcome: 'erased', sealedData: null },
    ops,
    new Date(overdue.receivedAt),
    audit(overdue, 'answered-helpdesk'),
  );
  const erasedTasks = [task(erased, 'crm'), task(erased, 'helpdesk')];
  await tasks.createTasks(erasedTasks, audit(erased, 'tasks-created'));
  await tasks.answerTask(
    erased.requestId,
    'crm',
    { state: 'done', outcome: 'erased', sealedData: null },
    ops,
    new Date(erased.receivedAt),
    audit(erased, 'answered-crm'),
  );
  await tasks.answerTask(
    erased.requestId,
    'helpdesk',
    { state: 'done', outcome: 'not-held', sealedData: null },
    ops,
    new Date(erased.receivedAt),
    audit(erased, 'answered-helpdesk'),
  );

  // Acts: one executed in the period, one in April (outside).
  const profile = exportProfile();
  const answered = await tasks.tasksOf(erased.requestId);
  for (const [request, executedAt] of [
    [erased, bishkek('2026-03-09T10:00:00')],
    [after, bishkek('2026-04-02T10:00:00')],
  ] as const) {
    const act = buildDestructionAct({
      request: { ...request, kind: 'erasure' },
      tasks: request === erased ? answered : [],
      profile,
      auditTrail: [],
      executionEvent: { at: executedAt, event: 'erasure-executed', detail: {} },
      address: PERSON,
      executedAt: new Date(executedAt),
    });
    await client.send(
      new PutItemCommand({
        TableName: requestsTableName,
        Item: fromAct({
          requestId: request.requestId,
          act,
          registerMonth: executedAt.slice(0, 7),
          keepUntil: new Date('2029-03-09T00:00:00Z'),
          at: new Date(executedAt),
          audit: { at: executedAt, event: 'erasure-executed', detail: {} },
        }),
      }),
    );
  }
  return { inPeriod: [first, met, missed, extended, erased, overdue], outOfPeriod: [before, after, notice] };
}

/** RFC 4180 read back: fields, quoted or not, rows split on CRLF outside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The CSV's three tables (particulars, requests, acts) as objects by their header, BOM dropped. */
export function csvTables(text: string): Array<Array<Record<string, string>>> {
  const tables: string[][][] = [[]];
  // A reader drops the byte-order mark, as Excel does.
  for (const row of parseCsv(text.replace(/^\uFEFF/, ''))) {
    if (row.length === 1 && row[0] === '') tables.push([]);
    else tables[tables.length - 1]?.push(row);
  }
  return tables.map(([header = [], ...rows]) =>
    rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? '']))),
  );
}

/**
 * The register export on DynamoDB Local with an injected clock: requests across two months (and the
 * local month, not the UTC one, at the border), a met, a missed, an extended and an open-overdue
 * deadline, outcomes across systems, destruction acts in the period, the personal-data option, and the
 * CSV (BOM, RFC 4180 quoting, Cyrillic) read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbRegisterExport, monthsTouched } from '../../functions/adapters/dynamodb/register-export';
import { exportRegister } from '../../functions/app/export-register';
import { exportCsv, exportJson, UTF8_BOM } from '../../functions/domain/fulfilment/register-export';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import {
  ACCESS_STATUTE,
  bishkek,
  csvTables,
  EXTENSION_STATUTE,
  type ExportFixture,
  exportProfile,
  PERSON,
  SUBJECT_KEY,
  writeExportFixture,
} from '../support/register-export-fixture';

const TABLES = { requestsTableName: 'export-requests', subjectsTableName: 'export-subjects' };
const AT = new Date(bishkek('2026-04-05T12:00:00'));

let local: LocalRegister;
let fixture: ExportFixture;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  fixture = await writeExportFixture(local.client, local.register, TABLES.requestsTableName);
});

afterAll(async () => {
  await local?.stop();
});

async function exported(withPersonalData = false, pageSize?: number) {
  const tasks = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
  const progress: Array<{ what: string; total: number; month: string }> = [];
  const document = await exportRegister(
    {
      register: new DynamoDbRegisterExport(
        local.client,
        TABLES.requestsTableName,
        pageSize ? { pageSize } : {},
      ),
      tasksOf: (requestId) => tasks.tasksOf(requestId),
      operatorId: 'x2',
      jurisdiction: exportProfile().jurisdiction,
      onProgress: (step) => progress.push(step),
    },
    { from: '2026-02-01', to: '2026-03-31', withPersonalData },
    AT,
  );
  return { document, progress };
}

describe('the register export on DynamoDB Local', () => {
  it('lists the requests received in the period, oldest first, and nothing outside it (nor notices)', async () => {
    const { document } = await exported();

    expect(document.requests.map((row) => row.requestId)).toEqual([
      'MK-EXP-FIRST',
      'MK-EXP-MET',
      'MK-EXP-MISSED',
      'MK-EXP-EXTENDED',
      'MK-EXP-ERASED',
      'MK-EXP-OVERDUE',
    ]);
    expect(document.period).toEqual({ from: '2026-02-01', to: '2026-03-31', timeZone: 'Asia/Bishkek' });
    expect(document.generatedAt).toBe(AT.toISOString());
    expect(document.personalData).toBe('none');
  });

  it('says whether each deadline was met, missed, or is open past it, judged at the injected time', async () => {
    const { document } = await exported();
    const deadline = Object.fromEntries(document.requests.map((row) => [row.requestId, row.deadline]));

    expect(deadline).toEqual({
      'MK-EXP-FIRST': 'met',
      'MK-EXP-MET': 'met',
      'MK-EXP-MISSED': 'missed',
      'MK-EXP-EXTENDED': 'met',
      'MK-EXP-ERASED': 'met',
      'MK-EXP-OVERDUE': 'open-overdue',
    });
  });

  it('shows an extension with both due dates, and the statute with the extension’s', async () => {
    const { document } = await exported();
    const row = document.requests.find((request) => request.requestId === 'MK-EXP-EXTENDED');

    expect(row).toMatchObject({
      kind: 'access',
      originalDueAt: bishkek('2026-03-08T23:59:59'),
      dueAt: bishkek('2026-03-13T23:59:59'),
      extendedAt: bishkek('2026-03-06T12:00:00'),
      statute: `${ACCESS_STATUTE}; extended: ${EXTENSION_STATUTE}`,
    });
  });

  it('gives the outcome as the status and what each system answered', async () => {
    const { document } = await exported();
    const outcome = Object.fromEntries(document.requests.map((row) => [row.requestId, row.outcome]));

    expect(outcome['MK-EXP-MET']).toBe('completed; crm: provided; helpdesk: not-held');
    expect(outcome['MK-EXP-OVERDUE']).toBe('in-progress; crm: open; helpdesk: erased');
    expect(outcome['MK-EXP-FIRST']).toBe('completed');
  });

  it('lists the destruction acts executed in the period, with systems, categories, method and ground', async () => {
    const { document } = await exported();

    expect(document.destructionActs).toHaveLength(1);
    expect(document.destructionActs[0]).toMatchObject({
      actId: 'DA-MK-EXP-ERASED',
      requestId: 'MK-EXP-ERASED',
      executedAt: bishkek('2026-03-09T10:00:00'),
      ground: expect.stringContaining('MK-EXP-ERASED (erasure)'),
    });
    expect(document.destructionActs[0]?.systems).toContain('CRM-система');
    expect(document.destructionActs[0]?.categories).toContain('адрес электронной почты');
    expect(document.destructionActs[0]?.method).toContain('crm: ');
  });

  it('holds no personal data by default: no subject key, no address', async () => {
    const { document } = await exported();
    const json = exportJson(document);
    const csv = exportCsv(document);

    for (const text of [json, csv]) {
      expect(text).not.toContain(SUBJECT_KEY);
      expect(text).not.toContain(PERSON);
    }
    expect(JSON.parse(json).personalData).toBe('none');
    expect(csvTables(csv)[0]).toContainEqual({ field: 'personal data', value: 'none' });
  });

  it('adds the subject key and the act’s address only when asked, and says so', async () => {
    const { document } = await exported(true);
    const csv = exportCsv(document);
    const [about, requests, acts] = csvTables(csv);

    expect(document.personalData).toBe('included');
    expect(document.requests.every((row) => row.subjectKey === SUBJECT_KEY)).toBe(true);
    expect(document.destructionActs[0]).toMatchObject({ subjectKey: SUBJECT_KEY, address: PERSON });
    expect(about?.find((row) => row.field === 'personal data')?.value).toMatch(/^INCLUDED/);
    expect(requests?.[0]?.subjectKey).toBe(SUBJECT_KEY);
    expect(acts?.[0]?.address).toBe(PERSON);
  });

  it('writes CSV with a BOM, CRLF rows, quoting that carries commas, quotes and line breaks, and Cyrillic back whole', async () => {
    const { document } = await exported();
    const csv = exportCsv(document);

    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [about, requests, acts] = csvTables(csv.slice(UTF8_BOM.length));
    expect(about?.find((row) => row.field === 'requests')?.value).toBe('6');
    expect(requests?.map((row) => row.requestId)).toEqual(document.requests.map((row) => row.requestId));
    expect(requests?.find((row) => row.requestId === 'MK-EXP-MET')?.statute).toBe(ACCESS_STATUTE);
    expect(csv).toContain('"Закон КР № 58, ст. 17 «доступ»\n""one week"", extendable"');
    expect(acts?.[0]?.categories).toBe(document.destructionActs[0]?.categories);
    expect(Object.keys(requests?.[0] ?? {})).not.toContain('subjectKey');
  });

  it('reads month by month through the index, page by page, and says how far it got', async () => {
    const { document, progress } = await exported(false, 1);

    expect(document.requests).toHaveLength(6);
    const months = [
      ...new Set(progress.filter((step) => step.what === 'requests').map((step) => step.month)),
    ];
    expect(months).toEqual(['2026-02', '2026-03']);
    expect(progress.filter((step) => step.what === 'requests').at(-1)?.total).toBe(6);
    expect(
      monthsTouched(new Date(bishkek('2026-02-01T00:00:00')), new Date(bishkek('2026-04-01T00:00:00'))),
    ).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
  });

  it('files request entries under their local month, and never a notice', async () => {
    const exporter = new DynamoDbRegisterExport(local.client, TABLES.requestsTableName);
    const pages = [];
    for await (const page of exporter.requestsReceived(
      new Date(bishkek('2026-03-01T00:00:00')),
      new Date(bishkek('2026-03-01T03:00:00')),
    ))
      pages.push(page);

    expect(pages.map((page) => [page.month, page.items.map((item) => item.requestId)])).toEqual([
      ['2026-03', ['MK-EXP-EXTENDED']],
    ]);
    expect(fixture.outOfPeriod.map((request) => request.requestId)).toContain('MK-EXP-MET.confirmed');
  });
});

/**
 * The register export's rules, pure: whether a deadline was met, the outcome across systems, the
 * statute, what personal data goes out, and CSV fields (RFC 4180, formulas neutralised) with the BOM.
 */
import { describe, expect, it } from 'vitest';
import {
  csvField,
  deadlineVerdict,
  exportCsv,
  type RegisterExportDocument,
  requestRow,
} from '../../../../functions/domain/fulfilment/register-export';
import type { FulfilmentTask } from '../../../../functions/domain/fulfilment/tasks';
import { registerMonthOf } from '../../../../functions/domain/requests/register-entry';
import { sampleProfile } from '../../../support/sample-profile';
import { sampleRequest } from '../../../support/sample-request';

const DUE = '2026-03-10T17:59:59.000Z';
const AT = new Date('2026-04-01T00:00:00Z');
const request = (overrides: Parameters<typeof sampleRequest>[1]) =>
  sampleRequest(1, { kind: 'access', dueAt: DUE, jurisdiction: 'KG-58', ...overrides });

describe('deadlineVerdict', () => {
  it('is met when closed by the due date, to the second, and missed a second later', () => {
    expect(deadlineVerdict(request({ status: 'completed', closedAt: DUE }), AT)).toBe('met');
    expect(deadlineVerdict(request({ status: 'completed', closedAt: '2026-03-10T18:00:00.000Z' }), AT)).toBe(
      'missed',
    );
    expect(deadlineVerdict(request({ status: 'rejected', closedAt: '2026-03-01T00:00:00.000Z' }), AT)).toBe(
      'met',
    );
  });

  it('judges an extended request by its extended due date', () => {
    const extended = request({
      status: 'completed',
      originalDueAt: '2026-03-05T17:59:59.000Z',
      extendedAt: '2026-03-04T10:00:00.000Z',
      closedAt: '2026-03-08T10:00:00.000Z',
    });

    expect(deadlineVerdict(extended, AT)).toBe('met');
  });

  it('is open, or open-overdue past the due date at the time given, while the request is open', () => {
    for (const status of ['in-progress', 'needs-human', 'held', 'awaiting-verification'] as const) {
      expect(deadlineVerdict(request({ status, closedAt: null }), new Date('2026-03-10T00:00:00Z'))).toBe(
        'open',
      );
      expect(deadlineVerdict(request({ status, closedAt: null }), AT)).toBe('open-overdue');
    }
  });

  it('is none without a due date, or for a request cancelled by its subject', () => {
    expect(deadlineVerdict(request({ status: 'dropped', dueAt: null, closedAt: null }), AT)).toBe('none');
    expect(deadlineVerdict(request({ status: 'cancelled', closedAt: null }), AT)).toBe('none');
  });
});

describe('requestRow', () => {
  const task = (systemId: string, state: FulfilmentTask['state'], outcome: FulfilmentTask['outcome']) =>
    ({ systemId, state, outcome }) as FulfilmentTask;

  it('gives the status and each system’s answer, systems in order, and the statute', () => {
    const row = requestRow(
      request({ status: 'in-progress', closedAt: null }),
      [
        task('player-accounts', 'done', 'erased'),
        task('helpdesk', 'done', 'not-held'),
        task('crm', 'refused', null),
      ],
      sampleProfile().jurisdiction,
      AT,
      false,
    );

    expect(row.outcome).toBe('in-progress; crm: refused; helpdesk: not-held; player-accounts: erased');
    expect(row.statute).toBe('test');
    expect(row).not.toHaveProperty('subjectKey');
  });

  it('adds the subject key only with the personal-data option', () => {
    const row = requestRow(request({ subjectKey: 'hmac-1' }), [], null, AT, true);

    expect(row.subjectKey).toBe('hmac-1');
    expect(row.statute).toBeNull();
  });
});

describe('csvField', () => {
  it('quotes commas, quotes and line breaks (RFC 4180), and leaves plain text and Cyrillic alone', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('one\r\ntwo')).toBe('"one\r\ntwo"');
    expect(csvField('Закон № 58')).toBe('Закон № 58');
    expect(csvField(null)).toBe('');
  });

  it('keeps a cell Excel would run as a formula as text', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
  });
});

describe('exportCsv', () => {
  it('starts with the BOM and ends every row with CRLF, tables a blank line apart', () => {
    const document: RegisterExportDocument = {
      operator: 'x2',
      period: { from: '2026-03-01', to: '2026-03-31', timeZone: 'Asia/Bishkek' },
      generatedAt: AT.toISOString(),
      personalData: 'none',
      requests: [],
      destructionActs: [],
    };
    const csv = exportCsv(document);

    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(csv.split('\r\n\r\n')).toHaveLength(3);
  });
});

describe('registerMonthOf', () => {
  it('is the month in the jurisdiction’s zone, not UTC', () => {
    expect(registerMonthOf(new Date('2026-02-28T20:00:00Z'), 'Asia/Bishkek')).toBe('2026-03');
    expect(registerMonthOf(new Date('2026-02-28T20:00:00Z'), 'Europe/Moscow')).toBe('2026-02');
  });
});

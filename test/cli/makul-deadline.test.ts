/**
 * `makul deadline` and `makul calendar check`: known answers worked out by hand from the real calendar
 * files (config/calendars), and the working-day arithmetic the ops listing uses. No AWS, no local stack.
 */
import { describe, expect, it } from 'vitest';
import { checkCalendars } from '../../bin/cli/calendar-check';
import { chooseJurisdiction } from '../../bin/cli/deadline';
import { DueCounter } from '../../bin/cli/due-status';
import { PROGRESS_EVERY, progressReporter } from '../../bin/cli/requests-list';
import type { Jurisdiction } from '../../functions/domain/operators/operator-profile';
import { loadCalendarFiles, loadJurisdictions } from '../../functions/shared/jurisdiction-files';
import { makulHere, makulProcess } from '../support/makul-cli';

const JURISDICTIONS = loadJurisdictions();
const RU = JURISDICTIONS.find((jurisdiction) => jurisdiction.id === 'RU-152FZ') as Jurisdiction;

async function deadlineJson(...args: string[]) {
  const { code, stdout, stderr } = await makulHere(['deadline', '--json', ...args]);
  expect(code, stderr).toBe(0);
  return { document: JSON.parse(stdout), stderr };
}

describe('makul deadline', () => {
  it('counts RU access over the New Year holidays: received 30 December 2025, due 23 January 2026', async () => {
    // By hand from RU/2025.json and RU/2026.json: 31 December 2025 is off (moved from 5 January by
    // decree No. 1335), 1-8 January are holidays, 9 January is off (moved from 3 January by decree
    // No. 1466), 10-11 January a weekend; then 12-16 January are working days 1-5, 17-18 a weekend,
    // and 19-23 January working days 6-10.
    const { document, stderr } = await deadlineJson(
      '--jurisdiction',
      'RU',
      '--kind',
      'access',
      '--received',
      '2025-12-30',
    );
    expect(stderr).toBe('');
    expect(document).toMatchObject({
      due: '2026-01-23',
      dueAt: '2026-01-23T20:59:59.000Z',
      jurisdiction: 'RU-152FZ',
      kind: 'access',
      timeZone: 'Europe/Moscow',
      statute: '152-FZ art. 14 part 3, art. 20 part 1: within 10 working days of the request',
      term: { amount: 10, unit: 'working-days' },
      movedFrom: null,
      uncoveredYears: [],
      warnings: [],
    });
    expect(document.skipped.map((day: { date: string }) => day.date)).toEqual([
      '2025-12-31',
      ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '17', '18'].map(
        (d) => `2026-01-${d}`,
      ),
    ]);
    expect(document.skipped[0]).toEqual({
      date: '2025-12-31',
      why: 'moved-day-off',
      name: 'day off moved from Sunday 5 January (decree No. 1335)',
    });
    expect(document.skipped[7]).toEqual({
      date: '2026-01-07',
      why: 'holiday',
      name: 'Orthodox Christmas (Labour Code art. 112)',
    });
    expect(document.skipped[9]).toEqual({
      date: '2026-01-09',
      why: 'moved-day-off',
      name: 'day off moved from Saturday 3 January (decree No. 1466)',
    });
    expect(document.skipped[10]).toEqual({ date: '2026-01-10', why: 'weekend', name: 'Saturday' });
  });

  it('prints the due date, the statute, the term and each skipped day with its name', async () => {
    const { code, stdout } = await makulProcess([
      'deadline',
      '--jurisdiction',
      'RU',
      '--kind',
      'access',
      '--received',
      '2025-12-30',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'RU-152FZ, access, received 2025-12-30 (Europe/Moscow)',
      'Due: 2026-01-23 (end of the day, Europe/Moscow)',
      '  statute  152-FZ art. 14 part 3, art. 20 part 1: within 10 working days of the request',
      '  term     10 working days, the day of receipt not counted',
      '  skipped  2025-12-31 day off moved from Sunday 5 January (decree No. 1335)',
    ]);
    expect(lines).toContain('           2026-01-09 day off moved from Saturday 3 January (decree No. 1466)');
    expect(lines).toContain('           2026-01-18 Sunday');
    expect(lines.at(-1)).toMatch(/^ {2}calendar RU 2026: Government decree No\. 1466 of 24\.09\.2025/);
  });

  it('moves a RU withdraw-consent term that ends on 1 May to Monday 4 May (Civil Code art. 193)', async () => {
    const { document } = await deadlineJson(
      '--jurisdiction',
      'RU-152FZ',
      '--kind',
      'withdraw-consent',
      '--received',
      '2026-04-01',
    );
    expect(document).toMatchObject({
      due: '2026-05-04',
      term: { amount: 30, unit: 'calendar-days' },
      movedFrom: '2026-05-01',
      skipped: [
        { date: '2026-05-01', why: 'holiday', name: 'Spring and Labour Day (Labour Code art. 112)' },
        { date: '2026-05-02', why: 'weekend', name: 'Saturday' },
        { date: '2026-05-03', why: 'weekend', name: 'Sunday' },
      ],
    });
    expect(document.dayOffRule).toMatch(/^RU Civil Code art\. 193/);
    const { stdout } = await makulHere([
      'deadline',
      '--jurisdiction',
      'RU',
      '--kind',
      'withdraw-consent',
      '--received',
      '2026-04-01',
    ]);
    expect(stdout).toContain(
      '  moved    the term ended on 2026-05-01, a day off; moved to the next working day by RU Civil Code art. 193',
    );
  });

  it('moves a KG week ending in the May holidays to Monday 11 May (art. 209), and warns of the incomplete year', async () => {
    // KG/2026.json: 1-9 May are holidays (9 May a Saturday, not moved), 10 May a Sunday.
    const { document, stderr } = await deadlineJson(
      '--jurisdiction',
      'KG',
      '--kind',
      'access',
      '--received',
      '2026-04-26',
    );
    expect(document).toMatchObject({
      due: '2026-05-11',
      dueAt: '2026-05-11T17:59:59.000Z',
      jurisdiction: 'KG-58',
      timeZone: 'Asia/Bishkek',
      movedFrom: '2026-05-03',
      uncoveredYears: [2026],
    });
    expect(document.skipped.map((day: { date: string }) => day.date)).toEqual(
      ['03', '04', '05', '06', '07', '08', '09', '10'].map((d) => `2026-05-${d}`),
    );
    expect(document.skipped[2]).toMatchObject({
      why: 'holiday',
      name: expect.stringMatching(/^Constitution Day/),
    });
    expect(document.dayOffRule).toMatch(/^KG Civil Code .* art\. 209 part 5/);
    expect(document.warnings).toEqual([
      expect.stringMatching(/^warning: config\/calendars\/KG\/2026\.json is incomplete/),
    ]);
    expect(stderr).toBe(`${document.warnings[0]}\n`);
  });

  it('warns when a year has no calendar: counted with weekends only', async () => {
    const { document } = await deadlineJson(
      '--jurisdiction',
      'RU',
      '--kind',
      'access',
      '--received',
      '2030-03-01',
    );
    expect(document.uncoveredYears).toEqual([2030]);
    expect(document.warnings).toEqual([
      'warning: no official calendar of RU for 2030 (config/calendars/RU/2030.json): counted with weekends only, so the date may be early',
    ]);
  });

  it('says an immediate duty is due at once', async () => {
    const { stdout } = await makulHere([
      'deadline',
      '--jurisdiction',
      'RU',
      '--kind',
      'unsubscribe',
      '--received',
      '2026-04-01T10:15:00+03:00',
    ]);
    expect(stdout).toContain('Due: 2026-04-01 10:15 (at once)\n');
    expect(stdout).toContain('  term     immediately, on receipt\n');
  });

  it.each([
    [['--jurisdiction', 'DE', '--kind', 'access', '--received', '2026-01-01'], 'no jurisdiction "DE"'],
    [['--jurisdiction', 'RU', '--kind', 'delete', '--received', '2026-01-01'], 'no kind "delete"'],
    [
      ['--jurisdiction', 'RU', '--kind', 'access', '--received', '2026-02-30'],
      '--received 2026-02-30 is not a date',
    ],
    [['--jurisdiction', 'RU', '--kind', 'access', '--received', 'yesterday'], '--received takes YYYY-MM-DD'],
    [['--jurisdiction', 'RU', '--kind', 'access'], 'give --jurisdiction, --kind and --received'],
    [
      ['--jurisdiction', 'RU', '--kind', 'access', '--received', '2026-01-01', '--local'],
      '--local and the AWS options do not apply',
    ],
  ])('makul deadline %j exits 2', async (args, message) => {
    const { code, stdout, stderr } = await makulHere(['deadline', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('asks which profile when a country has several', () => {
    const second = { ...RU, id: 'RU-OTHER' };
    expect(chooseJurisdiction('ru-other', [RU, second]).id).toBe('RU-OTHER');
    expect(chooseJurisdiction('RU', [RU]).id).toBe('RU-152FZ');
    expect(() => chooseJurisdiction('RU', [{ ...RU, id: 'RU-A' }, second])).toThrow(
      'several profiles for RU (RU-A, RU-OTHER): name one',
    );
  });
});

describe('makul calendar check', () => {
  it('lists the years per country and exits 1 while a country in use lacks this or next year', async () => {
    const { code, stdout } = await makulHere(['calendar', 'check', '--today', '2026-06-01']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Working-day calendars \(config\/calendars\), required: 2026 and 2027\n/);
    expect(stdout).toContain('  RU  2025, 2026, 2027\n      ok (used by RU-152FZ)\n');
    expect(stdout).toMatch(
      / {2}KG {2}2026 \(incomplete\)\n( {6}gap in 2026: .*\n)+ {6}MISSING 2027, INCOMPLETE 2026 \(used by KG-58\)\n/,
    );
  });

  it('prints one JSON document', async () => {
    const { code, stdout } = await makulHere(['calendar', 'check', '--json', '--today', '2025-03-01']);
    expect(code).toBe(1);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ today: '2025-03-01', requiredYears: [2025, 2026], ok: false });
    const ru = document.countries.find((country: { country: string }) => country.country === 'RU');
    expect(ru).toMatchObject({ usedBy: ['RU-152FZ'], missing: [], incomplete: [], ok: true });
    expect(ru.years.map((year: { year: number }) => year.year)).toEqual([2025, 2026, 2027]);
    expect(ru.years[1]).toMatchObject({
      year: 2026,
      complete: true,
      gaps: [],
      source: expect.stringContaining('No. 1466'),
    });
    const kg = document.countries.find((country: { country: string }) => country.country === 'KG');
    expect(kg).toMatchObject({ usedBy: ['KG-58'], missing: [2025], incomplete: [2026], ok: false });
  });

  it('passes when every country in use has both years, complete; a country no profile uses never fails', () => {
    const calendars = loadCalendarFiles();
    const onlyRu = JURISDICTIONS.filter((jurisdiction) => jurisdiction.country !== 'KG');
    const countries = checkCalendars(onlyRu, calendars, [2026, 2027]);
    expect(countries.every((country) => country.ok)).toBe(true);
    expect(countries.find((country) => country.country === 'KG')).toMatchObject({ usedBy: [], ok: true });
    expect(checkCalendars(onlyRu, calendars, [2027, 2028]).find((c) => c.country === 'RU')).toMatchObject({
      missing: [2028],
      ok: false,
    });
  });

  it('is a usage error with arguments (exit 2)', async () => {
    const { code, stderr } = await makulHere(['calendar', 'check', 'RU']);
    expect(code).toBe(2);
    expect(stderr).toContain('calendar check takes no arguments');
  });
});

describe('the listing’s working days', () => {
  it('counts --due-within and "due in N working days" on the official calendar, over the New Year', () => {
    const counter = new DueCounter(RU);
    const now = new Date('2025-12-30T09:00:00Z');
    // The first working day after Tuesday 30 December 2025 is Monday 12 January 2026.
    expect(counter.dueWithinEnd(1, now).toISOString()).toBe('2026-01-12T21:00:00.000Z');
    expect(counter.dueWithinEnd(0, now).toISOString()).toBe('2025-12-30T21:00:00.000Z');
    expect(counter.standing('2026-01-12T20:59:59.000Z', now)).toMatchObject({
      workingDaysLeft: 1,
      text: 'due in 1 working day',
    });
    expect(counter.standing('2025-12-30T20:59:59.000Z', now).text).toBe('due today');
    expect(counter.standing('2025-12-26T20:59:59.000Z', now)).toMatchObject({
      overdueDays: 4,
      text: 'overdue by 4 days',
    });
    expect(counter.uncoveredYears()).toEqual([]);
  });

  it('says how far a long listing has read, only past the threshold', () => {
    const lines: string[] = [];
    const report = progressReporter({ out: () => undefined, err: (text) => lines.push(text) });
    report(600);
    expect(lines).toEqual([]);
    report(600);
    report(PROGRESS_EVERY);
    expect(lines).toEqual(['read 1 200 requests…\n', 'read 2 200 requests…\n']);
  });
});

/**
 * Due dates on the real jurisdiction profiles and official calendars (config/jurisdictions,
 * config/calendars): known answers worked out by hand from the decrees, and properties checked against
 * an oracle built straight from the calendar files (not through the code under test).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Jurisdiction } from '../../../../functions/domain/operators/operator-profile';
import {
  addDays,
  dueDateOf,
  extendedDueAt,
  localDate,
  missingCalendarYears,
} from '../../../../functions/domain/requests/deadlines';
import { REQUEST_KINDS } from '../../../../functions/domain/requests/request-kinds';
import { loadCalendarFiles, loadJurisdictions } from '../../../../functions/shared/jurisdiction-files';

const jurisdictions = new Map(loadJurisdictions().map((jurisdiction) => [jurisdiction.id, jurisdiction]));
const calendars = loadCalendarFiles();

function jurisdiction(id: string): Jurisdiction {
  const found = jurisdictions.get(id);
  if (!found) throw new Error(`no jurisdiction ${id} in config/jurisdictions`);
  return found;
}

const russia = jurisdiction('RU-152FZ');
/** Noon in Moscow on a local day. */
const moscowNoon = (day: string) => new Date(`${day}T09:00:00Z`);

/** Days off of a country as the files list them: weekends, holidays, moved days off, less worked weekends. */
function daysOffOracle(country: string): { readonly years: Set<number>; isOff(day: string): boolean } {
  const off = new Set<string>();
  const worked = new Set<string>();
  const years = new Set<number>();
  for (const file of calendars.get(country) ?? []) {
    if (file.gaps.length > 0) continue;
    years.add(file.year);
    for (const day of [...file.holidays, ...file.movedDaysOff]) off.add(day.date);
    for (const day of file.workingWeekends) worked.add(day.date);
  }
  return {
    years,
    isOff(day) {
      if (worked.has(day)) return false;
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      return off.has(day) || weekday === 0 || weekday === 6;
    },
  };
}

describe('the Russian production calendar (decrees No. 1335, No. 1466, No. 1187)', () => {
  it('counts an access request over the New Year holidays: 30 Dec 2025 is due 23 Jan 2026', () => {
    // 31 Dec 2025 is off (moved from 5 Jan by decree No. 1335); 1–8 Jan are holidays; 9 Jan is off
    // (moved from 3 Jan by decree No. 1466); 10–11 Jan a weekend. Working days: 12–16 Jan (5),
    // 19–23 Jan (10).
    const due = dueDateOf('access', russia, moscowNoon('2025-12-30'));
    expect(due.dueDate).toBe('2026-01-23');
    expect(due.dueAt.toISOString()).toBe('2026-01-23T20:59:59.000Z');
    expect(due.skipped.slice(0, 2)).toEqual([
      { date: '2025-12-31', why: 'moved-day-off' },
      { date: '2026-01-01', why: 'holiday' },
    ]);
    expect(due.skipped).toContainEqual({ date: '2026-01-09', why: 'moved-day-off' });
    expect(due.uncoveredYears).toEqual([]);
  });

  it('works Saturday 1 November 2025 and rests on Monday 3 November (decree No. 1335)', () => {
    // From Friday 31 Oct: Sat 1 Nov (worked), Sun 2 off, Mon 3 off (moved), Tue 4 holiday, Wed 5, Thu 6.
    const due = dueDateOf('restrict', russia, moscowNoon('2025-10-31'));
    expect(due.dueDate).toBe('2025-11-06');
    expect(due.skipped).toEqual([
      { date: '2025-11-02', why: 'weekend' },
      { date: '2025-11-03', why: 'moved-day-off' },
      { date: '2025-11-04', why: 'holiday' },
    ]);
  });

  it('moves a 30-day term that ends on 31 December 2026 (off by decree No. 1466) past the 2027 holidays', () => {
    // 1 Dec 2026 + 30 days = Thu 31 Dec 2026, a day off; 1–8 Jan 2027 holidays, 9–10 Jan a weekend:
    // Civil Code art. 193 makes it Monday 11 January 2027.
    const due = dueDateOf('withdraw-consent', russia, moscowNoon('2026-12-01'));
    expect(due.movedFrom).toBe('2026-12-31');
    expect(due.dueDate).toBe('2027-01-11');
    expect(due.dayOffRule).toContain('art. 193');
  });

  it('extends an access request once by five working days from its due date', () => {
    // Due Friday 23 Jan 2026: five more working days are 26–30 January.
    const original = dueDateOf('access', russia, moscowNoon('2025-12-30')).dueAt;
    const extended = extendedDueAt('access', russia, original);
    expect(localDate(extended?.dueAt ?? original, 'Europe/Moscow')).toBe('2026-01-30');
    expect(extended?.source).toContain('152-FZ');
    expect(extendedDueAt('erasure', russia, original)).toBeNull();
  });

  it('covers 2025, 2026 and 2027', () => {
    expect(missingCalendarYears(russia, [2025, 2026, 2027])).toEqual([]);
    expect(missingCalendarYears(russia, [2028])).toEqual([2028]);
  });

  it('has 247 working days in each year it covers, as the official production calendars say', () => {
    const oracle = daysOffOracle('RU');
    for (const year of oracle.years) {
      let working = 0;
      for (let day = `${year}-01-01`; day.startsWith(String(year)); day = addDays(day, 1)) {
        if (!oracle.isOff(day)) working += 1;
      }
      expect([year, working]).toEqual([year, 247]);
    }
  });
});

describe('due dates on every profile, for any receipt in the covered years (property)', () => {
  const covered = daysOffOracle('RU');
  const firstDay = Date.UTC(Math.min(...covered.years), 0, 1);
  const lastDay = Date.UTC(Math.max(...covered.years), 11, 31);
  // Receipts late enough in the last covered year would count into an uncovered one: stop 2 months short.
  const receipt = fc
    .integer({ min: firstDay / 1000, max: lastDay / 1000 - 62 * 24 * 3600 })
    .map((seconds) => new Date(seconds * 1000));
  const workingDaysTerm = fc.integer({ min: 1, max: 25 });

  it('never ends a working-day term on a day off, nor before the count allows', () => {
    fc.assert(
      fc.property(receipt, workingDaysTerm, (received, amount) => {
        const profile: Jurisdiction = {
          ...russia,
          deadlines: { ...russia.deadlines, access: { amount, unit: 'working-days', source: 'p' } },
        };
        const due = dueDateOf('access', profile, received);
        expect(covered.isOff(due.dueDate)).toBe(false);
        // Exactly `amount` working days after the day of receipt, up to and including the due day.
        let working = 0;
        for (
          let day = addDays(localDate(received, russia.timeZone), 1);
          day <= due.dueDate;
          day = addDays(day, 1)
        )
          if (!covered.isOff(day)) working += 1;
        expect(working).toBe(amount);
      }),
      { numRuns: 500 },
    );
  });

  it('ends a calendar-day term on the first working day at or after the counted day (Civil Code art. 193)', () => {
    fc.assert(
      fc.property(receipt, fc.integer({ min: 1, max: 40 }), (received, amount) => {
        const profile: Jurisdiction = {
          ...russia,
          deadlines: { ...russia.deadlines, erasure: { amount, unit: 'calendar-days', source: 'p' } },
        };
        const due = dueDateOf('erasure', profile, received);
        const counted = addDays(localDate(received, russia.timeZone), amount);
        expect(due.dueDate >= counted).toBe(true);
        expect(covered.isOff(due.dueDate)).toBe(false);
        for (let day = counted; day < due.dueDate; day = addDays(day, 1))
          expect(covered.isOff(day)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives every kind of every profile a due date no earlier than the receipt', () => {
    fc.assert(
      fc.property(
        receipt,
        fc.constantFrom(...jurisdictions.values()),
        fc.constantFrom(...REQUEST_KINDS),
        (received, profile, kind) => {
          const due = dueDateOf(kind, profile, received);
          expect(due.dueAt.getTime()).toBeGreaterThanOrEqual(received.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the fallback for a year without a calendar', () => {
  it('is never later than the official due date, but for a worked Saturday: then by one working day at most', () => {
    // The same RU profile with its calendar removed counts weekends only.
    const weekendsOnly: Jurisdiction = { ...russia, calendar: {} };
    const isWeekday = (day: string) => ![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1) / 1000, max: Date.UTC(2027, 9, 1) / 1000 }),
        fc.constantFrom(...REQUEST_KINDS),
        (seconds, kind) => {
          const received = new Date(seconds * 1000);
          const fallback = dueDateOf(kind, weekendsOnly, received);
          const official = dueDateOf(kind, russia, received);
          let laterWorkingDays = 0;
          for (let day = addDays(official.dueDate, 1); day <= fallback.dueDate; day = addDays(day, 1))
            if (isWeekday(day)) laterWorkingDays += 1;
          expect(laterWorkingDays).toBeLessThanOrEqual(1);
          // …and it says so, for every term counted in days (hours never touch a calendar).
          if (russia.deadlines[kind].unit !== 'hours')
            expect(fallback.uncoveredYears.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('can be a working day late only across a worked Saturday (RU 20 February 2027)', () => {
    // Received Thursday 11 Feb 2027: seven working days end on Saturday 20 Feb (worked, decree No. 1187);
    // weekends only, they end on Monday 22 Feb (the day off that Saturday was swapped with).
    const received = moscowNoon('2027-02-11');
    expect(dueDateOf('update-data', russia, received).dueDate).toBe('2027-02-20');
    expect(dueDateOf('update-data', { ...russia, calendar: {} }, received).dueDate).toBe('2027-02-22');
  });
});

import { describe, expect, it } from 'vitest';
import type { Jurisdiction } from '../../../../functions/domain/operators/operator-profile';
import {
  dueAt,
  dueDateOf,
  extendedDueAt,
  localDate,
  missingCalendarYears,
  nextLocalMidnight,
  reviewDueAt,
} from '../../../../functions/domain/requests/deadlines';

const deadline = (amount: number, unit: 'working-days' | 'calendar-days' | 'hours') => ({
  amount,
  unit,
  source: 'test',
});

const moscow: Jurisdiction = {
  id: 'RU-152FZ',
  name: 'Russia',
  timeZone: 'Europe/Moscow',
  country: 'RU',
  weekendDays: [6, 7],
  // A made-up 2026: a holiday on Wednesday 4 Nov, Saturday 7 Nov worked.
  calendar: { '2026': { holidays: ['11-04'], movedDaysOff: [], workingWeekends: ['11-07'] } },
  // These cases count calendar days as they fall; the Civil Code rule has its own cases below.
  termEndingOnDayOff: { rule: 'keep', source: 'test' },
  deadlines: {
    unsubscribe: deadline(0, 'hours'),
    'update-data': deadline(7, 'working-days'),
    'withdraw-consent': deadline(30, 'calendar-days'),
    access: deadline(10, 'working-days'),
    erasure: deadline(7, 'working-days'),
    restrict: deadline(3, 'working-days'),
    'stop-dissemination': deadline(3, 'working-days'),
  },
};

describe('dueAt', () => {
  it('makes an immediate duty due at the moment of receipt', () => {
    const received = new Date('2026-11-02T10:00:00Z');
    expect(dueAt('unsubscribe', moscow, received)).toEqual(received);
  });

  it('counts working days from the day after receipt and ends at 23:59:59 local time', () => {
    // Monday 2 Nov 2026, 10:00 Moscow. Three working days: Tue 3, Thu 5 (Wed 4 is a holiday), Fri 6.
    const due = dueAt('restrict', moscow, new Date('2026-11-02T07:00:00Z'));
    expect(due.toISOString()).toBe('2026-11-06T20:59:59.000Z');
  });

  it('counts a transferred working Saturday as a working day', () => {
    // Thursday 5 Nov: Fri 6, Sat 7 (transferred working day), Mon 9.
    const due = dueAt('stop-dissemination', moscow, new Date('2026-11-05T09:00:00Z'));
    expect(localDate(due, 'Europe/Moscow')).toBe('2026-11-09');
  });

  it('uses the local calendar day: a message at 23:30 Moscow time on Friday counts from Friday', () => {
    // 20:30 UTC on Friday 6 Nov is 23:30 in Moscow: three working days are Sat 7 (working), Mon 9, Tue 10.
    const due = dueAt('restrict', moscow, new Date('2026-11-06T20:30:00Z'));
    expect(localDate(due, 'Europe/Moscow')).toBe('2026-11-10');
  });

  it('uses the local calendar day past local midnight: 21:30 UTC on Thursday is Friday in Moscow', () => {
    // 21:30 UTC on Thursday 5 Nov is 00:30 on Friday 6 Nov in Moscow: the day of receipt is Friday, so
    // three working days are Sat 7 (working), Mon 9, Tue 10 — not Fri 6, Sat 7, Mon 9 (the UTC date's count).
    const received = new Date('2026-11-05T21:30:00Z');
    expect(dueAt('restrict', moscow, received).toISOString()).toBe('2026-11-10T20:59:59.000Z');
    // Calendar days count from the local day too: Friday 6 Nov + 30 days = Sunday 6 Dec, 23:59:59 Moscow.
    expect(dueAt('withdraw-consent', moscow, received).toISOString()).toBe('2026-12-06T20:59:59.000Z');
  });

  it('adds calendar days regardless of weekends and holidays', () => {
    const due = dueAt('withdraw-consent', moscow, new Date('2026-11-02T07:00:00Z'));
    expect(localDate(due, 'Europe/Moscow')).toBe('2026-12-02');
  });

  it('adds hours exactly', () => {
    const hourly: Jurisdiction = {
      ...moscow,
      deadlines: { ...moscow.deadlines, unsubscribe: deadline(48, 'hours') },
    };
    const due = dueAt('unsubscribe', hourly, new Date('2026-11-02T07:00:00Z'));
    expect(due.toISOString()).toBe('2026-11-04T07:00:00.000Z');
  });
});

describe('a term ending on a day off', () => {
  const civilCode: Jurisdiction = {
    ...moscow,
    termEndingOnDayOff: { rule: 'next-working-day', source: 'RU Civil Code art. 193' },
  };

  it('moves a calendar-day term that ends on a weekend to the next working day, saying why', () => {
    // Friday 6 Nov + 30 days = Sunday 6 Dec: the term ends on Monday 7 Dec.
    const due = dueDateOf('withdraw-consent', civilCode, new Date('2026-11-05T21:30:00Z'));
    expect(due.dueDate).toBe('2026-12-07');
    expect(due.dueAt.toISOString()).toBe('2026-12-07T20:59:59.000Z');
    expect(due.movedFrom).toBe('2026-12-06');
    expect(due.dayOffRule).toBe('RU Civil Code art. 193');
    expect(due.skipped).toEqual([{ date: '2026-12-06', why: 'weekend' }]);
  });

  it('moves over a holiday and the weekend after it, and never onto a worked Saturday’s neighbour wrongly', () => {
    // Monday 5 Oct + 30 = Wednesday 4 Nov (holiday): the next working day is Thursday 5 Nov.
    expect(dueDateOf('withdraw-consent', civilCode, new Date('2026-10-05T09:00:00Z')).dueDate).toBe(
      '2026-11-05',
    );
    // Thursday 8 Oct + 30 = Saturday 7 Nov, a worked Saturday: a working day, so it does not move.
    const onWorkedSaturday = dueDateOf('withdraw-consent', civilCode, new Date('2026-10-08T09:00:00Z'));
    expect(onWorkedSaturday.dueDate).toBe('2026-11-07');
    expect(onWorkedSaturday.movedFrom).toBeNull();
  });

  it('keeps the earlier date when the rule is "keep", naming the rule', () => {
    const due = dueDateOf('withdraw-consent', moscow, new Date('2026-11-05T21:30:00Z'));
    expect(due.dueDate).toBe('2026-12-06');
    expect(due.movedFrom).toBeNull();
    expect(due.dayOffRule).toBe('test');
  });

  it('never moves a term in hours', () => {
    const received = new Date('2026-11-06T20:00:00Z');
    const due = dueDateOf('unsubscribe', civilCode, received);
    expect(due.dueAt).toEqual(received);
    expect(due.skipped).toEqual([]);
  });
});

describe('the days passed over', () => {
  it('lists each weekend, holiday and moved day off skipped while counting working days', () => {
    const withMoved: Jurisdiction = {
      ...moscow,
      calendar: {
        '2026': { holidays: ['11-04'], movedDaysOff: ['11-05'], workingWeekends: [] },
      },
    };
    // Monday 2 Nov: Tue 3, (Wed 4 holiday, Thu 5 moved day off) Fri 6, (Sat 7, Sun 8) Mon 9.
    const due = dueDateOf('restrict', withMoved, new Date('2026-11-02T07:00:00Z'));
    expect(due.dueDate).toBe('2026-11-09');
    expect(due.skipped).toEqual([
      { date: '2026-11-04', why: 'holiday' },
      { date: '2026-11-05', why: 'moved-day-off' },
      { date: '2026-11-07', why: 'weekend' },
      { date: '2026-11-08', why: 'weekend' },
    ]);
    expect(due.term).toEqual(deadline(3, 'working-days'));
  });
});

describe('a year the calendar does not cover', () => {
  it('is counted with weekends only and named, so the caller can warn', () => {
    // Tuesday 29 Dec 2026: Wed 30, Thu 31, then 2027 (not in the calendar): Fri 1 Jan counts as working.
    const due = dueDateOf('restrict', moscow, new Date('2026-12-29T07:00:00Z'));
    expect(due.dueDate).toBe('2027-01-01');
    expect(due.uncoveredYears).toEqual([2027]);
  });

  it('is not reported for a term inside covered years, nor for a profile without a country', () => {
    expect(dueDateOf('restrict', moscow, new Date('2026-11-02T07:00:00Z')).uncoveredYears).toEqual([]);
    const generic: Jurisdiction = { ...moscow, country: undefined, calendar: {} };
    expect(dueDateOf('restrict', generic, new Date('2030-01-02T07:00:00Z')).uncoveredYears).toEqual([]);
    expect(missingCalendarYears(generic, [2030])).toEqual([]);
  });

  it('lists the years asked for that the calendar lacks', () => {
    expect(missingCalendarYears(moscow, [2026, 2027])).toEqual([2027]);
  });
});

describe('extendedDueAt', () => {
  const extensible: Jurisdiction = {
    ...moscow,
    deadlines: {
      ...moscow.deadlines,
      access: {
        ...deadline(10, 'working-days'),
        extension: { amount: 5, unit: 'working-days', source: 'ext' },
      },
    },
  };

  it('adds the extension in working days from the original due date', () => {
    // Due Friday 6 Nov 2026: five more working days are Sat 7 (worked), Mon 9 … Thu 12.
    const extended = extendedDueAt('access', extensible, new Date('2026-11-06T20:59:59.000Z'));
    expect(extended?.dueAt.toISOString()).toBe('2026-11-12T20:59:59.000Z');
    expect(extended?.source).toBe('ext');
  });

  it('is null for a kind the law does not let the operator extend', () => {
    expect(extendedDueAt('erasure', extensible, new Date('2026-11-06T20:59:59.000Z'))).toBeNull();
  });
});

describe('localDate', () => {
  it('is the date on the wall clock of the zone, not the UTC date', () => {
    expect(localDate(new Date('2026-11-05T20:59:59Z'), 'Europe/Moscow')).toBe('2026-11-05');
    expect(localDate(new Date('2026-11-05T21:30:00Z'), 'Europe/Moscow')).toBe('2026-11-06');
    // West of UTC the other way round: 02:00 UTC on 6 Nov is still 5 Nov in New York.
    expect(localDate(new Date('2026-11-06T02:00:00Z'), 'America/New_York')).toBe('2026-11-05');
  });
});

describe('nextLocalMidnight', () => {
  it('is the start of the next local day when local time is already past midnight but UTC is not', () => {
    // 00:30 on Friday 6 Nov in Moscow: the next local midnight is Saturday 7 Nov 00:00 (21:00 UTC on the 6th),
    // not Friday 00:00 (21:00 UTC on the 5th), which has already passed.
    const now = new Date('2026-11-05T21:30:00Z');
    const midnight = nextLocalMidnight(now, 'Europe/Moscow');
    expect(midnight.toISOString()).toBe('2026-11-06T21:00:00.000Z');
    expect(midnight.getTime()).toBeGreaterThan(now.getTime());
  });

  it('is the start of the next local day before local midnight', () => {
    expect(nextLocalMidnight(new Date('2026-11-05T20:30:00Z'), 'Europe/Moscow').toISOString()).toBe(
      '2026-11-05T21:00:00.000Z',
    );
  });
});

describe('reviewDueAt', () => {
  it('gives untagged mail the shortest day-based term, skipping the immediate duty', () => {
    // Monday 2 Nov, 10:00 Moscow. Unsubscribe (0 hours) cannot be met by staff triage and is skipped; the
    // shortest day-based terms are restrict and stop-dissemination, three working days: Friday 6 Nov.
    const due = reviewDueAt(moscow, new Date('2026-11-02T07:00:00Z'));
    expect(due.toISOString()).toBe('2026-11-06T20:59:59.000Z');
  });

  it('takes the shortest term whatever its unit and its place in the list', () => {
    // Two calendar days for withdraw-consent end on Wednesday 4 Nov (a holiday, calendar days ignore it),
    // before any working-day term.
    const shortCalendar: Jurisdiction = {
      ...moscow,
      deadlines: { ...moscow.deadlines, 'withdraw-consent': deadline(2, 'calendar-days') },
    };
    const due = reviewDueAt(shortCalendar, new Date('2026-11-02T07:00:00Z'));
    expect(due.toISOString()).toBe('2026-11-04T20:59:59.000Z');
  });

  it('counts from the local day of receipt past local midnight', () => {
    // 00:30 on Friday 6 Nov in Moscow: three working days are Sat 7 (working), Mon 9, Tue 10.
    const due = reviewDueAt(moscow, new Date('2026-11-05T21:30:00Z'));
    expect(due.toISOString()).toBe('2026-11-10T20:59:59.000Z');
  });

  it('is due at once when every term of the jurisdiction is immediate', () => {
    const immediate: Jurisdiction = {
      ...moscow,
      deadlines: Object.fromEntries(
        Object.keys(moscow.deadlines).map((kind) => [kind, deadline(0, 'hours')]),
      ) as Jurisdiction['deadlines'],
    };
    const received = new Date('2026-11-02T07:00:00Z');
    expect(reviewDueAt(immediate, received)).toEqual(received);
  });
});

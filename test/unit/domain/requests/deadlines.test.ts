import { describe, expect, it } from 'vitest';
import type { Jurisdiction } from '../../../../functions/domain/operators/operator-profile';
import {
  dueAt,
  localDate,
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
  weekendDays: [6, 7],
  holidays: ['2026-11-04'],
  workingWeekends: ['2026-11-07'],
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

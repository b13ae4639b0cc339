import { describe, expect, it } from 'vitest';
import type { Jurisdiction } from '../../../../functions/domain/operators/operator-profile';
import { dueAt, localDate } from '../../../../functions/domain/requests/deadlines';

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

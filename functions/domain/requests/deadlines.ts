/**
 * When a request is due, under the deployment's jurisdiction profile.
 *
 * Working days skip the profile's weekend days and holidays (and count its transferred working
 * weekends); days are counted in the jurisdiction's time zone, the day of receipt not included, and a
 * day-based deadline ends at 23:59:59 local time on its last day (how 152-FZ and KG No. 58 terms run).
 */
import type { Jurisdiction } from '../operators/operator-profile';
import { REQUEST_KINDS, type RequestKind } from './request-kinds';

const DAY_MS = 24 * 60 * 60 * 1000;

export function dueAt(kind: RequestKind, jurisdiction: Jurisdiction, receivedAt: Date): Date {
  const deadline = jurisdiction.deadlines[kind];
  if (deadline.unit === 'hours') return new Date(receivedAt.getTime() + deadline.amount * 60 * 60 * 1000);
  // An immediate day-based duty (0 days) is due at once, not at the end of the day.
  if (deadline.amount === 0) return receivedAt;

  let day = localDate(receivedAt, jurisdiction.timeZone);
  if (deadline.unit === 'calendar-days') {
    day = addDays(day, deadline.amount);
  } else {
    const holidays = new Set(jurisdiction.holidays);
    const workingWeekends = new Set(jurisdiction.workingWeekends);
    const weekend = new Set(jurisdiction.weekendDays);
    let remaining = deadline.amount;
    while (remaining > 0) {
      day = addDays(day, 1);
      if (isWorkingDay(day, weekend, holidays, workingWeekends)) remaining -= 1;
    }
  }
  return endOfLocalDay(day, jurisdiction.timeZone);
}

/** A calendar date as `YYYY-MM-DD`. */
type PlainDate = string;

function isWorkingDay(
  day: PlainDate,
  weekend: ReadonlySet<number>,
  holidays: ReadonlySet<string>,
  workingWeekends: ReadonlySet<string>,
): boolean {
  if (workingWeekends.has(day)) return true;
  if (holidays.has(day)) return false;
  const sundayFirst = new Date(`${day}T00:00:00Z`).getUTCDay();
  const isoWeekday = sundayFirst === 0 ? 7 : sundayFirst;
  return !weekend.has(isoWeekday);
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: Date, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts;
}

export function localDate(instant: Date, timeZone: string): PlainDate {
  const { year = 0, month = 1, day = 1 } = wallClock(instant, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function addDays(day: PlainDate, days: number): PlainDate {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Offset of the zone from UTC at an instant, in ms (Moscow: +3 h). */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = wallClock(instant, timeZone);
  return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(instant.getTime() / 1000) * 1000;
}

function endOfLocalDay(day: PlainDate, timeZone: string): Date {
  const wallTimeAsUtc = new Date(`${day}T23:59:59Z`).getTime();
  // Two passes settle the offset even when the zone changes it (DST) near that day.
  let instant = wallTimeAsUtc - zoneOffsetMs(new Date(wallTimeAsUtc), timeZone);
  instant = wallTimeAsUtc - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/**
 * Mail without a recognised tag may still be a request under the law; staff get the shortest term of
 * the jurisdiction that is not "at once" (days or hours) to triage it, so no legal deadline is missed
 * while it waits. An immediate duty (unsubscribe) cannot be met by a person reading mail.
 */
export function reviewDueAt(jurisdiction: Jurisdiction, receivedAt: Date): Date {
  const candidates = REQUEST_KINDS.filter((kind) => jurisdiction.deadlines[kind].amount > 0).map((kind) =>
    dueAt(kind, jurisdiction, receivedAt).getTime(),
  );
  return new Date(candidates.length > 0 ? Math.min(...candidates) : receivedAt.getTime());
}

/** The first instant of the next local day in the time zone: when a day's counters start afresh. */
export function nextLocalMidnight(now: Date, timeZone: string): Date {
  return new Date(endOfLocalDay(localDate(now, timeZone), timeZone).getTime() + 1000);
}

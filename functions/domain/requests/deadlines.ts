/**
 * When a request is due, under the deployment's jurisdiction profile: the one place that computes it.
 *
 * - Days are counted in the jurisdiction's time zone, the day of receipt not included, and a day-based
 *   term ends at 23:59:59 local time on its last day (how 152-FZ and KG No. 58 terms run).
 * - Working days skip the weekend days, the public holidays and the days off moved by decree, and count
 *   the weekends a decree made working days, from the country's official calendar (config/calendars).
 * - A term in calendar days whose last day is a day off moves to the next working day: RU Civil Code
 *   art. 193 (and the KG Civil Code's equivalent) says so, so the subject cannot claim the earlier date.
 *   A stricter operator may keep the earlier date (operator profile `dueDateOnDayOff: "keep"`).
 *   A term in working days always ends on a working day; a term in hours (0: "immediately") never moves.
 * - A year the calendar does not cover is counted with weekends only. Holidays can only push a due date
 *   later, so leaving them out makes it earlier: an early date, not a missed deadline.
 *   The one exception is a weekend a decree makes a working day (RU Saturday 20 February 2027): a term
 *   that ends between it and the weekday off it is paired with can come out one working day later. The result names the uncovered years, so callers warn and alarm. A year whose
 *   file lists gaps (a feast not yet dated) is counted with the days it knows and reported the same way.
 */
import type { Deadline, Jurisdiction } from '../operators/operator-profile';
import { REQUEST_KINDS, type RequestKind } from './request-kinds';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Why a day was passed over while counting. */
export type DayOffReason = 'weekend' | 'holiday' | 'moved-day-off';

export interface SkippedDay {
  readonly date: PlainDate;
  readonly why: DayOffReason;
}

/** A due date and how it was reached: what ops and the `deadline` command show. */
export interface DueDate {
  readonly dueAt: Date;
  /** The local day it falls on (`YYYY-MM-DD`, in the jurisdiction's zone). */
  readonly dueDate: PlainDate;
  readonly term: Pick<Deadline, 'amount' | 'unit' | 'source'>;
  /** Days off passed over while counting working days, or that the end moved over. */
  readonly skipped: readonly SkippedDay[];
  /** A calendar-day term that ended on a day off: the day it ended on, before moving (null otherwise). */
  readonly movedFrom: PlainDate | null;
  /** The rule that moved (or kept) it, when the term ended on a day off. */
  readonly dayOffRule: string | null;
  /** Years counted with weekends only, for want of the official calendar: warn and alarm. */
  readonly uncoveredYears: readonly number[];
}

export function dueAt(kind: RequestKind, jurisdiction: Jurisdiction, receivedAt: Date): Date {
  return dueDateOf(kind, jurisdiction, receivedAt).dueAt;
}

export function dueDateOf(kind: RequestKind, jurisdiction: Jurisdiction, receivedAt: Date): DueDate {
  const deadline = jurisdiction.deadlines[kind];
  return countTerm(deadline, jurisdiction, receivedAt, { fromInstant: true });
}

/**
 * The due date after the law's one extension (RU access: 5 more working days, with a reasoned notice),
 * counted from the original due date's local day; null when the law allows none for the kind.
 */
export function extendedDueAt(
  kind: RequestKind,
  jurisdiction: Jurisdiction,
  originalDueAt: Date,
): { readonly dueAt: Date; readonly source: string; readonly due: DueDate } | null {
  const extension = jurisdiction.deadlines[kind].extension;
  if (!extension) return null;
  const due = countTerm(extension, jurisdiction, originalDueAt, { fromInstant: false });
  return { dueAt: due.dueAt, source: extension.source, due };
}

function countTerm(
  term: Pick<Deadline, 'amount' | 'unit' | 'source'>,
  jurisdiction: Jurisdiction,
  from: Date,
  options: { readonly fromInstant: boolean },
): DueDate {
  const days = new WorkingDays(jurisdiction);
  const unchanged = { term, skipped: [], movedFrom: null, dayOffRule: null, uncoveredYears: [] };
  if (term.unit === 'hours' || (term.amount === 0 && options.fromInstant)) {
    // An immediate duty (0) is due at once, not at the end of the day; hours run by the clock.
    const at = new Date(from.getTime() + term.amount * HOUR_MS);
    return { ...unchanged, dueAt: at, dueDate: localDate(at, jurisdiction.timeZone) };
  }

  let day = localDate(from, jurisdiction.timeZone);
  const skipped: SkippedDay[] = [];
  let movedFrom: PlainDate | null = null;
  let dayOffRule: string | null = null;
  if (term.unit === 'calendar-days') {
    day = addDays(day, term.amount);
    const endsOn = days.dayOff(day);
    if (endsOn) {
      dayOffRule = jurisdiction.termEndingOnDayOff.source;
      if (jurisdiction.termEndingOnDayOff.rule === 'next-working-day') {
        movedFrom = day;
        skipped.push({ date: day, why: endsOn });
        for (;;) {
          day = addDays(day, 1);
          const why = days.dayOff(day);
          if (!why) break;
          skipped.push({ date: day, why });
        }
      }
    }
  } else {
    let remaining = term.amount;
    while (remaining > 0) {
      day = addDays(day, 1);
      const why = days.dayOff(day);
      if (why) skipped.push({ date: day, why });
      else remaining -= 1;
    }
  }
  return {
    dueAt: endOfLocalDay(day, jurisdiction.timeZone),
    dueDate: day,
    term,
    skipped,
    movedFrom,
    dayOffRule,
    uncoveredYears: days.uncoveredYears(),
  };
}

/** A country's days off, read from the jurisdiction's calendar; remembers the years it lacked. */
export class WorkingDays {
  private readonly weekend: ReadonlySet<number>;
  private readonly uncovered = new Set<number>();

  constructor(private readonly jurisdiction: Jurisdiction) {
    this.weekend = new Set(jurisdiction.weekendDays);
  }

  /** Why the day is off, or null for a working day. */
  dayOff(day: PlainDate): DayOffReason | null {
    const year = day.slice(0, 4);
    const monthDay = day.slice(5);
    const calendar = this.jurisdiction.calendar[year];
    if (calendar?.incomplete) this.uncovered.add(Number(year));
    if (calendar) {
      if (calendar.workingWeekends.includes(monthDay)) return null;
      if (calendar.holidays.includes(monthDay)) return 'holiday';
      if (calendar.movedDaysOff.includes(monthDay)) return 'moved-day-off';
    } else if (this.jurisdiction.country !== undefined) {
      this.uncovered.add(Number(year));
    }
    return this.weekend.has(isoWeekday(day)) ? 'weekend' : null;
  }

  uncoveredYears(): number[] {
    return [...this.uncovered].sort((a, b) => a - b);
  }
}

/**
 * Which of the years the calendar lacks, or has with days still unverified (`incomplete`); a profile
 * with no country lacks none (weekends are its only days off by design).
 */
export function missingCalendarYears(jurisdiction: Jurisdiction, years: readonly number[]): number[] {
  if (jurisdiction.country === undefined) return [];
  return years.filter((year) => {
    const calendar = jurisdiction.calendar[String(year)];
    return calendar === undefined || calendar.incomplete === true;
  });
}

/** The local years from one instant to another (both included): the years a term was counted over. */
export function yearsSpanned(from: Date, to: Date, timeZone: string): number[] {
  const first = Number(localDate(from, timeZone).slice(0, 4));
  const last = Number(localDate(to, timeZone).slice(0, 4));
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);
}

function isoWeekday(day: PlainDate): number {
  const sundayFirst = new Date(`${day}T00:00:00Z`).getUTCDay();
  return sundayFirst === 0 ? 7 : sundayFirst;
}

/** A calendar date as `YYYY-MM-DD`. */
export type PlainDate = string;

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

/** `2026-12-04 23:59`: the wall-clock time in the zone, to the minute (what ops and the DPO read). */
export function localDateTime(instant: Date, timeZone: string): string {
  const { hour = 0, minute = 0 } = wallClock(instant, timeZone);
  return `${localDate(instant, timeZone)} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

export function localDate(instant: Date, timeZone: string): PlainDate {
  const { year = 0, month = 1, day = 1 } = wallClock(instant, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addDays(day: PlainDate, days: number): PlainDate {
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

/** The first instant of a local day in the time zone (the register export's periods start there). */
export function startOfLocalDay(day: PlainDate, timeZone: string): Date {
  return new Date(endOfLocalDay(addDays(day, -1), timeZone).getTime() + 1000);
}

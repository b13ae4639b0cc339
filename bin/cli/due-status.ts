/**
 * How a due date stands today, in the jurisdiction's working days (its official calendar, as the due
 * dates themselves are counted in functions/domain/requests/deadlines.ts): "overdue by 3 days", "due in
 * 2 working days", and where `--due-within N` working days ends.
 */
import type { Jurisdiction } from '../../functions/domain/operators/operator-profile';
import {
  addDays,
  localDate,
  nextLocalMidnight,
  type PlainDate,
  WorkingDays,
} from '../../functions/domain/requests/deadlines';

/** `--due-within` counts at most a year of working days. */
export const MAX_DUE_WITHIN = 260;

export interface DueStanding {
  /** Whole days since the due date's local day; 0 when it passed today (an immediate duty). */
  readonly overdueDays: number | null;
  /** Working days from tomorrow to the due date's day, both counted in; 0 when due today. */
  readonly workingDaysLeft: number | null;
  readonly text: string;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function daysBetween(from: PlainDate, to: PlainDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Counts working days; remembers the years it had no official calendar for (to warn). */
export class DueCounter {
  private readonly days: WorkingDays;

  constructor(private readonly jurisdiction: Jurisdiction) {
    this.days = new WorkingDays(jurisdiction);
  }

  standing(dueAt: string | null, now: Date): DueStanding {
    if (!dueAt) return { overdueDays: null, workingDaysLeft: null, text: 'no due date' };
    const zone = this.jurisdiction.timeZone;
    const today = localDate(now, zone);
    const dueDay = localDate(new Date(dueAt), zone);
    if (Date.parse(dueAt) < now.getTime()) {
      const days = Math.max(0, daysBetween(dueDay, today));
      return {
        overdueDays: days,
        workingDaysLeft: null,
        text: days === 0 ? 'overdue (today)' : `overdue by ${plural(days, 'day')}`,
      };
    }
    let left = 0;
    for (let day = addDays(today, 1); day <= dueDay; day = addDays(day, 1)) {
      if (!this.days.dayOff(day)) left += 1;
    }
    return {
      overdueDays: null,
      workingDaysLeft: left,
      text: dueDay === today ? 'due today' : `due in ${plural(left, 'working day')}`,
    };
  }

  /**
   * The first instant after the N-th working day from today (N = 0: after today): requests due before
   * it are due within N working days.
   */
  dueWithinEnd(workingDays: number, now: Date): Date {
    const zone = this.jurisdiction.timeZone;
    let instant = now;
    for (let counted = 0; counted < workingDays; ) {
      instant = nextLocalMidnight(instant, zone);
      if (!this.days.dayOff(localDate(instant, zone))) counted += 1;
    }
    return nextLocalMidnight(instant, zone);
  }

  /** Years counted without a complete official calendar (none: weekends only; one with gaps: the days it knows). */
  uncoveredYears(): number[] {
    return this.days.uncoveredYears();
  }
}

/** A warning line for years counted without their official calendar, or null. */
export function uncoveredWarning(jurisdiction: Jurisdiction, years: readonly number[]): string | null {
  if (years.length === 0) return null;
  return (
    `warning: no complete official calendar of ${jurisdiction.country ?? jurisdiction.id} for ${years.join(', ')} ` +
    `(config/calendars): working days there are counted without the days the calendar lacks, so a date may be early; ` +
    `see makul calendar check`
  );
}

/**
 * `makul deadline --jurisdiction RU|KG|ID --kind KIND --received YYYY-MM-DD`: when a request is due, and
 * why, computed by the functions' own arithmetic (functions/domain/requests/deadlines.ts) on makul's
 * jurisdiction profiles and official calendars (config/): the statute, the term, every day passed over
 * with its name from the calendar file, the Civil Code move of a term ending on a day off, and a
 * warning when a year has no complete official calendar. Reads files only: no AWS, no local stack.
 */
import type { Jurisdiction } from '../../functions/domain/operators/operator-profile';
import { type DueDate, dueDateOf, type SkippedDay } from '../../functions/domain/requests/deadlines';
import { REQUEST_KINDS, type RequestKind } from '../../functions/domain/requests/request-kinds';
import {
  type CalendarFile,
  loadCalendarFiles,
  loadJurisdictions,
} from '../../functions/shared/jurisdiction-files';
import { type CliCommand, type GlobalOptions, UsageError } from './command';
import { zonedMinute } from './ops-text';

const USAGE = 'makul deadline --jurisdiction RU|KG|ID --kind KIND --received YYYY-MM-DD';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The profile a person means: its id, or the one profile of a country (RU, KG). */
export function chooseJurisdiction(wanted: string, jurisdictions: readonly Jurisdiction[]): Jurisdiction {
  const known = jurisdictions.map((jurisdiction) => jurisdiction.id).join(', ');
  const byId = jurisdictions.find((jurisdiction) => jurisdiction.id.toLowerCase() === wanted.toLowerCase());
  if (byId) return byId;
  const ofCountry = jurisdictions.filter((jurisdiction) => jurisdiction.country === wanted.toUpperCase());
  if (ofCountry.length === 1 && ofCountry[0]) return ofCountry[0];
  if (ofCountry.length > 1)
    throw new UsageError(
      `several profiles for ${wanted.toUpperCase()} (${ofCountry.map((j) => j.id).join(', ')}): name one`,
    );
  throw new UsageError(`no jurisdiction "${wanted}": name a country (RU, KG) or a profile (${known})`);
}

/** The instant a day's request is taken as received: noon in the jurisdiction's zone (any hour counts the same). */
function receivedInstant(received: string, timeZone: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(received)) {
    const noonUtc = Date.parse(`${received}T12:00:00Z`);
    if (Number.isNaN(noonUtc) || new Date(noonUtc).toISOString().slice(0, 10) !== received)
      throw new UsageError(`--received ${received} is not a date`);
    // The zone's offset at that moment, read back from its wall clock (one pass: noon is far from DST moves).
    const wall = zonedMinute(new Date(noonUtc).toISOString(), timeZone);
    const offset = Date.parse(`${wall.replace(' ', 'T')}:00Z`) - noonUtc;
    return new Date(noonUtc - offset);
  }
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(received)
    ? new Date(received)
    : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--received takes YYYY-MM-DD (or an ISO time with its offset), got "${received}"`);
  return at;
}

/** Names of a country's days off, by date, from its calendar files. */
function dayNames(files: readonly CalendarFile[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of files) {
    for (const day of [...file.holidays, ...file.movedDaysOff]) names.set(day.date, day.name);
  }
  return names;
}

function skippedName(day: SkippedDay, names: ReadonlyMap<string, string>): string {
  if (day.why === 'weekend') return WEEKDAYS[new Date(`${day.date}T00:00:00Z`).getUTCDay()] ?? 'weekend';
  return names.get(day.date) ?? (day.why === 'holiday' ? 'public holiday' : 'day off moved by decree');
}

/** One warning per year counted without a complete official calendar. */
function calendarWarnings(
  jurisdiction: Jurisdiction,
  due: DueDate,
  files: readonly CalendarFile[],
): string[] {
  return due.uncoveredYears.map((year) => {
    const file = files.find((candidate) => candidate.year === year);
    const where = `config/calendars/${jurisdiction.country}/${year}.json`;
    return file
      ? `warning: ${where} is incomplete (${file.gaps.length} day${file.gaps.length === 1 ? '' : 's'} not verified: makul calendar check lists them): the date may be early`
      : `warning: no official calendar of ${jurisdiction.country} for ${year} (${where}): counted with weekends only, so the date may be early`;
  });
}

function termText(due: DueDate): string {
  const { amount, unit } = due.term;
  if (amount === 0) return 'immediately, on receipt';
  const units = unit === 'working-days' ? 'working day' : unit === 'calendar-days' ? 'calendar day' : 'hour';
  return `${amount} ${units}${amount === 1 ? '' : 's'}${unit === 'hours' ? ' from receipt' : ', the day of receipt not counted'}`;
}

function refuseNonLocalOptions(global: GlobalOptions): void {
  if (global.local || global.dataDir || global.requestsTable || global.subjectsTable || global.hmacSecretArn)
    throw new UsageError(
      'deadline reads makul’s config files only: --local and the AWS options do not apply',
    );
}

export const deadlineCommand: CliCommand = {
  name: 'deadline',
  synopsis: `${USAGE} [--json]`,
  help: `Says when a request is due, and why, with no AWS service or local stack: the due date counted
as makul counts it, the statute, the term, every day passed over with its name from the official
calendar (config/calendars), and, for a term in calendar days that ends on a day off, the Civil
Code rule that moves it to the next working day (RU art. 193, KG art. 209). Warns (stderr) when a
year has no complete official calendar: it is then counted with weekends only (an incomplete one with
the days it knows).

  --jurisdiction RU|KG|ID  a country (its one profile) or a profile id (${'RU-152FZ, KG-58, GENERIC'})
  --kind KIND              ${REQUEST_KINDS.join(', ')}
  --received YYYY-MM-DD    the day the request was received (or an ISO time with its offset)
  --json                   one JSON document: {due: "YYYY-MM-DD", dueAt, jurisdiction, kind,
                           receivedAt, timeZone, statute, term, skipped: [{date, why, name}],
                           movedFrom, dayOffRule, uncoveredYears, warnings}

Exit codes: 0 computed, 2 usage.`,
  options: {
    jurisdiction: { type: 'string' },
    kind: { type: 'string' },
    received: { type: 'string' },
  },
  async run({ positionals, options, global, output }) {
    if (positionals.length > 0)
      throw new UsageError(`deadline takes no arguments (got ${positionals.join(' ')})`);
    refuseNonLocalOptions(global);
    const { jurisdiction: wanted, kind: kindText, received } = options;
    if (typeof wanted !== 'string' || typeof kindText !== 'string' || typeof received !== 'string')
      throw new UsageError('give --jurisdiction, --kind and --received');
    const kind = REQUEST_KINDS.find((candidate) => candidate === kindText) as RequestKind | undefined;
    if (kind === undefined)
      throw new UsageError(`no kind "${kindText}": the kinds are ${REQUEST_KINDS.join(', ')}`);
    const jurisdiction = chooseJurisdiction(wanted, loadJurisdictions());
    const receivedAt = receivedInstant(received, jurisdiction.timeZone);
    const due = dueDateOf(kind, jurisdiction, receivedAt);
    const files = jurisdiction.country ? (loadCalendarFiles().get(jurisdiction.country) ?? []) : [];
    const names = dayNames(files);
    const skipped = due.skipped.map((day) => ({
      date: day.date,
      why: day.why,
      name: skippedName(day, names),
    }));
    const warnings = calendarWarnings(jurisdiction, due, files);
    for (const warning of warnings) output.err(`${warning}\n`);
    const zone = jurisdiction.timeZone;

    if (global.json) {
      const document = {
        due: due.dueDate,
        dueAt: due.dueAt.toISOString(),
        jurisdiction: jurisdiction.id,
        country: jurisdiction.country ?? null,
        kind,
        receivedAt: receivedAt.toISOString(),
        timeZone: zone,
        statute: due.term.source,
        term: { amount: due.term.amount, unit: due.term.unit },
        skipped,
        movedFrom: due.movedFrom,
        dayOffRule: due.dayOffRule,
        uncoveredYears: due.uncoveredYears,
        warnings,
      };
      output.out(`${JSON.stringify(document, null, 2)}\n`);
      return 0;
    }
    const byClock = due.term.unit === 'hours' || due.term.amount === 0;
    const lines = [
      `${jurisdiction.id}, ${kind}, received ${zonedMinute(receivedAt.toISOString(), zone).slice(0, byClock ? 16 : 10)} (${zone})`,
      byClock
        ? `Due: ${zonedMinute(due.dueAt.toISOString(), zone)}${due.term.amount === 0 ? ' (at once)' : ''}`
        : `Due: ${due.dueDate} (end of the day, ${zone})`,
      `  statute  ${due.term.source}`,
      `  term     ${termText(due)}`,
    ];
    if (due.movedFrom)
      lines.push(
        `  moved    the term ended on ${due.movedFrom}, a day off; moved to the next working day by ${due.dayOffRule}`,
      );
    else if (due.dayOffRule)
      lines.push(`  day off  the term ends on a day off, and the date is kept: ${due.dayOffRule}`);
    if (skipped.length > 0) {
      lines.push(
        ...skipped.map((day, index) => `  ${index === 0 ? 'skipped' : '       '}  ${day.date} ${day.name}`),
      );
    }
    const yearsCounted = [zonedMinute(receivedAt.toISOString(), zone).slice(0, 4), due.dueDate.slice(0, 4)];
    const usedYears = byClock ? [] : files.filter((file) => yearsCounted.includes(String(file.year)));
    if (usedYears.length > 0)
      lines.push(...usedYears.map((file) => `  calendar ${file.country} ${file.year}: ${file.source}`));
    output.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

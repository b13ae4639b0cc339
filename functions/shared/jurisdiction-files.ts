/**
 * makul's own legal data, kept as files so a lawyer can read and a new year can be added without code:
 *
 *   config/jurisdictions/<ID>.json          a jurisdiction profile: deadlines per kind, with statutes
 *   config/calendars/<COUNTRY>/<YEAR>.json  one year of a country's official working-day calendar
 *
 * Read at synth time, by the local stack and by the CLI (never by a function: the functions get the
 * calendar inside their sealed profile). A bad file fails with its path and the field at fault.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import {
  type CalendarYear,
  type Jurisdiction,
  jurisdictionSchema,
} from '../domain/operators/operator-profile';
import { describeSchemaErrors } from './schema-errors';

/** The project's config folder: makul's legal data ships with the code that reads it. */
export const CONFIG_FOLDER = fileURLToPath(new URL('../../config/', import.meta.url));

const isoDate = z.iso.date();
const nonEmpty = z.string().check(z.minLength(1));
const namedDay = z.strictObject({ date: isoDate, name: nonEmpty });

export const calendarFileSchema = z.strictObject({
  country: z.string().check(z.regex(/^[A-Z]{2}$/, 'a two-letter country code')),
  year: z.int().check(z.minimum(2000), z.maximum(2100)),
  /** The decree or law, named precisely. */
  source: nonEmpty,
  /** Where the source was read. */
  sourceUrls: z.array(z.url()).check(z.minLength(1)),
  /** When someone last checked the file against its source (YYYY-MM-DD). */
  checked: isoDate,
  holidays: z.array(namedDay),
  movedDaysOff: z._default(z.array(z.strictObject({ date: isoDate, from: isoDate, name: nonEmpty })), []),
  workingWeekends: z._default(z.array(namedDay), []),
  /**
   * What could not be verified yet (e.g. a movable feast's date): the year is used for what it knows,
   * and warned and alarmed about like a missing year until this is empty and the list complete.
   */
  gaps: z._default(z.array(nonEmpty), []),
});
export type CalendarFile = z.infer<typeof calendarFileSchema>;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function parsed<T>(schema: z.ZodMiniType<T>, data: unknown, path: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error(`${path} is not valid:\n${describeSchemaErrors(result.error)}`);
  return result.data;
}

function jsonFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/** Checks what the schema cannot: the file is where its content says, its days are of its year and kind. */
function checkCalendar(file: CalendarFile, path: string, country: string, year: string): void {
  const problems: string[] = [];
  if (file.country !== country) problems.push(`country is ${file.country}, but the folder is ${country}`);
  if (String(file.year) !== year) problems.push(`year is ${file.year}, but the file is ${year}.json`);
  const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
  const lists = {
    holidays: file.holidays,
    movedDaysOff: file.movedDaysOff,
    workingWeekends: file.workingWeekends,
  };
  for (const [list, days] of Object.entries(lists)) {
    days.forEach((day, index) => {
      if (!day.date.startsWith(`${year}-`)) problems.push(`${list}[${index}]: ${day.date} is not in ${year}`);
      const previous = days[index - 1];
      if (previous && previous.date >= day.date)
        problems.push(`${list}[${index}]: dates must ascend, once each`);
    });
  }
  for (const [index, day] of file.workingWeekends.entries()) {
    if (weekday(day.date) !== 0 && weekday(day.date) !== 6)
      problems.push(`workingWeekends[${index}]: ${day.date} is not a Saturday or Sunday`);
  }
  for (const [index, day] of file.movedDaysOff.entries()) {
    if (weekday(day.date) === 0 || weekday(day.date) === 6)
      problems.push(`movedDaysOff[${index}]: ${day.date} is a weekend day already`);
  }
  if (problems.length > 0) throw new Error(`${path} is not valid:\n  ${problems.join('\n  ')}`);
}

/** Every calendar file, by country, each year once (sorted). */
export function loadCalendarFiles(configFolder: string = CONFIG_FOLDER): Map<string, CalendarFile[]> {
  const calendars = new Map<string, CalendarFile[]>();
  const root = join(configFolder, 'calendars');
  if (!existsSync(root)) return calendars;
  for (const country of readdirSync(root).sort()) {
    if (!/^[A-Z]{2}$/.test(country)) continue;
    const years: CalendarFile[] = [];
    for (const name of jsonFiles(join(root, country))) {
      const path = join(root, country, name);
      const year = name.replace(/\.json$/, '');
      if (!/^\d{4}$/.test(year))
        throw new Error(`${path}: a calendar file is named for its year (2026.json)`);
      const file = parsed(calendarFileSchema, readJson(path), path);
      checkCalendar(file, path, country, year);
      years.push(file);
    }
    calendars.set(country, years);
  }
  return calendars;
}

const monthDayOf = (day: { readonly date: string }) => day.date.slice(5);

/** A calendar file as a function carries it: dates only (see calendarYearSchema). */
export function calendarYearOf(file: CalendarFile): CalendarYear {
  return {
    holidays: file.holidays.map(monthDayOf),
    movedDaysOff: file.movedDaysOff.map(monthDayOf),
    workingWeekends: file.workingWeekends.map(monthDayOf),
    ...(file.gaps.length > 0 ? { incomplete: true } : {}),
  };
}

/**
 * makul's jurisdiction profiles, each with its country's calendar years attached. A profile file that
 * carries its own `calendar` keeps it (years from the files are added where it has none).
 */
export function loadJurisdictions(configFolder: string = CONFIG_FOLDER): Jurisdiction[] {
  const calendars = loadCalendarFiles(configFolder);
  const folder = join(configFolder, 'jurisdictions');
  return jsonFiles(folder).map((name) => {
    const path = join(folder, name);
    const jurisdiction = parsed(jurisdictionSchema, readJson(path), path);
    if (`${jurisdiction.id}.json` !== name)
      throw new Error(`${path}: the file is named for its id (${jurisdiction.id}.json)`);
    return withCalendar(jurisdiction, calendars);
  });
}

/** The jurisdiction with its country's calendar years from the files (its own years win). */
export function withCalendar(
  jurisdiction: Jurisdiction,
  calendars: ReadonlyMap<string, readonly CalendarFile[]>,
): Jurisdiction {
  if (jurisdiction.country === undefined) return jurisdiction;
  const fromFiles = Object.fromEntries(
    (calendars.get(jurisdiction.country) ?? []).map((file) => [String(file.year), calendarYearOf(file)]),
  );
  return { ...jurisdiction, calendar: { ...fromFiles, ...jurisdiction.calendar } };
}

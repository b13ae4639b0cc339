/**
 * `makul calendar check`: which years of each country's official working-day calendar makul has
 * (config/calendars), and whether the current and the next year are there, complete, for every country
 * a jurisdiction profile uses. A missing year is counted with weekends only, an incomplete one with the days it knows (deadlines.ts),
 * which can make a due date early: this is the check to run (and alarm on) before that happens.
 */

import { existsSync } from 'node:fs';
import type { Jurisdiction } from '../../functions/domain/operators/operator-profile';
import {
  type CalendarFile,
  loadCalendarFiles,
  loadJurisdictions,
} from '../../functions/shared/jurisdiction-files';
import { DEFAULT_OPERATORS_FILE, loadOperatorProfiles } from '../../functions/shared/operators-file';
import { type CliCommand, type GlobalOptions, UsageError } from './command';
import { clockOf } from './ops-text';

export interface CountryCalendars {
  readonly country: string;
  /** The jurisdiction profiles that count days on it. */
  readonly usedBy: readonly string[];
  readonly years: readonly {
    readonly year: number;
    readonly complete: boolean;
    readonly gaps: readonly string[];
    readonly source: string;
    readonly checked: string;
  }[];
  /** Of the years required (this and next), those with no file, and those with gaps. */
  readonly missing: readonly number[];
  readonly incomplete: readonly number[];
  readonly ok: boolean;
}

/** makul's profiles, and the operators file's own when there is one (they may add countries). */
function jurisdictionsInUse(global: GlobalOptions): Jurisdiction[] {
  const all = new Map(loadJurisdictions().map((jurisdiction) => [jurisdiction.id, jurisdiction]));
  const path = global.config ?? DEFAULT_OPERATORS_FILE;
  if (global.config !== undefined && !existsSync(path))
    throw new UsageError(`operators file not found: ${path}`);
  if (existsSync(path)) {
    try {
      for (const profile of loadOperatorProfiles(path))
        all.set(profile.jurisdiction.id, profile.jurisdiction);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return [...all.values()];
}

export function checkCalendars(
  jurisdictions: readonly Jurisdiction[],
  calendars: ReadonlyMap<string, readonly CalendarFile[]>,
  requiredYears: readonly number[],
): CountryCalendars[] {
  const countries = new Set([
    ...jurisdictions.flatMap((jurisdiction) => (jurisdiction.country ? [jurisdiction.country] : [])),
    ...calendars.keys(),
  ]);
  return [...countries].sort().map((country) => {
    const usedBy = jurisdictions.filter((j) => j.country === country).map((j) => j.id);
    const files = calendars.get(country) ?? [];
    const years = files.map((file) => ({
      year: file.year,
      complete: file.gaps.length === 0,
      gaps: file.gaps,
      source: file.source,
      checked: file.checked,
    }));
    const missing = requiredYears.filter((year) => !years.some((file) => file.year === year));
    const incomplete = requiredYears.filter((year) =>
      years.some((file) => file.year === year && !file.complete),
    );
    // A country no profile uses is listed, never a failure.
    const ok = usedBy.length === 0 || (missing.length === 0 && incomplete.length === 0);
    return { country, usedBy, years, missing, incomplete, ok };
  });
}

export const calendarCheckCommand: CliCommand = {
  name: 'calendar check',
  synopsis: 'makul calendar check [--json]',
  help: `Lists the years of each country's official working-day calendar that makul has
(config/calendars/<COUNTRY>/<YEAR>.json; config/calendars/README.md says how to add one), marks the
incomplete ones with their gaps, and checks that the current and the next year are there, complete,
for every country a jurisdiction profile uses (makul's, and the operators file's). A year without
its calendar is counted with weekends only (an incomplete one with the days it knows), which can make a due date early.

  --json  one JSON document: {today, requiredYears, ok, countries: [{country, usedBy, years:
          [{year, complete, gaps, source, checked}], missing, incomplete, ok}]}

Exit codes: 0 every country in use has this year and next, complete; 1 one has not; 2 usage.`,
  options: {
    // Hidden: the clock, for tests.
    today: { type: 'string' },
  },
  async run({ positionals, options, global, output }) {
    if (positionals.length > 0)
      throw new UsageError(`calendar check takes no arguments (got ${positionals.join(' ')})`);
    if (
      global.local ||
      global.dataDir ||
      global.requestsTable ||
      global.subjectsTable ||
      global.hmacSecretArn
    )
      throw new UsageError(
        'calendar check reads makul’s config files only: --local and the AWS options do not apply',
      );
    const today = clockOf(options.today, '--today');
    const thisYear = today.getUTCFullYear();
    const requiredYears = [thisYear, thisYear + 1];
    const countries = checkCalendars(jurisdictionsInUse(global), loadCalendarFiles(), requiredYears);
    const ok = countries.every((country) => country.ok);

    if (global.json) {
      const document = { today: today.toISOString().slice(0, 10), requiredYears, ok, countries };
      output.out(`${JSON.stringify(document, null, 2)}\n`);
      return ok ? 0 : 1;
    }
    const lines = countries.map((country) => {
      const years =
        country.years.length === 0
          ? 'no years'
          : country.years
              .map((year) => (year.complete ? String(year.year) : `${year.year} (incomplete)`))
              .join(', ');
      const gaps = country.years.flatMap((year) =>
        year.gaps.map((gap) => `\n      gap in ${year.year}: ${gap}`),
      );
      const problems = [
        country.missing.length > 0 ? `MISSING ${country.missing.join(', ')}` : '',
        country.incomplete.length > 0 ? `INCOMPLETE ${country.incomplete.join(', ')}` : '',
      ].filter(Boolean);
      const usedBy = `used by ${country.usedBy.join(', ')}`;
      const verdict =
        country.usedBy.length === 0
          ? 'not used by any profile'
          : country.ok
            ? `ok (${usedBy})`
            : `${problems.join(', ')} (${usedBy})`;
      return `  ${country.country}  ${years}${gaps.join('')}\n      ${verdict}`;
    });
    const verdict = ok
      ? `Every country in use has ${requiredYears.join(' and ')}.`
      : `Missing or incomplete: until added (config/calendars/README.md), missing years are counted with weekends only and incomplete ones with the days they know, which can make a due date early.`;
    output.out(
      `Working-day calendars (config/calendars), required: ${requiredYears.join(' and ')}\n${lines.join('\n')}\n\n${verdict}\n`,
    );
    return ok ? 0 : 1;
  },
};

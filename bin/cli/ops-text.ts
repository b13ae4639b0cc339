/**
 * What the ops commands share in what they read from a person and print: request ids, the texts ops
 * write into the register (and into the subject's mail), tables, and times in the jurisdiction's zone.
 */
import { localDateTime } from '../../functions/domain/requests/deadlines';
import type { AuditDetail } from '../../functions/domain/requests/registered-request';
import { UsageError } from './command';

/** A request id as makul writes it (MK- and letters or digits); anything else is a typo. */
export const REQUEST_ID = /^MK-[A-Z0-9]{4,32}$/;

/** The one request id a command takes, checked. */
export function requestIdOf(positionals: readonly string[], usage: string): string {
  const [requestId, ...rest] = positionals;
  if (requestId === undefined || rest.length > 0) throw new UsageError(`usage: ${usage}`);
  if (!REQUEST_ID.test(requestId))
    throw new UsageError(`not a request id: ${requestId} (they look like MK-…)`);
  return requestId;
}

/** A reason or note is a sentence or two; the subject's notice quotes a reason whole. */
export const MAX_OPS_TEXT_CHARS = 300;
/**
 * Seven digits or more, single spaces, dots, dashes or brackets between them allowed: a phone, passport
 * or account number. A date (2026-12-10) is not one: dates are taken out before the check.
 */
const LONG_DIGIT_RUN = /\d(?:[ .()-]?\d){6,}/;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;

/**
 * A reason or note ops write, checked: it is stored as written (and a reason is mailed to the subject
 * as written), so what looks like personal data (an address, a long number) is refused, as a usage
 * mistake. Empty text is null.
 */
export function opsText(value: string | boolean | undefined, option: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new UsageError(`${option} takes a text`);
  const text = value.trim().replace(/\s+/g, ' ');
  if (text === '') return null;
  if (text.length > MAX_OPS_TEXT_CHARS)
    throw new UsageError(`${option} is at most ${MAX_OPS_TEXT_CHARS} characters`);
  if (text.includes('@'))
    throw new UsageError(`${option} must carry no personal data: it contains '@' (an address?)`);
  if (LONG_DIGIT_RUN.test(text.replace(ISO_DATE, '')))
    throw new UsageError(
      `${option} must carry no personal data: it contains a long number (a phone or document number?)`,
    );
  return text;
}

/** Register texts are ids and reasons by design; one that looks like an address is not printed anyway. */
export function withoutAddress<T extends string | null>(text: T): T | '[hidden]' {
  return text?.includes('@') ? '[hidden]' : text;
}

/** An audit event's detail as `name=value …`, values that look like an address hidden. */
export function detailText(detail: AuditDetail): string {
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== '')
    .map(([name, value]) => {
      const text = withoutAddress(String(value));
      return `${name}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `2026-12-01 23:59` in the zone: due dates are end-of-day in the jurisdiction's time. */
export function zonedMinute(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '-';
  const instant = new Date(iso);
  return Number.isNaN(instant.getTime()) ? iso : localDateTime(instant, timeZone);
}

/** The day part of zonedMinute. */
export function zonedDay(iso: string | null | undefined, timeZone: string): string {
  return zonedMinute(iso, timeZone).slice(0, 10);
}

/** A hidden clock option (`--now`, `--today`) for tests; otherwise the machine's time. */
export function clockOf(value: string | boolean | undefined, option: string): Date {
  if (value === undefined) return new Date();
  const at = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new UsageError(`${option} takes a date or an ISO time`);
  return at;
}

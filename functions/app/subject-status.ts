/**
 * What marketing systems ask makul (the status API): may this address be contacted, for one address
 * or a thousand, by address or by keyed hash (sid); and what changed since they last asked.
 *
 * An address is keyed exactly as the inbound path keys a sender (normalised, then HMAC under the
 * operator's key), so the API and the register always name the same subject. A malformed entry of a
 * batch is answered in place; so is one the store could not read in time (retryable), so one bad or
 * slow entry never costs a caller the other 999 answers.
 */
import { checkSender, normaliseAddress } from '../domain/mail/sender-address';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { subjectKey } from '../domain/subjects/subject-key';
import { type FeedEntry, feedEntryOf, type SubjectStatus, statusOf } from '../domain/subjects/subject-status';
import { type StatusFeedReader, type SubjectStatusReader, UNAVAILABLE } from '../ports/subject-status';

export interface StatusDependencies {
  readonly reader: SubjectStatusReader;
  readonly feed: StatusFeedReader;
  readonly hmacKey: string;
  readonly profile: DeploymentProfile;
}

/** One entry as the caller gave it: an address or a keyed hash. */
export type StatusQuery = { readonly email: string } | { readonly sid: string };

export type EntryErrorCode = 'invalid-email' | 'invalid-sid' | 'unavailable';

export interface EntryError {
  readonly code: EntryErrorCode;
  readonly message: string;
  /** Asking again later may succeed (the store was busy); a malformed entry never will. */
  readonly retryable: boolean;
}

/** The answer for one entry, echoing it: its status, or why there is none. */
export type StatusAnswer = StatusQuery & (SubjectStatus | { readonly error: EntryError });

/** A keyed hash as the API shows it: HMAC-SHA256 in lower-case hex. */
export const SID_PATTERN = /^[0-9a-f]{64}$/;

const ENTRY_ERRORS: Readonly<Record<EntryErrorCode, EntryError>> = {
  'invalid-email': {
    code: 'invalid-email',
    message: 'not an email address of the plain form local@domain',
    retryable: false,
  },
  'invalid-sid': {
    code: 'invalid-sid',
    message: 'not a sid (64 lower-case hexadecimal characters)',
    retryable: false,
  },
  unavailable: {
    code: 'unavailable',
    message: 'the register did not answer in time; ask again',
    retryable: true,
  },
};

/** One entry's status (the single lookup). */
export async function statusOne(query: StatusQuery, deps: StatusDependencies): Promise<StatusAnswer> {
  const sid = sidFor(query, deps.hmacKey);
  if (typeof sid !== 'string') return { ...query, error: ENTRY_ERRORS[sid.error] };
  return { ...query, ...statusOf(sid, await deps.reader.read(sid), unknownDefault(deps)) };
}

/**
 * Many entries' statuses, one answer per entry in the order given; duplicates (the same address
 * twice, an address and its own sid) are read once and answered alike.
 */
export async function statusMany(
  queries: readonly StatusQuery[],
  deps: StatusDependencies,
): Promise<StatusAnswer[]> {
  const sids = queries.map((query) => sidFor(query, deps.hmacKey));
  const records = await deps.reader.readMany(sids.filter((sid): sid is string => typeof sid === 'string'));
  const fallback = unknownDefault(deps);
  return queries.map((query, index): StatusAnswer => {
    const sid = sids[index] as string | { readonly error: EntryErrorCode };
    if (typeof sid !== 'string') return { ...query, error: ENTRY_ERRORS[sid.error] };
    const record = records.get(sid);
    if (record === UNAVAILABLE || record === undefined) return { ...query, error: ENTRY_ERRORS.unavailable };
    return { ...query, ...statusOf(sid, record, fallback) };
  });
}

export interface ChangesPage {
  readonly changes: readonly FeedEntry[];
  /** Where to go on from: pass it as `since` next time (also when there were no changes). */
  readonly next: string;
  /** More changes are already waiting after this page. */
  readonly more: boolean;
}

/** The changes after a cursor (null: from the first change makul recorded). */
export async function changesSince(
  afterSequence: number,
  limit: number,
  deps: Pick<StatusDependencies, 'feed'>,
): Promise<ChangesPage> {
  const page = await deps.feed.changesAfter(afterSequence, limit);
  return { changes: page.changes.map(feedEntryOf), next: encodeCursor(page.lastSequence), more: page.more };
}

/**
 * Cursors are opaque to callers (they may change form later) and stable: a cursor names a position
 * in the gap-free sequence of changes, so asking with it again gives the same changes again.
 */
const CURSOR_PREFIX = 'c1.';

export function encodeCursor(sequence: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${sequence}`, 'utf8').toString('base64url');
}

/** The sequence a cursor names, or null when it is not one makul gave out. */
export function decodeCursor(cursor: string): number | null {
  if (cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX)) return null;
  const digits = text.slice(CURSOR_PREFIX.length);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return null;
  return Number(digits);
}

function sidFor(query: StatusQuery, hmacKey: string): string | { readonly error: EntryErrorCode } {
  if ('sid' in query) return SID_PATTERN.test(query.sid) ? query.sid : { error: 'invalid-sid' };
  const address = statusAddress(query.email);
  return address === null ? { error: 'invalid-email' } : subjectKey(address, hmacKey);
}

/**
 * An address as other systems send it, checked with the rules makul applies to senders (so that an
 * address makul could never have recorded is said to be malformed, not unknown), bare only: a display
 * name or angle brackets are not an address.
 */
function statusAddress(value: string): string | null {
  if (value.includes('<') || /\s/.test(value.trim())) return null;
  const checked = checkSender([value]);
  return checked.ok ? normaliseAddress(checked.address) : null;
}

function unknownDefault(deps: Pick<StatusDependencies, 'profile'>) {
  return deps.profile.operator.unknownAddressMarketing;
}

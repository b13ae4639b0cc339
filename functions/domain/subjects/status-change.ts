/**
 * When a write to a subject's record is a change marketing systems must hear about: the record's state
 * (subject-status.ts) before and after the write differ by `sameState`'s rule. Writes that move only a
 * timestamp or the list of requests holding a flag (a second unsubscribe) are not changes for them.
 *
 *   a record created   previous = the state of a record with no flags (allowed, allowed)
 *   a record modified  previous = the old record's state
 *   a record removed   current  = what the status API now answers: the operator's default for unknowns
 *
 * A new record starts from "no flags", not from the operator's default for unknown addresses: the feed
 * reports what makul recorded, and an operator whose default is "suppressed" still needs to see that
 * this address opted out itself (a default can be lifted by consent given elsewhere, an opt-out not).
 */
import {
  type MarketingState,
  type StatusFlags,
  type SubjectState,
  sameState,
  stateOf,
  unknownState,
} from './subject-status';

/** A subject's record as one side of a write shows it. */
export interface ProfileImage {
  readonly flags: StatusFlags;
  /** When the record was last written (ISO 8601); null only on a record that never had it. */
  readonly updatedAt: string | null;
}

/** One write to a subject's record: the images before and after (null: no record on that side). */
export interface ProfileWrite {
  readonly sid: string;
  readonly before: ProfileImage | null;
  readonly after: ProfileImage | null;
  /** When the write happened (ISO 8601), for a removal, which carries no updatedAt of its own. */
  readonly at: string;
}

/** A change of a subject's state, before the feed gives it its sequence. */
export interface SubjectStateChange {
  readonly sid: string;
  readonly changedAt: string;
  readonly previous: SubjectState;
  readonly current: SubjectState;
}

const NO_FLAGS: SubjectState = stateOf({});

/** The change a write makes for marketing systems, or null when their answer stays the same. */
export function stateChangeOf(
  write: ProfileWrite,
  unknownAddressMarketing: MarketingState,
): SubjectStateChange | null {
  const previous = write.before ? stateOf(write.before.flags) : NO_FLAGS;
  const current = write.after ? stateOf(write.after.flags) : unknownState(unknownAddressMarketing);
  if (sameState(previous, current)) return null;
  return { sid: write.sid, changedAt: write.after?.updatedAt ?? write.at, previous, current };
}

/** An opt-out that reaches the operator's mail lists (the SES contact-list sync acts on these only). */
export function becameSuppressed(change: SubjectStateChange): boolean {
  return change.previous.marketing !== 'suppressed' && change.current.marketing === 'suppressed';
}

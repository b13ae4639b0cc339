/**
 * What marketing systems may do with an address: the answer of the status API, the state the change
 * feed and the events report, derived in one place from the flags on the subject's record.
 *
 *   marketing   allowed | suppressed             suppressed by an unsubscribe, a withdrawal of consent or
 *                                                an erasure request (each also sets marketingOptOut)
 *   processing  allowed | withdrawn | restricted  withdrawn: consent withdrawn or erasure asked for (the
 *                                                data is to be destroyed); restricted: processing paused
 *
 * An address makul has no record of is `known: false` and gets the operator's configured default
 * (`unknownAddressMarketing` in the profile): makul knows opt-outs, not consents, so an operator who
 * keeps consent elsewhere and must not mail without it (38-FZ art. 18) can answer "suppressed".
 */
import type { SubjectEffect } from '../requests/request-policies';

export type MarketingState = 'allowed' | 'suppressed';
export type ProcessingState = 'allowed' | 'withdrawn' | 'restricted';

/**
 * Why the state is what it is, the strongest reason first: an erasure request outranks a withdrawal,
 * which outranks a restriction, which outranks an unsubscribe. `operator-default`: unknown address,
 * answered with the operator's default. null: known, and nothing holds it back.
 */
export type StatusReason =
  | 'erasure-requested'
  | 'consent-withdrawn'
  | 'processing-restricted'
  | 'unsubscribed'
  | 'operator-default'
  | null;

export interface SubjectState {
  readonly marketing: MarketingState;
  readonly processing: ProcessingState;
  readonly reason: StatusReason;
}

export interface SubjectStatus extends SubjectState {
  /** The keyed hash (HMAC-SHA256 of the normalised address): keep it to match change-feed entries. */
  readonly sid: string;
  readonly known: boolean;
  /** When the subject's record last changed (ISO 8601); null for an unknown address. */
  readonly changedAt: string | null;
}

/** The flags of a subject's record that the state depends on, as stored (set or not). */
export type StatusFlags = Readonly<Partial<Record<keyof SubjectEffect, boolean>>>;

/** The state a record's flags give. */
export function stateOf(flags: StatusFlags): SubjectState {
  const processing: ProcessingState =
    flags.erasureRequested || flags.consentWithdrawn
      ? 'withdrawn'
      : flags.processingRestricted
        ? 'restricted'
        : 'allowed';
  const marketing: MarketingState =
    flags.marketingOptOut || processing === 'withdrawn' ? 'suppressed' : 'allowed';
  return { marketing, processing, reason: reasonOf(flags) };
}

function reasonOf(flags: StatusFlags): StatusReason {
  if (flags.erasureRequested) return 'erasure-requested';
  if (flags.consentWithdrawn) return 'consent-withdrawn';
  if (flags.processingRestricted) return 'processing-restricted';
  if (flags.marketingOptOut) return 'unsubscribed';
  return null;
}

/** The state of an address makul has no record of, from the operator's profile. */
export function unknownState(unknownAddressMarketing: MarketingState): SubjectState {
  return {
    marketing: unknownAddressMarketing,
    processing: 'allowed',
    reason: unknownAddressMarketing === 'suppressed' ? 'operator-default' : null,
  };
}

/** The status of one subject: its record's state, or the default when there is no record. */
export function statusOf(
  sid: string,
  record: { readonly flags: StatusFlags; readonly updatedAt: string } | null,
  unknownAddressMarketing: MarketingState,
): SubjectStatus {
  const state = record === null ? unknownState(unknownAddressMarketing) : stateOf(record.flags);
  // In the order the API shows them: who, whether known, the two answers, since when, why.
  return {
    sid,
    known: record !== null,
    marketing: state.marketing,
    processing: state.processing,
    changedAt: record === null ? null : record.updatedAt,
    reason: state.reason,
  };
}

/**
 * Whether two states are the same for marketing systems: the feed and the events report only changes.
 * The reason counts too, so that an erasure asked for after a withdrawal (both "withdrawn") is reported.
 */
export function sameState(a: SubjectState, b: SubjectState): boolean {
  return a.marketing === b.marketing && a.processing === b.processing && a.reason === b.reason;
}

/**
 * One change as the feed and the events show it (docs/events/subject-status-changed.md): each state
 * before and after, and the reason of the state after.
 */
export interface FeedEntry {
  readonly sequence: number;
  readonly sid: string;
  readonly changedAt: string;
  readonly marketing: { readonly previous: MarketingState; readonly current: MarketingState };
  readonly processing: { readonly previous: ProcessingState; readonly current: ProcessingState };
  readonly reason: StatusReason;
}

export function feedEntryOf(change: {
  readonly sequence: number;
  readonly sid: string;
  readonly changedAt: string;
  readonly previous: SubjectState;
  readonly current: SubjectState;
}): FeedEntry {
  return {
    sequence: change.sequence,
    sid: change.sid,
    changedAt: change.changedAt,
    marketing: { previous: change.previous.marketing, current: change.current.marketing },
    processing: { previous: change.previous.processing, current: change.current.processing },
    reason: change.current.reason,
  };
}

/**
 * What makul does with each kind of request: the one place to read "what happens on withdraw-consent".
 *
 * A request either takes effect at once (unsubscribe: it only reduces contact, and 38-FZ art. 18 wants
 * it immediately) or needs proof that the sender owns the address: an authenticated sender (DMARC
 * pass, or DKIM pass aligned with the From domain) or a confirmed link. Without proof the request is
 * recorded as awaiting verification and the reply carries the link; with proof its effect on the
 * subject's record is applied now and the reply offers a "this was not me" link.
 */
import type { RegisteredRequest } from './registered-request';
import type { RequestKind } from './request-kinds';
import { needsProofOfSender } from './request-kinds';

export type ReplyOutcome =
  /** Applied at once (unsubscribe): "you will receive no more marketing from <operator>". */
  | 'done'
  /** A kind that needs proof, from an unauthenticated sender: "open the link and press Confirm". */
  | 'verify'
  /** A kind that needs proof, from an authenticated sender: recorded, due by <dueAt>, "this was not me" link. */
  | 'accepted';

/** Flags on the subject's record that other systems obey (marketing checks, processing, publication). */
export interface SubjectEffect {
  /** No marketing to this address, ever again (also kept after erasure, as a suppression entry). */
  readonly marketingOptOut?: true;
  /** Consent to processing withdrawn: processing stops; destruction follows within the legal term. */
  readonly consentWithdrawn?: true;
  /** Processing blocked (paused) until the request is resolved. */
  readonly processingRestricted?: true;
  /** Dissemination of data the subject made public must stop. */
  readonly disseminationStopped?: true;
  /** Destruction asked for: the erasure executor acts on it by the due date. */
  readonly erasureRequested?: true;
}

/** Every flag of a subject's record, for code that reads them all; the record type keeps it complete. */
export const SUBJECT_FLAGS = Object.keys({
  marketingOptOut: true,
  consentWithdrawn: true,
  processingRestricted: true,
  disseminationStopped: true,
  erasureRequested: true,
} satisfies Record<keyof SubjectEffect, true>) as (keyof SubjectEffect)[];

export interface RequestPolicy {
  readonly effect: SubjectEffect;
  /** What still has to happen after makul's automatic part, for ops and the register. */
  readonly followUp: string;
}

export const REQUEST_POLICIES: Readonly<Record<RequestKind, RequestPolicy>> = {
  unsubscribe: {
    effect: { marketingOptOut: true },
    followUp: 'none: marketing systems see the opt-out through the status API',
  },
  'update-data': {
    effect: {},
    followUp: 'support corrects the data named by the subject, by the due date',
  },
  'withdraw-consent': {
    // Withdrawing consent to processing covers marketing too: stop both at once.
    effect: { consentWithdrawn: true, marketingOptOut: true },
    followUp: 'processing stops now; the erasure executor destroys the data by the due date',
  },
  access: {
    effect: {},
    followUp: 'support sends the data held and how it is processed, by the due date',
  },
  erasure: {
    effect: { erasureRequested: true, marketingOptOut: true },
    followUp: 'the erasure executor destroys the data and issues a destruction act by the due date',
  },
  restrict: {
    effect: { processingRestricted: true },
    followUp: 'processing stays blocked until support resolves the request',
  },
  'stop-dissemination': {
    effect: { disseminationStopped: true },
    followUp: 'support removes the published data the subject names, by the due date',
  },
};

export type RequestStatus = 'completed' | 'in-progress' | 'awaiting-verification';

/**
 * The statuses of a request still open: something is owed by its due date. The deadline monitor
 * watches these, and only these can ops extend, complete or reject. Cancelled, rejected, completed,
 * dropped and duplicate entries are closed.
 */
export const OPEN_STATUSES = [
  'awaiting-verification',
  'in-progress',
  'needs-human',
  'held',
] as const satisfies readonly RegisteredRequest['status'][];

export type OpenStatus = (typeof OPEN_STATUSES)[number];

export function isOpen(status: RegisteredRequest['status']): status is OpenStatus {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

/**
 * The flags a request gives back when ops reject it: what it set, except the marketing opt-out. The
 * person did ask (unlike "this was not me", which gives everything back), and an opt-out only reduces
 * contact (38-FZ art. 18 wants it honoured at once): refusing an erasure or a withdrawal must not
 * resume marketing to someone who asked for it to stop.
 */
export function releasedOnRejection(kind: RequestKind | null): SubjectEffect {
  if (!kind) return {};
  const { marketingOptOut: _kept, ...released } = REQUEST_POLICIES[kind].effect;
  return released;
}

export interface RequestPlan {
  readonly status: RequestStatus;
  /** Apply the kind's effect to the subject's record now (false: after the link is confirmed). */
  readonly applyEffectNow: boolean;
  /** Which single-use link the reply carries, if any. */
  readonly token: 'verify' | 'dispute' | null;
  readonly replyOutcome: ReplyOutcome;
}

export function planRequest(kind: RequestKind, senderAuthenticated: boolean): RequestPlan {
  if (!needsProofOfSender(kind)) {
    return { status: 'completed', applyEffectNow: true, token: null, replyOutcome: 'done' };
  }
  if (senderAuthenticated) {
    // Proof by authentication; the reply still offers "this was not me" (DESIGN.md).
    return { status: 'in-progress', applyEffectNow: true, token: 'dispute', replyOutcome: 'accepted' };
  }
  return { status: 'awaiting-verification', applyEffectNow: false, token: 'verify', replyOutcome: 'verify' };
}

/**
 * The request register's data model: one entry per inbound message, its audit trail, and the one
 * outbound message makul sends for it. Holds the sender's address only where makul must write back.
 */
import type { InboundAction } from '../mail/inbound-mail';
import type { Language, RequestKind } from './request-kinds';
import type { RequestStatus } from './request-policies';

/** The single message makul sends for a request: a reply to the subject, or a forward to humans. */
export type OutboundKind = 'reply' | 'forward' | 'none';
/**
 * pending → sending → sent, under conditional writes. A send over a rate limit waits as `deferred` and
 * goes back to pending when its window opens; a claim whose outcome is unknown ends `in-doubt`
 * (never sent again: at most one message); `skipped` means nothing is owed.
 */
export type OutboundState = 'pending' | 'sending' | 'sent' | 'skipped' | 'deferred' | 'in-doubt';

/**
 * Lists ops work through (a sparse index): replies waiting for their rate-limit window, requests held
 * without effect or reply (spam verdict, DMARC failure), messages whose delivery is in doubt, and
 * requests one of whose data systems refused its task (app/answer-task.ts): ops decide what follows.
 */
export type OpsQueue = 'deferred' | 'held' | 'in-doubt' | 'refused';

/** How the person behind a request showed it was theirs (the register's proof for the regulator). */
export type Proof = 'authenticated-sender' | 'confirmed-link' | 'ops';

/**
 * A short mail makul owes after a subject acted on a page, recorded as an entry of its own (see
 * `noticeOf`) so it goes through the same claim, limits and deferral as every other message:
 * `confirmed` says what was done; `cancelled` that nothing will be; `restriction-lifted`;
 * `confirm-address` asks the new mailbox of an update-data request to confirm itself;
 * `access-report` carries what makul holds about the subject. After an ops action: `extended` is the
 * reasoned notice the law makes a condition of extending the term (RU 152-FZ art. 20 part 2);
 * `rejected` gives ops' reason for refusing the request.
 */
export type NoticeKind =
  | 'confirmed'
  | 'cancelled'
  | 'restriction-lifted'
  | 'confirm-address'
  | 'access-report'
  | 'extended'
  | 'rejected';

/** Where a request came from: a mail to the support address, or a one-click unsubscribe link. */
export type RequestChannel = 'email' | 'one-click';

export interface RegisteredRequest {
  readonly requestId: string;
  readonly sesMessageId: string;
  readonly channel: RequestChannel;
  readonly action: InboundAction;
  readonly reason: string;
  readonly kind: RequestKind | null;
  readonly language: Language | null;
  /**
   * The request's own statuses, or: `needs-human` (forwarded for review), `dropped` (robots, loops),
   * `held` (no effect and no reply: spam verdict or DMARC failure; ops may recover it), `duplicate`
   * (the same mail again, see duplicateOf), `cancelled` (the subject said "this was not me"),
   * `rejected` (ops refused it, with a reason: see closingReason).
   */
  readonly status:
    | RequestStatus
    | 'needs-human'
    | 'dropped'
    | 'held'
    | 'duplicate'
    | 'cancelled'
    | 'rejected';
  readonly receivedAt: string;
  /** When the request is due; after an extension, the extended date (originalDueAt keeps the first). */
  readonly dueAt: string | null;
  /** The due date before ops extended it; set once, as the law allows one extension. */
  readonly originalDueAt: string | null;
  /** When ops extended the due date, and why (as ops wrote it: the subject's notice quotes it). */
  readonly extendedAt: string | null;
  readonly extensionReason: string | null;
  /**
   * When the request was closed: completed (on arrival, by makul, or by ops) or rejected by ops. A
   * subject's "this was not me" is `cancelledAt`, not this.
   */
  readonly closedAt: string | null;
  /** What ops wrote when closing it: a note on completing, or the reason for a rejection (quoted to the subject). */
  readonly closingReason: string | null;
  readonly jurisdiction: string;
  readonly subjectKey: string | null;
  /** Keyed hash of the sender's mailbox (sub-address tag removed): what reply limits count. */
  readonly replyLimitKey: string | null;
  /**
   * The sender's address, sealed (domain/subjects/sealed-address.ts), kept only while makul must still
   * write to the person: never for review, dropped or duplicate mail, and forgotten once a completed
   * request's reply is sent.
   */
  readonly sealedContact: string | null;
  readonly senderAuthenticated: boolean;
  readonly exactTag: boolean;
  readonly rawMail: { readonly bucket: string; readonly key: string };
  /** The support address the message was sent to: makul's replies come from it. */
  readonly operatorAddress: string;
  readonly originalMessageId: string | null;
  readonly originalReferences: string | null;
  readonly outbound: OutboundKind;
  readonly outboundState: OutboundState;
  readonly outboundClaimedAt: string | null;
  /** The ops list this request is on, if any, and since when (for `deferred`: when it may go out). */
  readonly opsQueue: OpsQueue | null;
  readonly opsQueueAt: string | null;
  /** The request this one repeats (same Message-ID from the same mailbox, resent within the window). */
  readonly duplicateOf: string | null;
  /**
   * update-data: the labelled values read from the mail (domain/requests/data-fields.ts), sealed like
   * the contact address; kept only until the operator's systems have them.
   */
  readonly sealedDetails: string | null;
  /** stop-dissemination: the categories of data the request names (ids, not values). */
  readonly dataItems: readonly string[] | null;
  /** How the subject proved the request was theirs, once they did; and when. */
  readonly proof: Proof | null;
  readonly provedAt: string | null;
  /** A notice entry: what it says, and the request it belongs to. */
  readonly notice: NoticeKind | null;
  readonly noticeOf: string | null;
  /**
   * The register month the entry is filed under for the regulator's export (`2026-12`): the month of
   * receipt in the jurisdiction's zone, fixed when the entry is made (register-entry.ts). Absent on
   * entries made elsewhere (tests, notices): the adapter then files them under the UTC month.
   */
  readonly registerMonth?: string;
}

/** Audit details are ids, reasons and times only: never addresses, names or text from the mail. */
export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEvent {
  readonly at: string;
  readonly event: string;
  readonly detail: AuditDetail;
}

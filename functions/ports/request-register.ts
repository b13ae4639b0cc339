/**
 * The request register and the subjects' records (DynamoDB in AWS, DynamoDB Local in tests). Every
 * change that must not happen twice is a conditional write here; what to make of a refused one is the
 * use case's decision (functions/app/).
 */
import type {
  AuditEvent,
  OpsQueue,
  OutboundState,
  Proof,
  RegisteredRequest,
} from '../domain/requests/registered-request';
import type { SubjectEffect } from '../domain/requests/request-policies';
import type { TokenPurpose } from '../domain/tokens/verification-token';

export type ClaimResult =
  /** This attempt owns the send: send, then markSent (or release on a send that surely failed). */
  | { readonly outcome: 'claimed' }
  /**
   * The outbound message was not pending: it is being sent, was sent, skipped, deferred or is in
   * doubt. The state and claim time are read from the refused write itself, not by a second read.
   */
  | {
      readonly outcome: 'not-pending';
      readonly outboundState: OutboundState;
      readonly outboundClaimedAt: string | null;
    }
  /** A limit is reached: the mailbox's replies today, or the operator's messages this hour. */
  | { readonly outcome: 'rate-limited'; readonly limit: 'mailbox' | 'operator' };

/** The counters a claim counts against; a claim over any of them is refused. */
export interface OutboundLimits {
  /** Replies to one mailbox per local day (RFC 3834); none for forwards to staff. */
  readonly mailbox: { readonly key: string; readonly day: string; readonly maxPerDay: number } | null;
  /** Every reply (or every forward) of the operator in one UTC hour (`YYYY-MM-DDTHH`). */
  readonly operator: {
    readonly counter: 'replies' | 'forwards';
    readonly hour: string;
    readonly maxPerHour: number;
  };
}

export type RecordResult =
  | { readonly outcome: 'recorded' }
  | { readonly outcome: 'exists' }
  | { readonly outcome: 'duplicate'; readonly firstRequestId: string };

/** A mail's identity across resends: keyed hash of its Message-ID and sender mailbox, kept for a window. */
export interface DuplicateMarker {
  readonly key: string;
  readonly expiresAt: Date;
}

/** What else a request's recording writes, in the same transaction. */
export interface RecordAlso {
  /** Notices owed from the start (the access report of an authenticated access request). */
  readonly notices?: readonly RegisteredRequest[];
  /** stop-dissemination taking effect on arrival: the categories named. */
  readonly disseminationStoppedItems?: readonly string[];
}

export interface StoredToken {
  readonly tokenHash: string;
  readonly purpose: TokenPurpose;
  readonly requestId: string;
  readonly expiresAt: Date;
}

/** A link token as stored, with its use: what a page needs to decide what to show. */
export interface TokenRecord extends StoredToken {
  readonly usedAt: Date | null;
  /** Page requests (GET and POST) made with it so far, this one included. */
  readonly attempts: number;
}

export type TokenTouch =
  | { readonly outcome: 'found'; readonly token: TokenRecord }
  | { readonly outcome: 'unknown' }
  /** The token was used more than its attempts allow: it answers nothing more, whatever it is. */
  | { readonly outcome: 'exhausted' };

/** Flags on a subject's record, each with since when and which requests hold it. */
export type SubjectFlag = keyof SubjectEffect;

export interface SubjectRecord {
  readonly flags: Readonly<
    Partial<Record<SubjectFlag, { readonly since: string; readonly heldBy: readonly string[] }>>
  >;
  /** Categories of data no longer to be disseminated (stop-dissemination). */
  readonly disseminationStoppedItems: readonly string[];
}

/**
 * One action on a page, all or nothing: the token is spent (only if unused and unexpired), the
 * request moves from a status it may move from, the subject's record changes, the audit trail grows,
 * and the notices owed are recorded. Any refused condition cancels everything.
 */
export interface TokenRedemption {
  /** The link's token; null for the same action taken by ops, which spends no token. */
  readonly tokenHash: string | null;
  readonly at: Date;
  readonly requestId: string;
  readonly request: {
    readonly fromStatuses: readonly RegisteredRequest['status'][];
    readonly toStatus?: RegisteredRequest['status'];
    readonly proof?: Proof;
    /**
     * Names a moment on the request, e.g. `cancelledAt`, `addressConfirmedAt`, `restrictionLiftedAt`;
     * `closedAt` when ops complete or reject it.
     */
    readonly stamp?: 'cancelledAt' | 'addressConfirmedAt' | 'restrictionLiftedAt' | 'closedAt';
    /** What ops wrote when closing it (a completion note, a rejection's reason). */
    readonly closingReason?: string;
    /**
     * Ops extend the due date: only from the due date read (`from`), and only once (the write is
     * conditional on no `originalDueAt`: the law allows one extension). Stamps originalDueAt = from,
     * extendedAt = the redemption's time, and the reason.
     */
    readonly extendDue?: { readonly from: string; readonly to: string; readonly reason: string };
    /** Takes it off this ops list (a held request closed by ops), only if it is still on it. */
    readonly leaveOpsQueue?: OpsQueue;
    /** Puts it on this ops list, since the redemption's time (a task refused: app/answer-task.ts). */
    readonly joinOpsQueue?: OpsQueue;
  };
  readonly subject?: {
    readonly key: string;
    /** Flags this request sets (and holds). */
    readonly apply?: SubjectEffect;
    readonly disseminationStoppedItems?: readonly string[];
    /**
     * Flags this request gives back, as read just before: a flag another request also holds stays set.
     * The write is conditional on the holders read, so a concurrent change makes it refused, not wrong.
     */
    readonly release?: { readonly effect: SubjectEffect; readonly current: SubjectRecord };
    /** Removes a flag whoever holds it (a subject lifting their own restriction). */
    readonly clear?: SubjectFlag;
  };
  readonly audit: AuditEvent;
  readonly notices: readonly RegisteredRequest[];
}

export type RedemptionResult =
  | { readonly outcome: 'done' }
  /** Used, expired or gone by the time of the write (a double click, a race). */
  | { readonly outcome: 'token-spent' }
  /** The request is no longer in a status this action applies to (executed, cancelled, confirmed). */
  | { readonly outcome: 'request-moved' }
  /** The subject's record changed between the read and the write: read again and retry. */
  | { readonly outcome: 'subject-changed' };

export interface RequestRegister {
  get(requestId: string): Promise<RegisteredRequest | null>;
  /**
   * Records a new request, its first audit event and its effect on the subject's record, all or
   * nothing. `exists` when a redelivery already recorded it (idempotency on the SES message id);
   * `duplicate` when the same mail was resent (the duplicate marker is taken), naming the first request.
   */
  recordNew(
    request: RegisteredRequest,
    received: AuditEvent,
    effect: SubjectEffect | null,
    duplicateMarker: DuplicateMarker | null,
    also?: RecordAlso,
  ): Promise<RecordResult>;
  /** Moves the outbound message from pending to sending, counting it against the limits. */
  claimOutbound(requestId: string, now: Date, limits: OutboundLimits): Promise<ClaimResult>;
  /**
   * sending → sent, recording SES's message id; off any ops list. `forgetContact` removes the sealed
   * address when makul will not write to the person again and nothing else needs it
   * (domain/requests/contact-retention.ts).
   */
  markSent(
    requestId: string,
    outboundMessageId: string,
    event: AuditEvent,
    options?: { readonly forgetContact?: boolean },
  ): Promise<void>;
  /**
   * Removes the sealed address of a request whose reply is sent, only if the request is completed and
   * the contact-list sync has noted it is done with the address (`contactListSynced`); otherwise changes
   * nothing, and the sync forgets it when it is done. True when the condition held.
   */
  forgetContactIfSynced(requestId: string): Promise<boolean>;
  /**
   * sending → pending after a send that surely did not reach SES, giving back what the claim counted,
   * so the retry sends and an outage does not use up anyone's daily replies.
   */
  releaseClaim(requestId: string, event: AuditEvent, limits: OutboundLimits): Promise<void>;
  /** sending → in-doubt: whether SES took it is unknown, so it is never sent again (and ops are told). */
  markInDoubt(requestId: string, event: AuditEvent): Promise<void>;
  /** pending → deferred until the limit's window opens; listed for ops meanwhile. */
  deferOutbound(requestId: string, until: Date, event: AuditEvent): Promise<void>;
  /**
   * deferred → pending, when its window has opened: the caller then delivers it as usual. It stays on
   * the deferred list until `retryAt`, so a job that dies before the send finishes finds it again;
   * markSent takes it off.
   */
  resumeDeferred(requestId: string, retryAt: Date, event: AuditEvent): Promise<void>;
  /** The requests on an ops list, oldest first; for `deferred`, only those due by `until`. */
  listOpsQueue(queue: OpsQueue, options?: { until?: Date; limit?: number }): Promise<RegisteredRequest[]>;
  /**
   * Stores a link token's hash once per request and purpose; a retry stores nothing new and learns
   * when the first one expires, so the mail it sends says the same.
   */
  putToken(token: StoredToken): Promise<{ readonly expiresAt: Date }>;
  auditTrail(requestId: string): Promise<AuditEvent[]>;
}

/**
 * Register requests by status and due date (the `by-status-due` index): what the deadline monitor and
 * the ops CLI list. A port of its own, as neither the inbound function nor the pages need it.
 */
export interface RequestListing {
  /**
   * Register requests (never notice entries) in one status whose due date is in [dueFrom, dueBefore),
   * soonest due first. Paged internally; at most `limit` (default 1000).
   */
  requestsByStatus(
    status: RegisteredRequest['status'],
    options?: { dueFrom?: Date; dueBefore?: Date; limit?: number },
  ): Promise<RegisteredRequest[]>;
}

/**
 * What the public pages and the notices need besides: link tokens counted, spent and acted on, the
 * subject's record, a subject's requests. A port of its own so the inbound function does without it.
 */
export interface LinkRegister extends RequestRegister {
  /**
   * Counts one page request against a token (conditional: at most `maxAttempts`) and returns it. Read
   * by key, the hash equality is DynamoDB's; the adapter compares it again in constant time.
   */
  touchToken(tokenHash: string, maxAttempts: number): Promise<TokenTouch>;
  /**
   * Counts one page request from a source (a keyed hash of its IP) in the hour; false when the source
   * is over `maxPerHour` (nothing more is counted then).
   */
  countSourceRequest(sourceKey: string, hour: string, maxPerHour: number, now: Date): Promise<boolean>;
  redeemToken(redemption: TokenRedemption): Promise<RedemptionResult>;
  /**
   * Adds one event to a request's audit trail and changes nothing else (a data system read the
   * request: app/read-request-for-system.ts). Refused if the same event of the same moment is there.
   */
  appendAudit(requestId: string, event: AuditEvent): Promise<void>;
  subjectRecord(subjectKey: string): Promise<SubjectRecord | null>;
  /** The subject's requests, oldest first (at most `limit`, default 500). */
  requestsOfSubject(subjectKey: string, limit?: number): Promise<RegisteredRequest[]>;
}

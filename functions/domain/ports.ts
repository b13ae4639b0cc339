/**
 * The inbound pipeline's view of the outside world. Adapters in functions/adapters implement these
 * against DynamoDB, SES v2, S3 and Secrets Manager; tests can run the same use case against the real
 * local services, or (for error paths only) against doubles.
 */
import type { InboundAction } from './mail/inbound-mail';
import type { Language, RequestKind } from './requests/request-kinds';
import type { RequestStatus, SubjectEffect } from './requests/request-policies';
import type { TokenPurpose } from './tokens/verification-token';

export type RawMail =
  | { readonly tooLarge: false; readonly bytes: Uint8Array }
  | { readonly tooLarge: true; readonly sizeBytes: number };

export interface RawMailStore {
  /** Reads one stored message, without downloading more than maxBytes. */
  get(bucket: string, key: string, maxBytes: number): Promise<RawMail>;
}

export interface HmacKeySource {
  load(): Promise<string>;
}

/** The single message makul sends for a request: a reply to the subject, or a forward to humans. */
export type OutboundKind = 'reply' | 'forward' | 'none';
export type OutboundState = 'pending' | 'sending' | 'sent' | 'skipped' | 'in-doubt';

/** One entry of the request register. Holds the sender's address only where makul must write back. */
export interface RegisteredRequest {
  readonly requestId: string;
  readonly sesMessageId: string;
  readonly channel: 'email';
  readonly action: InboundAction;
  readonly reason: string;
  readonly kind: RequestKind | null;
  readonly language: Language | null;
  readonly status: RequestStatus | 'needs-human' | 'dropped';
  readonly receivedAt: string;
  readonly dueAt: string | null;
  readonly jurisdiction: string;
  readonly subjectKey: string | null;
  readonly senderAddress: string | null;
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
}

/** Audit details are ids, reasons and times only: never addresses, names or text from the mail. */
export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEvent {
  readonly at: string;
  readonly event: string;
  readonly detail: AuditDetail;
}

export type ClaimResult =
  /** This attempt owns the send: send, then markSent (or release on a send error). */
  | 'claimed'
  /** Sent, skipped or in doubt already: nothing more to do. */
  | 'finished'
  /** Another attempt claimed it moments ago and may still be sending: retry later. */
  | 'busy'
  /** An earlier attempt claimed it and vanished: whether SES took the message is unknown. */
  | 'stale-claim'
  /** The subject already got the day's maximum of replies (RFC 3834): no reply today. */
  | 'rate-limited';

export interface RateLimit {
  readonly subjectKey: string;
  /** Local calendar day (YYYY-MM-DD) the count belongs to. */
  readonly day: string;
  readonly maxPerDay: number;
}

export interface StoredToken {
  readonly tokenHash: string;
  readonly purpose: TokenPurpose;
  readonly requestId: string;
  readonly expiresAt: Date;
}

export interface RequestRegister {
  get(requestId: string): Promise<RegisteredRequest | null>;
  /**
   * Records a new request, its first audit event and its effect on the subject's record, all or
   * nothing. 'exists' when a redelivery already recorded it (idempotency on the SES message id).
   */
  recordNew(
    request: RegisteredRequest,
    received: AuditEvent,
    effect: SubjectEffect | null,
  ): Promise<'recorded' | 'exists'>;
  claimOutbound(
    requestId: string,
    now: Date,
    leaseMs: number,
    rateLimit: RateLimit | null,
  ): Promise<ClaimResult>;
  markSent(requestId: string, outboundMessageId: string, event: AuditEvent): Promise<void>;
  /** Gives the claim (and the reply it counted against the day's limit) back after a failed send, so the retry sends. */
  releaseClaim(requestId: string, event: AuditEvent, rateLimit: RateLimit | null): Promise<void>;
  /** Closes a stale claim without sending: at most one reply is the rule. */
  markInDoubt(requestId: string, event: AuditEvent): Promise<void>;
  putToken(token: StoredToken): Promise<void>;
  auditTrail(requestId: string): Promise<AuditEvent[]>;
}

export interface OutgoingReply {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export interface MailSender {
  /** Sends a reply; returns SES's message id. */
  sendReply(reply: OutgoingReply): Promise<string>;
  /** Sends a complete MIME message (forwards to the human inbox); returns SES's message id. */
  sendRaw(from: string, to: string, raw: Uint8Array): Promise<string>;
}

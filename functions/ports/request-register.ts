/**
 * The request register and the subjects' records (DynamoDB in AWS, DynamoDB Local in tests). Every
 * change that must not happen twice is a conditional write here; what to make of a refused one is the
 * use case's decision (functions/app/).
 */
import type { AuditEvent, OutboundState, RegisteredRequest } from '../domain/requests/registered-request';
import type { SubjectEffect } from '../domain/requests/request-policies';
import type { TokenPurpose } from '../domain/tokens/verification-token';

export type ClaimResult =
  /** This attempt owns the send: send, then markSent (or release on a send error). */
  | { readonly outcome: 'claimed' }
  /**
   * The outbound message was not pending: it is being sent, was sent, skipped or is in doubt. The
   * state and claim time are read from the refused write itself, not by a second read.
   */
  | {
      readonly outcome: 'not-pending';
      readonly outboundState: OutboundState;
      readonly outboundClaimedAt: string | null;
    }
  /** The subject already got the day's maximum of replies (RFC 3834): no reply today. */
  | { readonly outcome: 'rate-limited' };

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
  /** Moves the outbound message from pending to sending, counting it against the rate limit if any. */
  claimOutbound(requestId: string, now: Date, rateLimit: RateLimit | null): Promise<ClaimResult>;
  markSent(requestId: string, outboundMessageId: string, event: AuditEvent): Promise<void>;
  /** Gives the claim (and the reply it counted against the day's limit) back after a failed send, so the retry sends. */
  releaseClaim(requestId: string, event: AuditEvent, rateLimit: RateLimit | null): Promise<void>;
  /** Closes a stale claim without sending: at most one reply is the rule. */
  markInDoubt(requestId: string, event: AuditEvent): Promise<void>;
  putToken(token: StoredToken): Promise<void>;
  auditTrail(requestId: string): Promise<AuditEvent[]>;
}

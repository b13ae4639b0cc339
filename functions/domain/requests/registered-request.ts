/**
 * The request register's data model: one entry per inbound message, its audit trail, and the one
 * outbound message makul sends for it. Holds the sender's address only where makul must write back.
 */
import type { InboundAction } from '../mail/inbound-mail';
import type { Language, RequestKind } from './request-kinds';
import type { RequestStatus } from './request-policies';

/** The single message makul sends for a request: a reply to the subject, or a forward to humans. */
export type OutboundKind = 'reply' | 'forward' | 'none';
export type OutboundState = 'pending' | 'sending' | 'sent' | 'skipped' | 'in-doubt';

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

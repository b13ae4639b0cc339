/**
 * The register entry of a notice: a short mail owed after an action (domain/requests/link-actions.ts).
 * It is an entry of its own so that it goes out through the same claim, limits, deferral and in-doubt
 * handling as every reply, exactly once. It threads under the original mail and counts against the
 * same mailbox's daily replies.
 *
 * It is born `pending` and listed on the deferred queue as due now: the deferred-outbound job (every
 * minute) sends it, and sending takes it off the list. The functions that record notices (the public
 * pages, the inbound function for an authenticated request) leave the sending to the job.
 */

import { noticeId } from './link-actions';
import type { NoticeKind, RegisteredRequest } from './registered-request';

export interface NoticeRecipient {
  /** The address sealed for the notice's own id (sealed-address.ts binds it to the entry). */
  readonly sealedContact: string;
  /** Keyed hash of the recipient's mailbox: the daily reply limit counts it. */
  readonly replyLimitKey: string | null;
}

export function newNoticeEntry(
  parent: RegisteredRequest,
  notice: NoticeKind,
  now: Date,
  recipient: NoticeRecipient,
): RegisteredRequest {
  return {
    ...parent,
    requestId: noticeId(parent.requestId, notice),
    sesMessageId: `${parent.sesMessageId}#${notice}`,
    action: 'process',
    reason: `notice:${notice}`,
    // Nothing is owed after the notice itself: its address is forgotten once it is sent.
    status: 'completed',
    receivedAt: now.toISOString(),
    closedAt: now.toISOString(),
    replyLimitKey: recipient.replyLimitKey,
    sealedContact: recipient.sealedContact,
    outbound: 'reply',
    outboundState: 'pending',
    outboundClaimedAt: null,
    opsQueue: 'deferred',
    opsQueueAt: now.toISOString(),
    duplicateOf: null,
    // The due dates and what ops wrote (extensionReason, closingReason) are copied: the `extended` and
    // `rejected` notices quote them. The values asked for stay with the request only, never copied.
    sealedDetails: null,
    dataItems: null,
    notice,
    noticeOf: parent.requestId,
  };
}

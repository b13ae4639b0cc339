/**
 * The same mail delivered twice: a mail client or MTA that resends keeps the RFC 5322 Message-ID, but
 * SES gives each delivery a new message id. Within a window, the same Message-ID from the same mailbox
 * is one request; the marker is a keyed hash of both, so the register holds neither in clear.
 */
import { createHmac } from 'node:crypto';

/** Resends come within minutes or days; a week covers a queue retrying over a long weekend. */
export const DUPLICATE_WINDOW_DAYS = 7;

export function duplicateMarkerKey(messageId: string, senderMailbox: string, secretKey: string): string {
  return createHmac('sha256', secretKey)
    .update(`makul-message-id:v1:${senderMailbox}\n${messageId.trim()}`, 'utf8')
    .digest('hex');
}

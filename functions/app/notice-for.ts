/**
 * The notice entry a request owes (domain/requests/notice-entry.ts), addressed: to the person who
 * made the request (their address, kept sealed with the request, sealed again for the notice), or,
 * for `confirm-address`, to the new address an update-data request names. None when makul no longer
 * keeps the address it would need.
 */

import { noticeId } from '../domain/requests/link-actions';
import { newNoticeEntry } from '../domain/requests/notice-entry';
import type { NoticeKind, RegisteredRequest } from '../domain/requests/registered-request';
import { canonicalMailbox } from '../domain/subjects/mailbox';
import { openAddress, sealText } from '../domain/subjects/sealed-address';
import { subjectKey } from '../domain/subjects/subject-key';

export function noticeFor(
  request: RegisteredRequest,
  notice: NoticeKind,
  now: Date,
  hmacKey: string,
  /** The new address of an update-data request, normalised; used by `confirm-address` only. */
  newAddress: string | null,
): RegisteredRequest | null {
  const id = noticeId(request.requestId, notice);
  if (notice === 'confirm-address') {
    if (!newAddress) return null;
    return newNoticeEntry(request, notice, now, {
      sealedContact: sealText(newAddress, hmacKey, id),
      replyLimitKey: subjectKey(canonicalMailbox(newAddress), hmacKey),
    });
  }
  if (!request.sealedContact) return null;
  const address = openAddress(request.sealedContact, hmacKey, request.requestId);
  return newNoticeEntry(request, notice, now, {
    sealedContact: sealText(address, hmacKey, id),
    replyLimitKey: request.replyLimitKey,
  });
}

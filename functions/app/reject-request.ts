/**
 * Ops refuse an open request, with a reason (KG No. 58 art. 17 and RU 152-FZ art. 20 allow a
 * reasoned refusal). In one transaction: rejected, stamped with the reason, the flags the request set
 * on the subject's record given back (all but the marketing opt-out: request-policies.ts
 * releasedOnRejection), taken off the held list if it was on it, the audit trail saying ops did it and
 * why, and a "rejected" notice quoting the reason recorded for the deferred-outbound job to send.
 */
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { isOpen, releasedOnRejection, type SubjectEffect } from '../domain/requests/request-policies';
import type { LinkRegister, SubjectFlag, TokenRedemption } from '../ports/request-register';
import { closedByOps } from './close-by-ops';
import { noticeFor } from './notice-for';

export type RejectOutcome =
  /**
   * `released`: the flags given back on the subject's record (a flag another request also holds stays
   * set); `subjectTold`: a "rejected" mail is recorded for the deferred-outbound job to send.
   */
  | {
      readonly outcome: 'rejected';
      readonly requestId: string;
      readonly released: readonly SubjectFlag[];
      readonly subjectTold: boolean;
    }
  | { readonly outcome: 'unknown-request' }
  /** Closed already (completed, rejected, cancelled …). */
  | { readonly outcome: 'not-open'; readonly status: RegisteredRequest['status'] }
  /** The request or the subject's record changed between the read and the write: look again. */
  | { readonly outcome: 'concurrent-change' };

export interface RejectDependencies {
  readonly register: LinkRegister;
  readonly now: () => Date;
  /**
   * The operator's secret, to address the "rejected" mail (the subject's address is kept sealed with
   * the request); without it the request is rejected and nobody is told.
   */
  readonly hmacKey?: string;
}

/** `reason`: why, as ops wrote it; the subject's notice quotes it, so it must carry no personal data. */
export async function rejectRequestByOps(
  requestId: string,
  reason: string,
  deps: RejectDependencies,
): Promise<RejectOutcome> {
  const request = await deps.register.get(requestId);
  if (!request || request.noticeOf) return { outcome: 'unknown-request' };
  if (!isOpen(request.status)) return { outcome: 'not-open', status: request.status };
  const effect = releasedOnRejection(request.kind);
  const record =
    request.subjectKey && Object.keys(effect).length > 0
      ? await deps.register.subjectRecord(request.subjectKey)
      : null;
  const released = heldBy(requestId, effect, record);
  const at = deps.now();
  const rejected: RegisteredRequest = {
    ...request,
    status: 'rejected',
    closedAt: at.toISOString(),
    closingReason: reason,
  };
  // A held request's sender may be forged (spam verdict, DMARC failure): makul writes to no one for it.
  const notice =
    deps.hmacKey && request.status !== 'held'
      ? noticeFor(rejected, 'rejected', at, deps.hmacKey, null)
      : null;
  const subject: TokenRedemption['subject'] =
    request.subjectKey && record && released.length > 0
      ? { key: request.subjectKey, release: { effect, current: record } }
      : undefined;
  const result = await deps.register.redeemToken({
    tokenHash: null,
    at,
    requestId,
    // From the status read: a confirmation racing this would set flags the release above did not see.
    request: closedByOps(request, 'rejected', reason),
    ...(subject ? { subject } : {}),
    audit: {
      at: at.toISOString(),
      event: 'rejected-by-ops',
      detail: {
        who: 'ops',
        reason,
        released: released.join(','),
        notices: notice ? 'rejected' : '',
      },
    },
    notices: notice ? [notice] : [],
  });
  if (result.outcome !== 'done') return { outcome: 'concurrent-change' };
  return { outcome: 'rejected', requestId, released, subjectTold: notice !== null };
}

/** The flags of `effect` this request holds on the record read (set by it, alone or with others). */
function heldBy(
  requestId: string,
  effect: SubjectEffect,
  record: Awaited<ReturnType<LinkRegister['subjectRecord']>>,
): SubjectFlag[] {
  if (!record) return [];
  return (Object.keys(effect) as SubjectFlag[]).filter((flag) =>
    record.flags[flag]?.heldBy.includes(requestId),
  );
}

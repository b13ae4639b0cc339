/**
 * Ops extend the term of an open request, as far as the law allows and once (RU 152-FZ art. 20
 * part 2: access, 5 more working days, on condition of a reasoned notice to the subject). In one
 * transaction: the due date moved from the one read, the original kept, the audit trail saying ops did
 * it and why, and the reasoned notice recorded for the deferred-outbound job to send. The notice is
 * the law's condition, so without a way to send it nothing is extended.
 */
import type { Jurisdiction } from '../domain/operators/operator-profile';
import { extendedDueAt } from '../domain/requests/deadlines';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { isOpen, OPEN_STATUSES } from '../domain/requests/request-policies';
import type { LinkRegister } from '../ports/request-register';
import { noticeFor } from './notice-for';

export type ExtendOutcome =
  /** `from` and `to`: the due dates before and after (ISO); `statute`: the rule that allows it. */
  | {
      readonly outcome: 'extended';
      readonly requestId: string;
      readonly from: string;
      readonly to: string;
      readonly statute: string;
    }
  | { readonly outcome: 'unknown-request' }
  /** Closed (completed, rejected, cancelled …): there is no term left to extend. */
  | { readonly outcome: 'not-open'; readonly status: RegisteredRequest['status'] }
  /**
   * The original term has run out: the law extends a term by a notice sent within it (152-FZ art. 14
   * part 3), so a term already missed cannot be extended afterwards.
   */
  | { readonly outcome: 'term-passed'; readonly dueAt: string }
  /** The law allows one extension, and this request had it. */
  | { readonly outcome: 'already-extended'; readonly originalDueAt: string; readonly dueAt: string }
  /**
   * The jurisdiction gives this kind no extension (or the request has no kind or no due date, or was
   * registered under another jurisdiction than the one given).
   */
  | {
      readonly outcome: 'no-extension-in-law';
      readonly kind: RegisteredRequest['kind'];
      readonly jurisdiction: string;
    }
  /**
   * The reasoned notice cannot be sent: no HMAC key given, the address is no longer kept, or the
   * request is held (its sender may be forged: makul writes to no one for it).
   */
  | { readonly outcome: 'cannot-tell-subject' }
  /** The request changed between the read and the write (another extension, a status change): look again. */
  | { readonly outcome: 'concurrent-change' };

export interface ExtendDependencies {
  readonly register: LinkRegister;
  /** The deployment's jurisdiction: its deadlines say whether and how far a kind's term extends. */
  readonly jurisdiction: Jurisdiction;
  readonly now: () => Date;
  /** The operator's secret, to address the notice (the subject's address is kept sealed with the request). */
  readonly hmacKey?: string;
}

/** `reason`: why, as ops wrote it; the subject's notice quotes it, so it must carry no personal data. */
export async function extendRequestByOps(
  requestId: string,
  reason: string,
  deps: ExtendDependencies,
): Promise<ExtendOutcome> {
  const request = await deps.register.get(requestId);
  if (!request || request.noticeOf) return { outcome: 'unknown-request' };
  if (!isOpen(request.status)) return { outcome: 'not-open', status: request.status };
  if (request.originalDueAt !== null && request.dueAt !== null)
    return { outcome: 'already-extended', originalDueAt: request.originalDueAt, dueAt: request.dueAt };
  const extension =
    request.kind && request.dueAt && request.jurisdiction === deps.jurisdiction.id
      ? extendedDueAt(request.kind, deps.jurisdiction, new Date(request.dueAt))
      : null;
  if (!request.dueAt || !extension) {
    return { outcome: 'no-extension-in-law', kind: request.kind, jurisdiction: request.jurisdiction };
  }
  const at = deps.now();
  if (at.getTime() > Date.parse(request.dueAt)) return { outcome: 'term-passed', dueAt: request.dueAt };
  const from = request.dueAt;
  const to = extension.dueAt.toISOString();
  const extended: RegisteredRequest = {
    ...request,
    dueAt: to,
    originalDueAt: from,
    extendedAt: at.toISOString(),
    extensionReason: reason,
  };
  const notice =
    deps.hmacKey && request.status !== 'held'
      ? noticeFor(extended, 'extended', at, deps.hmacKey, null)
      : null;
  if (!notice) return { outcome: 'cannot-tell-subject' };
  const result = await deps.register.redeemToken({
    tokenHash: null,
    at,
    requestId,
    request: { fromStatuses: OPEN_STATUSES, extendDue: { from, to, reason } },
    audit: {
      at: at.toISOString(),
      event: 'deadline-extended-by-ops',
      detail: { who: 'ops', reason, from, to, statute: extension.source, notices: 'extended' },
    },
    notices: [notice],
  });
  if (result.outcome !== 'done') return { outcome: 'concurrent-change' };
  return { outcome: 'extended', requestId, from, to, statute: extension.source };
}

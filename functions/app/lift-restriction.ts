/**
 * Ops lifts a restriction (the subject lifts their own through the link in the mail after a
 * confirmed `restrict`, confirmation-links.ts). The same change as the subject's, in one transaction:
 * the restriction flag removed from the subject's record whoever holds it, the request stamped, the
 * audit trail saying ops did it and why.
 */
import type { LinkRegister } from '../ports/request-register';
import { noticeFor } from './notice-for';

export type LiftOutcome =
  /** `subjectTold`: a "restriction lifted" mail is recorded for the deferred-outbound job to send. */
  | { readonly outcome: 'lifted'; readonly requestId: string; readonly subjectTold: boolean }
  | { readonly outcome: 'unknown-request' }
  /** Not a restrict request, or one that no longer stands (cancelled, awaiting confirmation). */
  | { readonly outcome: 'not-a-restriction'; readonly kind: string | null; readonly status: string }
  | { readonly outcome: 'not-restricted' };

export interface LiftDependencies {
  readonly register: LinkRegister;
  readonly now: () => Date;
  /**
   * The operator's secret, to address the subject's "restriction lifted" mail (their address is kept
   * sealed with the request); without it the restriction is lifted and nobody is told.
   */
  readonly hmacKey?: string;
}

export async function liftRestrictionByOps(
  requestId: string,
  note: string,
  deps: LiftDependencies,
): Promise<LiftOutcome> {
  const request = await deps.register.get(requestId);
  if (!request) return { outcome: 'unknown-request' };
  const standing = request.status === 'in-progress' || request.status === 'completed';
  if (request.kind !== 'restrict' || !standing || !request.subjectKey) {
    return { outcome: 'not-a-restriction', kind: request.kind, status: request.status };
  }
  const record = await deps.register.subjectRecord(request.subjectKey);
  if (!record?.flags.processingRestricted) return { outcome: 'not-restricted' };
  const at = deps.now();
  const notice = deps.hmacKey ? noticeFor(request, 'restriction-lifted', at, deps.hmacKey, null) : null;
  const result = await deps.register.redeemToken({
    tokenHash: null,
    at,
    requestId,
    request: { fromStatuses: ['in-progress', 'completed'], stamp: 'restrictionLiftedAt' },
    subject: { key: request.subjectKey, clear: 'processingRestricted' },
    audit: {
      at: at.toISOString(),
      event: 'restriction-lifted-by-ops',
      detail: { who: 'ops', proof: 'ops', note, notices: notice ? 'restriction-lifted' : '' },
    },
    notices: notice ? [notice] : [],
  });
  if (result.outcome !== 'done')
    return { outcome: 'not-a-restriction', kind: request.kind, status: request.status };
  return { outcome: 'lifted', requestId, subjectTold: notice !== null };
}

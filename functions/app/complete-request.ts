/**
 * Ops mark an open request done: the operator's systems did what it asked (the data corrected, the
 * report sent, the published data removed). In one transaction: completed, stamped, the audit trail
 * saying ops did it, with their note, and taken off the held list if it was on it. The subject's flags
 * stay as they are: an opt-out is forever, and the erasure executor and the status API read the rest.
 * Nothing is mailed: the subject was told what would happen when the request was accepted.
 */
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { isOpen, type OpenStatus } from '../domain/requests/request-policies';
import type { LinkRegister } from '../ports/request-register';
import { closedByOps } from './close-by-ops';

export type CompleteOutcome =
  | { readonly outcome: 'completed'; readonly requestId: string }
  | { readonly outcome: 'unknown-request' }
  /**
   * Awaiting verification: nobody has shown the request is theirs yet, so there is nothing to have
   * done; it is confirmed through its link, or rejected.
   */
  | { readonly outcome: 'not-verified' }
  /** Closed already (completed, rejected, cancelled …). */
  | { readonly outcome: 'not-open'; readonly status: RegisteredRequest['status'] }
  /** The request changed between the read and the write: look again. */
  | { readonly outcome: 'concurrent-change' };

export interface CompleteDependencies {
  readonly register: LinkRegister;
  readonly now: () => Date;
}

/** The open statuses ops may complete from: all but awaiting-verification. */
const COMPLETABLE: readonly OpenStatus[] = ['in-progress', 'needs-human', 'held'];

/** `note`: what was done, as ops wrote it, for the register (never mailed; no personal data). */
export async function completeRequestByOps(
  requestId: string,
  note: string,
  deps: CompleteDependencies,
): Promise<CompleteOutcome> {
  const request = await deps.register.get(requestId);
  if (!request || request.noticeOf) return { outcome: 'unknown-request' };
  if (request.status === 'awaiting-verification') return { outcome: 'not-verified' };
  if (!isOpen(request.status) || !COMPLETABLE.includes(request.status))
    return { outcome: 'not-open', status: request.status };
  const at = deps.now();
  const result = await deps.register.redeemToken({
    tokenHash: null,
    at,
    requestId,
    request: closedByOps(request, 'completed', note),
    audit: { at: at.toISOString(), event: 'completed-by-ops', detail: { who: 'ops', note } },
    notices: [],
  });
  if (result.outcome !== 'done') return { outcome: 'concurrent-change' };
  return { outcome: 'completed', requestId };
}

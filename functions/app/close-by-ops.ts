/**
 * How ops close a request (app/complete-request.ts, app/reject-request.ts): one conditional move from
 * the status they read, so a change in between (a confirmation, a rejection) is never overwritten, and
 * off the ops list it waited on.
 */
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { TokenRedemption } from '../ports/request-register';

export function closedByOps(
  request: RegisteredRequest,
  toStatus: 'completed' | 'rejected',
  closingReason: string,
): TokenRedemption['request'] {
  return {
    fromStatuses: [request.status],
    toStatus,
    stamp: 'closedAt',
    closingReason,
    // Off the held list, or the refused one (a data system refused its task: app/answer-task.ts).
    ...(request.opsQueue === 'held' || request.opsQueue === 'refused'
      ? { leaveOpsQueue: request.opsQueue }
      : {}),
  };
}

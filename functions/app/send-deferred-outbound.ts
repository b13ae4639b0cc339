/**
 * The deferred-outbound job: sends the replies and forwards that waited for a rate-limit window, once
 * the window is open. A reply over a limit is deferred, never dropped (RFC 3834 asks for few replies,
 * not for silence), so a forged flood cannot cost a genuine request its answer.
 *
 * Each message stays on the deferred list while the job works on it (see resumeDeferred), so a job that
 * dies half-way leaves nothing behind; delivery goes through the same claim as every other send.
 */
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { describeError } from '../shared/log';
import { deliverOutbound, type OutboundDependencies, type OutboundResult } from './deliver-outbound';

/** A message the job picked up but could not finish is looked at again after this long. */
export const DEFERRED_RETRY_MS = 15 * 60 * 1000;
/** One run takes at most this many: the rest wait for the next run (every few minutes). */
export const DEFERRED_BATCH_SIZE = 100;

export interface DeferredRunReport {
  readonly due: number;
  readonly results: Readonly<Partial<Record<OutboundResult | 'failed', number>>>;
  /** Every message still waiting, due or not, and the age of the oldest (for the "waits over a day" alarm). */
  readonly waiting: number;
  readonly oldestWaitingHours: number;
}

export async function sendDeferredOutbound(deps: OutboundDependencies): Promise<DeferredRunReport> {
  const now = deps.now();
  const due = await deps.register.listOpsQueue('deferred', { until: now, limit: DEFERRED_BATCH_SIZE });
  const results: Partial<Record<OutboundResult | 'failed', number>> = {};
  for (const entry of due) {
    const log = deps.log.child({ requestId: entry.requestId });
    let outcome: OutboundResult | 'failed';
    try {
      outcome = await deliverOutbound(await resumed(entry, now, deps), null, deps, log);
    } catch (error) {
      // Still on the deferred list with a retry time: the next run after it picks the message up again.
      log.error('deferred message not sent this run', describeError(error));
      outcome = 'failed';
    }
    results[outcome] = (results[outcome] ?? 0) + 1;
  }
  const waiting = await deps.register.listOpsQueue('deferred');
  const oldestReceived = Math.min(...waiting.map((entry) => Date.parse(entry.receivedAt)), now.getTime());
  const oldestWaitingHours = Math.max(0, (now.getTime() - oldestReceived) / 3_600_000);
  deps.metrics.gauge('DeferredWaiting', waiting.length, 'Count');
  deps.metrics.gauge('OldestDeferredHours', oldestWaitingHours, 'None');
  return { due: due.length, results, waiting: waiting.length, oldestWaitingHours };
}

/** A deferred message made pending again; one found pending or sending was picked up by an earlier run. */
async function resumed(
  entry: RegisteredRequest,
  now: Date,
  deps: OutboundDependencies,
): Promise<RegisteredRequest> {
  if (entry.outboundState !== 'deferred') return entry;
  const retryAt = new Date(now.getTime() + DEFERRED_RETRY_MS);
  await deps.register.resumeDeferred(entry.requestId, retryAt, {
    at: now.toISOString(),
    event: `${entry.outbound}-resumed`,
    detail: { retryAt: retryAt.toISOString() },
  });
  return { ...entry, outboundState: 'pending', opsQueueAt: retryAt.toISOString() };
}

/**
 * Delivers the one outbound message of a request, at most once, whoever calls it (the inbound
 * function today; confirmation pages and scheduled jobs later): claim → send → mark sent.
 *
 * The claim is a conditional write (pending → sending). A retry resumes where the last attempt stopped;
 * a claim held by another attempt is either still live (busy: retry later) or stale (that attempt
 * vanished after claiming, so whether SES took the message is unknown, and it is not sent again: the
 * request is marked "in doubt" for ops to see).
 */
import { localDate } from '../domain/requests/deadlines';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { Logger } from '../shared/log';
import { type SendDependencies, sendForward, sendReply } from './send-outbound';

export interface OutboundDependencies extends SendDependencies {
  readonly log: Logger;
  /**
   * A claim older than this belongs to an attempt that is gone. It must outlive the function's
   * timeout, or a slow but live attempt could be taken for a dead one.
   */
  readonly outboundClaimLeaseMs: number;
}

export type OutboundResult = 'sent' | 'already-done' | 'rate-limited' | 'in-doubt' | 'none';

/** Raised when another attempt is sending this message right now: the caller retries it later. */
export class OutboundBusyError extends Error {
  override readonly name = 'OutboundBusyError';
}

/**
 * Whether a claim found in place belongs to a live attempt. The lease is measured from the claim's own
 * time; a claim without a time is treated as stale (it can only come from an interrupted old write).
 */
export function claimIsLive(claimedAt: string | null, now: Date, leaseMs: number): boolean {
  const claimedMs = claimedAt ? Date.parse(claimedAt) : 0;
  return now.getTime() - claimedMs < leaseMs;
}

export async function deliverOutbound(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: OutboundDependencies,
  log: Logger,
): Promise<OutboundResult> {
  if (request.outbound === 'none') return 'none';
  if (request.outboundState !== 'pending' && request.outboundState !== 'sending') return 'already-done';

  const now = deps.now();
  const rateLimit =
    request.outbound === 'reply' && request.subjectKey
      ? {
          subjectKey: request.subjectKey,
          day: localDate(now, deps.profile.jurisdiction.timeZone),
          maxPerDay: deps.profile.operator.maxRepliesPerAddressPerDay,
        }
      : null;
  const claim = await deps.register.claimOutbound(request.requestId, now, rateLimit);
  if (claim.outcome === 'rate-limited') {
    log.warn('reply not sent: daily reply limit reached for this subject', {
      subjectKey: request.subjectKey,
    });
    return 'rate-limited';
  }
  if (claim.outcome === 'not-pending') {
    if (claim.outboundState !== 'sending') return 'already-done';
    if (claimIsLive(claim.outboundClaimedAt, now, deps.outboundClaimLeaseMs)) {
      throw new OutboundBusyError('another attempt is sending this message now');
    }
    await deps.register.markInDoubt(request.requestId, {
      at: now.toISOString(),
      event: `${request.outbound}-in-doubt`,
      detail: { note: 'an earlier attempt claimed the send and vanished; not sent again' },
    });
    log.warn('outbound message in doubt: not sent again', { outbound: request.outbound });
    return 'in-doubt';
  }

  try {
    const sesMessageId =
      request.outbound === 'reply'
        ? await sendReply(request, deps)
        : await sendForward(request, rawBytes, deps);
    await deps.register.markSent(request.requestId, sesMessageId, {
      at: deps.now().toISOString(),
      event: request.outbound === 'reply' ? 'reply-sent' : 'forwarded-to-humans',
      detail: { sesMessageId },
    });
    log.info(request.outbound === 'reply' ? 'reply sent' : 'forwarded to the human support inbox');
    return 'sent';
  } catch (error) {
    // Give the claim back so the retry sends; if this fails too, the lease expires into "in doubt".
    await deps.register
      .releaseClaim(
        request.requestId,
        {
          at: deps.now().toISOString(),
          event: `${request.outbound}-failed`,
          detail: { errorName: error instanceof Error ? error.name : 'unknown' },
        },
        rateLimit,
      )
      .catch(() => undefined);
    throw error;
  }
}

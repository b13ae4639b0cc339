/**
 * Delivers the one outbound message of a request, at most once, whoever calls it (the inbound
 * function, the deferred-outbound job; confirmation pages later): claim → prepare → send → mark sent.
 *
 * Every state the claim can find leads somewhere definite:
 *   pending   → claimed by this attempt (or, if another attempt gave it back a moment ago, claimed again)
 *   sending   → another attempt holds it: busy (retry later) while its lease runs, in doubt after
 *   deferred  → waiting for its rate-limit window; the deferred-outbound job sends it
 *   sent, skipped, in-doubt → nothing more to do (in-doubt is listed and alarmed for ops)
 * Once SES may have taken the message, nothing gives the claim back: a failure to record "sent"
 * leaves the claim to expire into in-doubt, and an ambiguous SES error marks it in doubt at once.
 */
import { contactListNeedsAddress } from '../domain/requests/contact-retention';
import { localDate, nextLocalMidnight } from '../domain/requests/deadlines';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { MailNotSentError } from '../ports/mail-sender';
import type { OutboundLimits } from '../ports/request-register';
import { describeError, type Logger } from '../shared/log';
import { prepareOutbound, type SendDependencies, transmit } from './send-outbound';

export interface OutboundDependencies extends SendDependencies {
  readonly log: Logger;
  /**
   * A claim older than this belongs to an attempt that is gone. It must outlive the function's
   * timeout, or a slow but live attempt could be taken for a dead one.
   */
  readonly outboundClaimLeaseMs: number;
}

export type OutboundResult = 'sent' | 'already-done' | 'deferred' | 'in-doubt' | 'none';

/** Raised when another attempt is sending this message right now: the caller retries it later. */
export class OutboundBusyError extends Error {
  override readonly name = 'OutboundBusyError';
}

/** How often recording "sent" is tried before the claim is left to expire into in-doubt. */
const MARK_SENT_ATTEMPTS = 3;
/** A claim found pending again (given back between our read and our claim) is claimed again, once. */
const CLAIM_ATTEMPTS = 2;

/**
 * Whether a claim found in place belongs to a live attempt. The lease is measured from the claim's own
 * time; a claim without a time is treated as stale (it can only come from an interrupted old write).
 */
export function claimIsLive(claimedAt: string | null, now: Date, leaseMs: number): boolean {
  const claimedMs = claimedAt ? Date.parse(claimedAt) : 0;
  return now.getTime() - claimedMs < leaseMs;
}

/** The counters a send of this request counts against, at `now`. */
export function outboundLimits(
  request: RegisteredRequest,
  now: Date,
  deps: SendDependencies,
): OutboundLimits {
  const { operator, jurisdiction } = deps.profile;
  const isReply = request.outbound === 'reply';
  return {
    mailbox:
      isReply && request.replyLimitKey
        ? {
            key: request.replyLimitKey,
            day: localDate(now, jurisdiction.timeZone),
            maxPerDay: operator.maxRepliesPerAddressPerDay,
          }
        : null,
    operator: {
      counter: isReply ? 'replies' : 'forwards',
      hour: now.toISOString().slice(0, 13),
      maxPerHour: isReply ? operator.maxRepliesPerHour : operator.maxForwardsPerHour,
    },
  };
}

export async function deliverOutbound(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: OutboundDependencies,
  log: Logger,
): Promise<OutboundResult> {
  if (request.outbound === 'none') return 'none';
  if (request.outboundState === 'deferred') return 'deferred';
  if (request.outboundState !== 'pending' && request.outboundState !== 'sending') return 'already-done';

  const now = deps.now();
  const limits = outboundLimits(request, now, deps);
  for (let attempt = 1; ; attempt += 1) {
    const claim = await deps.register.claimOutbound(request.requestId, now, limits);
    if (claim.outcome === 'claimed') break;
    if (claim.outcome === 'rate-limited') {
      // Deferred, never dropped: the deferred-outbound job sends it when the window opens.
      const until =
        claim.limit === 'mailbox'
          ? nextLocalMidnight(now, deps.profile.jurisdiction.timeZone)
          : nextHour(now);
      await deps.register.deferOutbound(request.requestId, until, {
        at: now.toISOString(),
        event: `${request.outbound}-deferred`,
        detail: { limit: claim.limit, until: until.toISOString() },
      });
      deps.metrics.count('OutboundDeferred', { limit: claim.limit });
      if (claim.limit === 'operator') deps.metrics.count('OperatorLimitReached');
      log.warn('outbound message deferred: a rate limit is reached', {
        limit: claim.limit,
        until: until.toISOString(),
      });
      return 'deferred';
    }
    switch (claim.outboundState) {
      case 'pending':
        if (attempt < CLAIM_ATTEMPTS) continue;
        throw new OutboundBusyError('the outbound message keeps changing hands; retry later');
      case 'sending':
        if (claimIsLive(claim.outboundClaimedAt, now, deps.outboundClaimLeaseMs)) {
          throw new OutboundBusyError('another attempt is sending this message now');
        }
        await markInDoubt(request, deps, 'an earlier attempt claimed the send and vanished; not sent again');
        log.warn('outbound message in doubt: not sent again', { outbound: request.outbound });
        return 'in-doubt';
      case 'deferred':
        return 'deferred';
      case 'in-doubt':
        return 'in-doubt';
      case 'sent':
      case 'skipped':
        return 'already-done';
    }
  }

  let sesMessageId: string;
  try {
    const message = await prepareOutbound(request, rawBytes, deps);
    try {
      sesMessageId = await transmit(message, deps.mailSender);
    } catch (error) {
      if (!(error instanceof MailNotSentError)) {
        // SES may have taken it (a timeout, a reset, a 5xx): sending again could make two.
        await markInDoubt(request, deps, 'the mail service did not say whether it took the message');
        log.error('outbound message in doubt: SES gave no clear answer', { outbound: request.outbound });
        return 'in-doubt';
      }
      throw error;
    }
  } catch (error) {
    // Nothing went out: give the claim (and what it counted) back so the retry sends.
    await deps.register
      .releaseClaim(
        request.requestId,
        {
          at: deps.now().toISOString(),
          event: `${request.outbound}-failed`,
          detail: { errorName: error instanceof Error ? error.name : 'unknown' },
        },
        limits,
      )
      .catch(() => undefined);
    throw error;
  }

  await markSent(request, sesMessageId, deps, log);
  deps.metrics.count(request.outbound === 'reply' ? 'RepliesSent' : 'ForwardsSent');
  log.info(request.outbound === 'reply' ? 'reply sent' : 'forwarded to the human support inbox');
  return 'sent';
}

/**
 * Records "sent", retrying a refused or conflicting write a few times. If it still fails, the error
 * goes up with the claim left in place: a retry finds it busy, then stale, and marks it in doubt —
 * it never sends again.
 */
async function markSent(
  request: RegisteredRequest,
  sesMessageId: string,
  deps: OutboundDependencies,
  log: Logger,
): Promise<void> {
  const neededForContactList = contactListNeedsAddress(request, deps.profile);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deps.register.markSent(
        request.requestId,
        sesMessageId,
        {
          at: deps.now().toISOString(),
          event: request.outbound === 'reply' ? 'reply-sent' : 'forwarded-to-humans',
          detail: { sesMessageId },
        },
        // A completed request needs no further mail: the address goes with the reply, unless the
        // contact-list sync needs it too (then the last of the two forgets it, below).
        { forgetContact: request.status === 'completed' && !neededForContactList },
      );
      break;
    } catch (error) {
      if (attempt >= MARK_SENT_ATTEMPTS) {
        log.error('sent, but could not record it: the claim will expire into in-doubt', {
          sesMessageId,
          attempts: attempt,
        });
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** (attempt - 1)));
    }
  }
  if (neededForContactList) await forgetContactIfSynced(request, deps, log);
}

/**
 * The reply is sent; the address goes now if the contact-list sync is done with it too, else the sync
 * forgets it when it is (domain/requests/contact-retention.ts). The reply is out either way, so a write
 * that keeps failing is logged, not raised: a retry of the message would find it sent and not come here.
 */
async function forgetContactIfSynced(
  request: RegisteredRequest,
  deps: OutboundDependencies,
  log: Logger,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const forgotten = await deps.register.forgetContactIfSynced(request.requestId);
      log.info(
        forgotten
          ? 'address forgotten: the contact list already has the opt-out'
          : 'address kept for the contact-list sync, which forgets it',
      );
      return;
    } catch (error) {
      if (attempt >= MARK_SENT_ATTEMPTS) {
        log.error('sent, but could not forget the address: it stays until removed', {
          ...describeError(error),
          attempts: attempt,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** (attempt - 1)));
    }
  }
}

async function markInDoubt(
  request: RegisteredRequest,
  deps: OutboundDependencies,
  note: string,
): Promise<void> {
  await deps.register.markInDoubt(request.requestId, {
    at: deps.now().toISOString(),
    event: `${request.outbound}-in-doubt`,
    detail: { note },
  });
  deps.metrics.count('OutboundInDoubt');
}

function nextHour(now: Date): Date {
  const hour = new Date(now);
  hour.setUTCMinutes(0, 0, 0);
  return new Date(hour.getTime() + 60 * 60 * 1000);
}

import { describe, expect, it } from 'vitest';
import { REQUEST_KINDS } from '../../../../functions/domain/requests/request-kinds';
import { planRequest, REQUEST_POLICIES } from '../../../../functions/domain/requests/request-policies';

describe('planRequest', () => {
  it('applies unsubscribe at once, without a link, whoever sent it', () => {
    for (const authenticated of [true, false]) {
      expect(planRequest('unsubscribe', authenticated)).toEqual({
        status: 'completed',
        applyEffectNow: true,
        token: null,
        replyOutcome: 'done',
      });
    }
  });

  it.each(REQUEST_KINDS.filter((kind) => kind !== 'unsubscribe'))(
    'holds %s for a confirmed link when the sender is not authenticated',
    (kind) => {
      expect(planRequest(kind, false)).toEqual({
        status: 'awaiting-verification',
        applyEffectNow: false,
        token: 'verify',
        replyOutcome: 'verify',
      });
    },
  );

  it.each(REQUEST_KINDS.filter((kind) => kind !== 'unsubscribe'))(
    'accepts %s from an authenticated sender and still offers "this was not me"',
    (kind) => {
      expect(planRequest(kind, true)).toEqual({
        status: 'in-progress',
        applyEffectNow: true,
        token: 'dispute',
        replyOutcome: 'accepted',
      });
    },
  );
});

describe('REQUEST_POLICIES', () => {
  it('stops marketing for every kind that ends the relationship', () => {
    expect(REQUEST_POLICIES.unsubscribe.effect.marketingOptOut).toBe(true);
    expect(REQUEST_POLICIES['withdraw-consent'].effect.marketingOptOut).toBe(true);
    expect(REQUEST_POLICIES.erasure.effect.marketingOptOut).toBe(true);
  });

  it('marks consent withdrawn, processing restricted and dissemination stopped for their kinds', () => {
    expect(REQUEST_POLICIES['withdraw-consent'].effect.consentWithdrawn).toBe(true);
    expect(REQUEST_POLICIES.restrict.effect.processingRestricted).toBe(true);
    expect(REQUEST_POLICIES['stop-dissemination'].effect.disseminationStopped).toBe(true);
    expect(REQUEST_POLICIES.erasure.effect.erasureRequested).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sameState,
  stateOf,
  statusOf,
  unknownState,
} from '../../../../functions/domain/subjects/subject-status';

describe('the state of a subject', () => {
  it('is allowed on both counts with no flag set', () => {
    expect(stateOf({})).toEqual({ marketing: 'allowed', processing: 'allowed', reason: null });
  });

  it.each([
    [{ marketingOptOut: true }, 'suppressed', 'allowed', 'unsubscribed'],
    [{ processingRestricted: true }, 'allowed', 'restricted', 'processing-restricted'],
    [{ consentWithdrawn: true, marketingOptOut: true }, 'suppressed', 'withdrawn', 'consent-withdrawn'],
    [{ erasureRequested: true, marketingOptOut: true }, 'suppressed', 'withdrawn', 'erasure-requested'],
    // A withdrawal outranks a restriction; an erasure request outranks both.
    [{ consentWithdrawn: true, processingRestricted: true }, 'suppressed', 'withdrawn', 'consent-withdrawn'],
    [{ erasureRequested: true, consentWithdrawn: true }, 'suppressed', 'withdrawn', 'erasure-requested'],
    // Dissemination is not marketing or processing as marketing systems see them.
    [{ disseminationStopped: true }, 'allowed', 'allowed', null],
  ] as const)('%j → marketing %s, processing %s (%s)', (flags, marketing, processing, reason) => {
    expect(stateOf(flags)).toEqual({ marketing, processing, reason });
  });

  it('never allows marketing while processing is withdrawn', () => {
    const flag = fc.option(fc.constant(true as const), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          marketingOptOut: flag,
          consentWithdrawn: flag,
          processingRestricted: flag,
          erasureRequested: flag,
        }),
        (flags) => {
          const state = stateOf(flags);
          if (state.processing === 'withdrawn') expect(state.marketing).toBe('suppressed');
          expect(state.reason === null).toBe(state.marketing === 'allowed' && state.processing === 'allowed');
        },
      ),
    );
  });

  it('answers an unknown address with the operator default', () => {
    expect(statusOf('s', null, 'allowed')).toEqual({
      sid: 's',
      known: false,
      changedAt: null,
      marketing: 'allowed',
      processing: 'allowed',
      reason: null,
    });
    expect(statusOf('s', null, 'suppressed')).toMatchObject({
      marketing: 'suppressed',
      reason: 'operator-default',
    });
    expect(unknownState('suppressed').processing).toBe('allowed');
  });

  it('answers a known record with its state and when it changed', () => {
    expect(statusOf('s', { flags: {}, updatedAt: '2026-12-01T10:00:00.000Z' }, 'suppressed')).toEqual({
      sid: 's',
      known: true,
      changedAt: '2026-12-01T10:00:00.000Z',
      marketing: 'allowed',
      processing: 'allowed',
      reason: null,
    });
  });

  it('compares states by what marketing systems obey and why, not by other flags', () => {
    expect(
      sameState(
        stateOf({ marketingOptOut: true }),
        stateOf({ marketingOptOut: true, disseminationStopped: true }),
      ),
    ).toBe(true);
    expect(sameState(stateOf({}), stateOf({ marketingOptOut: true }))).toBe(false);
    // An erasure asked for after a withdrawal: withdrawn both times, reported all the same.
    expect(
      sameState(
        stateOf({ consentWithdrawn: true }),
        stateOf({ consentWithdrawn: true, erasureRequested: true }),
      ),
    ).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  becameSuppressed,
  type ProfileImage,
  type ProfileWrite,
  stateChangeOf,
} from '../../../../functions/domain/subjects/status-change';
import type { StatusFlags } from '../../../../functions/domain/subjects/subject-status';

const SID = 'a'.repeat(64);
const AT = '2026-12-02T10:00:00.000Z';
const image = (flags: StatusFlags, updatedAt: string | null = AT): ProfileImage => ({ flags, updatedAt });
const write = (before: ProfileImage | null, after: ProfileImage | null): ProfileWrite => ({
  sid: SID,
  before,
  after,
  at: '2026-12-02T10:00:05.000Z',
});

describe('the change a write to a subject record makes', () => {
  it('reports a new record that opts out, from a record with no flags', () => {
    const change = stateChangeOf(write(null, image({ marketingOptOut: true })), 'allowed');

    expect(change).toEqual({
      sid: SID,
      changedAt: AT,
      previous: { marketing: 'allowed', processing: 'allowed', reason: null },
      current: { marketing: 'suppressed', processing: 'allowed', reason: 'unsubscribed' },
    });
  });

  it("starts a new record from no flags even when the operator's default for unknowns is suppressed", () => {
    const change = stateChangeOf(write(null, image({ marketingOptOut: true })), 'suppressed');

    expect(change?.previous).toEqual({ marketing: 'allowed', processing: 'allowed', reason: null });
  });

  it('reports a withdrawal of consent on top of an unsubscribe', () => {
    const change = stateChangeOf(
      write(image({ marketingOptOut: true }), image({ marketingOptOut: true, consentWithdrawn: true })),
      'allowed',
    );

    expect(change?.previous).toEqual({
      marketing: 'suppressed',
      processing: 'allowed',
      reason: 'unsubscribed',
    });
    expect(change?.current).toEqual({
      marketing: 'suppressed',
      processing: 'withdrawn',
      reason: 'consent-withdrawn',
    });
  });

  it('reports an erasure asked for after a withdrawal: both withdrawn, for a stronger reason', () => {
    const withdrawn = { marketingOptOut: true, consentWithdrawn: true } as const;
    const change = stateChangeOf(
      write(image(withdrawn), image({ ...withdrawn, erasureRequested: true })),
      'allowed',
    );

    expect(change?.previous.reason).toBe('consent-withdrawn');
    expect(change?.current).toEqual({
      marketing: 'suppressed',
      processing: 'withdrawn',
      reason: 'erasure-requested',
    });
  });

  it('reports a restriction lifted', () => {
    const change = stateChangeOf(write(image({ processingRestricted: true }), image({})), 'allowed');

    expect(change?.previous.processing).toBe('restricted');
    expect(change?.current).toEqual({ marketing: 'allowed', processing: 'allowed', reason: null });
  });

  it('reports nothing for a second unsubscribe, a new holder of a flag or a timestamp moved', () => {
    const optedOut = image({ marketingOptOut: true });
    expect(
      stateChangeOf(write(optedOut, image({ marketingOptOut: true }, '2026-12-03T00:00:00.000Z')), 'allowed'),
    ).toBeNull();
  });

  it('reports nothing for a new record whose flags marketing systems do not see', () => {
    expect(stateChangeOf(write(null, image({ disseminationStopped: true })), 'allowed')).toBeNull();
  });

  it("gives a removed record the operator's default for unknown addresses, at the time of the removal", () => {
    const removed = write(image({ marketingOptOut: true }), null);

    expect(stateChangeOf(removed, 'allowed')).toEqual({
      sid: SID,
      changedAt: '2026-12-02T10:00:05.000Z',
      previous: { marketing: 'suppressed', processing: 'allowed', reason: 'unsubscribed' },
      current: { marketing: 'allowed', processing: 'allowed', reason: null },
    });
    expect(stateChangeOf(removed, 'suppressed')?.current).toEqual({
      marketing: 'suppressed',
      processing: 'allowed',
      reason: 'operator-default',
    });
  });

  it('takes the time of the write when the record carries no updatedAt', () => {
    const change = stateChangeOf(write(null, image({ marketingOptOut: true }, null)), 'allowed');

    expect(change?.changedAt).toBe('2026-12-02T10:00:05.000Z');
  });
});

describe('an opt-out that reaches the contact list', () => {
  it('is a change to marketing suppressed, from allowed', () => {
    const optOut = stateChangeOf(write(null, image({ marketingOptOut: true })), 'allowed');
    const withdrawal = stateChangeOf(
      write(image({ marketingOptOut: true }), image({ marketingOptOut: true, consentWithdrawn: true })),
      'allowed',
    );
    const reversal = stateChangeOf(write(image({ marketingOptOut: true }), image({})), 'allowed');

    expect(optOut && becameSuppressed(optOut)).toBe(true);
    // Already suppressed: the list has it already.
    expect(withdrawal && becameSuppressed(withdrawal)).toBe(false);
    // makul never opts a contact in.
    expect(reversal && becameSuppressed(reversal)).toBe(false);
  });
});

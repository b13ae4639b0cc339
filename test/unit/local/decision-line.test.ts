import { describe, expect, it } from 'vitest';
import { decisionLine } from '../../../local/decision-line';

const requestId = 'MK-46XG0CVCM6XE';

describe('decisionLine (the per-message line of npm start)', () => {
  it('says a dropped message was dropped and why, and that nothing was sent', () => {
    const line = decisionLine({
      requestId,
      action: 'drop',
      reason: 'auto-submitted',
      kind: null,
      outbound: 'none',
      outboundResult: 'none',
    });
    expect(line).toBe(`request ${requestId} → dropped (auto-submitted): nothing sent`);
    expect(line).not.toContain('none');
  });

  it('says a message for review was forwarded to humans', () => {
    expect(
      decisionLine({
        requestId,
        action: 'review',
        reason: 'no-tag',
        kind: null,
        outbound: 'forward',
        outboundResult: 'sent',
      }),
    ).toBe(`request ${requestId} → no request kind → review (no-tag) → forwarded to humans`);
  });

  it('names the kind and the reply of a processed request', () => {
    expect(
      decisionLine({
        requestId,
        action: 'process',
        reason: 'tag-in-subject',
        kind: 'unsubscribe',
        outbound: 'reply',
        outboundResult: 'sent',
      }),
    ).toBe(`request ${requestId} → unsubscribe → process (tag-in-subject) → reply: sent`);
  });

  it('explains replies and forwards that were not sent this time', () => {
    const processed = {
      requestId,
      action: 'process',
      reason: 'tag-in-body',
      kind: 'access',
      outbound: 'reply',
    };
    expect(decisionLine({ ...processed, outboundResult: 'rate-limited' })).toBe(
      `request ${requestId} → access → process (tag-in-body) → reply: not sent (daily reply limit for this person reached)`,
    );
    expect(decisionLine({ ...processed, outboundResult: 'already-done' })).toMatch(
      /→ reply: already handled by an earlier delivery$/,
    );
    expect(decisionLine({ ...processed, outboundResult: 'in-doubt' })).toMatch(
      /→ reply: in doubt .*not sent again$/,
    );
    expect(
      decisionLine({
        requestId,
        action: 'review',
        reason: 'too-large',
        outbound: 'forward',
        outboundResult: 'in-doubt',
      }),
    ).toMatch(/review \(too-large\) → forward to humans: in doubt .*not sent again$/);
  });

  it('never prints an address, whatever a field holds', () => {
    const line = decisionLine({
      requestId,
      action: 'review',
      reason: 'invalid-sender:person@example.com',
      kind: null,
      outbound: 'forward',
      outboundResult: 'sent',
    });
    expect(line).not.toContain('@');
    expect(line).toContain('[hidden]');
  });

  it('stays readable when fields are missing or unexpected', () => {
    expect(decisionLine(undefined)).toBe('no decision logged');
    expect(decisionLine({})).toBe(
      'request (no id) → no request kind → no decision (no reason given) → outbound unknown: unknown',
    );
    expect(
      decisionLine({
        requestId,
        action: 'process',
        reason: 'x',
        kind: 'erasure',
        outbound: 'reply',
        outboundResult: 'toString',
      }),
    ).toMatch(/→ reply: toString$/);
  });
});

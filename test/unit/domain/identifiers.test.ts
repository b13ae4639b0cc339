import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestIdFor } from '../../../functions/domain/requests/request-id';
import { subjectKey } from '../../../functions/domain/subjects/subject-key';
import { deriveToken, hashToken, tokenLink } from '../../../functions/domain/tokens/verification-token';

describe('requestIdFor', () => {
  it('gives the same id for the same SES message id, in every run and every release, so redeliveries map to one request', () => {
    // A fixed value, not the function compared with itself: a message redelivered after a deploy must still
    // find the request its first delivery recorded, so the derivation may never change.
    expect(requestIdFor('0000014a-f4d4-4f36-example')).toBe('MK-TFS8MZMGGHW4');
  });

  it('looks like MK- and 12 unambiguous characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (messageId) => {
        expect(requestIdFor(messageId)).toMatch(/^MK-[ABCDEFGHJKMNPQRSTVWXYZ0-9]{12}$/);
      }),
    );
  });

  it('differs for different message ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, (_, index) => requestIdFor(`message-${index}`)));
    expect(ids.size).toBe(2000);
  });
});

describe('subjectKey', () => {
  const key = 'k'.repeat(64);

  it('is a 64-character hex HMAC that does not contain the address', () => {
    const hashed = subjectKey('ivan@example.ru', key);
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed).not.toContain('ivan');
  });

  it('depends on the secret key, so it cannot be recomputed without it', () => {
    expect(subjectKey('ivan@example.ru', key)).not.toBe(subjectKey('ivan@example.ru', 'x'.repeat(64)));
  });
});

describe('deriveToken', () => {
  const secret = 'k'.repeat(64);

  it('gives 256 bits, stores only their hash, and expires after the given hours', () => {
    const now = new Date('2026-11-21T10:00:00Z');
    const token = deriveToken('verify', 'MK-7H3K9QF2XA', secret, now, 72);
    expect(Buffer.from(token.token, 'base64url')).toHaveLength(32);
    expect(token.tokenHash).toBe(hashToken(token.token));
    expect(token.tokenHash).not.toContain(token.token);
    expect(token.expiresAt.toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });

  it('gives a retried send the same token for the same request and purpose', () => {
    const first = deriveToken('verify', 'MK-7H3K9QF2XA', secret, new Date(), 72);
    const retry = deriveToken('verify', 'MK-7H3K9QF2XA', secret, new Date(Date.now() + 60_000), 72);
    expect(retry.token).toBe(first.token);
  });

  it('gives every request, purpose and secret its own token', () => {
    const now = new Date();
    const tokens = new Set([
      ...Array.from({ length: 1000 }, (_, n) => deriveToken('verify', `MK-${n}`, secret, now, 1).token),
      deriveToken('dispute', 'MK-1', secret, now, 1).token,
      deriveToken('verify', 'MK-1', 'x'.repeat(64), now, 1).token,
    ]);
    expect(tokens.size).toBe(1002);
  });

  it('puts the token in the path under /c/, so a page without JavaScript can read it', () => {
    expect(tokenLink('https://privacy.example.kg/confirm', 'abc')).toBe(
      'https://privacy.example.kg/confirm/c/abc',
    );
    expect(tokenLink('https://privacy.example.kg/confirm/#old', 'abc')).toBe(
      'https://privacy.example.kg/confirm/c/abc',
    );
    expect(tokenLink('http://127.0.0.1:3000', 'abc')).toBe('http://127.0.0.1:3000/c/abc');
  });
});

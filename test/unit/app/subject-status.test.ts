import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, statusMany } from '../../../functions/app/subject-status';
import type { SubjectStatusReader, SubjectStatusRecord } from '../../../functions/ports/subject-status';
import { UNAVAILABLE } from '../../../functions/ports/subject-status';
import { sampleProfile } from '../../support/sample-profile';

describe('feed cursors', () => {
  it('give back the sequence they were made from, for any sequence', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (sequence) => {
        expect(decodeCursor(encodeCursor(sequence))).toBe(sequence);
      }),
    );
  });

  it('are opaque: not the bare number', () => {
    expect(encodeCursor(42)).not.toContain('42');
  });

  it.each([
    '',
    '42',
    'Yz4xMg',
    'not a cursor!',
    encodeCursor(1).repeat(10),
    Buffer.from('c1.-1').toString('base64url'),
    Buffer.from('c1.01').toString('base64url'),
  ])('refuses %j, which makul never gave out', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

describe('a batch whose store could not read every entry', () => {
  it('answers those entries as unavailable and retryable, in place, and the rest as usual', async () => {
    const unavailableSid = 'a'.repeat(64);
    const knownSid = 'b'.repeat(64);
    // A store whose retries ran out for one key: DynamoDB Local never throttles, so this is a stand-in.
    const reader: SubjectStatusReader = {
      read: async () => null,
      readMany: async () =>
        new Map<string, SubjectStatusRecord | null | typeof UNAVAILABLE>([
          [unavailableSid, UNAVAILABLE],
          [knownSid, { flags: { marketingOptOut: true }, updatedAt: '2026-12-01T00:00:00.000Z' }],
        ]),
    };

    const answers = await statusMany([{ sid: unavailableSid }, { sid: knownSid }], {
      reader,
      feed: { changesAfter: async () => ({ changes: [], lastSequence: 0, more: false }) },
      hmacKey: 'k',
      profile: sampleProfile(),
    });

    expect(answers[0]).toEqual({
      sid: unavailableSid,
      error: { code: 'unavailable', message: expect.any(String), retryable: true },
    });
    expect(answers[1]).toMatchObject({ sid: knownSid, marketing: 'suppressed' });
  });
});

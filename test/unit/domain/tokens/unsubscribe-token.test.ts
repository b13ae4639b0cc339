import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidUnsubscribeAddressError,
  linkableAddress,
  linkKeyFromHex,
  MAX_UNSUBSCRIBE_TOKEN_LENGTH,
  readUnsubscribeToken,
  UNSUBSCRIBE_PATH,
  unsubscribeLink,
  unsubscribeLinkKey,
  unsubscribeToken,
} from '../../../../functions/domain/tokens/unsubscribe-token';

const SECRET = 'makul-test-secret-0123456789abcdef0123456789';
const OTHER_SECRET = 'another-operator-secret-0123456789abcdef0123';
const KEY = unsubscribeLinkKey(SECRET);
const FOREIGN_KEY = unsubscribeLinkKey(OTHER_SECRET);
const ADDRESS = 'aigul@example.kg';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The format as unsubscribe-token.ts documents it, built from node:crypto alone (what another implementation does). */
function documentedToken(address: string, linkKey: Buffer, iv?: Buffer): string {
  const ivKey = Buffer.from(hkdfSync('sha256', linkKey, Buffer.alloc(0), 'makul-unsubscribe-link:v1:iv', 32));
  const nonce = iv ?? createHmac('sha256', ivKey).update(address, 'utf8').digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', linkKey, nonce);
  const sealed = Buffer.concat([cipher.update(address, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

describe('unsubscribeLinkKey', () => {
  it('derives 32 bytes with HKDF-SHA256 and the label makul-unsubscribe-link:v1', () => {
    const expected = Buffer.from(
      hkdfSync('sha256', SECRET, Buffer.alloc(0), 'makul-unsubscribe-link:v1', 32),
    );
    expect(KEY).toEqual(expected);
    expect(KEY).toHaveLength(32);
  });

  it('gives another key for another secret, and never the sealing key of contact addresses', () => {
    expect(FOREIGN_KEY.equals(KEY)).toBe(false);
    const sealingKey = Buffer.from(
      hkdfSync('sha256', SECRET, Buffer.alloc(0), 'makul-contact-address:v1', 32),
    );
    expect(sealingKey.equals(KEY)).toBe(false);
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => unsubscribeLinkKey('short')).toThrow(/shorter than 32/);
  });

  it('survives the hex round trip that hands it to a marketing system', () => {
    expect(linkKeyFromHex(KEY.toString('hex'))).toEqual(KEY);
    expect(linkKeyFromHex(` ${KEY.toString('hex').toUpperCase()}\n`)).toEqual(KEY);
    expect(() => linkKeyFromHex('abcd')).toThrow(/64 hex digits/);
    expect(() => linkKeyFromHex(`${KEY.toString('hex').slice(0, 63)}g`)).toThrow(/64 hex digits/);
  });
});

describe('unsubscribeToken and readUnsubscribeToken', () => {
  it('read back the normalised address', () => {
    expect(readUnsubscribeToken(unsubscribeToken(ADDRESS, KEY), KEY)).toBe(ADDRESS);
    expect(readUnsubscribeToken(unsubscribeToken('  Aigul@Example.KG ', KEY), KEY)).toBe(ADDRESS);
    expect(readUnsubscribeToken(unsubscribeToken('ivan@пример.рф', KEY), KEY)).toBe(
      'ivan@xn--e1afmkfd.xn--p1ai',
    );
  });

  it('give one address one token, whatever its spelling, and other addresses other tokens', () => {
    const token = unsubscribeToken(ADDRESS, KEY);
    expect(unsubscribeToken('AIGUL@example.kg', KEY)).toBe(token);
    expect(unsubscribeToken('aigul2@example.kg', KEY)).not.toBe(token);
    expect(unsubscribeToken(ADDRESS, FOREIGN_KEY)).not.toBe(token);
  });

  it('follow the documented format, so other implementations can make the same links', () => {
    expect(unsubscribeToken(ADDRESS, KEY)).toBe(documentedToken(ADDRESS, KEY));
    // A fixed vector: the format must not change under marketing systems that already send links.
    expect(unsubscribeToken(ADDRESS, KEY)).toBe(
      '8eJPMUgqNATrDKWllr_UAeQiCgYM_87eAf7A_eDvVpozIRZ1jG_jo-l3uRg',
    );
  });

  it('read a token another implementation sealed with a random IV', () => {
    expect(readUnsubscribeToken(documentedToken(ADDRESS, KEY, randomBytes(12)), KEY)).toBe(ADDRESS);
  });

  it('show no part of the address, in the token or in its decoded bytes', () => {
    const token = unsubscribeToken(ADDRESS, KEY);
    const bytes = Buffer.from(token, 'base64url').toString('latin1');
    for (const part of ['aigul', 'example', '.kg', ADDRESS]) {
      expect(token.toLowerCase()).not.toContain(part);
      expect(bytes).not.toContain(part);
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('return null for a token with any one character changed', () => {
    const token = unsubscribeToken(ADDRESS, KEY);
    for (let index = 0; index < token.length; index += 1) {
      const at = BASE64URL_ALPHABET.indexOf(token[index] ?? '');
      // The next character of the alphabet: at the last position it differs only in unused bits.
      const altered = `${token.slice(0, index)}${BASE64URL_ALPHABET[(at + 1) % 64]}${token.slice(index + 1)}`;
      expect(readUnsubscribeToken(altered, KEY), `position ${index}`).toBeNull();
    }
  });

  it('return null for every truncation and for a token with something appended', () => {
    const token = unsubscribeToken(ADDRESS, KEY);
    for (let length = 0; length < token.length; length += 1) {
      expect(readUnsubscribeToken(token.slice(0, length), KEY), `length ${length}`).toBeNull();
      expect(readUnsubscribeToken(token.slice(length + 1), KEY)).toBeNull();
    }
    expect(readUnsubscribeToken(`${token}A`, KEY)).toBeNull();
    expect(readUnsubscribeToken(`${token}AAAA`, KEY)).toBeNull();
  });

  it('return null for a token made under another key', () => {
    expect(readUnsubscribeToken(unsubscribeToken(ADDRESS, FOREIGN_KEY), KEY)).toBeNull();
  });

  it('return null for what is not base64url, or is longer than the cap', () => {
    const token = unsubscribeToken(ADDRESS, KEY);
    expect(readUnsubscribeToken(`${token}=`, KEY)).toBeNull();
    expect(readUnsubscribeToken(token.replace(/_/g, '/').replace(/-/g, '+'), KEY)).toBeNull();
    expect(readUnsubscribeToken(`${token.slice(0, 10)} ${token.slice(10)}`, KEY)).toBeNull();
    expect(readUnsubscribeToken(`${token.slice(0, 10)}.${token.slice(10)}`, KEY)).toBeNull();
    expect(readUnsubscribeToken('A'.repeat(MAX_UNSUBSCRIBE_TOKEN_LENGTH + 1), KEY)).toBeNull();
    expect(readUnsubscribeToken('A'.repeat(MAX_UNSUBSCRIBE_TOKEN_LENGTH), KEY)).toBeNull();
    expect(readUnsubscribeToken('', KEY)).toBeNull();
  });

  it('fit the longest valid address well under the cap', () => {
    const longest = `${'a'.repeat(64)}@${['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(58), 'kg'].join('.')}`;
    expect(longest).toHaveLength(254);
    const token = unsubscribeToken(longest, KEY);
    expect(token.length).toBeLessThanOrEqual(376);
    expect(readUnsubscribeToken(token, KEY)).toBe(longest);
  });

  it('return null for an authentic token that does not hold a valid address', () => {
    expect(readUnsubscribeToken(documentedToken('not an address', KEY), KEY)).toBeNull();
    expect(readUnsubscribeToken(documentedToken('Aigul@Example.kg', KEY), KEY)).toBeNull();
  });

  it('refuse an invalid address without repeating it', () => {
    for (const invalid of [
      'Aigul <aigul@example.kg>',
      '"aigul"@example.kg',
      'aigul(home)@example.kg',
      'aigul',
      'aigul@localhost',
      'aigul@[192.0.2.1]',
      'айгүл@example.kg',
      'a@b@example.kg',
      '',
    ]) {
      let thrown: unknown;
      try {
        unsubscribeToken(invalid, KEY);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, invalid).toBeInstanceOf(InvalidUnsubscribeAddressError);
      if (invalid !== '') expect((thrown as Error).message).not.toContain(invalid);
    }
  });

  it('refuse a key that is not 32 bytes', () => {
    expect(() => unsubscribeToken(ADDRESS, Buffer.alloc(16))).toThrow(TypeError);
    expect(() => readUnsubscribeToken('x', Buffer.alloc(31))).toThrow(TypeError);
  });

  it('round-trip every valid address (property)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), (address, shout) => {
        const spelled = shout ? address.toUpperCase() : address;
        const normalised = linkableAddress(spelled);
        fc.pre(normalised !== null);
        expect(readUnsubscribeToken(unsubscribeToken(spelled, KEY), KEY)).toBe(normalised);
        expect(readUnsubscribeToken(unsubscribeToken(spelled, KEY), FOREIGN_KEY)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('never throw on whatever arrives in the path (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (token) => {
        expect(readUnsubscribeToken(token, KEY)).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.base64String({ minLength: 44, maxLength: 400 }), (token) => {
        expect(readUnsubscribeToken(token.replace(/=+$/, ''), KEY)).toBeNull();
      }),
    );
  });
});

describe('unsubscribeLink', () => {
  it('is <publicBase>/u/<token>', () => {
    expect(UNSUBSCRIBE_PATH).toBe('u');
    expect(unsubscribeLink('https://privacy.x2.kg/confirm/', 'TOKEN')).toBe(
      'https://privacy.x2.kg/confirm/u/TOKEN',
    );
    expect(unsubscribeLink('https://privacy.x2.kg?from=mail#top', 'TOKEN')).toBe(
      'https://privacy.x2.kg/u/TOKEN',
    );
  });
});

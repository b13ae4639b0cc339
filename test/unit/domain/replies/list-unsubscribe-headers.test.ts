import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../../../../functions/domain/classify/classify-request';
import {
  listUnsubscribeHeaders,
  MAILTO_UNSUBSCRIBE_SUBJECT,
  unsubscribeMailto,
} from '../../../../functions/domain/replies/list-unsubscribe-headers';
import {
  InvalidUnsubscribeAddressError,
  readUnsubscribeToken,
  unsubscribeLinkKey,
  unsubscribeToken,
} from '../../../../functions/domain/tokens/unsubscribe-token';

const LINK_KEY = unsubscribeLinkKey('makul-test-secret-0123456789abcdef0123456789');
const INPUT = {
  address: 'Aigul@Example.KG',
  linkKey: LINK_KEY,
  confirmBaseUrl: 'https://privacy.x2.kg/confirm/',
  supportAddress: 'support@x2.kg',
};

/** `<a>, <b>` → [a, b]. */
function bracketed(value: string): string[] {
  return [...value.matchAll(/<([^<>]*)>/g)].map((match) => match[1] ?? '');
}

describe('listUnsubscribeHeaders', () => {
  it('gives List-Unsubscribe with the one-click link and the mailto alternative, then List-Unsubscribe-Post', () => {
    const token = unsubscribeToken('aigul@example.kg', LINK_KEY);
    expect(listUnsubscribeHeaders(INPUT)).toEqual([
      {
        name: 'List-Unsubscribe',
        value: `<https://privacy.x2.kg/confirm/u/${token}>, <mailto:support@x2.kg?subject=unsubscribe>`,
      },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('puts a token in the link that reads back as the normalised recipient', () => {
    const [listUnsubscribe] = listUnsubscribeHeaders(INPUT);
    const [https] = bracketed(listUnsubscribe?.value ?? '');
    const url = new URL(https ?? '');
    expect(url.protocol).toBe('https:');
    const token = url.pathname.split('/').at(-1) ?? '';
    expect(url.pathname).toBe(`/confirm/u/${token}`);
    expect(readUnsubscribeToken(token, LINK_KEY)).toBe('aigul@example.kg');
    expect(listUnsubscribe?.value.toLowerCase()).not.toContain('aigul');
  });

  it('asks, in the mailto alternative, with the subject tag the inbound classifier knows as unsubscribe', () => {
    const [listUnsubscribe] = listUnsubscribeHeaders(INPUT);
    const mailto = new URL(bracketed(listUnsubscribe?.value ?? '')[1] ?? '');
    expect(mailto.protocol).toBe('mailto:');
    expect(mailto.pathname).toBe('support@x2.kg');
    const subject = mailto.searchParams.get('subject') ?? '';
    expect(subject).toBe(MAILTO_UNSUBSCRIBE_SUBJECT);
    expect(classifyRequest(subject, '')).toMatchObject({ kind: 'unsubscribe', language: 'en', exact: true });
  });

  it('percent-encodes the support address for the mailto URI (RFC 6068)', () => {
    expect(unsubscribeMailto('Privacy+Opt-Out@X2.kg')).toBe(
      'mailto:privacy%2Bopt-out@x2.kg?subject=unsubscribe',
    );
    expect(unsubscribeMailto('a%b?c@x2.kg')).toBe('mailto:a%25b%3Fc@x2.kg?subject=unsubscribe');
    expect(decodeURIComponent(new URL(unsubscribeMailto('a%b?c@x2.kg')).pathname)).toBe('a%b?c@x2.kg');
    expect(() => unsubscribeMailto('Support <support@x2.kg>')).toThrow(/support address/);
  });

  it('serialises a configured base URL so nothing in it can break the angle brackets', () => {
    const [listUnsubscribe] = listUnsubscribeHeaders({
      ...INPUT,
      confirmBaseUrl: 'https://приватность.kg/a b/<x>?q=1',
    });
    const value = listUnsubscribe?.value ?? '';
    expect(value).toMatch(/^<https:\/\/xn--[a-z0-9-]+\.kg\/a%20b\/%3Cx%3E\/u\/[A-Za-z0-9_-]+>, <mailto:/);
    expect(bracketed(value)).toHaveLength(2);
  });

  it('keeps every header one line of printable ASCII within RFC 5322 and SES limits', () => {
    const longest = `${'a'.repeat(64)}@${['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(58), 'kg'].join('.')}`;
    for (const header of listUnsubscribeHeaders({ ...INPUT, address: longest })) {
      expect(header.value).toMatch(/^[\x20-\x7e]+$/);
      expect(`${header.name}: ${header.value}`.length).toBeLessThan(998);
      expect(header.value.length).toBeLessThanOrEqual(995);
    }
  });

  it('refuses a base URL so long that the header would not fit in one line', () => {
    expect(() =>
      listUnsubscribeHeaders({ ...INPUT, confirmBaseUrl: `https://privacy.x2.kg/${'p'.repeat(900)}` }),
    ).toThrow(/List-Unsubscribe would not fit in one header line/);
  });

  it('refuses an invalid recipient without naming it', () => {
    expect(() => listUnsubscribeHeaders({ ...INPUT, address: 'Aigul <aigul@example.kg>' })).toThrow(
      InvalidUnsubscribeAddressError,
    );
    expect(() => listUnsubscribeHeaders({ ...INPUT, address: 'Aigul <aigul@example.kg>' })).not.toThrow(
      /aigul/i,
    );
  });

  it('is read by another mail library as an RFC 2369 list header with both alternatives', async () => {
    const headers = listUnsubscribeHeaders(INPUT);
    const raw = [
      'From: news@x2.kg',
      'To: aigul@example.kg',
      'Subject: Lottery news',
      ...headers.map((header) => `${header.name}: ${header.value}`),
      '',
      'Hello',
      '',
    ].join('\r\n');
    const parsed = await simpleParser(raw);
    const list = parsed.headers.get('list') as { unsubscribe?: { url?: string; mail?: string } };
    expect(list.unsubscribe?.url).toMatch(/^https:\/\/privacy\.x2\.kg\/confirm\/u\/[A-Za-z0-9_-]+$/);
    expect(list.unsubscribe?.mail).toBe('support@x2.kg?subject=unsubscribe');
    expect(parsed.headerLines).toContainEqual({
      key: 'list-unsubscribe-post',
      line: 'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    });
  });
});

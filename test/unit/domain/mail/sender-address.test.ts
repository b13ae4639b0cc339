import { describe, expect, it } from 'vitest';
import {
  checkSender,
  normaliseAddress,
  type SenderRejection,
} from '../../../../functions/domain/mail/sender-address';

describe('checkSender', () => {
  it.each([
    ['a bare address', 'aigul@example.com', 'aigul@example.com'],
    ['an address in angle brackets', '<aigul@example.com>', 'aigul@example.com'],
    ['a plain display name', 'Aigul Osmonova <aigul@example.com>', 'aigul@example.com'],
    [
      'a quoted display name with a comma and an @',
      '"Osmonova, Aigul (aigul@x.org)" <aigul@example.com>',
      'aigul@example.com',
    ],
    ['an encoded-word display name', '=?UTF-8?B?0JDQudCz0q/Quw==?= <aigul@example.com>', 'aigul@example.com'],
    [
      'a quoted encoded-word display name',
      '"=?koi8-r?Q?=E9=D7=C1=CE?=" <ivan@example.org>',
      'ivan@example.org',
    ],
    ['a Q encoded-word holding a comma', '=?utf-8?Q?Doe,_John?= <john@example.com>', 'john@example.com'],
    ['atext and dots in the local part', "o'brien.j+tag@example.com", "o'brien.j+tag@example.com"],
    ['spaces inside the brackets', 'Name < aigul@example.com >', 'aigul@example.com'],
    // RFC 5321 §4.5.3.1.1: 64 octets is the longest local part, and it is valid.
    ['a 64-character local part', `${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
    [
      'a 64-character local part in brackets',
      `Name <${'b.'.repeat(31)}bb@example.com>`,
      `${'b.'.repeat(31)}bb@example.com`,
    ],
  ])('accepts %s', (_case, fromValue, expected) => {
    const result = checkSender([fromValue]);

    expect(result).toEqual({ ok: true, address: expected });
  });

  it('lower-cases the domain and keeps the local part as written', () => {
    const result = checkSender(['Olga <Olga.Smirnova@Example.NET>']);

    expect(result).toEqual({ ok: true, address: 'Olga.Smirnova@example.net' });
  });

  it('returns an IDN domain in its ASCII form, whether written in Unicode or punycode', () => {
    const unicode = checkSender(['ivan@ПРИМЕР.рф']);
    const punycode = checkSender(['ivan@XN--E1AFMKFD.XN--P1AI']);

    expect(unicode).toEqual({ ok: true, address: 'ivan@xn--e1afmkfd.xn--p1ai' });
    expect(punycode).toEqual(unicode);
  });

  it.each<[string, readonly string[], SenderRejection]>([
    ['no From header', [], 'no-from'],
    ['an empty From header', ['   '], 'no-from'],
    ['two From headers', ['a@example.com', 'b@example.com'], 'several-from'],
    ['two addresses in one header', ['a@example.com, b@example.com'], 'several-from'],
    ['two named addresses', ['A <a@example.com>, B <b@example.com>'], 'several-from'],
    ['an unquoted comma in the display name', ['Doe, John <john@example.com>'], 'several-from'],
    ['a second address after the brackets', ['A <a@example.com> b@example.com'], 'several-from'],
    ['group syntax', ['Friends: a@example.com;'], 'group-syntax'],
    ['a group around a named address', ['Team: A <a@example.com>;'], 'group-syntax'],
    ['an empty group', ['undisclosed-recipients:;'], 'group-syntax'],
    ['a quoted local part', ['"john smith"@example.com'], 'quoted-local-part'],
    ['a quoted local part in brackets', ['John <"john"@example.com>'], 'quoted-local-part'],
    ['a quoted local part hiding a bracket', ['<"a>b"@example.com>'], 'quoted-local-part'],
    ['a trailing comment', ['john@example.com (John Smith)'], 'comment'],
    ['a comment inside the address', ['<john(x)@example.com>'], 'comment'],
    ['a comment in the display name', ['John (work) <john@example.com>'], 'comment'],
    ['a comment after the brackets', ['John <john@example.com> (work)'], 'comment'],
    ['an encoded-word as the local part', ['=?utf-8?Q?ceo?=@example.com'], 'encoded-word'],
    ['an encoded-word inside the brackets', ['Boss <=?utf-8?B?Y2Vv?=@example.com>'], 'encoded-word'],
    ['an IP literal', ['john@[192.0.2.1]'], 'ip-literal'],
    ['a dotted IP address as the domain', ['john@192.0.2.1'], 'ip-literal'],
    ['a missing @', ['john.example.com'], 'malformed-address'],
    ['two @', ['john@evil@example.com'], 'malformed-address'],
    ['empty brackets', ['John <>'], 'malformed-address'],
    ['an unclosed bracket', ['John <john@example.com'], 'malformed-address'],
    ['nested brackets', ['<a<b@example.com>>'], 'malformed-address'],
    ['route syntax', ['<@relay.example:john@example.com>'], 'malformed-address'],
    ['an unquoted @ in the display name', ['ceo@bank.example <john@example.com>'], 'malformed-address'],
    ['an unterminated quoted display name', ['"John <john@example.com>'], 'malformed-address'],
    ['a dotless domain', ['john@localhost'], 'malformed-address'],
    ['a domain label starting with a hyphen', ['john@-example.com'], 'malformed-address'],
    ['consecutive dots in the local part', ['john..smith@example.com'], 'malformed-address'],
    ['a non-ASCII local part', ['иван@example.com'], 'malformed-address'],
    ['a 65-character local part', [`${'a'.repeat(65)}@example.com`], 'malformed-address'],
    [
      'a 65-character local part in brackets',
      [`Name <${'b.'.repeat(32)}b@example.com>`],
      'malformed-address',
    ],
    ['a control character', ['john@example.com\u0000'], 'malformed-address'],
    ['a display name and address without brackets', ['John john@example.com'], 'malformed-address'],
  ])('rejects %s', (_case, fromValues, reason) => {
    const result = checkSender(fromValues);

    expect(result).toEqual({ ok: false, reason });
  });

  it('rejects a From header longer than any mail client writes', () => {
    const result = checkSender([`"${'x'.repeat(5000)}" <john@example.com>`]);

    expect(result).toEqual({ ok: false, reason: 'malformed-address' });
  });

  it('accepts the address it returned when given it again', () => {
    const first = checkSender(['=?UTF-8?B?0JDQudCz0q/Quw==?= <Aigul.O@Example.COM>']);
    if (!first.ok) throw new Error('the first check should pass');

    const second = checkSender([first.address]);

    expect(second).toEqual(first);
  });
});

describe('normaliseAddress', () => {
  it('trims and lower-cases the whole address', () => {
    expect(normaliseAddress('  Olga.Smirnova@Example.NET \t')).toBe('olga.smirnova@example.net');
  });

  it('composes Unicode to NFC', () => {
    const decomposed = 'a\u0438\u0306@example.com'; // "й" written as и + combining breve

    expect(normaliseAddress(decomposed)).toBe('a\u0439@example.com');
  });

  it('gives the Unicode and punycode spellings of an IDN domain one key', () => {
    expect(normaliseAddress('Ivan@ПРИМЕР.рф')).toBe('ivan@xn--e1afmkfd.xn--p1ai');
    expect(normaliseAddress('ivan@xn--e1afmkfd.xn--p1ai')).toBe('ivan@xn--e1afmkfd.xn--p1ai');
  });

  it('returns something usable, without throwing, for text that is not an address', () => {
    expect(normaliseAddress(' Not An Address ')).toBe('not an address');
    expect(normaliseAddress('x@[::1]')).toBe('x@[::1]');
  });
});

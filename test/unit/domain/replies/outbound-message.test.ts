import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import {
  autoReplyHeaders,
  buildForwardToHumans,
  type ForwardToHumansInput,
  fitsInSesMessage,
  safeHeaderValue,
} from '../../../../functions/domain/replies/outbound-message';
import { reviewReasonText } from '../../../../functions/domain/replies/staff-texts';
import { LANGUAGES } from '../../../../functions/domain/requests/request-kinds';

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const crlf = (lines: readonly string[]): Uint8Array => new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);

/** A header's value from a raw message (unfolded), or undefined. */
function rawHeader(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const line = head
    .split('\r\n')
    .find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
function hasControlCharacter(text: string): boolean {
  return [...text].some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
  });
}

const ORIGINAL_UTF8 = crlf([
  'From: =?UTF-8?B?0JDQudCz0q/Quw==?= <aigul@example.kg>',
  'To: privacy@x2.kg',
  'Subject: =?UTF-8?B?0JDQutGC0YPQsNC70LjQt9Cw0YbQuNGP?=',
  'Message-ID: <orig-1@mail.example.kg>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  '0J/RgNC40LLQtdGC',
]);

// "Subject: Привет" and a body "Отзыв согласия", written in KOI8-R as 8-bit bytes with no encoding.
const ORIGINAL_KOI8R = new Uint8Array([
  ...new TextEncoder().encode('From: ivan@example.ru\r\nSubject: '),
  0xf0,
  0xd2,
  0xc9,
  0xd7,
  0xc5,
  0xd4,
  ...new TextEncoder().encode(
    '\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
  ),
  0xef,
  0xd4,
  0xda,
  0xd9,
  0xd7,
  0x20,
  0xd3,
  0xcf,
  0xc7,
  0xcc,
  0xc1,
  0xd3,
  0xc9,
  0xd1,
  0x0d,
  0x0a,
]);

function forwardInput(overrides: Partial<ForwardToHumansInput> = {}): ForwardToHumansInput {
  return {
    from: 'privacy@x2.kg',
    to: 'support-team@x2.kg',
    requestId: 'MK-7H3K9QF2XA',
    reason: 'no-tag',
    receivedAt: new Date('2026-03-05T10:07:00Z'),
    sentAt: new Date('2026-03-05T10:07:05Z'),
    language: 'en',
    timeZone: 'Asia/Bishkek',
    originalRaw: ORIGINAL_UTF8,
    replyTo: 'aigul@example.kg',
    rawMailLocation: 's3://makul-raw-mail/inbound/0123abcd',
    originalMessageId: '<orig-1@mail.example.kg>',
    ...overrides,
  };
}

describe('safeHeaderValue', () => {
  /** Long runs of line breaks, controls, spaces and astral characters: where trimming and capping meet. */
  const trickyHeaderText = fc.string({
    unit: fc.constantFrom(
      '\r',
      '\n',
      '\u0000',
      ' ',
      '\t',
      '\u00a0',
      'a',
      'ж',
      '\u2028',
      '\u0085',
      '😀',
      '\ud800',
    ),
    minLength: 850,
    maxLength: 1100,
  });

  it('turns line breaks into spaces so no header can be injected', () => {
    // Arrange
    const attack = 'Hello\r\nBcc: victim@example.com\r\n\r\nbody';

    // Act
    const safe = safeHeaderValue(attack);

    // Assert
    expect(safe).toBe('Hello Bcc: victim@example.com body');
  });

  it('removes NUL, DEL, C1 controls, Unicode line separators and bidi overrides', () => {
    const safe = safeHeaderValue('a\u0000b\u007fc\u0085d\u2028e\u202ef\u0007g');

    expect(safe).toBe('abc d efg');
  });

  it('collapses runs of whitespace and trims the ends', () => {
    expect(safeHeaderValue('  one \t\t two\u00a0\u00a0three  ')).toBe('one two three');
  });

  it('keeps Cyrillic and Kyrgyz letters as they are', () => {
    expect(safeHeaderValue('Жеке маалыматтарды актуалдаштыруу: ң ө ү')).toBe(
      'Жеке маалыматтарды актуалдаштыруу: ң ө ү',
    );
  });

  it('caps a long value at 900 characters without cutting a surrogate pair', () => {
    const long = `${'a'.repeat(899)}😀tail`;

    const safe = safeHeaderValue(long);

    expect(safe).toBe('a'.repeat(899));
  });

  it('never lets a control character through, is idempotent and stays within 900 characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 1200 }), trickyHeaderText), (value) => {
        const safe = safeHeaderValue(value);

        expect(hasControlCharacter(safe)).toBe(false);
        expect(safe.length).toBeLessThanOrEqual(900);
        expect(safeHeaderValue(safe)).toBe(safe);
      }),
      { numRuns: 200 },
    );
  });

  it('produces a value that encodes to well-formed UTF-8 whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1000 }), (value) => {
        const safe = safeHeaderValue(value);

        expect(safe.isWellFormed()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('autoReplyHeaders', () => {
  const headerValue = (
    headers: readonly { name: string; value: string }[],
    name: string,
  ): string | undefined => headers.find((header) => header.name === name)?.value;

  it('marks the reply as auto-replied and suppresses Exchange auto-responses', () => {
    const headers = autoReplyHeaders('<a@b.example>', null);

    expect(headerValue(headers, 'Auto-Submitted')).toBe('auto-replied');
    expect(headerValue(headers, 'X-Auto-Response-Suppress')).toBe('All');
  });

  it('threads the reply under the original message', () => {
    const headers = autoReplyHeaders('<new@b.example>', '<root@a.example>\r\n <middle@a.example>');

    expect(headerValue(headers, 'In-Reply-To')).toBe('<new@b.example>');
    expect(headerValue(headers, 'References')).toBe('<root@a.example> <middle@a.example> <new@b.example>');
  });

  it('leaves out In-Reply-To and References when the original has no Message-ID', () => {
    const headers = autoReplyHeaders(null, '<root@a.example>');

    expect(headers.map((header) => header.name)).toEqual(['Auto-Submitted', 'X-Auto-Response-Suppress']);
  });

  it('leaves out In-Reply-To and References when the Message-ID is malformed or carries an injection', () => {
    for (const bad of [
      'no-brackets@b.example',
      '<a b@c.example>',
      '<x@y>\r\nBcc: v@example.com',
      '<a@b@c>',
      '<>',
    ]) {
      const headers = autoReplyHeaders(bad, null);

      expect(headerValue(headers, 'In-Reply-To')).toBeUndefined();
      expect(headerValue(headers, 'References')).toBeUndefined();
    }
  });

  it('drops invalid ids from References and keeps the last ten', () => {
    const earlier = Array.from({ length: 14 }, (_, index) => `<id${index}@a.example>`);
    const references = `${earlier.join(' ')} <bad id@a.example> <\u0000@x> garbage`;

    const headers = autoReplyHeaders('<last@a.example>', references);

    const kept = headerValue(headers, 'References')?.split(' ') ?? [];
    expect(kept).toHaveLength(10);
    expect(kept.at(-1)).toBe('<last@a.example>');
    expect(kept[0]).toBe('<id5@a.example>');
  });

  it('keeps References within the header line budget even with very long ids', () => {
    const longIds = Array.from({ length: 9 }, (_, index) => `<${'x'.repeat(240)}${index}@a.example>`).join(
      ' ',
    );

    const headers = autoReplyHeaders('<last@a.example>', longIds);

    const references = headerValue(headers, 'References') ?? '';
    expect(references.length).toBeLessThanOrEqual(900);
    expect(references.endsWith('<last@a.example>')).toBe(true);
  });

  it('never produces a header value with a line break, whatever the input', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (messageId, references) => {
        for (const header of autoReplyHeaders(messageId, references)) {
          expect(hasControlCharacter(header.value)).toBe(false);
        }
      }),
    );
  });
});

describe('buildForwardToHumans', () => {
  it('produces a message postal-mime reads, with the note and the original attached byte for byte', async () => {
    // Arrange
    const input = forwardInput();

    // Act
    const parsed = await PostalMime.parse(buildForwardToHumans(input));

    // Assert
    expect(parsed.text).toContain('MK-7H3K9QF2XA');
    expect(parsed.text).toContain('no-tag');
    expect(parsed.text).toContain('subject phrases makul recognises');
    expect(parsed.text).toContain('s3://makul-raw-mail/inbound/0123abcd');
    // In the operator's time zone (Bishkek, UTC+6), as staff live it.
    expect(parsed.text).toContain('5 March 2026 at 16:07 GMT+6');
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment?.filename).toBe('original-MK-7H3K9QF2XA.eml');
    expect(attachment?.mimeType).toBe('application/octet-stream');
    expect(Buffer.from(attachment?.content as ArrayBuffer).equals(Buffer.from(ORIGINAL_UTF8))).toBe(true);
  });

  it('attaches an 8-bit KOI8-R original as a base64 .eml file whose bytes equal the original', async () => {
    const raw = buildForwardToHumans(forwardInput({ originalRaw: ORIGINAL_KOI8R }));

    const parsed = await PostalMime.parse(raw);

    expect(raw.every((byte) => byte < 0x80)).toBe(true);
    const [attachment] = parsed.attachments;
    expect(attachment?.mimeType).toBe('application/octet-stream');
    expect(attachment?.filename).toBe('original-MK-7H3K9QF2XA.eml');
    expect(Buffer.from(attachment?.content as ArrayBuffer).equals(Buffer.from(ORIGINAL_KOI8R))).toBe(true);
  });

  it('keeps the exact bytes of an original with bare LF line ends or a line over 998 octets', async () => {
    for (const original of [
      new TextEncoder().encode('From: a@b.example\nSubject: x\n\nbody\n'),
      crlf(['From: a@b.example', '', 'y'.repeat(1200)]),
    ]) {
      const parsed = await PostalMime.parse(buildForwardToHumans(forwardInput({ originalRaw: original })));

      const [attachment] = parsed.attachments;
      expect(attachment?.mimeType).toBe('application/octet-stream');
      expect(Buffer.from(attachment?.content as ArrayBuffer).equals(Buffer.from(original))).toBe(true);
    }
  });

  it('sets Reply-To to the original sender, so staff answer the person, and leaves it out when unknown', async () => {
    const withSender = await PostalMime.parse(buildForwardToHumans(forwardInput()));
    const unknown = await PostalMime.parse(buildForwardToHumans(forwardInput({ replyTo: null })));
    const injected = await PostalMime.parse(
      buildForwardToHumans(forwardInput({ replyTo: 'a@b.example\r\nBcc: victim@c.example' })),
    );

    expect(withSender.replyTo?.map((address) => address.address)).toEqual(['aigul@example.kg']);
    expect(unknown.replyTo).toBeUndefined();
    expect(injected.replyTo).toBeUndefined();
    expect(injected.headers.some((header) => header.key === 'bcc')).toBe(false);
  });

  it('writes the note in the staff language it is given', async () => {
    const russian = await PostalMime.parse(buildForwardToHumans(forwardInput({ language: 'ru' })));
    expect(russian.text).toContain('MK-7H3K9QF2XA');
    expect(russian.text).toMatch(/[а-я]{4,}/);
    expect(russian.text).toContain('5 марта 2026');
  });

  it('does not attach an original too big for an SES message, and says where it is kept', async () => {
    expect(fitsInSesMessage(20 * 1024 * 1024)).toBe(true);
    expect(fitsInSesMessage(30 * 1024 * 1024)).toBe(false);
    const big = new Uint8Array(30 * 1024 * 1024).fill(0x61);

    const raw = buildForwardToHumans(forwardInput({ originalRaw: big, reason: 'too-large' }));
    const parsed = await PostalMime.parse(raw);

    expect(raw.byteLength).toBeLessThan(64 * 1024);
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toContain('s3://makul-raw-mail/inbound/0123abcd');
  });

  it('says the original was too large to attach and where it is kept when there is no attachment', async () => {
    const parsed = await PostalMime.parse(
      buildForwardToHumans(forwardInput({ originalRaw: null, reason: 'too-large' })),
    );

    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toContain('too large to attach');
    expect(parsed.text).toContain('s3://makul-raw-mail/inbound/0123abcd');
  });

  it('writes CRLF line ends only, 7-bit bytes only and lines within 998 octets', () => {
    const raw = latin1(buildForwardToHumans(forwardInput({ language: 'ky' })));

    expect(raw).not.toMatch(/[^\r]\n/);
    expect(raw).not.toMatch(/\r[^\n]/);
    expect([...raw].every((character) => character.charCodeAt(0) < 0x80)).toBe(true);
    expect(Math.max(...raw.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
  });

  it('uses a random boundary that the content does not contain', () => {
    const first = latin1(buildForwardToHumans(forwardInput()));
    const second = latin1(buildForwardToHumans(forwardInput()));

    const boundaryOf = (raw: string): string => /boundary="([^"]+)"/.exec(raw)?.[1] ?? '';
    expect(boundaryOf(first)).not.toBe('');
    expect(boundaryOf(first)).not.toBe(boundaryOf(second));
    // Once in Content-Type, once before each of the two parts, once closing: nowhere in the content.
    expect(first.split(boundaryOf(first)).length - 1).toBe(4);
  });

  it('carries Date, a Message-ID in the from domain, Auto-Submitted and a reference to the original', () => {
    const raw = latin1(buildForwardToHumans(forwardInput({ from: 'privacy@X2.kg' })));

    const date = rawHeader(raw, 'Date') ?? '';
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    // The caller's clock, not the machine's: the forward says when makul wrote it.
    expect(Date.parse(date)).toBe(Date.parse('2026-03-05T10:07:05Z'));
    expect(rawHeader(raw, 'Message-ID')).toMatch(/^<[0-9a-f]{32}\.MK-7H3K9QF2XA@x2\.kg>$/);
    expect(rawHeader(raw, 'Auto-Submitted')).toBe('auto-generated');
    expect(rawHeader(raw, 'X-Auto-Response-Suppress')).toBe('All');
    expect(rawHeader(raw, 'References')).toBe('<orig-1@mail.example.kg>');
    expect(rawHeader(raw, 'From')).toBe('privacy@X2.kg');
    expect(rawHeader(raw, 'To')).toBe('support-team@x2.kg');
  });

  it('gives a localised subject with the reason and the request id, and no personal data', async () => {
    const expected = {
      en: '[makul] Needs a human: no tag recognised — MK-7H3K9QF2XA',
      ru: '[makul] Требуется сотрудник: тема запроса не распознана — MK-7H3K9QF2XA',
      ky: '[makul] Кызматкердин кароосу керек: суроо-талаптын белгиси табылган жок — MK-7H3K9QF2XA',
    } as const;

    for (const language of LANGUAGES) {
      const parsed = await PostalMime.parse(buildForwardToHumans(forwardInput({ language })));

      expect(parsed.subject).toBe(expected[language]);
      expect(parsed.subject).not.toContain('aigul');
    }
  });

  it('encodes a long non-ASCII subject in words of at most 75 characters', () => {
    const raw = latin1(
      buildForwardToHumans(forwardInput({ language: 'ky', reason: 'invalid-sender:comment' })),
    );

    const words = rawHeader(raw, 'Subject')?.split(' ') ?? [];
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
    }
    expect(raw).toMatch(/^Subject: =\?UTF-8\?B\?[^\r]+\r\n =\?UTF-8/m);
  });

  it('explains a sender rejection with its detail in the note', async () => {
    const parsed = await PostalMime.parse(
      buildForwardToHumans(forwardInput({ reason: 'invalid-sender:several-from', language: 'ru' })),
    );

    expect(parsed.subject).toContain('адрес отправителя не принят');
    expect(parsed.text).toContain('В письме указано несколько отправителей.');
    expect(parsed.text).toContain('(invalid-sender:several-from)');
  });

  it('falls back to a general explanation for a reason it does not know', async () => {
    const parsed = await PostalMime.parse(buildForwardToHumans(forwardInput({ reason: 'something-new' })));

    expect(parsed.subject).toBe('[makul] Needs a human: could not be handled automatically — MK-7H3K9QF2XA');
    expect(parsed.text).toContain('(something-new)');
  });

  it('keeps a reason id with line breaks from injecting headers', () => {
    const raw = latin1(buildForwardToHumans(forwardInput({ reason: 'no-tag\r\nBcc: victim@example.com' })));

    expect(raw).not.toMatch(/^Bcc:/m);
    expect(rawHeader(raw, 'X-Makul-Reason')).toBe('no-tagBcc:victimexample.com');
  });

  it('refuses a from or to that is not a plain address', () => {
    expect(() => buildForwardToHumans(forwardInput({ from: 'privacy@x2.kg\r\nBcc: v@example.com' }))).toThrow(
      /'from' is not a plain ASCII address/,
    );
    expect(() => buildForwardToHumans(forwardInput({ to: 'Support <support@x2.kg>' }))).toThrow(
      /'to' is not a plain ASCII address/,
    );
  });
});

describe('reviewReasonText', () => {
  it('has a short and a long text in every language for every reason the pipeline sends to review', () => {
    const reasons = [
      'no-tag',
      'too-large',
      'unparseable',
      'invalid-sender:no-from',
      'invalid-sender:malformed-address',
    ];

    for (const reason of reasons) {
      for (const language of LANGUAGES) {
        const text = reviewReasonText(reason, language);

        expect(text.short.length).toBeGreaterThan(0);
        expect(text.long).not.toBe(reviewReasonText('unheard-of', language).long);
      }
    }
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerValues, parseMail } from '../../../../functions/domain/mail/parse-mail';
import { MAIL_CORPUS, MAIL_FIXTURES } from '../../../support/paths';

const FIXTURES = MAIL_FIXTURES;
/** Mail written by other software (see its README); overridable for runs outside this machine. */
const REAL_WORLD_CORPUS = MAIL_CORPUS;

/** An inline message: header and body lines joined with CRLF, as on the wire. */
function message(...lines: string[]): Uint8Array {
  return new TextEncoder().encode(lines.join('\r\n'));
}

/** Bytes in a single-byte legacy charset, built by inverting TextDecoder (no encoder library needed). */
function legacyEncoder(charset: string): (text: string) => Uint8Array {
  const decoder = new TextDecoder(charset);
  const byteOf = new Map<string, number>();
  for (let byte = 0; byte < 256; byte += 1) byteOf.set(decoder.decode(new Uint8Array([byte])), byte);
  return (text) =>
    new Uint8Array(
      [...text].map((char) => {
        const byte = byteOf.get(char);
        if (byte === undefined) throw new Error(`${charset} cannot encode ${char}`);
        return byte;
      }),
    );
}
const koi8r = legacyEncoder('koi8-r');
const windows1251 = legacyEncoder('windows-1251');

function concat(...parts: readonly (string | Uint8Array)[]): Uint8Array {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const quotedPrintable = (bytes: Uint8Array): string =>
  [...bytes].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');

function fixture(name: string): Uint8Array {
  return readFileSync(join(FIXTURES, name));
}

describe('parseMail', () => {
  it('decodes a UTF-8 subject written as raw 8-bit bytes', async () => {
    const raw = message('Subject: Жеке маалыматтарды актуалдаштыруу', '', 'body');

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('Жеке маалыматтарды актуалдаштыруу');
  });

  it('decodes a base64 UTF-8 subject split into encoded-words folded over two lines', async () => {
    const first = base64(new TextEncoder().encode('Жеке маалыматтарды '));
    const second = base64(new TextEncoder().encode('актуалдаштыруу'));
    const raw = message(`Subject: =?UTF-8?B?${first}?=`, ` =?UTF-8?B?${second}?=`, '', 'body');

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('Жеке маалыматтарды актуалдаштыруу');
  });

  it('decodes a quoted-printable KOI8-R subject and body', async () => {
    const raw = concat(
      `Subject: =?KOI8-R?Q?${quotedPrintable(koi8r('Отзыв согласия'))}?=\r\n`,
      '\t=?koi8-r?q?_=CE=C1_=CF=C2=D2=C1=C2=CF=D4=CB=D5?=\r\n',
      'Content-Type: text/plain; charset=KOI8-R\r\n',
      'Content-Transfer-Encoding: quoted-printable\r\n\r\n',
      quotedPrintable(koi8r('Отзываю согласие')),
    );

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('Отзыв согласия на обработку');
    expect(mail.text.trim()).toBe('Отзываю согласие');
  });

  it('decodes a base64 Windows-1251 subject and body', async () => {
    const raw = message(
      `Subject: =?windows-1251?B?${base64(windows1251('Отказ от уведомлений'))}?=`,
      'Content-Type: text/plain; charset=windows-1251',
      'Content-Transfer-Encoding: base64',
      '',
      base64(windows1251('Прошу не присылать рассылки')),
    );

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('Отказ от уведомлений');
    expect(mail.text.trim()).toBe('Прошу не присылать рассылки');
  });

  it('reads a raw 8-bit KOI8-R subject in the charset the message declares', async () => {
    const raw = concat(
      'Subject: ',
      koi8r('Отзыв согласия'),
      '\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n',
      koi8r('текст'),
    );

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('Отзыв согласия');
    expect(mail.text.trim()).toBe('текст');
  });

  it('keeps header values raw and unfolded, with encoded-words in From as written', async () => {
    const raw = message(
      'From: =?UTF-8?B?0JDQudCz0q/Quw==?=',
      '  <aigul@example.com>',
      'X-Custom: first',
      '\tsecond',
      '',
      '',
    );

    const mail = await parseMail(raw);

    expect(headerValues(mail, 'from')).toEqual(['=?UTF-8?B?0JDQudCz0q/Quw==?=  <aigul@example.com>']);
    expect(headerValues(mail, 'x-custom')).toEqual(['first\tsecond']);
    expect(mail.headers.every((header) => !/[\r\n]/.test(header.value))).toBe(true);
  });

  it('keeps every header in message order with lower-case names, duplicates included', async () => {
    const raw = message('Received: one', 'From: a@example.com', 'Received: two', '', '');

    const mail = await parseMail(raw);

    expect(mail.headers).toEqual([
      { key: 'received', value: 'one' },
      { key: 'from', value: 'a@example.com' },
      { key: 'received', value: 'two' },
    ]);
  });

  it('takes the text/plain part when the message also has an HTML part', async () => {
    const raw = message(
      'Content-Type: multipart/alternative; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'plain words',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>html words</p>',
      '--b--',
    );

    const mail = await parseMail(raw);

    expect(mail.text.trim()).toBe('plain words');
  });

  it('converts an HTML-only body to text without scripts, styles, comments or tags', async () => {
    const raw = message(
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><title>Title</title><style>p { color: red }</style></head><body>',
      '<p>Hello,&nbsp;<b>world</b> &amp; &#1052;&#x438;&#x440;</p><!-- hidden -->',
      '<script>alert("x")</script><div>second\n   line</div>Tail<br>end',
      '</body></html>',
    );

    const mail = await parseMail(raw);

    expect(mail.text).toBe('Hello, world & Мир\n\nsecond line\nTail\nend');
  });

  it('returns an empty subject and text when the message has neither', async () => {
    const raw = message('From: a@example.com', '', '');

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('');
    expect(mail.text).toBe('');
  });

  it('extracts the Message-ID with its angle brackets and nothing else', async () => {
    const raw = message('Message-ID:   <abc.123@mail.example.com> (comment)', '', '');

    const mail = await parseMail(raw);

    expect(mail.messageId).toBe('<abc.123@mail.example.com>');
  });

  it('returns a null messageId when the header is missing or holds no message id', async () => {
    const missing = await parseMail(message('Subject: x', '', ''));
    const bare = await parseMail(message('Message-ID: abc@example.com', '', ''));

    expect(missing.messageId).toBeNull();
    expect(bare.messageId).toBeNull();
  });

  it('keeps the message ids of References space-separated, null when there are none', async () => {
    const folded = await parseMail(message('References: <a@x>', '\t<b@x>  junk <c@x>', '', ''));
    const missing = await parseMail(message('Subject: x', '', ''));

    expect(folded.references).toBe('<a@x> <b@x> <c@x>');
    expect(missing.references).toBeNull();
  });

  it('trims a long References header to the thread root and the nineteen newest ids', async () => {
    const ids = Array.from({ length: 30 }, (_, index) => `<id${index}@x>`);

    const mail = await parseMail(message(`References: ${ids.join(' ')}`, '', ''));

    expect(mail.references?.split(' ')).toEqual([ids[0], ...ids.slice(11)]);
  });

  it('reports the size of the raw message in bytes', async () => {
    const raw = message('Subject: Ж', '', 'body');

    const mail = await parseMail(raw);

    expect(mail.sizeBytes).toBe(raw.byteLength);
  });

  it('reads only the bytes of the view it is given', async () => {
    const inner = message('Subject: inside', '', 'inner body');
    const outer = concat('Subject: outside\r\n\r\n', inner, '\r\ntrailing');
    const view = outer.subarray(outer.byteLength - inner.byteLength - 10, outer.byteLength - 10);

    const mail = await parseMail(view);

    expect(mail.subject).toBe('inside');
    expect(mail.text.trim()).toBe('inner body');
    expect(mail.sizeBytes).toBe(inner.byteLength);
  });

  it('leaves the text of an attached message out of the body text', async () => {
    const raw = message(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'see the attached message',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'Subject: Отзыв согласия на обработку персональных данных',
      '',
      'forwarded words',
      '--b--',
    );

    const mail = await parseMail(raw);

    expect(mail.text).toContain('see the attached message');
    expect(mail.text).not.toContain('forwarded words');
  });

  it('still returns the top-level headers when the MIME nesting exceeds the limit', async () => {
    const depth = 64;
    const opening = Array.from({ length: depth }, (_, level) =>
      [`Content-Type: multipart/mixed; boundary=b${level}`, '', `--b${level}`].join('\r\n'),
    );
    const raw = message(
      'From: a@example.com',
      'Subject: nested',
      'Auto-Submitted: auto-generated',
      opening.join('\r\n'),
      'Content-Type: text/plain',
      '',
      'deep',
    );

    const mail = await parseMail(raw);

    expect(mail.subject).toBe('nested');
    expect(headerValues(mail, 'auto-submitted')).toEqual(['auto-generated']);
    expect(mail.text).toBe('');
  });

  it('never throws on empty input, binary noise or an unterminated multipart', async () => {
    const inputs = [
      new Uint8Array(),
      new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]),
      message('Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: text/plain'),
      message('Subject: =?unknown-charset?Q?=FF?=', 'Content-Type: text/plain; charset=no-such', '', '\xff'),
    ];

    const parsed = await Promise.all(inputs.map(parseMail));

    expect(parsed.map((mail) => mail.sizeBytes)).toEqual(inputs.map((input) => input.byteLength));
  });

  it('parses every message of the real-world corpus without throwing', async () => {
    const files = readdirSync(REAL_WORLD_CORPUS, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(50);

    for (const file of files) {
      const raw = readFileSync(file);

      const mail = await parseMail(raw);

      expect(mail.sizeBytes, file).toBe(raw.byteLength);
    }
  });
});

describe('headerValues', () => {
  it('finds headers by name regardless of case, in message order', async () => {
    const mail = await parseMail(message('List-Id: <one>', 'LIST-ID: <two>', '', ''));

    expect(headerValues(mail, 'List-ID')).toEqual(['<one>', '<two>']);
  });

  it('returns an empty list when the header is absent', async () => {
    const mail = await parseMail(message('Subject: x', '', ''));

    expect(headerValues(mail, 'auto-submitted')).toEqual([]);
  });
});

describe('the mail fixtures', () => {
  it('Kyrgyz request: UTF-8 base64 subject folded over two lines, base64 body', async () => {
    const mail = await parseMail(fixture('kyrgyz-utf8-base64-folded-subject.eml'));

    expect(mail.subject).toBe('Жеке маалыматтарды актуалдаштыруу');
    expect(mail.text).toContain('Жеке маалыматтарымды актуалдаштырып коюңузду суранам.');
    expect(mail.messageId).toBe('<kg-update-0001@mail.example.com>');
  });

  it('Russian request: KOI8-R quoted-printable subject over several lines and body', async () => {
    const mail = await parseMail(fixture('russian-koi8r-quoted-printable.eml'));

    expect(mail.subject).toBe('Отзыв согласия на обработку персональных данных');
    expect(mail.text).toContain('Отзываю согласие на обработку моих персональных данных');
  });

  it('Russian request: Windows-1251 base64 subject in three encoded-words and body', async () => {
    const mail = await parseMail(fixture('russian-windows1251-base64.eml'));

    expect(mail.subject).toBe('Отказ от уведомлений о новых продуктах и услугах и специальных предложениях');
    expect(mail.text).toContain('Прошу больше не присылать мне рекламные рассылки.');
  });

  it('English request: HTML-only body becomes text', async () => {
    const mail = await parseMail(fixture('english-html-only-forged-authentication.eml'));

    expect(mail.subject).toBe('withdraw consent');
    expect(mail.text).toContain(
      'I withdraw my consent to the processing of my personal data & ask you to confirm.',
    );
    expect(mail.text).not.toContain('<');
  });

  it('auto-reply, bounce and list mail keep the headers that mark them', async () => {
    const autoReply = await parseMail(fixture('auto-reply.eml'));
    const bounce = await parseMail(fixture('bounce-null-return-path.eml'));
    const list = await parseMail(fixture('mailing-list.eml'));

    expect(autoReply.subject).toBe('Автоматический ответ: Отзыв согласия на обработку персональных данных');
    expect(headerValues(autoReply, 'auto-submitted')).toEqual(['auto-replied']);
    expect(autoReply.references).toBe('<ru-withdraw-0002@example.org> <confirmation-0002@operator.example>');
    expect(headerValues(bounce, 'return-path')).toEqual(['<>']);
    expect(headerValues(list, 'list-id')).toEqual(['Community news <news.lists.example.com>']);
  });
});

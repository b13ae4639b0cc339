import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_ENCODED_WORDS,
  MAX_HEADER_BYTES,
  MAX_HEADER_FIELDS,
  MAX_MIME_PARTS,
  measureMime,
} from '../../../../functions/domain/mail/mime-limits';
import { MAIL_CORPUS, MAIL_FIXTURES } from '../../../support/paths';

const CRLF = '\r\n';

/** Header and body lines joined with CRLF, as on the wire. */
function message(...lines: string[]): Uint8Array {
  return Buffer.from(lines.join(CRLF), 'utf8');
}

/** `count` base64 encoded-words that postal-mime joins (same charset, whole base64 groups). */
function encodedWords(count: number, separator = ' '): string {
  return Array.from({ length: count }, () => '=?x?B?0JbQ?=').join(separator);
}

/** A multipart message with `count` empty parts under boundary `b`. */
function tinyParts(count: number): Uint8Array {
  const parts = Array.from({ length: count }, () => `--b${CRLF}${CRLF}x`);
  return message('Content-Type: multipart/mixed; boundary=b', '', ...parts, '--b--', '');
}

function emlFilesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.eml'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('measureMime', () => {
  it('keeps every fixture and every message of the real-world corpus within the limits', () => {
    const files = [...emlFilesUnder(MAIL_FIXTURES), ...emlFilesUnder(MAIL_CORPUS)];
    expect(files.length).toBeGreaterThan(50);

    for (const file of files) {
      expect(measureMime(readFileSync(file)).exceeded, file).toBeNull();
    }
  });

  it('counts the parts, header bytes and encoded-words of an ordinary message', () => {
    const measure = measureMime(
      message(
        'Subject: =?UTF-8?B?0J7RgtC30YvQsg==?= =?UTF-8?B?INGB0L7Qs9C70LDRgdC40Y8=?=',
        'Content-Type: multipart/mixed;',
        '\tboundary="=_outer b"',
        '',
        '--=_outer b',
        'Content-Type: multipart/alternative; boundary=inner',
        '',
        '--inner',
        'Content-Type: text/plain',
        '',
        '-- ',
        'signature, not a boundary',
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>x</p>',
        '--inner--',
        '--=_outer b  ',
        'Content-Type: application/pdf; name="=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="',
        '',
        'JVBERi0=',
        '--=_outer b--',
        '',
      ),
    );

    expect(measure).toEqual({
      parts: 4,
      encodedWords: 3,
      headerFields: 6,
      headerBytes: expect.any(Number),
      exceeded: null,
    });
  });

  it('stops a flood of 20,000 encoded-words in the Subject at the encoded-word limit', () => {
    const measure = measureMime(message('From: a@example.kg', `Subject: ${encodedWords(20_000)}`, '', 'x'));

    expect(measure.exceeded).toBe('encoded-words');
  });

  it('allows exactly the limit of encoded-words, and not one more', () => {
    const at = measureMime(message(`Subject: ${encodedWords(MAX_ENCODED_WORDS)}`, '', 'x'));
    const over = measureMime(message(`Subject: ${encodedWords(MAX_ENCODED_WORDS + 1)}`, '', 'x'));

    expect(at).toMatchObject({ encodedWords: MAX_ENCODED_WORDS, exceeded: null });
    expect(over.exceeded).toBe('encoded-words');
  });

  it('counts encoded-words folded in two, and those in the headers of parts, together', () => {
    const half = MAX_ENCODED_WORDS / 2;
    // postal-mime unfolds before it looks for words: a fold inside a word still makes one word.
    const subject = `Subject: ${Array.from({ length: half }, () => `=?x?B?0J${CRLF} bQ?=`).join(' ')}`;
    const partsOf = (count: number) =>
      Array.from({ length: count }, (_, index) =>
        [`--b`, `Content-Disposition: attachment; filename="=?x?Q?f${index}?= =?x?Q?g?="`, '', 'x'].join(
          CRLF,
        ),
      );
    const multipart = 'Content-Type: multipart/mixed; boundary=b';

    const subjectOnly = measureMime(message(subject, '', 'x'));
    const partsOnly = measureMime(message(multipart, '', ...partsOf(half / 2 + 1), '--b--'));
    const both = measureMime(message(subject, multipart, '', ...partsOf(half / 2 + 1), '--b--'));

    expect(subjectOnly).toMatchObject({ encodedWords: half, exceeded: null });
    expect(partsOnly).toMatchObject({ encodedWords: half + 2, exceeded: null });
    expect(both.exceeded).toBe('encoded-words');
  });

  it('stops a message of 12,000 tiny MIME parts at the part limit', () => {
    expect(measureMime(tinyParts(12_000)).exceeded).toBe('parts');
  });

  it('allows exactly the limit of parts, and not one more', () => {
    expect(measureMime(tinyParts(MAX_MIME_PARTS))).toMatchObject({ parts: MAX_MIME_PARTS, exceeded: null });
    expect(measureMime(tinyParts(MAX_MIME_PARTS + 1)).exceeded).toBe('parts');
  });

  it('counts parts at any depth, under boundaries written quoted, folded or with odd characters', () => {
    const nested = (depth: number): string[] =>
      depth === 0
        ? ['Content-Type: text/plain', '', 'x']
        : [
            `Content-Type: multipart/mixed; charset="a;b"; BOUNDARY = "level ${depth}=_?" ; x=y`,
            '',
            ...Array.from({ length: 3 }, () => [`--level ${depth}=_?`, ...nested(depth - 1)]).flat(),
            `--level ${depth}=_?--`,
          ];

    // 3 + 9 + 27 + 81 + 243 parts.
    expect(measureMime(message(...nested(5))).parts).toBe(363);
    expect(measureMime(message(...nested(6))).exceeded).toBe('parts');
  });

  it('counts every "--" line as a part when the boundary is written in a form it does not read', () => {
    const dashLines = Array.from({ length: MAX_MIME_PARTS + 1 }, () => `--b${CRLF}${CRLF}x`);

    for (const contentType of [
      'multipart/mixed; (a comment) boundary=b',
      'multi(a comment)part/mixed; boundary=b',
      'multipart/mixed; boundary*0=b',
    ]) {
      expect(
        measureMime(message(`Content-Type: ${contentType}`, '', ...dashLines)).exceeded,
        contentType,
      ).toBe('parts');
    }
  });

  it('does not take "--" lines for parts when no boundary of the message matches them', () => {
    const dashLines = Array.from({ length: MAX_MIME_PARTS + 1 }, () => `-- b${CRLF}--c${CRLF}--bb`);

    const plain = measureMime(message('Content-Type: text/plain', '', ...dashLines));
    const multipart = measureMime(message('Content-Type: multipart/mixed; boundary=b', '', ...dashLines));

    expect(plain).toMatchObject({ parts: 0, exceeded: null });
    expect(multipart).toMatchObject({ parts: 0, exceeded: null });
  });

  it('stops a 5 MB header line at the header byte limit', () => {
    const measure = measureMime(message('From: a@example.kg', `X-Long: ${'a'.repeat(5_000_000)}`, '', 'x'));

    expect(measure.exceeded).toBe('header-bytes');
  });

  it('counts header bytes as postal-mime does (without line ends), up to the limit and not one byte more', () => {
    const filler = (bytes: number) => `X-Fill: ${'a'.repeat(bytes - 'X-Fill: '.length)}`;

    // 'Subject: 1234' is 13 bytes.
    const at = measureMime(message(filler(MAX_HEADER_BYTES - 13), 'Subject: 1234', '', 'x'));
    const over = measureMime(message(filler(MAX_HEADER_BYTES - 13), 'Subject: 12345', '', 'x'));

    expect(at).toMatchObject({ headerBytes: MAX_HEADER_BYTES, exceeded: null });
    expect(over.exceeded).toBe('header-bytes');
  });

  it('counts the header lines of parts toward the header byte limit', () => {
    const parts = Array.from({ length: 64 }, () => `--b${CRLF}X-Fill: ${'a'.repeat(5000)}${CRLF}${CRLF}x`);

    expect(
      measureMime(message('Content-Type: multipart/mixed; boundary=b', '', ...parts, '--b--')).exceeded,
    ).toBe('header-bytes');
  });

  it('stops 50,000 one-byte header fields, within the byte limit, at the header field limit', () => {
    const fields = Array.from({ length: 50_000 }, () => 'X: y');

    expect(measureMime(message('Subject: hello', ...fields, '', 'x')).exceeded).toBe('header-fields');
  });

  it('counts fields, not lines: folded lines belong to their field, parts have fields of their own', () => {
    const fields = (count: number) => Array.from({ length: count }, () => 'X: y\r\n folded');
    const part = ['--b', 'Content-Type: text/plain', '', 'x'];

    const at = measureMime(
      message(
        'Content-Type: multipart/mixed; boundary=b',
        ...fields(MAX_HEADER_FIELDS - 2),
        '',
        ...part,
        '--b--',
      ),
    );
    const over = measureMime(
      message(
        'Content-Type: multipart/mixed; boundary=b',
        ...fields(MAX_HEADER_FIELDS - 1),
        '',
        ...part,
        '--b--',
      ),
    );

    expect(at).toMatchObject({ headerFields: MAX_HEADER_FIELDS, exceeded: null });
    expect(over.exceeded).toBe('header-fields');
  });
});

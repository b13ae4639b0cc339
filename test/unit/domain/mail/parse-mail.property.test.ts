import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verdictsFromHeaders } from '../../../../functions/domain/mail/authentication-results';
import type { ParsedMail } from '../../../../functions/domain/mail/inbound-mail';
import { UNKNOWN_VERDICTS } from '../../../../functions/domain/mail/inbound-mail';
import { neverAnswerReason } from '../../../../functions/domain/mail/never-answer-guard';
import { headerValues, parseMail } from '../../../../functions/domain/mail/parse-mail';
import { checkSender, normaliseAddress } from '../../../../functions/domain/mail/sender-address';
import { MAIL_CORPUS, MAIL_FIXTURES } from '../../../support/paths';

const FIXTURES = MAIL_FIXTURES;
const REAL_WORLD_CORPUS = MAIL_CORPUS;

/** Our fixtures plus the real-world corpus: the messages to mutate. */
const SEED_MESSAGES: readonly Uint8Array[] = [FIXTURES, REAL_WORLD_CORPUS]
  .filter((directory) => existsSync(directory))
  .flatMap((directory) =>
    readdirSync(directory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.eml'))
      .map((entry) => new Uint8Array(readFileSync(join(entry.parentPath, entry.name)))),
  );

/** Fragments that steer the parser into its interesting states (headers, boundaries, encodings). */
const MIME_FRAGMENTS = [
  '\r\n',
  '\n',
  '\r\n\r\n',
  '\r\n ',
  'From: ',
  'Subject: ',
  'Content-Type: multipart/mixed; boundary=b\r\n',
  'Content-Type: message/rfc822\r\n',
  'Content-Type: text/html; charset=koi8-r\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  '--b\r\n',
  '--b--',
  '=?utf-8?B?0JbQtdC60LU=?=',
  '=?koi8-r?Q?=F0=D2?=',
  '=?x?Q?',
  '=FF=\r\n',
  '<script>',
  '&#x110000;',
  '<a@b>',
  '"',
  '(',
  ':',
];

const mimeNoise = fc
  .array(fc.oneof(fc.constantFrom(...MIME_FRAGMENTS), fc.string({ maxLength: 12 })), { maxLength: 60 })
  .map((pieces) => new TextEncoder().encode(pieces.join('')));

/** A byte-level edit of a real message: overwrite, insert or delete at a relative position. */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('overwrite', 'insert', 'delete'),
  bytes: fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 8 }),
    fc.constantFrom(...MIME_FRAGMENTS).map((fragment) => new TextEncoder().encode(fragment)),
  ),
});

type Edit = typeof edit extends fc.Arbitrary<infer Value> ? Value : never;

function mutate(seed: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let bytes = seed;
  for (const { at, kind, bytes: patch } of edits) {
    const position = Math.floor(at * bytes.byteLength);
    const before = bytes.subarray(0, position);
    if (kind === 'overwrite') {
      bytes = Buffer.concat([
        before,
        patch,
        bytes.subarray(Math.min(bytes.byteLength, position + patch.byteLength)),
      ]);
    } else if (kind === 'insert') {
      bytes = Buffer.concat([before, patch, bytes.subarray(position)]);
    } else {
      bytes = Buffer.concat([before, bytes.subarray(position + patch.byteLength)]);
    }
  }
  return bytes;
}

/** What every parse must satisfy, whatever the input. */
function expectWellFormed(mail: ParsedMail, raw: Uint8Array): void {
  expect(mail.sizeBytes).toBe(raw.byteLength);
  for (const header of mail.headers) expect(header.value).not.toMatch(/[\r\n]/);
  if (mail.messageId !== null) expect(mail.messageId).toMatch(/^<[\x21-\x3b\x3d\x3f-\x7e]+>$/);
  if (mail.references !== null) expect(mail.references).toMatch(/^<[^<>\s]+>(?: <[^<>\s]+>)*$/);
  expect(typeof mail.subject).toBe('string');
  expect(typeof mail.text).toBe('string');
}

/** The rest of the pipeline's pure steps must not throw on what the parser returns either. */
function runGuards(mail: ParsedMail): void {
  const sender = checkSender(headerValues(mail, 'from'));
  const verdicts = verdictsFromHeaders(mail);
  neverAnswerReason(mail, sender.ok ? sender.address : null, {
    envelopeSender: undefined,
    verdicts,
    operatorAddresses: ['support@operator.example'],
  });
}

describe('parseMail (properties)', () => {
  it('never rejects on arbitrary bytes, and returns a well-formed message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (raw) => {
        const mail = await parseMail(raw);

        expectWellFormed(mail, raw);
        runGuards(mail);
      }),
      { numRuns: 300 },
    );
  });

  it('never rejects on MIME-shaped noise', async () => {
    await fc.assert(
      fc.asyncProperty(mimeNoise, async (raw) => {
        const mail = await parseMail(raw);

        expectWellFormed(mail, raw);
        runGuards(mail);
      }),
      { numRuns: 300 },
    );
  });

  it('never rejects on mutated real messages', async () => {
    expect(SEED_MESSAGES.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEED_MESSAGES),
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        async (seed, edits) => {
          const raw = mutate(seed, edits);

          const mail = await parseMail(raw);

          expectWellFormed(mail, raw);
          runGuards(mail);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Characters that carry meaning in address syntax, to reach the checker's branches more often. */
const addressish = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      'a',
      'Z',
      '0',
      '.',
      '-',
      '+',
      '@',
      '<',
      '>',
      '"',
      '\\',
      '(',
      ')',
      ',',
      ':',
      ';',
      ' ',
      '\t',
    ),
    fc.constantFrom('=?', '?=', '=?utf-8?B?QQ==?=', 'example.com', 'ж', '[', ']', 'xn--'),
  ),
  maxLength: 60,
});

describe('checkSender and normaliseAddress (properties)', () => {
  it('checkSender never throws on arbitrary strings, and an accepted address has one @ and no spaces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'binary' }), addressish), { maxLength: 3 }),
        (values) => {
          const result = checkSender(values);

          if (result.ok) expect(result.address).toMatch(/^[^@\s"()<>,;:]+@[a-z0-9.-]+$/);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('checkSender accepts its own output again, unchanged', () => {
    fc.assert(
      fc.property(addressish, (value) => {
        const result = checkSender([value]);

        if (result.ok) expect(checkSender([result.address])).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('normaliseAddress is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), addressish), (value) => {
        const once = normaliseAddress(value);

        expect(normaliseAddress(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('the guard never throws on arbitrary envelope senders and operator addresses', async () => {
    const mail = await parseMail(new TextEncoder().encode('From: a@example.com\r\n\r\nbody'));
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.string(), { maxLength: 3 }),
        (envelopeSender, operatorAddresses) => {
          const reason = neverAnswerReason(mail, 'a@example.com', {
            envelopeSender,
            verdicts: UNKNOWN_VERDICTS,
            operatorAddresses,
          });

          expect(reason === null || typeof reason === 'string').toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

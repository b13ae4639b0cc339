import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyRequest, normaliseSubject } from '../../../../functions/domain/classify/classify-request';
import { REPLY_PREFIX_WORDS, SUBJECT_TAGS } from '../../../../functions/domain/classify/subject-tags';

// --- Arbitraries ---------------------------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates included: what a broken decoder can hand us. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
/** Characters that stress normalisation: compatibility forms, combining marks, format characters, Hangul jamo, Greek sigma, Turkish I. */
const trickyCharacter = fc.constantFrom(
  '\u0301',
  '\u0308',
  '\u200b',
  '\u200d',
  '\u00ad',
  '\ufeff',
  '\u00a0',
  '\u202f',
  'ﬁ',
  'ﷺ',
  'Ⅻ',
  'ᴬ',
  'ǅ',
  'İ',
  'Σ',
  'ς',
  'ᄀ',
  'ᅡ',
  'ᆨ',
  '：',
  '［',
  '］',
  'Ё',
  'ё',
  'Ң',
  'Ө',
  'Ү',
  'ß',
  'ẞ',
  '\ud800',
  '\udfff',
  '»',
  '«',
  ':',
  '[',
  ']',
  ' ',
);
const arbitraryText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: anyCodeUnit, maxLength: 200 }),
  fc.string({
    unit: fc.oneof(trickyCharacter, fc.constantFrom('Re', 'Fwd', 'Ответ', 'a', 'я', '1')),
    maxLength: 60,
  }),
);

const replyPrefix = fc
  .tuple(
    fc.constantFrom(...REPLY_PREFIX_WORDS),
    fc.constantFrom('', '[2]', '(3)', '^4'),
    fc.constantFrom(':', ' :', '：'),
    fc.constantFrom(' ', '', '  ', '\u00a0', '\t'),
  )
  .map(([word, counter, colon, space]) => `${word}${counter}${colon}${space}`);
const bracketTag = fc.constantFrom('[EXTERNAL] ', '[External]', '[SPAM] ', '[ticket #42] ');
const prefixChain = fc
  .array(fc.oneof(replyPrefix, bracketTag), { maxLength: 4 })
  .map((parts) => parts.join(''));
const quotes = fc.constantFrom<readonly [string, string]>(
  ['', ''],
  ['«', '»'],
  ['“', '”'],
  ['"', '"'],
  ["'", "'"],
  ['„', '“'],
  ['‹', '›'],
);
/** Space between words as mail clients and keyboards produce it. */
const wordGap = fc
  .array(fc.constantFrom(' ', '\u00a0', '\u202f', '\t', '\u2009', ' \u200b', '\u3000'), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => parts.join(''));
/** Invisible characters that may land inside a word. */
const zeroWidth = fc.constantFrom('', '', '', '\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff');
const trailing = fc.constantFrom('', '.', '!', '?', '...', '…', ' !', '!!!', ';', ':)');

/** A published tag with random case per letter, random gaps, invisible characters, quotes, prefixes, punctuation. */
const noisyCanonicalTag = fc
  .constantFrom(...SUBJECT_TAGS)
  .chain((entry) => {
    const words = entry.canonical.split(' ');
    const letters = [...entry.canonical.replaceAll(' ', '')];
    return fc.record({
      entry: fc.constant(entry),
      prefix: prefixChain,
      quote: quotes,
      gaps: fc.array(wordGap, { minLength: words.length - 1, maxLength: words.length - 1 }),
      upper: fc.array(fc.boolean(), { minLength: letters.length, maxLength: letters.length }),
      invisible: fc.array(zeroWidth, { minLength: letters.length, maxLength: letters.length }),
      ending: trailing,
    });
  })
  .map(({ entry, prefix, quote, gaps, upper, invisible, ending }) => {
    let letterIndex = 0;
    const words = entry.canonical.split(' ').map((word) =>
      [...word]
        .map((letter) => {
          const index = letterIndex++;
          const cased = upper[index] ? letter.toUpperCase() : letter.toLowerCase();
          return `${invisible[index] ?? ''}${cased}`;
        })
        .join(''),
    );
    const body = words.reduce((text, word, index) => `${text}${gaps[index - 1] ?? ''}${word}`);
    return { entry, subject: `${prefix}${quote[0]}${body}${quote[1]}${ending}` };
  });

// --- Properties ----------------------------------------------------------------------------------------------

describe('normaliseSubject', () => {
  it('is idempotent on any string', () => {
    fc.assert(
      fc.property(arbitraryText, (subject) => {
        const once = normaliseSubject(subject);

        expect(normaliseSubject(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws, including on lone surrogates, and returns lower-case words separated by single spaces', () => {
    fc.assert(
      fc.property(arbitraryText, (subject) => {
        const normalised = normaliseSubject(subject);

        expect(normalised).toMatch(/^(?:[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*)?$/u);
        expect(normalised.isWellFormed()).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same form to a tag however it is prefixed, quoted, cased or spaced', () => {
    fc.assert(
      fc.property(noisyCanonicalTag, ({ entry, subject }) => {
        expect(normaliseSubject(subject)).toBe(normaliseSubject(entry.canonical));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('classifyRequest', () => {
  it('classifies a published tag to its kind and language under any prefix, quote, case or spacing noise', () => {
    fc.assert(
      fc.property(noisyCanonicalTag, ({ entry, subject }) => {
        const result = classifyRequest(subject, '');

        expect(result).toEqual({
          kind: entry.kind,
          language: entry.language,
          foundIn: 'subject',
          exact: true,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a published tag on the first own line of the body, behind blank and quoted lines', () => {
    const blankOrQuoted = fc.constantFrom(
      '',
      '   ',
      '\u00a0',
      '> quoted',
      '>> older',
      ' > indented quote',
      '\u200b',
    );
    const lineEnd = fc.constantFrom('\n', '\r\n');
    fc.assert(
      fc.property(
        noisyCanonicalTag,
        fc.array(blankOrQuoted, { maxLength: 4 }),
        lineEnd,
        ({ entry, subject }, before, newline) => {
          const body = [...before, subject, 'Thanks', '> unsubscribe'].join(newline);

          const result = classifyRequest('', body);

          expect(result).toEqual({
            kind: entry.kind,
            language: entry.language,
            foundIn: 'body',
            exact: true,
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary subjects and bodies, and takes the subject’s tag over the body’s', () => {
    // Published tags mixed into the noise (noise alone rarely holds one), each with the entry it spells.
    const text = fc.oneof(
      arbitraryText.map((written) => ({ written, entry: null })),
      noisyCanonicalTag.map(({ subject, entry }) => ({ written: subject, entry })),
    );
    let fromBody = 0;
    fc.assert(
      fc.property(text, text, (subject, body) => {
        const result = classifyRequest(subject.written, body.written);

        if (subject.entry !== null) {
          // A published tag in the subject decides, whatever the body says.
          expect(result).toEqual({
            kind: subject.entry.kind,
            language: subject.entry.language,
            foundIn: 'subject',
            exact: true,
          });
        } else if (classifyRequest(subject.written, '') === null && body.entry !== null) {
          // No tag in the subject: the body's first line is the request.
          fromBody += 1;
          expect(result).toEqual({
            kind: body.entry.kind,
            language: body.entry.language,
            foundIn: 'body',
            exact: true,
          });
        }
      }),
      { numRuns: 3000 },
    );
    expect(fromBody).toBeGreaterThan(100);
  });

  it('never counts a tag that appears only in quoted reply lines', () => {
    fc.assert(
      fc.property(noisyCanonicalTag, fc.constantFrom('>', '> ', '>>', '  >'), ({ subject }, marker) => {
        expect(classifyRequest('', `${marker}${subject}\n${marker}${subject}`)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normaliseSubject,
  stripReplyPrefixes,
} from '../../../../functions/domain/classify/normalise-subject';
import { REPLY_PREFIX_WORDS } from '../../../../functions/domain/classify/subject-tags';

/**
 * The stripper as it was written before: one regular expression. Its `\s*` on both sides of an
 * optional counter made a run of spaces after a prefix word quadratic to reject.
 */
const PREVIOUS_PREFIXES = new RegExp(
  `^(?:\\s*(?:(?:${REPLY_PREFIX_WORDS.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\s*(?:\\[\\d{1,4}\\]|\\(\\d{1,4}\\)|\\^\\d{1,4})?\\s*:|\\[[^\\]]{0,64}\\]))+`,
  'u',
);

const prefixLike = fc
  .array(
    fc.oneof(
      fc.constantFrom(...REPLY_PREFIX_WORDS),
      fc.constantFrom(
        ':',
        ' ',
        '\u00a0',
        '\t',
        '\n',
        '[',
        ']',
        '[12]',
        '[12345]',
        '(3)',
        '(',
        ')',
        '^4',
        '^',
      ),
      fc.constantFrom('1', 'd', 'x'.repeat(30), '😀', 'unsubscribe', 'отказ'),
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(''));

describe('stripReplyPrefixes', () => {
  it('strips exactly what the previous regular expression stripped', () => {
    fc.assert(
      fc.property(prefixLike, (subject) => {
        expect(stripReplyPrefixes(subject)).toBe(subject.replace(PREVIOUS_PREFIXES, ''));
      }),
      { numRuns: 5000 },
    );
  });

  it('strips prefixes, counters and [tags] in any number and order', () => {
    expect(stripReplyPrefixes('re: fwd[2]: [external] ответ^3 : отказ от рассылки')).toBe(
      ' отказ от рассылки',
    );
    expect(stripReplyPrefixes('[ticket #42][x] sv(1):tag')).toBe('tag');
  });

  it('keeps a [tag] longer than 64 characters, a counter of five digits and a prefix word without colon', () => {
    expect(stripReplyPrefixes(`[${'x'.repeat(65)}] a`)).toBe(`[${'x'.repeat(65)}] a`);
    expect(stripReplyPrefixes(`[${'😀'.repeat(64)}] a`)).toBe(' a');
    expect(stripReplyPrefixes('re[12345]: a')).toBe('re[12345]: a');
    expect(stripReplyPrefixes('report: a')).toBe('report: a');
  });

  it('handles the inputs that made the previous expression slow, at the subject cap and beyond', () => {
    const spaces = ' '.repeat(1_000_000);

    expect(stripReplyPrefixes(`re${spaces}x`)).toBe(`re${spaces}x`);
    expect(stripReplyPrefixes(`${'re [1] '.repeat(10_000)}:x`)).toBe(`${'re [1] '.repeat(10_000)}:x`);
    expect(stripReplyPrefixes(`${'re: '.repeat(10_000)}unsubscribe`)).toBe(' unsubscribe');
    expect(stripReplyPrefixes('['.repeat(100_000))).toBe('['.repeat(100_000));
  });

  it('lets normaliseSubject find the tag behind a long chain of prefixes', () => {
    expect(normaliseSubject(`${'Re: '.repeat(400)}Unsubscribe`)).toBe('unsubscribe');
    expect(normaliseSubject(`Re${' '.repeat(4000)}: unsubscribe`)).toBe('re');
  });
});

/**
 * How a subject tag is recognised: normalise the subject, then look for a tag from ./subject-tags.ts.
 *
 * Rules, in order (each documented again where it is implemented):
 * 1. The subject is normalised (normaliseSubject): reply/forward prefixes and "[...]" tags stripped,
 *    Unicode compatibility forms folded (NFKC: full-width letters, NBSP and narrow NBSP become spaces),
 *    zero-width and other format characters removed, lower case, ё → е, every run of
 *    punctuation/quotes/whitespace turned into one space.
 * 2. A tag must open the normalised subject, possibly after greetings and request words ("Hello,",
 *    «Прошу», "I would like to"); any words may follow it. A tag buried in the middle of an unrelated
 *    subject does not count — except a long published (canonical) tag, three words and 24 characters or
 *    more, which is too specific to appear by accident: written exactly, it matches anywhere (e.g.
 *    "Sitronics / Отзыв согласия на обработку персональных данных"). Short ones such as "delete my data"
 *    do not ("Why did you delete my data?" is a complaint, not the request).
 * 3. At one place, the tag covering the most words wins (so «Отзыв согласия на рассылку» is unsubscribe,
 *    not withdraw-consent); on a tie an exact match beats a tolerant one, then the earlier table entry
 *    wins. When the subject names two requests ("withdraw consent and delete my data") the one that opens
 *    the subject is taken: it is what the person wrote first, and it is predictable.
 * 4. Tolerance (result `exact: false`): Latin look-alike letters in a mostly Cyrillic word (and Cyrillic
 *    ones in a mostly Latin word), н/о/у typed for Kyrgyz ң/ө/ү, and a small typo — none on words shorter
 *    than 5 letters, at most 1 in a tag of 8–15 letters, 2 in a longer one, none in a shorter one.
 *    A match stays exact when a tag of the same request matches exactly at the same place and the
 *    tolerance only concerns words after it.
 * 5. If the subject yields nothing (empty, or no tag), the first non-empty line of the body that is not
 *    quoted (`>`) is tried the same way; no later line ever counts.
 *
 * Where they live: rule 1 in ./normalise-subject.ts; rules 2–4 in ./match-tag.ts, with
 * ./look-alike-letters.ts and ./typo-distance.ts for tolerance and ./phrase-tables.ts for the tables
 * (compiled before the build by ./compile-phrase-tables.ts); rule 5 in ./body-lines.ts. Every call stays
 * cheap whatever the sender writes: each of those files caps the input it works on, the limit next to the
 * code it bounds.
 */
import type { Language, RequestKind } from '../requests/request-kinds';
import { ownBodyLines } from './body-lines';
import { findTag, type TagMatch } from './match-tag';
import { normaliseSubject } from './normalise-subject';

export { normaliseSubject };

export interface Classification {
  readonly kind: RequestKind;
  readonly language: Language;
  /** Where the tag was found: the subject, or the first line of the body when the subject is empty/has no tag. */
  readonly foundIn: 'subject' | 'body';
  /** false when found only by tolerance (typo within edit distance, look-alike letters). */
  readonly exact: boolean;
}

/** Returns null when no tag is recognised. Pure, never throws, fast (must allow well over 2,000 mails/s for the whole pipeline on one core: aim for < 20 µs per call on typical subjects). */
export function classifyRequest(subject: string, bodyText: string): Classification | null {
  try {
    const fromSubject = findTag(normaliseSubject(subject));
    if (fromSubject !== null) return toClassification(fromSubject, 'subject');
    if (typeof bodyText !== 'string') return null;
    for (const line of ownBodyLines(bodyText)) {
      const fromBody = findTag(normaliseSubject(line));
      if (fromBody !== null) return toClassification(fromBody, 'body');
    }
    return null;
  } catch {
    // Defence in depth for "never throws": the caller routes unrecognised mail to a human, which is the
    // safe outcome for anything unexpected. No input text is logged here (it is personal data).
    return null;
  }
}

function toClassification(match: TagMatch, foundIn: 'subject' | 'body'): Classification {
  return { kind: match.tag.kind, language: match.tag.language, foundIn, exact: match.exact };
}

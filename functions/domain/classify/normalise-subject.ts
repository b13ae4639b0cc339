/**
 * Subject normalisation (rule 1 of ./classify-request.ts): the one form that subject tags, the body's
 * first lines and the tag table itself are compared in, so that case, Unicode compatibility forms,
 * invisible characters, reply prefixes and punctuation never decide whether a tag is recognised.
 */
import { REPLY_PREFIX_WORDS } from './reply-prefix-words';

/**
 * Longer input is cut before any work: tags are short and open the subject, so nothing useful is lost
 * (RFC 5322 lines stop at 998 characters; a folded subject can be longer, but not its first words).
 */
const MAX_INPUT_CHARS = 2048;
/** NFKC can expand text (one ligature becomes many letters); the normalised form is capped as well. */
const MAX_NORMALISED_CHARS = 1024;
/** Extra normalisation passes for idempotence; one is almost always enough, the second confirms it. */
const MAX_NORMALISATION_PASSES = 4;

/** Zero-width spaces and joiners, soft hyphens, bidi marks, BOM: invisible, so removed without a trace. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
/** Cheap pre-check: below U+0600 the only format character is the soft hyphen (U+00AD). */
const MAY_HOLD_FORMAT_CHARACTERS = /[^\t\n\r\u0020-\u00ac\u00ae-\u05ff]/;
/** Anything that is not a letter or digit separates words (punctuation, quotes, guillemets, spaces). */
const NON_WORD_RUNS = /[^\p{L}\p{N}]+/gu;
/**
 * Fast path for the usual subject (ASCII, Cyrillic, common typographic punctuation and spaces): NFKC
 * leaves its letters alone and only rewrites punctuation into other punctuation, which becomes a space
 * anyway, so it can be skipped; and word characters can be found without Unicode property classes,
 * which are several times slower in V8. The result is the same as the general path's.
 */
const USUAL_SUBJECT_TEXT =
  /^[\t\n\r\u0020-\u007f\u00a0\u00ab\u00bb\u0400-\u04ff\u2010-\u2015\u2018-\u201f\u2026\u202f\u2039\u203a]*$/;
const USUAL_NON_WORD_RUNS = /[^a-z0-9\u0400-\u0481\u048a-\u04ff]+/g;
/** Whitespace at a position (sticky): always matches, possibly nothing. */
const SPACES = /\s*/y;
/** A reply counter after the prefix word: `Re[2]:`, `Re(2):`, `Re^2:` (sticky). */
const REPLY_COUNTER = /\[\d{1,4}\]|\(\d{1,4}\)|\^\d{1,4}/y;
/** A `[...]` tag before the subject (`[EXTERNAL]`, `[Ticket #12]`) holds at most this many characters. */
const MAX_BRACKET_TAG_CHARS = 64;

/**
 * The subject without its leading reply/forward prefixes (`Re:`, `Fwd[2]:`, `Ответ:`) and `[...]`
 * tags, in any number and order. A loop that reads each prefix once: linear in the subject (the one
 * regular expression this replaces backtracked over runs of spaces, quadratic in their length).
 */
export function stripReplyPrefixes(text: string): string {
  let kept = 0;
  for (;;) {
    const end = prefixEnd(text, skipSpaces(text, kept));
    if (end < 0) return text.slice(kept);
    kept = end;
  }
}

/** The end of the prefix or tag that starts at `at`, or -1 when none does. */
function prefixEnd(text: string, at: number): number {
  if (text[at] === '[') return bracketTagEnd(text, at);
  for (const word of REPLY_PREFIX_WORDS) {
    if (!text.startsWith(word, at)) continue;
    let index = skipSpaces(text, at + word.length);
    REPLY_COUNTER.lastIndex = index;
    if (REPLY_COUNTER.test(text)) index = skipSpaces(text, REPLY_COUNTER.lastIndex);
    if (text[index] === ':') return index + 1;
  }
  return -1;
}

/** The end of a `[...]` tag at `at` (up to 64 characters, counted in code points), or -1. */
function bracketTagEnd(text: string, at: number): number {
  let index = at + 1;
  for (let chars = 0; chars <= MAX_BRACKET_TAG_CHARS && index < text.length; chars++) {
    if (text[index] === ']') return index + 1;
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return -1;
}

function skipSpaces(text: string, at: number): number {
  SPACES.lastIndex = at;
  SPACES.test(text);
  return SPACES.lastIndex;
}

function normaliseOnce(input: string): string {
  let text = input.length > MAX_INPUT_CHARS ? input.slice(0, MAX_INPUT_CHARS) : input;
  if (!text.isWellFormed()) text = text.toWellFormed();
  if (MAY_HOLD_FORMAT_CHARACTERS.test(text)) text = text.replace(FORMAT_CHARACTERS, '');
  const usual = USUAL_SUBJECT_TEXT.test(text);
  text = usual
    ? text.toLowerCase()
    : // Lower-casing can leave compatibility forms again (rare letters); a second NFKC settles them.
      text.normalize('NFKC').toLowerCase().normalize('NFKC');
  // Russian writers use е for ё freely; treating them as one letter is normalisation, not tolerance.
  if (text.includes('ё')) text = text.replaceAll('ё', 'е');
  text = stripReplyPrefixes(text);
  const words = text.replace(usual ? USUAL_NON_WORD_RUNS : NON_WORD_RUNS, ' ').trim();
  return words.length > MAX_NORMALISED_CHARS ? cutAtWordBoundary(words, MAX_NORMALISED_CHARS) : words;
}

function cutAtWordBoundary(text: string, maxChars: number): string {
  const lastSpace = text.lastIndexOf(' ', maxChars);
  if (lastSpace > 0) return text.slice(0, lastSpace);
  // One giant word: cut by code points so no lone surrogate is left behind.
  const lastCodeUnit = text.charCodeAt(maxChars - 1);
  const endsInHighSurrogate = lastCodeUnit >= 0xd800 && lastCodeUnit <= 0xdbff;
  return text.slice(0, endsInHighSurrogate ? maxChars - 1 : maxChars);
}

/** The normalised form of a subject used for matching (exported for property tests and the CLI). */
export function normaliseSubject(subject: string): string {
  if (typeof subject !== 'string') return '';
  let current = normaliseOnce(subject);
  for (let pass = 1; pass < MAX_NORMALISATION_PASSES; pass++) {
    const next = normaliseOnce(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

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
 */
import type { Language, RequestKind } from '../requests/request-kinds';
import { LEADING_FILLERS, REPLY_PREFIX_WORDS, SUBJECT_TAGS } from './subject-tags';

export interface Classification {
  readonly kind: RequestKind;
  readonly language: Language;
  /** Where the tag was found: the subject, or the first line of the body when the subject is empty/has no tag. */
  readonly foundIn: 'subject' | 'body';
  /** false when found only by tolerance (typo within edit distance, look-alike letters). */
  readonly exact: boolean;
}

// --- Limits: every call must stay cheap whatever the sender writes -------------------------------------

/**
 * Longer input is cut before any work: tags are short and open the subject, so nothing useful is lost
 * (RFC 5322 lines stop at 998 characters; a folded subject can be longer, but not its first words).
 */
const MAX_INPUT_CHARS = 2048;
/** NFKC can expand text (one ligature becomes many letters); the normalised form is capped as well. */
const MAX_NORMALISED_CHARS = 1024;
/** The first unquoted body line is near the top; a huge quoted history is not scanned past this. */
const MAX_BODY_SCAN_CHARS = 64 * 1024;
/** Long published tags are looked for this far into a subject, no further: real subjects are shorter. */
const MAX_ANYWHERE_START_WORDS = 64;
/** Greetings and request words skipped before a tag; real subjects never need more. */
const MAX_LEADING_FILLERS = 6;
/** Extra normalisation passes for idempotence; one is almost always enough, the second confirms it. */
const MAX_NORMALISATION_PASSES = 4;
/** Tag words are short; a longer token cannot be within typo distance of one, so no distance is computed. */
const MAX_TYPO_TOKEN_CHARS = 48;

// --- Normalisation -------------------------------------------------------------------------------------

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
const REPLY_PREFIXES = new RegExp(
  `^(?:\\s*(?:(?:${REPLY_PREFIX_WORDS.map(escapeForRegExp).join('|')})\\s*(?:\\[\\d{1,4}\\]|\\(\\d{1,4}\\)|\\^\\d{1,4})?\\s*:|\\[[^\\]]{0,64}\\]))+`,
  'u',
);

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
  text = text.replace(REPLY_PREFIXES, '');
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

// --- Look-alike letters ----------------------------------------------------------------------------------

/** Latin letters (and digits) that look like Cyrillic ones, as typed in a Cyrillic word. */
const LATIN_TO_CYRILLIC: ReadonlyMap<string, string> = new Map([
  ['a', 'а'],
  ['b', 'в'],
  ['c', 'с'],
  ['e', 'е'],
  ['h', 'н'],
  ['k', 'к'],
  ['m', 'м'],
  ['o', 'о'],
  ['p', 'р'],
  ['t', 'т'],
  ['x', 'х'],
  ['y', 'у'],
  ['0', 'о'],
  ['3', 'з'],
]);
/** Cyrillic letters that look like Latin ones, as typed in a Latin word. */
const CYRILLIC_TO_LATIN: ReadonlyMap<string, string> = new Map([
  ['а', 'a'],
  ['в', 'b'],
  ['с', 'c'],
  ['е', 'e'],
  ['н', 'h'],
  ['к', 'k'],
  ['м', 'm'],
  ['о', 'o'],
  ['р', 'p'],
  ['т', 't'],
  ['х', 'x'],
  ['у', 'y'],
  ['і', 'i'],
]);
/** Kyrgyz letters and what people type without a Kyrgyz keyboard. */
const KYRGYZ_FALLBACKS: ReadonlyMap<string, string> = new Map([
  ['ң', 'н'],
  ['ө', 'о'],
  ['ү', 'у'],
]);

function isCyrillic(codeUnit: number): boolean {
  return codeUnit >= 0x0400 && codeUnit <= 0x04ff;
}
function isLatinLetter(codeUnit: number): boolean {
  return codeUnit >= 0x61 && codeUnit <= 0x7a;
}

function mapCharacters(word: string, table: ReadonlyMap<string, string>): string {
  let mapped = '';
  for (const character of word) mapped += table.get(character) ?? character;
  return mapped;
}

const KYRGYZ_LETTERS = /[ңөү]/;
/** Words without Latin letters or the digits 0 and 3 have nothing to fold (the common case). */
const HAS_LATIN_LOOK_ALIKE = /[a-z03]/;

/**
 * Maps look-alike letters in a word that mixes Latin and Cyrillic to one script: to Cyrillic when all its
 * Latin letters have Cyrillic twins and the word is mostly Cyrillic (or cannot be Latin, or the subject is
 * mostly Cyrillic: «OTKAЗ»), else to Latin when all its Cyrillic letters have Latin twins («unsubsсribe»
 * with a Cyrillic с). A word of Latin look-alikes only ("ot") is read as Cyrillic in a mostly Cyrillic subject.
 */
function foldLookAlikes(word: string, textIsMostlyCyrillic: boolean): string {
  if (!HAS_LATIN_LOOK_ALIKE.test(word)) return word;
  let cyrillic = 0;
  let latin = 0;
  let latinLetters = 0;
  let latinWithCyrillicTwin = 0;
  let cyrillicWithLatinTwin = 0;
  for (const character of word) {
    const codeUnit = character.charCodeAt(0);
    if (isCyrillic(codeUnit)) {
      cyrillic++;
      if (CYRILLIC_TO_LATIN.has(character)) cyrillicWithLatinTwin++;
    } else if (LATIN_TO_CYRILLIC.has(character)) {
      // Latin letters and the digits 0 and 3 that look like о and з.
      latin++;
      latinWithCyrillicTwin++;
      if (isLatinLetter(codeUnit)) latinLetters++;
    } else if (isLatinLetter(codeUnit)) {
      latin++;
      latinLetters++;
    }
  }
  if (latin === 0) return word;
  const canBeCyrillic = latinWithCyrillicTwin === latin;
  const canBeLatin = cyrillic > 0 && cyrillicWithLatinTwin === cyrillic;
  if (cyrillic === 0) {
    // Digits alone ("2024", "300") stay digits.
    return canBeCyrillic && textIsMostlyCyrillic && latinLetters > 0 && latinWithCyrillicTwin === word.length
      ? mapCharacters(word, LATIN_TO_CYRILLIC)
      : word;
  }
  if (canBeCyrillic && (cyrillic >= latin || !canBeLatin || textIsMostlyCyrillic)) {
    return mapCharacters(word, LATIN_TO_CYRILLIC);
  }
  return canBeLatin ? mapCharacters(word, CYRILLIC_TO_LATIN) : word;
}

function isMostlyCyrillic(text: string): boolean {
  let cyrillic = 0;
  let latin = 0;
  for (let index = 0; index < text.length; index++) {
    const codeUnit = text.charCodeAt(index);
    if (isCyrillic(codeUnit)) cyrillic++;
    else if (isLatinLetter(codeUnit)) latin++;
  }
  return cyrillic > latin;
}

// --- Typo distance ---------------------------------------------------------------------------------------

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent transpositions)
 * between `pattern` and `word`, or between `pattern` and the closest prefix of `word` when `asPrefix`
 * (for stems). Returns maxEdits + 1 as soon as the distance is known to exceed maxEdits.
 */
function boundedTypoDistance(pattern: string, word: string, maxEdits: number, asPrefix: boolean): number {
  if (maxEdits === 1) return withinOneEdit(pattern, word, asPrefix) ? 1 : 2;
  return boundedDistanceTable(pattern, word, maxEdits, asPrefix);
}

/** The usual case (one typo allowed) without a table: compare what is left after the first difference. */
function withinOneEdit(pattern: string, word: string, asPrefix: boolean): boolean {
  const lengthGap = word.length - pattern.length;
  if (lengthGap < -1 || (!asPrefix && lengthGap > 1)) return false;
  let index = 0;
  while (index < pattern.length && index < word.length && pattern[index] === word[index]) index++;
  if (index === pattern.length) return true; // at most one letter added at the end (or any, for a stem)
  const swapped =
    pattern[index] === word[index + 1] &&
    pattern[index + 1] === word[index] &&
    wordContinuesWith(word, pattern.slice(index + 2), index + 2, asPrefix);
  return (
    wordContinuesWith(word, pattern.slice(index + 1), index + 1, asPrefix) || // one letter replaced
    wordContinuesWith(word, pattern.slice(index), index + 1, asPrefix) || // one letter added
    wordContinuesWith(word, pattern.slice(index + 1), index, asPrefix) || // one letter missing
    swapped // two neighbours swapped
  );
}

/** Whether `word` has `text` at `position` (and, unless matching a stem, nothing after it). */
function wordContinuesWith(word: string, text: string, position: number, asPrefix: boolean): boolean {
  if (!asPrefix && word.length - position !== text.length) return false;
  return word.startsWith(text, position);
}

// Rows of the distance table, reused across calls (no allocation per call); rotated, never copied.
const DISTANCE_ROW_LENGTH = MAX_TYPO_TOKEN_CHARS + 4;
let rowBeforePrevious = new Int32Array(DISTANCE_ROW_LENGTH);
let previousRow = new Int32Array(DISTANCE_ROW_LENGTH);
let currentRow = new Int32Array(DISTANCE_ROW_LENGTH);

function boundedDistanceTable(pattern: string, word: string, maxEdits: number, asPrefix: boolean): number {
  const tooFar = maxEdits + 1;
  const patternLength = pattern.length;
  const columns = asPrefix ? Math.min(word.length, patternLength + maxEdits) : word.length;
  if (!asPrefix && Math.abs(columns - patternLength) > maxEdits) return tooFar;
  if (asPrefix && columns < patternLength - maxEdits) return tooFar;
  if (columns > MAX_TYPO_TOKEN_CHARS || patternLength > MAX_TYPO_TOKEN_CHARS) return tooFar;
  for (let column = 0; column <= columns; column++) previousRow[column] = column;
  for (let row = 1; row <= patternLength; row++) {
    const patternCode = pattern.charCodeAt(row - 1);
    const previousPatternCode = row > 1 ? pattern.charCodeAt(row - 2) : -1;
    currentRow[0] = row;
    let rowMinimum = row;
    for (let column = 1; column <= columns; column++) {
      const wordCode = word.charCodeAt(column - 1);
      const substitution = patternCode === wordCode ? 0 : 1;
      let best = Math.min(
        (previousRow[column] ?? 0) + 1,
        (currentRow[column - 1] ?? 0) + 1,
        (previousRow[column - 1] ?? 0) + substitution,
      );
      if (
        row > 1 &&
        column > 1 &&
        patternCode === word.charCodeAt(column - 2) &&
        previousPatternCode === wordCode
      ) {
        best = Math.min(best, (rowBeforePrevious[column - 2] ?? 0) + 1);
      }
      currentRow[column] = best;
      if (best < rowMinimum) rowMinimum = best;
    }
    if (rowMinimum > maxEdits) return tooFar;
    const recycled = rowBeforePrevious;
    rowBeforePrevious = previousRow;
    previousRow = currentRow;
    currentRow = recycled;
  }
  if (!asPrefix) return Math.min(previousRow[columns] ?? tooFar, tooFar);
  let closestPrefix = tooFar;
  for (let column = Math.max(0, patternLength - maxEdits); column <= columns; column++) {
    closestPrefix = Math.min(closestPrefix, previousRow[column] ?? tooFar);
  }
  return closestPrefix;
}

// --- Compiled phrase tables (built once, at module load) --------------------------------------------------

interface CompiledAlternative {
  /** Normalised word or stem. */
  readonly text: string;
  /** The same with Kyrgyz letters replaced by their keyboard fallbacks. */
  readonly kyrgyzFallbackText: string;
  readonly isStem: boolean;
  /** Typos allowed in this word: none under 5 letters (short words would collide), 1, or 2 from 10 (stems: 8, 13). */
  readonly maxEdits: number;
}

interface CompiledWord {
  readonly alternatives: readonly CompiledAlternative[];
  readonly optional: boolean;
}

interface CompiledPattern {
  readonly words: readonly CompiledWord[];
  /** Nothing may follow the match (pattern ended in `$`). */
  readonly wholeText: boolean;
  readonly language: Language;
  /** Typos allowed in the whole tag, from its length: 0 under 8 letters, 1 up to 15, 2 beyond. */
  readonly typoBudget: number;
}

interface CompiledTag extends CompiledPattern {
  readonly kind: RequestKind;
  /** Long published tag: also found, written exactly, in the middle of a subject (rule 2). */
  readonly matchesAnywhere: boolean;
}

/** Rule 2: a published tag this long does not occur by accident in an unrelated subject. */
const ANYWHERE_MIN_WORDS = 3;
const ANYWHERE_MIN_CHARS = 24;

const PATTERN_WORD = /^[\p{L}\p{N}]+$/u;

function typosAllowedInWord(length: number, isStem: boolean): number {
  // A stem ends where inflections diverge, so a typo near its end turns it into another word
  // («согласи*» vs «согласования»): stems need three more letters than whole words for the same tolerance.
  const effectiveLength = isStem ? length - 3 : length;
  if (effectiveLength < 5) return 0;
  return effectiveLength < 10 ? 1 : 2;
}

function typosAllowedInTag(length: number): number {
  if (length < 8) return 0;
  return length < 16 ? 1 : 2;
}

function compileAlternative(source: string, pattern: string): CompiledAlternative {
  const isStem = source.endsWith('*');
  const text = normaliseSubject(isStem ? source.slice(0, -1) : source);
  // A malformed table entry is a programming error: fail at load, where the unit tests see it.
  if (!PATTERN_WORD.test(text)) throw new Error(`Subject tag pattern has an invalid word: ${pattern}`);
  return {
    text,
    kyrgyzFallbackText: mapCharacters(text, KYRGYZ_FALLBACKS),
    isStem,
    maxEdits: typosAllowedInWord(text.length, isStem),
  };
}

function compilePattern(pattern: string, language: Language): CompiledPattern {
  const sources = pattern.trim().split(/\s+/u);
  const wholeText = sources.at(-1) === '$';
  if (wholeText) sources.pop();
  const words = sources.map((source): CompiledWord => {
    const optional = source.endsWith('?');
    const alternatives = (optional ? source.slice(0, -1) : source)
      .split('|')
      .map((alternative) => compileAlternative(alternative, pattern));
    return { alternatives, optional };
  });
  if (words.length === 0 || words.every((word) => word.optional)) {
    throw new Error(`Subject tag pattern needs a required word: ${pattern}`);
  }
  const requiredWords = words.filter((word) => !word.optional);
  const shortestRequiredLength =
    requiredWords.reduce(
      (sum, word) => sum + Math.min(...word.alternatives.map((alternative) => alternative.text.length)),
      0,
    ) +
    (requiredWords.length - 1);
  return { words, wholeText, language, typoBudget: typosAllowedInTag(shortestRequiredLength) };
}

/** Canonical tags are plain text; normalising removes any character the pattern syntax would read. */
function compileCanonical(canonical: string, language: Language): CompiledPattern {
  return compilePattern(normaliseSubject(canonical), language);
}

const COMPILED_TAGS: readonly CompiledTag[] = SUBJECT_TAGS.flatMap((entry) => {
  const canonical = compileCanonical(entry.canonical, entry.language);
  return [
    {
      ...canonical,
      kind: entry.kind,
      matchesAnywhere:
        canonical.words.length >= ANYWHERE_MIN_WORDS &&
        normaliseSubject(entry.canonical).length >= ANYWHERE_MIN_CHARS,
    },
    ...entry.shortForms.map(
      (shortForm): CompiledTag => ({
        ...compilePattern(shortForm, entry.language),
        kind: entry.kind,
        matchesAnywhere: false,
      }),
    ),
  ];
});

const COMPILED_FILLERS: readonly CompiledPattern[] = (Object.keys(LEADING_FILLERS) as Language[]).flatMap(
  (language) => LEADING_FILLERS[language].map((filler) => compilePattern(filler, language)),
);

/**
 * Patterns that can start at a given word, found from the word's first two letters instead of trying the
 * whole table at every place (the table has well over a hundred patterns; a call must stay in microseconds).
 * An exact match shares the first letter. A match with one typo in its first word shares the first or the
 * second letter, possibly shifted by one place (substituted, inserted, deleted or swapped first letter), so
 * all four lookups are made; two typos within the first two letters are not tolerated.
 */
class PatternIndex<Pattern extends CompiledPattern> {
  readonly patterns: readonly Pattern[];
  private readonly byFirstLetter = new Map<string, number[]>();
  private readonly bySecondLetter = new Map<string, number[]>();
  // Marks instead of sets: no allocation per lookup. Safe because matching is synchronous.
  private readonly exactMarks: Uint32Array;
  private readonly tolerantMarks: Uint32Array;
  private generation = 0;

  constructor(patterns: readonly Pattern[]) {
    this.patterns = patterns;
    this.exactMarks = new Uint32Array(patterns.length);
    this.tolerantMarks = new Uint32Array(patterns.length);
    patterns.forEach((pattern, patternNumber) => {
      for (const word of leadingWords(pattern)) {
        for (const alternative of word.alternatives) {
          for (const text of new Set([alternative.text, alternative.kyrgyzFallbackText])) {
            addTo(this.byFirstLetter, text.charAt(0), patternNumber);
            if (text.length > 1) addTo(this.bySecondLetter, text.charAt(1), patternNumber);
          }
        }
      }
    });
  }

  /**
   * Marks the patterns worth trying at a word; returns the generation to compare marks with.
   * `folded` is the word after look-alike and Kyrgyz-keyboard folding (tolerant matching compares that).
   */
  markCandidates(word: string, folded: readonly string[], tolerant: boolean): number {
    this.generation = (this.generation + 1) >>> 0 || 1;
    const generation = this.generation;
    for (const patternNumber of this.byFirstLetter.get(word.charAt(0)) ?? []) {
      this.exactMarks[patternNumber] = generation;
    }
    if (!tolerant) return generation;
    for (const variant of folded) {
      const first = variant.charAt(0);
      const second = variant.charAt(1);
      for (const lookup of [
        this.byFirstLetter.get(first),
        this.bySecondLetter.get(second),
        this.bySecondLetter.get(first),
        this.byFirstLetter.get(second),
      ]) {
        for (const patternNumber of lookup ?? []) this.tolerantMarks[patternNumber] = generation;
      }
    }
    return generation;
  }

  isExactCandidate(patternNumber: number, generation: number): boolean {
    return this.exactMarks[patternNumber] === generation;
  }

  isTolerantCandidate(patternNumber: number, generation: number): boolean {
    return this.tolerantMarks[patternNumber] === generation;
  }
}

/** The words a match can begin with: leading optional words and the first required one. */
function leadingWords(pattern: CompiledPattern): CompiledWord[] {
  const firstRequired = pattern.words.findIndex((word) => !word.optional);
  return pattern.words.slice(0, firstRequired + 1);
}

function addTo(index: Map<string, number[]>, key: string, patternNumber: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [patternNumber]);
  else if (list.at(-1) !== patternNumber) list.push(patternNumber);
}

const TAG_INDEX = new PatternIndex(COMPILED_TAGS);
const ANYWHERE_TAG_INDEX = new PatternIndex(COMPILED_TAGS.filter((tag) => tag.matchesAnywhere));
const FILLER_INDEX = new PatternIndex(COMPILED_FILLERS);

// --- Matching ----------------------------------------------------------------------------------------------

/** One text being matched: its words and, computed on demand, their look-alike-folded forms. */
class WordSequence {
  readonly words: readonly string[];
  private readonly textIsMostlyCyrillic: boolean;
  private readonly lookAlikeFolded: (string | undefined)[];
  private readonly kyrgyzFolded: (string | undefined)[];

  constructor(normalisedText: string) {
    this.words = normalisedText === '' ? [] : normalisedText.split(' ');
    this.textIsMostlyCyrillic = isMostlyCyrillic(normalisedText);
    this.lookAlikeFolded = new Array<string | undefined>(this.words.length);
    this.kyrgyzFolded = new Array<string | undefined>(this.words.length);
  }

  /** The word with look-alike letters folded, and for Kyrgyz patterns ң/ө/ү replaced by н/о/у. */
  foldedWord(index: number, language: Language): string {
    let folded = this.lookAlikeFolded[index];
    if (folded === undefined) {
      folded = foldLookAlikes(this.words[index] ?? '', this.textIsMostlyCyrillic);
      this.lookAlikeFolded[index] = folded;
    }
    if (language !== 'ky') return folded;
    let kyrgyz = this.kyrgyzFolded[index];
    if (kyrgyz === undefined) {
      kyrgyz = KYRGYZ_LETTERS.test(folded) ? mapCharacters(folded, KYRGYZ_FALLBACKS) : folded;
      this.kyrgyzFolded[index] = kyrgyz;
    }
    return kyrgyz;
  }
}

const NO_MATCH = -1;

function exactWordMatches(alternatives: readonly CompiledAlternative[], word: string): boolean {
  for (const alternative of alternatives) {
    if (alternative.isStem ? word.startsWith(alternative.text) : word === alternative.text) return true;
  }
  return false;
}

/** Typos spent matching `word` against one of the alternatives, or NO_MATCH. */
function tolerantWordCost(
  alternatives: readonly CompiledAlternative[],
  word: string,
  language: Language,
  editsLeft: number,
): number {
  let cheapest = NO_MATCH;
  for (const alternative of alternatives) {
    const text = language === 'ky' ? alternative.kyrgyzFallbackText : alternative.text;
    if (alternative.isStem ? word.startsWith(text) : word === text) return 0;
    const maxEdits = Math.min(editsLeft, alternative.maxEdits);
    if (maxEdits === 0) continue;
    const distance = boundedTypoDistance(text, word, maxEdits, alternative.isStem);
    if (distance <= maxEdits && (cheapest === NO_MATCH || distance < cheapest)) cheapest = distance;
  }
  return cheapest;
}

/**
 * Where the longest match of `pattern` from word `position` ends (exclusive), or NO_MATCH.
 * Optional words are tried both ways; patterns are short, so the backtracking stays tiny.
 */
function matchEnd(
  pattern: CompiledPattern,
  sequence: WordSequence,
  wordIndex: number,
  position: number,
  tolerant: boolean,
  editsLeft: number,
): number {
  if (wordIndex === pattern.words.length) {
    return pattern.wholeText && position !== sequence.words.length ? NO_MATCH : position;
  }
  const patternWord = pattern.words[wordIndex];
  if (patternWord === undefined) return NO_MATCH;
  let longest = NO_MATCH;
  const word = sequence.words[position];
  if (word !== undefined) {
    const cost = tolerant
      ? tolerantWordCost(
          patternWord.alternatives,
          sequence.foldedWord(position, pattern.language),
          pattern.language,
          editsLeft,
        )
      : exactWordMatches(patternWord.alternatives, word)
        ? 0
        : NO_MATCH;
    if (cost !== NO_MATCH) {
      longest = matchEnd(pattern, sequence, wordIndex + 1, position + 1, tolerant, editsLeft - cost);
    }
  }
  if (patternWord.optional) {
    longest = Math.max(longest, matchEnd(pattern, sequence, wordIndex + 1, position, tolerant, editsLeft));
  }
  return longest;
}

interface TagMatch {
  readonly tag: CompiledTag;
  readonly end: number;
  readonly exact: boolean;
}

/** The best tag starting at `position`: most words covered, then exact before tolerant, then table order. */
function bestTagAt(
  index: PatternIndex<CompiledTag>,
  sequence: WordSequence,
  position: number,
  tolerant: boolean,
): TagMatch | null {
  const word = sequence.words[position];
  if (word === undefined) return null;
  // Candidates by first letters of the word as written and as folded (a typo or look-alike can start it).
  const folded = tolerant ? [sequence.foldedWord(position, 'ru'), sequence.foldedWord(position, 'ky')] : [];
  const generation = index.markCandidates(word, folded, tolerant);
  const { patterns } = index;
  let best: TagMatch | null = null;
  for (let patternNumber = 0; patternNumber < patterns.length; patternNumber++) {
    const tag = patterns[patternNumber];
    if (tag === undefined || !index.isExactCandidate(patternNumber, generation)) continue;
    const end = matchEnd(tag, sequence, 0, position, false, 0);
    if (end !== NO_MATCH && (best === null || end > best.end)) best = { tag, end, exact: true };
  }
  // Nothing can cover more than the whole text, and on a tie the exact match wins: no tolerant pass needed.
  if (!tolerant || (best !== null && best.end === sequence.words.length)) return best;
  const bestExact = best;
  for (let patternNumber = 0; patternNumber < patterns.length; patternNumber++) {
    const tag = patterns[patternNumber];
    if (tag === undefined || !index.isTolerantCandidate(patternNumber, generation)) continue;
    if (best?.tag === tag) continue; // already matched exactly
    const end = matchEnd(tag, sequence, 0, position, true, tag.typoBudget);
    if (end !== NO_MATCH && (best === null || end > best.end)) best = { tag, end, exact: false };
  }
  // A tolerant match that only lengthens an exact one of the same request («прекращении распространения
  // персональных данных»: a short form exactly, the published tag with an inflection) is not "only by
  // tolerance": the request is read exactly.
  if (best !== null && !best.exact && bestExact !== null && sameRequest(best.tag, bestExact.tag)) {
    return { ...best, exact: true };
  }
  return best;
}

function sameRequest(first: CompiledTag, second: CompiledTag): boolean {
  return first.kind === second.kind && first.language === second.language;
}

/** Position after the longest greeting/request word at `position`, or NO_MATCH. */
function fillerEnd(sequence: WordSequence, position: number): number {
  const word = sequence.words[position];
  if (word === undefined) return NO_MATCH;
  const generation = FILLER_INDEX.markCandidates(word, [], false);
  let longest = NO_MATCH;
  FILLER_INDEX.patterns.forEach((filler, patternNumber) => {
    if (!FILLER_INDEX.isExactCandidate(patternNumber, generation)) return;
    longest = Math.max(longest, matchEnd(filler, sequence, 0, position, false, 0));
  });
  return longest > position ? longest : NO_MATCH;
}

function findTag(normalisedText: string): TagMatch | null {
  const sequence = new WordSequence(normalisedText);
  if (sequence.words.length === 0) return null;
  // Rule 2: at the start, then after each greeting or request word.
  let position = 0;
  for (let skipped = 0; skipped <= MAX_LEADING_FILLERS && position < sequence.words.length; skipped++) {
    const match = bestTagAt(TAG_INDEX, sequence, position, true);
    if (match !== null) return match;
    const next = fillerEnd(sequence, position);
    if (next === NO_MATCH) break;
    position = next;
  }
  // Rule 2, exception: long published tags anywhere, written exactly; the earliest wins.
  const lastStart = Math.min(sequence.words.length, MAX_ANYWHERE_START_WORDS);
  for (let start = 1; start < lastStart; start++) {
    const match = bestTagAt(ANYWHERE_TAG_INDEX, sequence, start, false);
    if (match !== null) return match;
  }
  return null;
}

// --- Body ---------------------------------------------------------------------------------------------------

const BLANK_LINE = /^[\s\p{Cf}]*$/u;
const QUOTED_LINE = /^[\s\p{Cf}]*>/u;

/**
 * A greeting on a line of its own ("Здравствуйте!", "Hi team,") often stands before the request, so a
 * first line this short does not end the search: the line after it is read too.
 */
const GREETING_LINE_MAX_WORDS = 3;

/**
 * The lines a body tag may stand on: the first line that is neither blank nor quoted reply text, and
 * the next such line when the first is short enough to be a greeting.
 */
function ownBodyLines(body: string): string[] {
  const scanned = body.length > MAX_BODY_SCAN_CHARS ? body.slice(0, MAX_BODY_SCAN_CHARS) : body;
  const lines: string[] = [];
  let lineStart = 0;
  while (lineStart <= scanned.length) {
    let lineEnd = scanned.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = scanned.length;
    const line = scanned.slice(lineStart, lineEnd);
    if (!BLANK_LINE.test(line) && !QUOTED_LINE.test(line)) {
      lines.push(line);
      const words = normaliseSubject(line).split(' ').length;
      if (lines.length === 2 || words > GREETING_LINE_MAX_WORDS) return lines;
    }
    lineStart = lineEnd + 1;
  }
  return lines;
}

// --- Entry point ----------------------------------------------------------------------------------------------

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

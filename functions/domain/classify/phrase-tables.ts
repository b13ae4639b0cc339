/**
 * The tag and greeting tables of ./subject-tags.ts compiled once, at module load, into normalised words
 * with their typo allowances, plus indexes that find the patterns worth trying at a word from its first
 * letters. A malformed table entry fails here, at load, where the unit tests see it.
 */
import type { Language, RequestKind } from '../requests/request-kinds';
import { foldKyrgyzLetters } from './look-alike-letters';
import { normaliseSubject } from './normalise-subject';
import { LEADING_FILLERS, SUBJECT_TAGS } from './subject-tags';

export interface CompiledAlternative {
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

export interface CompiledPattern {
  readonly words: readonly CompiledWord[];
  /** Nothing may follow the match (pattern ended in `$`). */
  readonly wholeText: boolean;
  readonly language: Language;
  /** Typos allowed in the whole tag, from its length: 0 under 8 letters, 1 up to 15, 2 beyond. */
  readonly typoBudget: number;
}

export interface CompiledTag extends CompiledPattern {
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
    kyrgyzFallbackText: foldKyrgyzLetters(text),
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
export class PatternIndex<Pattern extends CompiledPattern> {
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

export const TAG_INDEX = new PatternIndex(COMPILED_TAGS);
export const ANYWHERE_TAG_INDEX = new PatternIndex(COMPILED_TAGS.filter((tag) => tag.matchesAnywhere));
export const FILLER_INDEX = new PatternIndex(COMPILED_FILLERS);

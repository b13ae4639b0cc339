/**
 * The tag and greeting tables of ./subject-tags.ts as the matcher reads them, plus indexes that find the
 * patterns worth trying at a word from its first letters.
 *
 * The tables are compiled before the build, not at cold start: normalising (rule 1) and checking the
 * ~1,400 words of ~170 patterns was the largest piece of makul's own work in the inbound function's cold
 * import (BENCHMARKS.md), and its result only changes when the tables do. ./compile-phrase-tables.ts
 * writes the compiled patterns to ./phrase-tables.generated.ts, a committed file that a unit test keeps
 * equal to what ./subject-tags.ts compiles to; a malformed table entry fails there. Left for module
 * load: JSON.parse of those rows, turning them into objects, and the indexes below (a fifth of the time
 * compiling took, measured in the inbound bundle).
 */
import {
  type CompiledPattern,
  type CompiledTag,
  type CompiledWord,
  type PatternRow,
  patternFromRow,
  type TagRow,
  tagFromRow,
} from './compiled-patterns';
import { FILLER_ROWS_JSON, TAG_ROWS_JSON } from './phrase-tables.generated';

export type { CompiledAlternative, CompiledPattern, CompiledTag } from './compiled-patterns';

const COMPILED_TAGS: readonly CompiledTag[] = (JSON.parse(TAG_ROWS_JSON) as TagRow[]).map(tagFromRow);
const COMPILED_FILLERS: readonly CompiledPattern[] = (JSON.parse(FILLER_ROWS_JSON) as PatternRow[]).map(
  patternFromRow,
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
    // Built at every cold start: plain loops, no allocation per word (interpreted code pays for each).
    for (let patternNumber = 0; patternNumber < patterns.length; patternNumber++) {
      const { words } = patterns[patternNumber] as Pattern;
      // The words a match can begin with: leading optional words and the first required one.
      for (let wordIndex = 0; wordIndex < words.length; wordIndex++) {
        const word = words[wordIndex] as CompiledWord;
        for (const { text, kyrgyzFallbackText } of word.alternatives) {
          this.addLetters(text, patternNumber);
          if (kyrgyzFallbackText !== text) this.addLetters(kyrgyzFallbackText, patternNumber);
        }
        if (!word.optional) break;
      }
    }
  }

  private addLetters(text: string, patternNumber: number): void {
    addTo(this.byFirstLetter, text.charAt(0), patternNumber);
    if (text.length > 1) addTo(this.bySecondLetter, text.charAt(1), patternNumber);
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

function addTo(index: Map<string, number[]>, key: string, patternNumber: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [patternNumber]);
  else if (list[list.length - 1] !== patternNumber) list.push(patternNumber);
}

export const TAG_INDEX = new PatternIndex(COMPILED_TAGS);
export const ANYWHERE_TAG_INDEX = new PatternIndex(COMPILED_TAGS.filter((tag) => tag.matchesAnywhere));
export const FILLER_INDEX = new PatternIndex(COMPILED_FILLERS);

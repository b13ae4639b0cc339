/**
 * The patterns of ./subject-tags.ts in the form the matcher reads (words with their typo allowances),
 * and the rows that carry that form, computed before the build, from ./compile-phrase-tables.ts to
 * ./phrase-tables.generated.ts and on to ./phrase-tables.ts at load.
 *
 * A row is plain JSON (numbers for flags) so that V8's native JSON parser builds it: reading the same
 * patterns from text with split() and deriving their fields in JavaScript took about four times as long
 * at cold start, where every line runs in V8's interpreter. Every field is final: nothing is normalised,
 * checked or derived at load.
 */
import type { Language, RequestKind } from '../requests/request-kinds';

export interface CompiledAlternative {
  /** Normalised word or stem. */
  readonly text: string;
  /** The same with Kyrgyz letters replaced by their keyboard fallbacks. */
  readonly kyrgyzFallbackText: string;
  readonly isStem: boolean;
  /** Typos allowed in this word: none under 5 letters (short words would collide), 1, or 2 from 10 (stems: 8, 13). */
  readonly maxEdits: number;
}

export interface CompiledWord {
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

type Flag = 0 | 1;
/** text, isStem, maxEdits, kyrgyzFallbackText (0 when it is the text itself, as it nearly always is). */
type AlternativeRow = [string, Flag, number, string | 0];
/** optional, then the alternatives. */
type WordRow = [Flag, ...AlternativeRow[]];
/** language, wholeText, typoBudget, then the words. */
export type PatternRow = [Language, Flag, number, ...WordRow[]];
/** kind and matchesAnywhere, then the pattern. */
export type TagRow = [RequestKind, Flag, ...PatternRow];

export function patternRow(pattern: CompiledPattern): PatternRow {
  const words = pattern.words.map(
    ({ alternatives, optional }): WordRow => [
      flag(optional),
      ...alternatives.map(
        ({ text, isStem, maxEdits, kyrgyzFallbackText }): AlternativeRow => [
          text,
          flag(isStem),
          maxEdits,
          kyrgyzFallbackText === text ? 0 : kyrgyzFallbackText,
        ],
      ),
    ],
  );
  return [pattern.language, flag(pattern.wholeText), pattern.typoBudget, ...words];
}

export function tagRow(tag: CompiledTag): TagRow {
  return [tag.kind, flag(tag.matchesAnywhere), ...patternRow(tag)];
}

function flag(value: boolean): Flag {
  return value ? 1 : 0;
}

// Plain loops from here on: this runs once per cold start, in V8's interpreter, and every closure and
// destructuring there costs time that JSON.parse has just saved.

export function patternFromRow(row: PatternRow): CompiledPattern {
  return patternAt(row, 0);
}

export function tagFromRow(row: TagRow): CompiledTag {
  // The same property order as a pattern's, and every tag alike: one object shape for the matcher.
  const { words, wholeText, language, typoBudget } = patternAt(row, 2);
  return { words, wholeText, language, typoBudget, kind: row[0], matchesAnywhere: row[1] === 1 };
}

/** The pattern whose fields start at `start` in a row. */
function patternAt(row: readonly unknown[], start: number): CompiledPattern {
  const words: CompiledWord[] = [];
  for (let index = start + 3; index < row.length; index++) words.push(wordFromRow(row[index] as WordRow));
  return {
    words,
    wholeText: row[start + 1] === 1,
    language: row[start] as Language,
    typoBudget: row[start + 2] as number,
  };
}

function wordFromRow(row: WordRow): CompiledWord {
  const alternatives: CompiledAlternative[] = [];
  for (let index = 1; index < row.length; index++) {
    // Indexes, not array destructuring: that runs the iterator protocol, ten times slower here.
    const alternative = row[index] as AlternativeRow;
    const text = alternative[0];
    const kyrgyzFallbackText = alternative[3];
    alternatives.push({
      text,
      kyrgyzFallbackText: kyrgyzFallbackText === 0 ? text : kyrgyzFallbackText,
      isStem: alternative[1] === 1,
      maxEdits: alternative[2],
    });
  }
  return { alternatives, optional: row[0] === 1 };
}

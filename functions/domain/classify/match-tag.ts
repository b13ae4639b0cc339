/**
 * Finding a tag in a normalised text (rules 2–4 of ./classify-request.ts): where a tag may start, which
 * tag wins at one place, and how much tolerance a word gets; and, for a body line (rule 5), whether the
 * line is the request itself.
 */
import type { Language } from '../requests/request-kinds';
import { foldKyrgyzLetters, foldLookAlikes, isMostlyCyrillic } from './look-alike-letters';
import { normaliseSubject } from './normalise-subject';
import {
  ANYWHERE_TAG_INDEX,
  type CompiledAlternative,
  type CompiledPattern,
  type CompiledTag,
  FILLER_INDEX,
  type PatternIndex,
  TAG_INDEX,
} from './phrase-tables';
import { boundedTypoDistance } from './typo-distance';

/** Long published tags are looked for this far into a subject, no further: real subjects are shorter. */
const MAX_ANYWHERE_START_WORDS = 64;
/** Greetings and request words skipped before a tag; real subjects never need more. */
const MAX_LEADING_FILLERS = 6;

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
      kyrgyz = foldKyrgyzLetters(folded);
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

export interface TagMatch {
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

/** Rule 2: the tag at the start, or after greetings and request words. */
function leadingTag(sequence: WordSequence): TagMatch | null {
  let position = 0;
  for (let skipped = 0; skipped <= MAX_LEADING_FILLERS && position < sequence.words.length; skipped++) {
    const match = bestTagAt(TAG_INDEX, sequence, position, true);
    if (match !== null) return match;
    const next = fillerEnd(sequence, position);
    if (next === NO_MATCH) break;
    position = next;
  }
  return null;
}

export function findTag(normalisedText: string): TagMatch | null {
  const sequence = new WordSequence(normalisedText);
  if (sequence.words.length === 0) return null;
  const leading = leadingTag(sequence);
  if (leading !== null) return leading;
  // Rule 2, exception: long published tags anywhere, written exactly; the earliest wins.
  const lastStart = Math.min(sequence.words.length, MAX_ANYWHERE_START_WORDS);
  for (let start = 1; start < lastStart; start++) {
    const match = bestTagAt(ANYWHERE_TAG_INDEX, sequence, start, false);
    if (match !== null) return match;
  }
  return null;
}

/**
 * Words that may follow a tag on a body line that is the request itself: the object of the request
 * ("unsubscribe me"), thanks and urgency. Greetings and request words (the leading fillers) may follow
 * it too. Anything else after the tag makes the line a sentence around it, not the request.
 */
const CLOSING_WORDS: ReadonlySet<string> = new Set(
  [
    ...['me', 'us', 'please', 'pls', 'plz', 'thanks', 'thank', 'you', 'thx', 'asap', 'now', 'immediately'],
    ...['меня', 'нас', 'пожалуйста', 'спасибо', 'благодарю', 'заранее', 'срочно', 'немедленно', 'сейчас'],
    ...['мени', 'бизди', 'рахмат', 'ыраазымын'],
  ].map(normaliseSubject),
);
/** A request line is short: more words than this after the tag are a sentence, whatever they are. */
const MAX_CLOSING_WORDS = 8;

/**
 * Rule 5 for a body line: the tag of rule 2 found at the start counts only when the line is the request
 * itself — the tag with nothing around it but greetings, request words, closing words and punctuation.
 * "Unsubscribe | View in browser" or "To unsubscribe from these emails, click here" is a newsletter's
 * footer, not a person's request. No long tag is looked for in the middle of a body line.
 */
export function findRequestLineTag(normalisedLine: string): TagMatch | null {
  const sequence = new WordSequence(normalisedLine);
  const match = leadingTag(sequence);
  if (match === null || sequence.words.length - match.end > MAX_CLOSING_WORDS) return null;
  let position = match.end;
  while (position < sequence.words.length) {
    if (CLOSING_WORDS.has(sequence.words[position] ?? '')) {
      position += 1;
      continue;
    }
    const next = fillerEnd(sequence, position);
    if (next === NO_MATCH) return null;
    position = next;
  }
  return match;
}

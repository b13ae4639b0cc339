/**
 * Typo distance (rule 4 of ./classify-request.ts): how many small typos separate a tag word from a word
 * of the subject, bounded so that a call stops as soon as the answer is "too many".
 */

/** Tag words are short; a longer token cannot be within typo distance of one, so no distance is computed. */
const MAX_TYPO_TOKEN_CHARS = 48;

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent transpositions)
 * between `pattern` and `word`, or between `pattern` and the closest prefix of `word` when `asPrefix`
 * (for stems). Returns maxEdits + 1 as soon as the distance is known to exceed maxEdits.
 */
export function boundedTypoDistance(
  pattern: string,
  word: string,
  maxEdits: number,
  asPrefix: boolean,
): number {
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

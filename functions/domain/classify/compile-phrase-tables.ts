/**
 * The build-time half of the classifier's tables: every pattern of ./subject-tags.ts compiled for the
 * matcher (words normalised by rule 1 and checked, typo allowances, which tags also match anywhere) and
 * written out as the rows of ./phrase-tables.generated.ts, which ./phrase-tables.ts loads. Compiling at
 * cold start cost more than anything else makul itself does there (normalising ~1,400 words runs
 * reply-prefix stripping and Unicode property classes in cold code), and its result only changes when
 * the tables do, so it is done here and committed.
 *
 * Nothing the functions run imports this file, so esbuild leaves it, and the source tables, out of the
 * bundles. test/unit/domain/classify/phrase-tables-generated.test.ts compares its output with the
 * committed file and rewrites the file when run with `-u`. It never imports ./phrase-tables.ts, so a
 * broken generated file can always be regenerated.
 */
import type { Language } from '../requests/request-kinds';
import {
  type CompiledAlternative,
  type CompiledPattern,
  type CompiledTag,
  type CompiledWord,
  patternRow,
  tagRow,
} from './compiled-patterns';
import { foldKyrgyzLetters } from './look-alike-letters';
import { normaliseSubject } from './normalise-subject';
import { LEADING_FILLERS, SUBJECT_TAGS } from './subject-tags';

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
  // A malformed table entry is a programming error: it fails here, where the unit test sees it, and
  // never reaches the generated file.
  if (!PATTERN_WORD.test(text)) throw new Error(`Subject tag pattern has an invalid word: ${pattern}`);
  return {
    text,
    kyrgyzFallbackText: foldKyrgyzLetters(text),
    isStem,
    maxEdits: typosAllowedInWord(text.length, isStem),
  };
}

/** A pattern in the syntax of ./subject-tags.ts (`a|b`, `stem*`, `word?`, a final `$`), compiled. */
export function compilePattern(pattern: string, language: Language): CompiledPattern {
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

/** The tables compiled, in table order (on a tie, the earlier tag wins: rule 3). */
export function compilePhraseTables(): {
  readonly tags: readonly CompiledTag[];
  readonly fillers: readonly CompiledPattern[];
} {
  const tags = SUBJECT_TAGS.flatMap((entry) => {
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
  const fillers = (Object.keys(LEADING_FILLERS) as Language[]).flatMap((language) =>
    LEADING_FILLERS[language].map((filler) => compilePattern(filler, language)),
  );
  return { tags, fillers };
}

/** One JSON row a line, so that a change to the tables shows as a readable diff. */
function jsonLines(rows: readonly unknown[]): string {
  const text = `[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]`;
  // Normalised words are letters and digits only: nothing in the JSON can end or interpolate the
  // template literal it is written into, and no escape sequence needs a second reading.
  if (/[`\\]|\$\{/u.test(text))
    throw new Error('A phrase table row cannot be written into a template literal');
  return text;
}

/** The text of ./phrase-tables.generated.ts. */
export function renderPhraseTablesModule(): string {
  const { tags, fillers } = compilePhraseTables();
  return `/**
 * Generated from ./subject-tags.ts by ./compile-phrase-tables.ts: do not edit. After changing the
 * tables, regenerate with \`npx vitest run test/unit/domain/classify/phrase-tables-generated.test.ts -u\`
 * (that test fails while this file is stale). Loaded by ./phrase-tables.ts; the rows are described in
 * ./compiled-patterns.ts. JSON in template literals: the formatter leaves the one-row-a-line text alone,
 * and JSON.parse builds it faster than JavaScript could.
 */

/** The subject tags: kind, matches anywhere, language, whole text, typo budget, then each word's row. */
export const TAG_ROWS_JSON = \`${jsonLines(tags.map(tagRow))}\`;

/** Greetings and request words: language, whole text, typo budget, then each word's row. */
export const FILLER_ROWS_JSON = \`${jsonLines(fillers.map(patternRow))}\`;
`;
}

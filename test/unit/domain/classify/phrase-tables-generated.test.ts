import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  compilePhraseTables,
  renderPhraseTablesModule,
} from '../../../../functions/domain/classify/compile-phrase-tables';
import {
  patternFromRow,
  patternRow,
  tagFromRow,
  tagRow,
} from '../../../../functions/domain/classify/compiled-patterns';

describe('the generated phrase tables', () => {
  it('are what ./subject-tags.ts compiles to (regenerate: npx vitest run <this file> -u)', async () => {
    // A file snapshot: `-u` rewrites the committed module from the tables, a plain run compares the text.
    await expect(renderPhraseTablesModule()).toMatchFileSnapshot(
      '../../../../functions/domain/classify/phrase-tables.generated.ts',
    );
  });

  it('load back into exactly the compiled patterns, object shapes included', () => {
    const { tags, fillers } = compilePhraseTables();
    const loadedTags = JSON.parse(JSON.stringify(tags.map(tagRow))).map(tagFromRow);
    const loadedFillers = JSON.parse(JSON.stringify(fillers.map(patternRow))).map(patternFromRow);

    // Same property order too (toStrictEqual ignores it): the matcher should see one shape per kind of object.
    expect(JSON.stringify(loadedTags)).toBe(JSON.stringify(tags));
    expect(JSON.stringify(loadedFillers)).toBe(JSON.stringify(fillers));
    expect(loadedTags).toStrictEqual(tags);
  });
});

describe('compiling a pattern', () => {
  it('normalises every word and derives its typo allowance', () => {
    const { words, wholeText, typoBudget } = compilePattern('Отказ* от  ПОЛУЧЕНИЯ? «Рассылки»|Ёлки $', 'ru');

    expect(
      words.map((word) => [word.optional, word.alternatives.map((alternative) => alternative.text)]),
    ).toEqual([
      [false, ['отказ']],
      [false, ['от']],
      [true, ['получения']],
      [false, ['рассылки', 'елки']],
    ]);
    expect(words[0]?.alternatives[0]).toMatchObject({ isStem: true, maxEdits: 0 });
    expect(words[3]?.alternatives[0]).toMatchObject({ isStem: false, maxEdits: 1 });
    expect(wholeText).toBe(true);
    expect(typoBudget).toBe(1);
    expect(compilePattern('жаңы', 'ky').words[0]?.alternatives[0]?.kyrgyzFallbackText).toBe('жаны');
  });

  it('fails on a malformed table entry, so that it never reaches the generated file', () => {
    expect(() => compilePattern('отказ от ---', 'ru')).toThrow('invalid word');
    expect(() => compilePattern('отказ|! от', 'ru')).toThrow('invalid word');
    // Normalising splits a hyphenated word in two: a pattern word must stay one word.
    expect(() => compilePattern('opt-out', 'en')).toThrow('invalid word');
    expect(() => compilePattern('мои? данные?', 'ru')).toThrow('needs a required word');
  });
});

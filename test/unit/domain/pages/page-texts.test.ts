import { describe, expect, it } from 'vitest';
import { PAGE_TEXTS } from '../../../../functions/domain/pages/page-texts';
import { LANGUAGES } from '../../../../functions/domain/requests/request-kinds';

const MARKER = 'MARKER-7Q';

/** Every text of a phrasebook, with its path; functions are called with the marker. */
function allTexts(value: unknown, path: string): [string, string, boolean][] {
  if (typeof value === 'string') return [[path, value, false]];
  if (typeof value === 'function') return [[path, String(value(MARKER)), true]];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    allTexts(child, `${path}.${key}`),
  );
}

describe('PAGE_TEXTS', () => {
  it('has a non-empty text for every entry in every language, and every sentence uses what it is given', () => {
    for (const language of LANGUAGES) {
      for (const [path, text, isSentence] of allTexts(PAGE_TEXTS[language], language)) {
        expect(text.trim(), path).not.toBe('');
        expect(text, path).not.toMatch(/undefined|\$\{|[{}]/);
        // result bodies may ignore the operator: past-tense results are passive by the grammar rule.
        if (isSentence && !path.includes('.result.')) expect(text, path).toContain(MARKER);
      }
    }
  });

  it('names each language in that language', () => {
    expect(LANGUAGES.map((language) => PAGE_TEXTS[language].languageName)).toEqual([
      'Кыргызча',
      'Русский',
      'English',
    ]);
  });

  it('writes Kyrgyz with the Kyrgyz letters ң, ө and ү and Russian without them', () => {
    const kyrgyz = allTexts(PAGE_TEXTS.ky, 'ky')
      .map(([, text]) => text)
      .join(' ');
    const russian = allTexts(PAGE_TEXTS.ru, 'ru')
      .map(([, text]) => text)
      .join(' ');

    expect(kyrgyz).toMatch(/ң/);
    expect(kyrgyz).toMatch(/ө/);
    expect(kyrgyz).toMatch(/ү/);
    expect(russian).not.toMatch(/[ңөү]/);
  });

  it('does not tell an unknown, an expired and a used link apart', () => {
    for (const language of LANGUAGES) {
      const { body } = PAGE_TEXTS[language].unavailable;

      // The text names both possibilities together, never one as the case.
      expect(body).toMatch(/expired|истёк|бүткөн/);
      expect(body).toMatch(/used|использована|колдонулган/);
    }
  });
});

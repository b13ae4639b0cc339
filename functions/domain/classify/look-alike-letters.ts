/**
 * Look-alike letters (rule 4 of ./classify-request.ts): Latin letters typed in a Cyrillic word and
 * Cyrillic ones in a Latin word, and н/о/у typed for Kyrgyz ң/ө/ү, folded to one script so that tolerant
 * matching compares what the person meant to write.
 */

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

/** Kyrgyz ң/ө/ү replaced by what a keyboard without them gives (н/о/у); other words are returned as they are. */
export function foldKyrgyzLetters(word: string): string {
  return KYRGYZ_LETTERS.test(word) ? mapCharacters(word, KYRGYZ_FALLBACKS) : word;
}

/** Words without Latin letters or the digits 0 and 3 have nothing to fold (the common case). */
const HAS_LATIN_LOOK_ALIKE = /[a-z03]/;

/**
 * Maps look-alike letters in a word that mixes Latin and Cyrillic to one script: to Cyrillic when all its
 * Latin letters have Cyrillic twins and the word is mostly Cyrillic (or cannot be Latin, or the subject is
 * mostly Cyrillic: «OTKAЗ»), else to Latin when all its Cyrillic letters have Latin twins («unsubsсribe»
 * with a Cyrillic с). A word of Latin look-alikes only ("ot") is read as Cyrillic in a mostly Cyrillic subject.
 */
export function foldLookAlikes(word: string, textIsMostlyCyrillic: boolean): string {
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

export function isMostlyCyrillic(text: string): boolean {
  let cyrillic = 0;
  let latin = 0;
  for (let index = 0; index < text.length; index++) {
    const codeUnit = text.charCodeAt(index);
    if (isCyrillic(codeUnit)) cyrillic++;
    else if (isLatinLetter(codeUnit)) latin++;
  }
  return cyrillic > latin;
}

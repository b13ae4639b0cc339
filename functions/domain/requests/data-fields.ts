/**
 * The data a subject names in a request: the labelled values of an update-data request ("Телефон: …",
 * "Туулган күнү: …", "New email: …") and the categories of data a stop-dissemination request names
 * ("уберите мои фото и номер телефона").
 *
 * Runs in the inbound Lambda, whose bundle budget is nearly full: no phone library here, only light
 * syntactic checks (the pages Lambda normalises with libphonenumber, ./normalise-fields.ts). Bodies are
 * up to 512 KB of anybody's text, so every step is a single pass over a line or a bounded slice of it:
 * regular expressions only ever see a bounded string or are a single character class.
 */
import { checkSender } from '../mail/sender-address';
import {
  type DataItem,
  type ExtractedField,
  type OwnDataField,
  STANDARD_FIELDS,
  type StandardField,
} from './data-field-names';

export type FieldExtraction =
  | { readonly ok: true; readonly fields: readonly ExtractedField[] }
  | { readonly ok: false; readonly reason: 'no-fields' | 'invalid-values' };

/** No real value is longer; a longer one is dropped rather than cut, since a cut value is a wrong one. */
export const MAX_VALUE_CHARS = 200;
const MAX_NAME_CHARS = 100;
/** E.164 allows at most 15 digits; fewer than 7 is a fragment or an extension, not a number to reach anyone at. */
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;
const EARLIEST_BIRTH_YEAR = 1900;

// --- Folding: one spelling for what people type -------------------------------------------------------

/**
 * Applied to labels and to the text alike after lower-casing: ё and Kyrgyz ң/ө/ү as typed without a
 * Kyrgyz keyboard, Latin look-alikes typed inside Cyrillic words (both sides fold the same way, so an
 * English label only ever meets its own folded form), unusual spaces and hyphens, invisible characters.
 */
const FOLD = new Map<number, number>();
/** `to` is one character for all of `from`, one per character of `from`, or '' to drop them. */
function addFold(from: string, to: string): void {
  for (let index = 0; index < from.length; index += 1) {
    FOLD.set(from.charCodeAt(index), to === '' ? -1 : to.charCodeAt(to.length === 1 ? 0 : index));
  }
}
addFold('ёңөүabcehkmoptxy', 'еноуавсенкмортху');
addFold(
  '\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000',
  ' ',
);
addFold('\u00ad\u200b\u200c\u200d\u2060\ufeff', '');
addFold('\u2010\u2011', '-');
addFold('\uff1a', ':');

/** Folds an already lower-cased text; one pass over its code units. */
function foldLower(lower: string): string {
  const folded = new Uint16Array(lower.length);
  let length = 0;
  for (let index = 0; index < lower.length; index += 1) {
    const code = lower.charCodeAt(index);
    const to = FOLD.get(code) ?? code;
    if (to >= 0) folded[length++] = to;
  }
  let text = '';
  // In slices: spreading half a million arguments into one call overflows the stack.
  for (let from = 0; from < length; from += 8192) {
    text += String.fromCharCode(...folded.subarray(from, Math.min(length, from + 8192)));
  }
  return text;
}

function foldText(text: string): string {
  return foldLower(text.normalize('NFC').toLowerCase());
}

/** Lower-cased without changing the length, so that positions in it are positions in the original. */
function lowerUnits(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  // Rare: a letter whose lower case is longer ("İ"); keep such letters as they are.
  let units = '';
  for (const unit of text) units += unit.toLowerCase().length === unit.length ? unit.toLowerCase() : unit;
  return units;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const isWordCharacter = (unit: string | undefined): boolean =>
  unit !== undefined && WORD_CHARACTER.test(unit);

// --- Lines that count: the person's own text, not the mail they reply to ---------------------------------

const ATTRIBUTION_ENDINGS = ['wrote:', 'пишет:', 'написал:', 'написала:', 'написал(а):', 'жазды:', 'жазган:'];
const HISTORY_MARKERS = [
  'original message',
  'исходное сообщение',
  'пересылаемое сообщение',
  'forwarded message',
  'баштапкы билдирүү',
  'begin forwarded message',
];
/** Attribution lines and separators are short; longer lines are the person's own text. */
const MARKER_LINE_MAX_CHARS = 200;

/**
 * The lines a person wrote: everything up to a signature delimiter ("-- ") or an Outlook-style
 * history marker, minus quoted lines (">") once an "On … wrote:" / "… пишет:" line has been seen.
 * A ">" before that counts: people quote the fields they fill in. Linear: one indexOf per line.
 */
function* ownLines(text: string): Generator<string> {
  let quoting = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    // Every marker starts with a dash or underscore or ends with a colon: other lines skip the checks.
    const markerLike = '-_=*'.includes(trimmed[0] ?? '') || trimmed.endsWith(':');
    if (markerLike && trimmed.length <= MARKER_LINE_MAX_CHARS) {
      if (trimmed === '--' || /^_{8,}$/.test(trimmed)) return;
      const lower = trimmed.toLowerCase();
      if (HISTORY_MARKERS.includes(lower.replace(/^[-_=*\s]+|[-_=*\s:]+$/g, ''))) return;
      if (ATTRIBUTION_ENDINGS.some((ending) => lower.endsWith(ending)) || /@\S*>:$/.test(lower)) {
        quoting = true;
        continue;
      }
    }
    if (quoting && trimmed.startsWith('>')) continue;
    yield line;
  }
}

// --- Labels --------------------------------------------------------------------------------------------

/** Labels as people write them before a value (ru, ky, en; "|" between labels), matched in any language. */
const STANDARD_LABELS: Readonly<Record<StandardField, readonly string[]>> = {
  'last-name': ['фамилия', 'фамилиясы|фамилиям', 'last name|lastname|surname|family name'],
  'first-name': ['имя', 'аты|атым|ысымы', 'first name|firstname|given name|forename'],
  patronymic: ['отчество', 'атасынын аты', 'patronymic|middle name'],
  'full-name': [
    'фио|ф.и.о.|ф.и.о|полное имя|фамилия имя отчество|фамилия, имя, отчество',
    'аты-жөнү|аты жөнү|толук аты-жөнү',
    'full name|name',
  ],
  phone: [
    'телефон|тел.|тел|номер телефона|телефонный номер|моб. телефон|моб.|мобильный телефон|мобильный',
    'сотовый телефон|сотовый|контактный телефон',
    'телефон номери|телефон номерим|мобилдик телефон|уюлдук телефон',
    'phone|phone number|telephone|tel.|tel|mobile|mobile phone|mobile number|cell phone',
  ],
  email: [
    'email|e-mail|e mail|email адрес|e-mail адрес|адрес email|адрес e-mail|эл. почта|эл. адрес',
    'электронная почта|адрес электронной почты|адрес эл. почты|почта|емейл|имейл|е-мейл',
    'электрондук почта|электрондук дарек',
    'email address|e-mail address',
  ],
  'birth-date': [
    'дата рождения|день рождения|д.р.',
    'туулган күнү|туулган күн|туулган датасы',
    'date of birth|birth date|birthdate|birthday|dob|d.o.b.',
  ],
};

/**
 * Words that may stand before or after a label without changing which value it is ("Новый телефон",
 * "Фамилия (новая)", "Менин жаңы телефон номерим"). "Старый"/"old" are deliberately absent: the old value
 * is not the one to store.
 */
const QUALIFIERS: ReadonlySet<string> = new Set(
  [
    'мой|моя|мое|моё|мои|новый|новая|новое|новые|актуальный|актуальная|актуальное|текущий|текущая',
    'правильный|правильная|правильное|верный|верная|верное|корректный|корректная|контактный',
    'менин|жаңы|туура|учурдагы|актуалдуу',
    'my|new|correct|updated|current',
  ]
    .flatMap((group) => group.split('|'))
    .map(foldLabel),
);
const MAX_QUALIFIERS = 3;
/** "Телефон (мобильный):" — a remark in brackets after a label, not a value. */
const MAX_REMARK_CHARS = 40;
const SEPARATORS = new Set([':', '-', '–', '—', '=']);

type FieldKind = 'name' | 'phone' | 'email' | 'birth-date' | 'own';

interface Label {
  readonly key: string;
  readonly field: string;
  readonly kind: FieldKind;
}

interface LabelTable {
  /** Labels by their first folded character, longest first, so "телефон номери" wins over "телефон". */
  readonly byFirst: ReadonlyMap<string, readonly Label[]>;
  /** How much of a line's start is folded: enough for qualifiers, the longest label and a remark. */
  readonly headChars: number;
  /** Characters a label or qualifier starts with: any other start is rejected after one character. */
  readonly firstCharacters: ReadonlySet<string>;
}

function foldLabel(label: string): string {
  return foldHead(label, 0, null).key.trimEnd();
}

function kindOf(field: StandardField): FieldKind {
  if (field === 'phone' || field === 'email' || field === 'birth-date') return field;
  return 'name';
}

const labelTables = new WeakMap<readonly OwnDataField[], LabelTable>();

function labelTable(ownFields: readonly OwnDataField[]): LabelTable {
  const cached = labelTables.get(ownFields);
  if (cached !== undefined) return cached;
  // The operator's own labels come first: where one equals a standard label, the profile means its field.
  const labels: Label[] = [];
  for (const own of ownFields) {
    for (const label of [...own.labels.ky, ...own.labels.ru, ...own.labels.en]) {
      labels.push({ key: foldLabel(label), field: own.id, kind: 'own' });
    }
  }
  for (const field of STANDARD_FIELDS) {
    for (const label of STANDARD_LABELS[field].flatMap((group) => group.split('|')))
      labels.push({ key: foldLabel(label), field, kind: kindOf(field) });
  }
  const byFirst = new Map<string, Label[]>();
  let longest = 0;
  for (const label of labels) {
    const first = label.key[0];
    if (first === undefined) continue;
    longest = Math.max(longest, label.key.length);
    byFirst.set(first, [...(byFirst.get(first) ?? []), label]);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.key.length - a.key.length);
  const firstCharacters = new Set([...byFirst.keys(), ...[...QUALIFIERS].map((word) => word[0] ?? '')]);
  const headChars = Math.min(400, longest + 16 * (MAX_QUALIFIERS + 1) + MAX_REMARK_CHARS + 8);
  const table = { byFirst, headChars, firstCharacters };
  labelTables.set(ownFields, table);
  return table;
}

interface LabelMatch {
  readonly label: Label;
  /** Index in the line where the value starts. */
  readonly valueStart: number;
  readonly separator: string | null;
}

/**
 * The folded start of a line, and for each folded character the index of the line it came from. It
 * stops at the first character that cannot start a label (a line of commas costs one step per comma) and
 * at a colon (a label never holds one): only the label's surroundings are folded, never the value.
 */
function foldHead(
  line: string,
  start: number,
  table: LabelTable | null,
): { readonly key: string; readonly origin: readonly number[] } {
  const window = lowerUnits(line.slice(start, table === null ? undefined : start + table.headChars * 2));
  let key = '';
  const origin: number[] = [];
  let index = 0;
  for (; index < window.length && (table === null || key.length < table.headChars); index += 1) {
    const code = window.charCodeAt(index);
    const to = FOLD.get(code) ?? code;
    if (to < 0) continue;
    const folded = String.fromCharCode(to);
    // One space, and none after a dot: "эл. почта" and "эл.почта" are one label.
    if (folded === ' ' && (key === '' || key.endsWith(' ') || key.endsWith('.'))) continue;
    if (key === '' && table !== null && !table.firstCharacters.has(folded)) break;
    key += folded;
    origin.push(start + index);
    if (folded === ':' && table !== null) {
      index += 1;
      break;
    }
  }
  origin.push(start + index);
  return { key, origin };
}

/** Length of the qualifier word (and its space) at `at`, or 0. */
function qualifierAt(key: string, at: number): number {
  const space = key.indexOf(' ', at);
  if (space < 0) return 0;
  return QUALIFIERS.has(key.slice(at, space)) ? space - at + 1 : 0;
}

/**
 * A label at `start` of the line: qualifiers, the label, an optional qualifier or remark, then a
 * separator. Without a separator ("Телефон 8 916 …") only a phone, email or date counts, and only when
 * the value passes its check (the caller's job): "Фамилия изменилась" is a sentence, not a field.
 */
function matchLabel(line: string, start: number, table: LabelTable): LabelMatch | null {
  const { key, origin } = foldHead(line, start, table);
  let at = 0;
  for (let count = 0; count < MAX_QUALIFIERS; count += 1) {
    const length = qualifierAt(key, at);
    if (length === 0) break;
    at += length;
  }
  const first = key[at];
  const candidates = first === undefined ? undefined : table.byFirst.get(first);
  const label = candidates?.find(
    (candidate) =>
      key.startsWith(candidate.key, at) &&
      (!isWordCharacter(candidate.key.at(-1)) || !isWordCharacter(key[at + candidate.key.length])),
  );
  if (label === undefined) return null;
  at += label.key.length;
  let spaced = key[at] === ' ';
  if (spaced) at += 1;
  const trailingQualifier = qualifierAt(key, at);
  if (trailingQualifier > 0) at += trailingQualifier;
  if (key[at] === '(') {
    const close = key.indexOf(')', at);
    if (close < 0 || close - at > MAX_REMARK_CHARS) return null;
    at = close + 1;
    spaced = key[at] === ' ';
    if (spaced) at += 1;
  }
  const separator = key[at];
  if (separator !== undefined && SEPARATORS.has(separator)) {
    at += 1;
    if (separator === ':' && (key[at] === '-' || key[at] === '–' || key[at] === '—')) at += 1;
    return { label, valueStart: origin[at] ?? line.length, separator };
  }
  if (trailingQualifier > 0 || label.kind === 'name' || label.kind === 'own') return null;
  if (!spaced && !label.key.endsWith('.')) return null;
  return { label, valueStart: origin[at] ?? line.length, separator: null };
}

/** Bullets, list numbers and quote marks before a label: "> ", "- ", "• ", "2) ". */
function afterPrefix(line: string): number {
  let index = 0;
  while (index < line.length && /[\s>*•·‣◦▪\-–—\u00a0\u200b\ufeff]/.test(line[index] ?? '')) index += 1;
  const number = /^\d{1,2}[.)]\s+/.exec(line.slice(index, index + 8));
  return number === null ? index : index + number[0].length;
}

interface LabelledValue {
  readonly label: Label;
  /** null: longer than any real value. */
  readonly value: string | null;
  readonly separated: boolean;
}

/**
 * Every labelled value in the person's own lines, in order. A line may hold several
 * ("Фамилия: Петрова, имя: Анна"): a value ends where ", <label>:" starts. A label alone with a colon
 * takes the next non-blank line as its value ("Телефон:" ⏎ "8 916 …").
 */
function* labelledValues(text: string, table: LabelTable): Generator<LabelledValue> {
  let waiting: Label | null = null;
  for (const line of ownLines(text)) {
    const start = afterPrefix(line);
    if (start >= line.length) continue;
    let match = matchLabel(line, start, table);
    if (match === null) {
      if (waiting !== null) yield { label: waiting, value: cleanValue(line.slice(start)), separated: true };
      waiting = null;
      continue;
    }
    waiting = null;
    while (match !== null) {
      const current: LabelMatch = match;
      match = null;
      let end = line.length;
      for (let index = current.valueStart; index < line.length; index += 1) {
        const unit = line[index];
        if (unit !== ',' && unit !== ';') continue;
        const next = matchLabel(line, index + 1, table);
        if (next?.separator === ':') {
          end = index;
          match = next;
          break;
        }
      }
      const value = cleanValue(line.slice(current.valueStart, end));
      if (value === '' && current.separator === ':' && match === null) waiting = current.label;
      else yield { label: current.label, value, separated: current.separator !== null };
    }
  }
}

const QUOTE_PAIRS: ReadonlyMap<string, string> = new Map([
  ['«', '»'],
  ['"', '"'],
  ['“', '”'],
  ['„', '“'],
  ["'", "'"],
  ['<', '>'],
]);

/** Trimmed, without enclosing quotes or brackets and trailing punctuation; null when over-long. */
function cleanValue(raw: string): string | null {
  let value = raw.trim();
  if (value.length > MAX_VALUE_CHARS + 2) return null;
  let end = value.length;
  while (end > 0 && '.,;'.includes(value[end - 1] ?? '')) end -= 1;
  value = value.slice(0, end);
  const close = QUOTE_PAIRS.get(value[0] ?? '');
  if (close !== undefined && value.length >= 2 && value.endsWith(close)) value = value.slice(1, -1).trim();
  return value;
}

// --- Value checks --------------------------------------------------------------------------------------

const NAME = /^[\p{L}\p{M}'’ʼ‘\-‐‑ \u00a0]+$/u;
const LETTER = /\p{L}/u;

export function isPlausibleName(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_NAME_CHARS && NAME.test(value) && LETTER.test(value);
}

/** Optional "+", then 7–15 digits once spaces, dashes, dots and parentheses are removed. */
export function isPlausiblePhone(value: string): boolean {
  let digits = 0;
  for (let index = value.startsWith('+') ? 1 : 0; index < value.length; index += 1) {
    const unit = value[index] ?? '';
    if (unit >= '0' && unit <= '9') digits += 1;
    else if (!' \u00a0\u202f.-–—()'.includes(unit)) return false;
  }
  return digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS;
}

/**
 * One plain address, held to the same strict rules as a sender (../mail/sender-address.ts): the address
 * with its domain lower-cased (ASCII form for an IDN), or null.
 */
export function plainEmail(value: string): string | null {
  if (/\s|[<>]/.test(value)) return null;
  const checked = checkSender([value]);
  return checked.ok ? checked.address : null;
}

/**
 * Month words, per month: abbreviations and English names as whole words, then ru/ky stems that take an
 * ending ("марта", "5-марты", "мартында"): a stem matches with an ending of up to two letters or a
 * Kyrgyz case ending, so "мартобря" is no month.
 */
const MONTH_WORDS: readonly (readonly [exact: string, stems: string])[] = [
  ['янв jan january', 'январ'],
  ['фев февр feb february', 'феврал'],
  ['мар mar march', 'март'],
  ['апр apr april', 'апрел'],
  ['мая мае may', 'май'],
  ['июн jun june', 'июн'],
  ['июл jul july', 'июл'],
  ['авг aug august', 'август'],
  ['сен сент sep sept september', 'сентябр'],
  ['окт oct october', 'октябр'],
  ['ноя нояб nov november', 'ноябр'],
  ['дек dec december', 'декабр'],
];
const MONTH_EXACT: ReadonlyMap<string, number> = new Map(
  MONTH_WORDS.flatMap(([exact], index) =>
    exact.split(' ').map((word): [string, number] => [word, index + 1]),
  ),
);
const KYRGYZ_CASE_ENDINGS: ReadonlySet<string> = new Set([
  'ында',
  'инде',
  'дын',
  'дин',
  'тын',
  'тин',
  'нын',
  'нин',
]);

function monthOf(word: string): number | undefined {
  const exact = MONTH_EXACT.get(word);
  if (exact !== undefined) return exact;
  const index = MONTH_WORDS.findIndex(([, stem]) => {
    if (!word.startsWith(stem)) return false;
    const ending = word.slice(stem.length);
    return ending.length <= 2 || KYRGYZ_CASE_ENDINGS.has(ending);
  });
  return index < 0 ? undefined : index + 1;
}
/** Words around a written date that carry nothing: "1990 г.", "1990-жылы", "5th of March". */
const DATE_FILLER = /^(?:г|гг|год|года|ж|жыл\p{L}*|of|the|st|nd|rd|th)$/u;
/** A date is short; longer text is a sentence, not a date. */
const MAX_DATE_CHARS = 40;

/**
 * A real calendar date as YYYY-MM-DD, or null: DD.MM.YYYY, DD/MM/YYYY, DD-MM-YYYY, YYYY-MM-DD, or a
 * month written as a word in Russian, Kyrgyz or English ("5 марта 1990", "1990-жылдын 5-марты",
 * "5 March 1990", "March 5, 1990"). A birth date lies between 1900 and `today`.
 */
export function parseBirthDate(value: string, today: Date = new Date()): string | null {
  if (value.length > MAX_DATE_CHARS) return null;
  const text = value.trim().toLowerCase();
  const dayFirst = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:\s*(?:г|года|ж)\.?)?$/u.exec(text);
  const yearFirst = /^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (dayFirst !== null) return calendarDate(dayFirst[4], dayFirst[3], dayFirst[1], today);
  if (yearFirst !== null) return calendarDate(yearFirst[1], yearFirst[3], yearFirst[4], today);
  let day: string | undefined;
  let month: number | undefined;
  let year: string | undefined;
  for (const [token] of text.matchAll(/\p{L}+|\d+/gu)) {
    if (/^\d{4}$/.test(token) && year === undefined) year = token;
    else if (/^\d{1,2}$/.test(token) && day === undefined) day = token;
    else if (month === undefined && monthOf(token) !== undefined) month = monthOf(token);
    else if (!DATE_FILLER.test(token)) return null;
  }
  if (month === undefined) return null;
  return calendarDate(year, String(month), day, today);
}

function calendarDate(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  today: Date,
): string | null {
  if (year === undefined || month === undefined || day === undefined) return null;
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const date = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls 31.02 over into March; a real date comes back with the same parts.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  if (y < EARLIEST_BIRTH_YEAR || date.getTime() > today.getTime()) return null;
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function passesCheck(kind: FieldKind, value: string | null, today: Date): boolean {
  if (value === null || value.length === 0 || value.length > MAX_VALUE_CHARS) return false;
  switch (kind) {
    case 'name':
      return isPlausibleName(value);
    case 'phone':
      return isPlausiblePhone(value);
    case 'email':
      return plainEmail(value) !== null;
    case 'birth-date':
      return parseBirthDate(value, today) !== null;
    case 'own':
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      return !/[\u0000-\u001f\u007f]/.test(value);
  }
}

// --- Update-data -----------------------------------------------------------------------------------------

/**
 * The labelled values of an update-data request. A value failing its check is dropped; of the same field
 * written twice the last valid one is kept (a person corrects themselves further down). Fields come in a
 * fixed order: the standard fields, then the operator's own in profile order.
 * `today` bounds birth dates; it defaults to now.
 */
export function extractUpdateFields(
  text: string,
  ownFields: readonly OwnDataField[],
  today: Date = new Date(),
): FieldExtraction {
  const table = labelTable(ownFields);
  const latest = new Map<string, string>();
  let labelled = 0;
  for (const { label, value, separated } of labelledValues(text, table)) {
    const valid = passesCheck(label.kind, value, today);
    // Without a separator the line may be a sentence that starts like a label: it counts only if valid.
    if (value === '' || (!separated && !valid)) continue;
    labelled += 1;
    if (valid && value !== null) latest.set(label.field, value);
  }
  if (labelled === 0) return { ok: false, reason: 'no-fields' };
  const rank = (field: string): number => {
    const standard = STANDARD_FIELDS.indexOf(field as StandardField);
    return standard >= 0 ? standard : STANDARD_FIELDS.length + ownFields.findIndex((own) => own.id === field);
  };
  const fields = [...latest]
    .map(([field, value]) => ({ field, value }))
    .sort((a, b) => rank(a.field) - rank(b.field));
  return fields.length === 0 ? { ok: false, reason: 'invalid-values' } : { ok: true, fields };
}

// --- Stop-dissemination ------------------------------------------------------------------------------

/**
 * Words that name a category, as sequences of folded word tokens; "*" marks a stem (Russian and Kyrgyz
 * inflect: "фотографию", "сүрөттөрүмдү"). At each word the longest term wins and consumes its words, so
 * "адрес электронной почты" is an email, not an address; a null id consumes without naming ("место
 * рождения" is no birth date).
 */
const ITEM_TERMS: ReadonlyArray<readonly [DataItem | null, readonly string[]]> = [
  [
    'photo',
    [
      'фото*|фотк*|снимок|снимк*|изображени*|селфи|портрет*|аватар*',
      'сүрөт*',
      'photo*|picture*|image*|selfie*|portrait*|avatar*',
    ],
  ],
  ['address', ['адрес*|мест* жительств*|мест* проживани*|прописк*', 'дарек*|дарег*', 'address*|residence']],
  [
    'phone',
    [
      'телефон*|тел|мобильн* номер*|сотов*',
      'мобилдик*|уюлдук*',
      'phone*|telephone*|mobile* number*|cellphone*',
    ],
  ],
  [
    'email',
    [
      'email*|e mail*|емейл*|имейл*|электрон* почт*|эл почт*|почта|почту|почты|почтой|почте',
      'адрес* электрон* почт*|адрес* эл почт*|адрес* почты|адрес* email*|адрес* e mail*',
      'email* адрес*|e mail* адрес*|email* address*|e mail* address*',
      'электрондук дарек*|электрондук дарег*|эл дарек*',
    ],
  ],
  ['full-name', ['фио|ф и о|полн* им*', 'аты жөнү*', 'full name*|name|names']],
  ['first-name', ['имя|имени|именем', 'аты|атым*|ысым*', 'first name*|firstname*|given name*|forename*']],
  ['last-name', ['фамили*', 'surname*|lastname*|last name*|family name*']],
  ['patronymic', ['отчеств*', 'атасынын аты*', 'patronymic*|middle name*']],
  [
    'birth-date',
    [
      'дат* рождени*|ден* рождени*|дн* рождени*|год* рождени*',
      'туулган күн*|туулган дата*|туулган жыл*',
      'date* of birth|birth date*|birthdate*|birthday*|dob',
    ],
  ],
  [
    'account-id',
    [
      'аккаунт*|учетн* запис*|логин*|никнейм*|идентификатор*|профил*|личн* кабинет*',
      'колдонуучунун аты*',
      'account*|login*|username*|user name*|nickname*|profile*|user id*',
    ],
  ],
  // Named, but not one of these categories.
  [null, ['мест* рождени*|ip адрес*', 'туулган жер*', 'place* of birth|birthplace*|ip address*']],
];

interface TermToken {
  readonly text: string;
  readonly stem: boolean;
}
interface Term {
  readonly id: string | null;
  readonly tokens: readonly TermToken[];
}

const NOT_WORD = /[^\p{L}\p{N}]+/u;

function words(text: string): string[] {
  return foldText(text)
    .split(NOT_WORD)
    .filter((word) => word !== '');
}

/**
 * An operator's label ("Номер лотерейного билета") as a term: long words become stems, since the
 * profile names a field in one grammatical form and people write it in another.
 */
function ownTerm(id: string, label: string): Term {
  const tokens = words(label).map((word) => {
    if (word.length <= 4) return { text: word, stem: false };
    return { text: word.slice(0, word.length <= 5 ? 4 : Math.max(4, word.length - 3)), stem: true };
  });
  return { id, tokens };
}

const termTables = new WeakMap<readonly OwnDataField[], ReadonlyMap<string, readonly Term[]>>();

function termTable(ownFields: readonly OwnDataField[]): ReadonlyMap<string, readonly Term[]> {
  const cached = termTables.get(ownFields);
  if (cached !== undefined) return cached;
  const terms: Term[] = [];
  for (const own of ownFields) {
    for (const label of [
      ...own.labels.ky,
      ...own.labels.ru,
      ...own.labels.en,
      own.name.ky,
      own.name.ru,
      own.name.en,
    ])
      terms.push(ownTerm(own.id, label));
  }
  for (const [id, phrases] of ITEM_TERMS) {
    for (const phrase of phrases.flatMap((group) => group.split('|'))) {
      const tokens = phrase
        .split(' ')
        .map((token) => ({ text: foldText(token.replace('*', '')), stem: token.endsWith('*') }));
      terms.push({ id, tokens });
    }
  }
  const byFirst = new Map<string, Term[]>();
  for (const term of terms) {
    const first = term.tokens[0]?.text.slice(0, 2);
    if (first === undefined || first === '') continue;
    byFirst.set(first, [...(byFirst.get(first) ?? []), term]);
  }
  // Longest first; the sort is stable, so an own term beats a standard one of the same length.
  for (const list of byFirst.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  termTables.set(ownFields, byFirst);
  return byFirst;
}

function termMatches(term: Term, tokens: readonly string[], at: number): boolean {
  return term.tokens.every((expected, offset) => {
    const token = tokens[at + offset];
    if (token === undefined) return false;
    return expected.stem ? token.startsWith(expected.text) : token === expected.text;
  });
}

/**
 * The categories of data a stop-dissemination request names (152-FZ art. 10.1 part 14: the request must
 * name the data), as sorted unique ids: the standard fields, 'photo', 'address', 'account-id' and the
 * operator's own field ids. Empty when the text names nothing.
 */
export function namedDataItems(text: string, ownFields: readonly OwnDataField[]): string[] {
  const table = termTable(ownFields);
  const tokens = words([...ownLines(text)].join('\n'));
  const found = new Set<string>();
  let at = 0;
  while (at < tokens.length) {
    // Terms are filed under their first two letters (stems are at least two letters long).
    const term = table
      .get(tokens[at]?.slice(0, 2) ?? '')
      ?.find((candidate) => termMatches(candidate, tokens, at));
    if (term === undefined) {
      at += 1;
      continue;
    }
    if (term.id !== null) found.add(term.id);
    at += term.tokens.length;
  }
  return [...found].sort();
}

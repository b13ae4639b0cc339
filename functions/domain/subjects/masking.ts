/**
 * Masked forms of personal data, for pages and replies that must let a person recognise their data
 * ("is this the number I asked for?") without showing it to whoever else reads the mail or the screen.
 *
 * What stays visible, and nothing more:
 * - phone (E.164): the country code and the last two digits; the first three national digits too when at
 *   least three digits stay hidden (national numbers of 8+ digits, RU and KG alike). The hidden digits are
 *   grouped the way the numbers are read: '+7 916 ***-**-67', '+996 555 **-**-56', '+996 ***-**-56' (7 digits).
 * - email: the domain, and the first character of a local part of three or more characters: 'i***@example.kg'.
 * - name: the first letter of each word: 'П***', 'П*** А*** И***'.
 * - date (YYYY-MM-DD): the year: '**.**.1990'.
 * - anything else (an operator's own field): the last two characters of a value of six or more: '***45'.
 * A value not in the expected form shows nothing ('***').
 */
const HIDDEN = '***';

/** ITU-T E.164 country calling codes are prefix-free: 1 and 7 are one digit, these two, the rest three. */
const TWO_DIGIT_CALLING_CODES = new Set(
  [
    '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49',
    '51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98',
  ]
    .join(' ')
    .split(' '),
);
const E164 = /^\+\d{7,15}$/;
/** With fewer national digits, the first three and the last two would leave fewer than three hidden. */
const MIN_NATIONAL_DIGITS_FOR_PREFIX = 8;
const VISIBLE_PREFIX_DIGITS = 3;
const VISIBLE_SUFFIX_DIGITS = 2;

function callingCodeLength(digits: string): number {
  if (digits.startsWith('1') || digits.startsWith('7')) return 1;
  return TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2)) ? 2 : 3;
}

/** '*' for each hidden digit, then the visible ones, in groups of two from the right (the first of two or three). */
function groupedTail(hidden: number, visible: string): string {
  const tail = '*'.repeat(hidden) + visible;
  const groups: string[] = [];
  let end = tail.length;
  while (end > 3) {
    groups.unshift(tail.slice(end - 2, end));
    end -= 2;
  }
  groups.unshift(tail.slice(0, end));
  return groups.join('-');
}

export function maskPhone(e164: string): string {
  if (!E164.test(e164)) return HIDDEN;
  const digits = e164.slice(1);
  const codeLength = callingCodeLength(digits);
  const national = digits.slice(codeLength);
  const visibleSuffix = national.slice(-VISIBLE_SUFFIX_DIGITS);
  if (national.length < MIN_NATIONAL_DIGITS_FOR_PREFIX) {
    return `+${digits.slice(0, codeLength)} ${groupedTail(national.length - visibleSuffix.length, visibleSuffix)}`;
  }
  const prefix = national.slice(0, VISIBLE_PREFIX_DIGITS);
  const hidden = national.length - VISIBLE_PREFIX_DIGITS - VISIBLE_SUFFIX_DIGITS;
  return `+${digits.slice(0, codeLength)} ${prefix} ${groupedTail(hidden, visibleSuffix)}`;
}

/** A local part of one or two characters would be all but shown by its first one. */
const MIN_LOCAL_PART_FOR_INITIAL = 3;

export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return HIDDEN;
  const local = Array.from(address.slice(0, at));
  const initial = local.length >= MIN_LOCAL_PART_FOR_INITIAL ? (local[0] ?? '') : '';
  return `${initial}${HIDDEN}${address.slice(at)}`;
}

export function maskName(name: string): string {
  const words = name.split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return HIDDEN;
  // Code points, not code units: a name's first letter may lie outside the BMP.
  return words.map((word) => `${Array.from(word)[0] ?? ''}${HIDDEN}`).join(' ');
}

export function maskDate(isoDate: string): string {
  const year = /^(\d{4})-\d{2}-\d{2}$/.exec(isoDate)?.[1];
  return `**.**.${year ?? '****'}`;
}

const MIN_OTHER_CHARS_FOR_SUFFIX = 6;

function maskOther(value: string): string {
  const characters = Array.from(value.trim());
  if (characters.length < MIN_OTHER_CHARS_FOR_SUFFIX) return HIDDEN;
  return `${HIDDEN}${characters.slice(-2).join('')}`;
}

/** The masked form of a normalised value (../requests/normalise-fields.ts) of the given field. */
export function maskValue(field: string, value: string): string {
  switch (field) {
    case 'phone':
      return maskPhone(value);
    case 'email':
      return maskEmail(value);
    case 'birth-date':
      return maskDate(value);
    case 'last-name':
    case 'first-name':
    case 'patronymic':
    case 'full-name':
      return maskName(value);
    default:
      return maskOther(value);
  }
}

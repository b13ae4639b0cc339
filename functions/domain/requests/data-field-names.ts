/**
 * What the data a subject names is called: the standard fields and categories, and their names as the
 * pages, notices and staff notes show them. Apart from the extraction (./data-fields.ts) so that the
 * pages, which only show names, do not load the extraction's tables.
 */
import type { OperatorProfile } from '../operators/operator-profile';

export type StandardField =
  | 'last-name'
  | 'first-name'
  | 'patronymic'
  | 'full-name'
  | 'phone'
  | 'email'
  | 'birth-date';
export const STANDARD_FIELDS: readonly StandardField[] = [
  'last-name',
  'first-name',
  'patronymic',
  'full-name',
  'phone',
  'email',
  'birth-date',
];
/** Categories a stop-dissemination request may name beyond the fields a subject can update. */
export type DataItem = StandardField | 'photo' | 'address' | 'account-id';

export type OwnDataField = OperatorProfile['ownDataFields'][number];
type Language = 'ky' | 'ru' | 'en';

export interface ExtractedField {
  /** A StandardField or an operator's own field id. */
  readonly field: string;
  /** Trimmed as written (quotes and trailing punctuation removed), at most MAX_VALUE_CHARS. */
  readonly value: string;
}

const DISPLAY_NAMES: Readonly<Record<DataItem, Readonly<Record<Language, string>>>> = {
  'last-name': { ky: 'Фамилиясы', ru: 'Фамилия', en: 'Last name' },
  'first-name': { ky: 'Аты', ru: 'Имя', en: 'First name' },
  patronymic: { ky: 'Атасынын аты', ru: 'Отчество', en: 'Patronymic' },
  'full-name': { ky: 'Аты-жөнү', ru: 'ФИО', en: 'Full name' },
  phone: { ky: 'Телефон номери', ru: 'Телефон', en: 'Phone' },
  email: { ky: 'Электрондук почта', ru: 'Электронная почта', en: 'Email' },
  'birth-date': { ky: 'Туулган күнү', ru: 'Дата рождения', en: 'Date of birth' },
  photo: { ky: 'Сүрөт', ru: 'Фотография', en: 'Photo' },
  address: { ky: 'Дарек', ru: 'Адрес', en: 'Address' },
  'account-id': { ky: 'Аккаунттун идентификатору', ru: 'Идентификатор учётной записи', en: 'Account ID' },
};

/** The name of a field or data category as the pages and replies show it; an unknown id is shown as is. */
export function fieldName(field: string, language: Language, ownFields: readonly OwnDataField[]): string {
  const own = ownFields.find((candidate) => candidate.id === field);
  if (own !== undefined) return own.name[language];
  return Object.hasOwn(DISPLAY_NAMES, field) ? DISPLAY_NAMES[field as DataItem][language] : field;
}

/**
 * The values of an update-data request in the form the operator's systems store them, with the masked
 * form the confirmation page shows. Runs in the pages Lambda (libphonenumber-js, via ../subjects/
 * phone-number.ts); the inbound Lambda only checked their shape (./data-fields.ts).
 */
import { maskValue } from '../subjects/masking';
import { normalisePhone } from '../subjects/phone-number';
import type { ExtractedField } from './data-field-names';
import { parseBirthDate, plainEmail } from './data-fields';

export interface NormalisedField {
  readonly field: string;
  /** Phone in E.164, email with a lower-cased domain, birth date as YYYY-MM-DD, other text whitespace-collapsed. */
  readonly value: string;
  readonly masked: string;
}

export type NormalisationFailure = 'invalid-phone' | 'invalid-email' | 'invalid-date';

export interface NormalisedFields {
  readonly valid: readonly NormalisedField[];
  /** Field ids and reasons only: the rejected value is personal data and goes nowhere. */
  readonly invalid: readonly { readonly field: string; readonly reason: NormalisationFailure }[];
}

/**
 * Normalises each field; a value that fails (a phone number no plan allows, a date that is no birth
 * date) is reported by field id, and the others stay valid. `defaultCountry` reads national phone
 * numbers ("8 916 …" in RU, "0555 …" in KG): jurisdictionCountry of the operator's jurisdiction.
 * `today` bounds birth dates; it defaults to now.
 */
export function normaliseFields(
  fields: readonly ExtractedField[],
  defaultCountry: string,
  today: Date = new Date(),
): NormalisedFields {
  const valid: NormalisedField[] = [];
  const invalid: { field: string; reason: NormalisationFailure }[] = [];
  for (const { field, value } of fields) {
    const normalised = normaliseValue(field, value, defaultCountry, today);
    if (typeof normalised === 'string')
      valid.push({ field, value: normalised, masked: maskValue(field, normalised) });
    else invalid.push({ field, reason: normalised.reason });
  }
  return { valid, invalid };
}

function normaliseValue(
  field: string,
  value: string,
  defaultCountry: string,
  today: Date,
): string | { readonly reason: NormalisationFailure } {
  switch (field) {
    case 'phone': {
      const phone = normalisePhone(value.trim(), defaultCountry);
      return phone.ok ? phone.e164 : { reason: 'invalid-phone' };
    }
    case 'email':
      return plainEmail(value.trim()) ?? { reason: 'invalid-email' };
    case 'birth-date':
      return parseBirthDate(value, today) ?? { reason: 'invalid-date' };
    default:
      // Names and the operator's own fields: one space between words, in composed form, so that the
      // same name typed twice compares equal.
      return value.normalize('NFC').trim().split(/\s+/).join(' ');
  }
}

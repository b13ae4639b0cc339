/**
 * Phone numbers as subjects write them ("8 (916) 123-45-67", "0555 123 456", "+996 (555) 12-34-56"),
 * brought to E.164 for the operator's systems. Runs in the pages Lambda: libphonenumber-js is too big for
 * the inbound one, which only checks the shape (../requests/data-fields.ts).
 *
 * The "min" metadata: validity is judged by the country's number lengths and leading digits, not by the
 * full per-range patterns of "max" (which would triple the size for a check the operator's own systems
 * make again when they call the number), and only for the countries in ./phone-countries.ts (the
 * pages' bundle budget); a number of another country is not valid here.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { PHONE_METADATA } from './phone-metadata.generated';

export type PhoneCheck = { readonly ok: true; readonly e164: string } | { readonly ok: false };

/** A written number is short; libphonenumber's own cap is 250, but nothing near it is a phone number. */
const MAX_PHONE_INPUT_CHARS = 64;

/**
 * The E.164 form of a number written in international form or in the national form of
 * `defaultCountry` (ISO 3166-1 alpha-2, as jurisdictionCountry gives it), if the number is valid.
 */
export function normalisePhone(value: string, defaultCountry: string): PhoneCheck {
  // A country outside the metadata is not supported: the check below says so, the cast only names it.
  const country = defaultCountry as CountryCode;
  if (value.length > MAX_PHONE_INPUT_CHARS || !isSupportedCountry(country, PHONE_METADATA))
    return { ok: false };
  // extract: false — the whole value must be the number, not a number found somewhere in a sentence.
  const parsed = parsePhoneNumberFromString(
    value,
    { defaultCountry: country, extract: false },
    PHONE_METADATA,
  );
  // An extension ("доб. 12") has no place in E.164; dropping it silently would store another number.
  if (parsed === undefined || !parsed.isValid() || parsed.ext !== undefined) return { ok: false };
  return { ok: true, e164: parsed.number };
}

/** The country a jurisdiction's national numbers belong to: 'RU-152FZ' → 'RU', 'KG-58' → 'KG'. */
export function jurisdictionCountry(jurisdictionId: string): string {
  const country = /^([A-Z]{2})-/.exec(jurisdictionId)?.[1];
  // The profile schema enforces this shape; a stray id is a configuration error, not a subject's.
  if (country === undefined)
    throw new Error(`jurisdiction id "${jurisdictionId}" does not start with a country code`);
  return country;
}

/**
 * The countries whose phone numbers makul checks and brings to E.164. The full libphonenumber-js
 * metadata (245 countries, ~120 KB in a bundle) does not fit the pages function's 400 KB budget, so
 * the pages carry metadata for these only (phone-metadata.generated.ts, written from libphonenumber-js's
 * own "min" metadata by `npx vitest run test/unit/domain/subjects/phone-metadata.test.ts -u`).
 *
 * Who writes to a Russian or Kyrgyz operator: its own country's people, its neighbours (the +7 zone is
 * shared with Kazakhstan), the other CIS and Baltic states, and the countries their people most often
 * live or work in. A number of another country is shown as "not a valid phone number" and not changed;
 * the person can write to support. Every jurisdiction's own country must be here (a test checks it).
 */
export const PHONE_COUNTRIES = [
  // The jurisdictions and the shared +7 zone
  'RU',
  'KG',
  'KZ',
  // Central Asia, the Caucasus, Eastern Europe, the Baltic states
  'UZ',
  'TJ',
  'TM',
  'AZ',
  'AM',
  'GE',
  'BY',
  'UA',
  'MD',
  'LV',
  'LT',
  'EE',
  // Where many of their people live and work
  'TR',
  'CN',
  'DE',
  'US',
  'GB',
] as const;

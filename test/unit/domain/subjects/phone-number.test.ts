import { describe, expect, it } from 'vitest';
import { jurisdictionCountry, normalisePhone } from '../../../../functions/domain/subjects/phone-number';

describe('normalisePhone', () => {
  it.each([
    ['+7 (916) 123-45-67', 'RU', '+79161234567'],
    ['8 916 123 45 67', 'RU', '+79161234567'],
    ['8 (916) 123-45-67', 'RU', '+79161234567'],
    ['8.916.123.45.67', 'RU', '+79161234567'],
    ['+996 (555) 12-34-56', 'KG', '+996555123456'],
    ['0555 123 456', 'KG', '+996555123456'],
    ['0 (312) 61-23-45', 'KG', '+996312612345'],
    ['+996 (555) 12-34-56', 'RU', '+996555123456'],
    ['+7 (916) 123-45-67', 'KG', '+79161234567'],
  ])('reads %s with default country %s as %s', (written, country, expected) => {
    const result = normalisePhone(written, country);

    expect(result).toEqual({ ok: true, e164: expected });
  });

  it.each([
    ['a Kyrgyz national number read as Russian', '0555 123 456', 'RU'],
    ['a Russian national number read as Kyrgyz', '8 916 123 45 67', 'KG'],
    ['a number too short for its country', '+7 916 123-45', 'RU'],
    ['a number too long for its country', '+996 555 123 456 78', 'KG'],
    ['a number inside a sentence', 'звоните +7 916 123-45-67', 'RU'],
    ['a number with an extension', '+7 916 123-45-67 доб. 12', 'RU'],
    ['letters', 'не помню', 'RU'],
    ['an unknown default country', '8 916 123 45 67', 'XX'],
    ['an over-long value', `+7 916 123-45-67${' '.repeat(100)}`, 'RU'],
  ])('refuses %s', (_case, written, country) => {
    const result = normalisePhone(written, country);

    expect(result).toEqual({ ok: false });
  });
});

describe('jurisdictionCountry', () => {
  it.each([
    ['RU-152FZ', 'RU'],
    ['KG-58', 'KG'],
  ])('takes the country of %s', (jurisdictionId, expected) => {
    const country = jurisdictionCountry(jurisdictionId);

    expect(country).toBe(expected);
  });

  it('refuses an id that does not start with a country code', () => {
    const read = () => jurisdictionCountry('152FZ');

    expect(read).toThrow(/country code/);
  });
});

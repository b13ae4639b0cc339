import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  maskDate,
  maskEmail,
  maskName,
  maskPhone,
  maskValue,
} from '../../../../functions/domain/subjects/masking';

describe('maskPhone', () => {
  it.each([
    ['+79161234567', '+7 916 ***-**-67'],
    ['+996555123456', '+996 555 **-**-56'],
    ['+996312612345', '+996 312 **-**-45'],
    ['+12025550123', '+1 202 ***-**-23'],
    ['+4915112345678', '+49 151 **-**-**-78'],
    ['+3725123456', '+372 ***-**-56'],
  ])('masks %s as %s', (e164, expected) => {
    const masked = maskPhone(e164);

    expect(masked).toBe(expected);
  });

  it.each([['89161234567'], ['+7 916 123-45-67'], [''], ['+123']])(
    'shows nothing of %j, which is not E.164',
    (value) => {
      const masked = maskPhone(value);

      expect(masked).toBe('***');
    },
  );

  it('never shows more than the country code, three leading and two trailing national digits', () => {
    const e164 = fc
      .tuple(
        fc.constantFrom('1', '7', '44', '49', '86', '372', '996', '998'),
        fc.stringMatching(/^\d{4,12}$/),
      )
      .filter(
        ([code, national]) => code.length + national.length <= 15 && code.length + national.length >= 7,
      );

    fc.assert(
      fc.property(e164, ([code, national]) => {
        const masked = maskPhone(`+${code}${national}`);

        const [shownCode, ...rest] = masked.slice(1).split(' ');
        const shownNational = rest.join('').replaceAll('-', '');
        const visible = shownNational.replaceAll('*', '');
        const hidden = shownNational.length - visible.length;
        expect(shownCode).toBe(code);
        expect(shownNational).toHaveLength(national.length);
        expect(visible.length).toBeLessThanOrEqual(5);
        expect(hidden).toBeGreaterThanOrEqual(Math.min(3, national.length - 2));
        expect(national.endsWith(visible.slice(-2))).toBe(true);
      }),
    );
  });
});

describe('maskEmail', () => {
  it.each([
    ['ivan.petrov@example.kg', 'i***@example.kg'],
    ['Aigul@example.com', 'A***@example.com'],
    ['ab@example.ru', '***@example.ru'],
  ])('masks %s as %s', (address, expected) => {
    const masked = maskEmail(address);

    expect(masked).toBe(expected);
  });

  it.each([['no-at-sign'], ['@example.ru'], ['ivan@']])('shows nothing of %s', (value) => {
    const masked = maskEmail(value);

    expect(masked).toBe('***');
  });

  it('never shows more of the local part than its first character', () => {
    const address = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,64}$/), fc.domain());

    fc.assert(
      fc.property(address, ([local, domain]) => {
        const masked = maskEmail(`${local}@${domain}`);

        expect(masked.endsWith(`@${domain}`)).toBe(true);
        const shownLocal = masked.slice(0, -(domain.length + 1)).replace('***', '');
        expect(shownLocal.length).toBeLessThanOrEqual(1);
        expect(local.startsWith(shownLocal)).toBe(true);
      }),
    );
  });
});

describe('maskName', () => {
  it.each([
    ['Петрова', 'П***'],
    ['Петрова Анна Ивановна', 'П*** А*** И***'],
    ['  Асанова   Айгүл ', 'А*** А***'],
    ["O'Brien", 'O***'],
    ['', '***'],
  ])('masks %j as %s', (name, expected) => {
    const masked = maskName(name);

    expect(masked).toBe(expected);
  });

  it('never shows more than the first letter of each word', () => {
    const words = fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), {
      minLength: 1,
      maxLength: 4,
    });

    fc.assert(
      fc.property(words, (parts) => {
        const name = parts.join(' ');

        const masked = maskName(name);

        const shown = masked.split(' ').map((word) => word.replace(/\*+$/, ''));
        for (const initial of shown) expect(Array.from(initial).length).toBeLessThanOrEqual(1);
        expect(shown.length).toBeLessThanOrEqual(name.split(/\s+/).filter((word) => word !== '').length || 1);
      }),
    );
  });
});

describe('maskDate', () => {
  it('shows the year of an ISO date', () => {
    const masked = maskDate('1990-03-05');

    expect(masked).toBe('**.**.1990');
  });

  it('shows nothing of a value that is not an ISO date', () => {
    const masked = maskDate('05.03.1990');

    expect(masked).toBe('**.**.****');
  });
});

describe('maskValue', () => {
  it.each([
    ['phone', '+79161234567', '+7 916 ***-**-67'],
    ['email', 'ivan.petrov@example.kg', 'i***@example.kg'],
    ['birth-date', '1990-03-05', '**.**.1990'],
    ['last-name', 'Петрова', 'П***'],
    ['first-name', 'Анна', 'А***'],
    ['patronymic', 'Ивановна', 'И***'],
    ['full-name', 'Петрова Анна', 'П*** А***'],
    ['contract-number', '12/345-К', '***-К'],
    ['contract-number', '12345', '***'],
  ])('masks a %s value', (field, value, expected) => {
    const masked = maskValue(field, value);

    expect(masked).toBe(expected);
  });
});

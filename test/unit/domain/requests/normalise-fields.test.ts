import { describe, expect, it } from 'vitest';
import { normaliseFields } from '../../../../functions/domain/requests/normalise-fields';

const TODAY = new Date('2026-06-01T12:00:00Z');

describe('normaliseFields', () => {
  it('brings a Russian request to stored form with masks', () => {
    const fields = [
      { field: 'last-name', value: 'Петрова' },
      { field: 'phone', value: '8 (916) 123-45-67' },
      { field: 'email', value: 'New.Mail@Example.RU' },
      { field: 'birth-date', value: '05.03.1990' },
    ];

    const result = normaliseFields(fields, 'RU', TODAY);

    expect(result).toEqual({
      valid: [
        { field: 'last-name', value: 'Петрова', masked: 'П***' },
        { field: 'phone', value: '+79161234567', masked: '+7 916 ***-**-67' },
        { field: 'email', value: 'New.Mail@example.ru', masked: 'N***@example.ru' },
        { field: 'birth-date', value: '1990-03-05', masked: '**.**.1990' },
      ],
      invalid: [],
    });
  });

  it('reads Kyrgyz national numbers with the Kyrgyz default country', () => {
    const fields = [
      { field: 'phone', value: '0555 123 456' },
      { field: 'full-name', value: 'Асанова  Айгүл\u00a0Бакытовна ' },
      { field: 'birth-date', value: '1990-жылдын 5-марты' },
    ];

    const result = normaliseFields(fields, 'KG', TODAY);

    expect(result.valid).toEqual([
      { field: 'phone', value: '+996555123456', masked: '+996 555 **-**-56' },
      { field: 'full-name', value: 'Асанова Айгүл Бакытовна', masked: 'А*** А*** Б***' },
      { field: 'birth-date', value: '1990-03-05', masked: '**.**.1990' },
    ]);
  });

  it('writes an IDN email domain in its ASCII form', () => {
    const result = normaliseFields([{ field: 'email', value: 'ivan@Пример.рф' }], 'RU', TODAY);

    expect(result.valid).toEqual([
      { field: 'email', value: 'ivan@xn--e1afmkfd.xn--p1ai', masked: 'i***@xn--e1afmkfd.xn--p1ai' },
    ]);
  });

  it('reports the values that fail by field and reason, and keeps the others', () => {
    const fields = [
      { field: 'phone', value: '0555 123 456' },
      { field: 'email', value: 'ivan@localhost' },
      { field: 'birth-date', value: '31.02.1990' },
      { field: 'first-name', value: 'Анна' },
    ];

    const result = normaliseFields(fields, 'RU', TODAY);

    expect(result).toEqual({
      valid: [{ field: 'first-name', value: 'Анна', masked: 'А***' }],
      invalid: [
        { field: 'phone', reason: 'invalid-phone' },
        { field: 'email', reason: 'invalid-email' },
        { field: 'birth-date', reason: 'invalid-date' },
      ],
    });
  });

  it('never puts a rejected value into the result', () => {
    const result = normaliseFields([{ field: 'phone', value: '+7 916 123' }], 'RU', TODAY);

    expect(JSON.stringify(result)).not.toContain('916');
  });

  it('collapses the whitespace of an own field and masks all but its last two characters', () => {
    const result = normaliseFields([{ field: 'contract-number', value: ' 12/345 \u00a0 К ' }], 'RU', TODAY);

    expect(result.valid).toEqual([{ field: 'contract-number', value: '12/345 К', masked: '*** К' }]);
  });
});

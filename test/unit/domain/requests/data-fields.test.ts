import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExtractedField,
  fieldName,
  type OwnDataField,
} from '../../../../functions/domain/requests/data-field-names';
import {
  extractUpdateFields,
  namedDataItems,
  parseBirthDate,
} from '../../../../functions/domain/requests/data-fields';

const TODAY = new Date('2026-06-01T12:00:00Z');
const NO_OWN_FIELDS: readonly OwnDataField[] = [];
const CONTRACT_NUMBER: OwnDataField = {
  id: 'contract-number',
  name: { ky: 'Келишимдин номери', ru: 'Номер договора', en: 'Contract number' },
  labels: { ky: ['Келишимдин номери'], ru: ['Номер договора', '№ договора'], en: ['Contract number'] },
};
const LOTTERY_TICKET: OwnDataField = {
  id: 'lottery-ticket',
  name: { ky: 'Лотерея билетинин номери', ru: 'Номер лотерейного билета', en: 'Lottery ticket number' },
  labels: { ky: ['Билеттин номери'], ru: ['Номер билета'], en: ['Ticket number'] },
};

function fieldsOf(
  text: string,
  ownFields: readonly OwnDataField[] = NO_OWN_FIELDS,
): readonly ExtractedField[] {
  const result = extractUpdateFields(text, ownFields, TODAY);
  if (!result.ok) throw new Error(`expected fields, got ${result.reason}`);
  return result.fields;
}

function extractedValue(text: string, field: string): string | undefined {
  return fieldsOf(text).find((extracted) => extracted.field === field)?.value;
}

describe('extractUpdateFields', () => {
  it('reads a Russian update request with phone, last name, email and birth date', () => {
    const text = [
      'Здравствуйте! Прошу изменить мои данные.',
      'Телефон: 8 (916) 123-45-67',
      'Фамилия: Петрова',
      'Email: new.mail@example.ru',
      'Дата рождения: 05.03.1990',
    ].join('\n');

    const result = extractUpdateFields(text, NO_OWN_FIELDS, TODAY);

    expect(result).toEqual({
      ok: true,
      fields: [
        { field: 'last-name', value: 'Петрова' },
        { field: 'phone', value: '8 (916) 123-45-67' },
        { field: 'email', value: 'new.mail@example.ru' },
        { field: 'birth-date', value: '05.03.1990' },
      ],
    });
  });

  it('reads a Kyrgyz update request', () => {
    const text = [
      'Саламатсызбы! Менин жеке маалыматтарымды актуалдаштырып коюңуз.',
      'Телефон номери: 0555 123 456',
      'Аты-жөнү: Асанова Айгүл Бакытовна',
      'Фамилиясы: Асанова',
      'Аты: Айгүл',
      'Туулган күнү: 05.03.1990',
      'Электрондук почта: aigul.asanova@example.kg',
    ].join('\r\n');

    const fields = fieldsOf(text);

    expect(fields).toEqual([
      { field: 'last-name', value: 'Асанова' },
      { field: 'first-name', value: 'Айгүл' },
      { field: 'full-name', value: 'Асанова Айгүл Бакытовна' },
      { field: 'phone', value: '0555 123 456' },
      { field: 'email', value: 'aigul.asanova@example.kg' },
      { field: 'birth-date', value: '05.03.1990' },
    ]);
  });

  it('reads an English update request', () => {
    const text = [
      'Hello, please update my details.',
      'Phone: +996 555 123 456',
      'Last name: Smith-Jones',
      'First name: Mary',
      'Date of birth: 1990-03-05',
      'New email: mary.smith@example.com',
    ].join('\n');

    const fields = fieldsOf(text);

    expect(fields).toEqual([
      { field: 'last-name', value: 'Smith-Jones' },
      { field: 'first-name', value: 'Mary' },
      { field: 'phone', value: '+996 555 123 456' },
      { field: 'email', value: 'mary.smith@example.com' },
      { field: 'birth-date', value: '1990-03-05' },
    ]);
  });

  it.each([
    ['+7 (916) 123-45-67'],
    ['8 916 123 45 67'],
    ['+996 (555) 12-34-56'],
    ['0555 123 456'],
    ['0 (312) 61-23-45'],
    ['8-916-123-45-67'],
    ['+79161234567'],
  ])('accepts the phone number %s as written', (phone) => {
    const value = extractedValue(`Телефон: ${phone}`, 'phone');

    expect(value).toBe(phone);
  });

  it.each([
    ['номер телефона', 'Номер телефона: +7 916 123-45-67'],
    ['моб. телефон', 'Моб. телефон: +7 916 123-45-67'],
    ['тел. without a space after the dot', 'Тел.:+7 916 123-45-67'],
    ['upper case', 'ТЕЛЕФОН: +7 916 123-45-67'],
    ['a dash separator', 'Телефон - +7 916 123-45-67'],
    ['an em dash separator', 'Телефон — +7 916 123-45-67'],
    ['an en dash separator', 'Телефон – +7 916 123-45-67'],
    ['a bullet', '• Телефон: +7 916 123-45-67'],
    ['a list number', '2) Телефон: +7 916 123-45-67'],
    ['a quote prefix', '> Телефон: +7 916 123-45-67'],
    ['non-breaking spaces', 'Номер\u00a0телефона:\u00a0+7\u00a0916\u00a0123-45-67'],
    ['a qualifier before the label', 'Мой новый номер телефона: +7 916 123-45-67'],
    ['a remark after the label', 'Телефон (мобильный): +7 916 123-45-67'],
    ['no separator before digits', 'Новый номер телефона +7 916 123-45-67'],
    ['a Latin letter inside the Cyrillic label', 'Тeлефон: +7 916 123-45-67'],
    ['the Kyrgyz label', 'Менин жаңы телефон номерим: +7 916 123-45-67'],
    ['the English label', 'Mobile phone: +7 916 123-45-67'],
    ['the value on the next line', 'Телефон:\n+7 916 123-45-67'],
  ])('finds the phone behind %s', (_case, text) => {
    const value = extractedValue(text, 'phone');

    // As written: the non-breaking spaces of that case stay in the value (normalise-fields removes them).
    expect(value?.replaceAll('\u00a0', ' ')).toBe('+7 916 123-45-67');
  });

  it.each([
    ['e-mail', 'E-mail: ivan@example.ru'],
    ['эл. почта', 'Эл. почта: ivan@example.ru'],
    ['электронная почта', 'Новая электронная почта: ivan@example.ru'],
    ['адрес электронной почты', 'Адрес электронной почты — ivan@example.ru'],
    ['a non-breaking hyphen', 'E\u2011mail: ivan@example.ru'],
    ['angle brackets', 'Email: <ivan@example.ru>'],
    ['a trailing full stop', 'Email: ivan@example.ru.'],
  ])('finds the email behind %s', (_case, text) => {
    const value = extractedValue(text, 'email');

    expect(value).toBe('ivan@example.ru');
  });

  it.each([
    ['отчество', 'Отчество: Ивановна', 'patronymic', 'Ивановна'],
    ['ФИО', 'ФИО: Петрова Анна Ивановна', 'full-name', 'Петрова Анна Ивановна'],
    ['Ф.И.О. with spaces', 'Ф. И. О.: Петрова Анна Ивановна', 'full-name', 'Петрова Анна Ивановна'],
    ['full name', 'Full name: Aigul Asanova', 'full-name', 'Aigul Asanova'],
    ['атасынын аты', 'Атасынын аты: Бакытович', 'patronymic', 'Бакытович'],
    ['an apostrophe', "Last name: O'Brien", 'last-name', "O'Brien"],
    ['quotes around the value', 'Фамилия: «Петрова»', 'last-name', 'Петрова'],
  ])('reads a name labelled %s', (_case, text, field, expected) => {
    const value = extractedValue(text, field);

    expect(value).toBe(expected);
  });

  it.each([
    ['DD/MM/YYYY', 'Дата рождения: 05/03/1990'],
    ['a Russian month name', 'Дата рождения: 5 марта 1990 г.'],
    ['an English month name', 'Date of birth: 5 March 1990'],
    ['the English month first', 'DOB: March 5, 1990'],
    ['the Kyrgyz order', 'Туулган күнү: 1990-жылдын 5-марты'],
  ])('accepts a birth date written as %s', (_case, text) => {
    const value = extractedValue(text, 'birth-date');

    expect(value).toBeDefined();
  });

  it('reads several fields on one line', () => {
    const text = 'Фамилия: Петрова, имя: Анна; телефон: +7 916 123-45-67';

    const fields = fieldsOf(text);

    expect(fields).toEqual([
      { field: 'last-name', value: 'Петрова' },
      { field: 'first-name', value: 'Анна' },
      { field: 'phone', value: '+7 916 123-45-67' },
    ]);
  });

  it('ignores quoted lines after an "On … wrote:" line', () => {
    const text = [
      'Телефон: +7 916 123-45-67',
      '',
      'On Mon, 3 Mar 2025 at 10:00, Support <support@example.ru> wrote:',
      '> Фамилия: Иванова',
      '> Телефон: +7 903 000-00-00',
    ].join('\n');

    const fields = fieldsOf(text);

    expect(fields).toEqual([{ field: 'phone', value: '+7 916 123-45-67' }]);
  });

  it('ignores quoted lines after a Russian "пишет:" line and a Gmail attribution', () => {
    const russian = ['Фамилия: Петрова', '03.03.2025 10:00, Поддержка пишет:', '> Фамилия: Иванова'].join(
      '\n',
    );
    const gmail = [
      'Фамилия: Петрова',
      'пн, 3 мар. 2025 г. в 10:00, Поддержка <support@example.ru>:',
      '> Фамилия: Иванова',
    ].join('\n');

    expect(fieldsOf(russian)).toEqual([{ field: 'last-name', value: 'Петрова' }]);
    expect(fieldsOf(gmail)).toEqual([{ field: 'last-name', value: 'Петрова' }]);
  });

  it('stops at an Outlook history marker and at a signature delimiter', () => {
    const outlook = ['Фамилия: Петрова', '-----Original Message-----', 'Фамилия: Иванова'].join('\n');
    const signature = ['Фамилия: Петрова', '-- ', 'Анна Петрова', 'Тел.: +7 903 000-00-00'].join('\n');

    expect(fieldsOf(outlook)).toEqual([{ field: 'last-name', value: 'Петрова' }]);
    expect(fieldsOf(signature)).toEqual([{ field: 'last-name', value: 'Петрова' }]);
  });

  it('keeps the last value of a field written twice', () => {
    const text = ['Фамилия: Иванова', 'Ой, ошибка. Фамилия правильная ниже.', 'Фамилия: Петрова'].join('\n');

    const fields = fieldsOf(text);

    expect(fields).toEqual([{ field: 'last-name', value: 'Петрова' }]);
  });

  it('does not take an old value for the new one', () => {
    const text = ['Старый телефон: +7 903 000-00-00', 'Новый телефон: +7 916 123-45-67'].join('\n');

    const fields = fieldsOf(text);

    expect(fields).toEqual([{ field: 'phone', value: '+7 916 123-45-67' }]);
  });

  it('reports no fields when nothing is labelled', () => {
    const text =
      'Здравствуйте! Прошу актуализировать мои персональные данные. Фамилия изменилась после брака.';

    const result = extractUpdateFields(text, NO_OWN_FIELDS, TODAY);

    expect(result).toEqual({ ok: false, reason: 'no-fields' });
  });

  it('reports invalid values when every labelled value fails its check', () => {
    const text = [
      'Телефон: 12-34',
      'Email: ivan at example.ru',
      'Дата рождения: 31.02.1990',
      'Фамилия: Петрова2',
    ].join('\n');

    const result = extractUpdateFields(text, NO_OWN_FIELDS, TODAY);

    expect(result).toEqual({ ok: false, reason: 'invalid-values' });
  });

  it('drops the values that fail and keeps the rest', () => {
    const text = ['Телефон: позвоните мне', 'Фамилия: Петрова'].join('\n');

    const fields = fieldsOf(text);

    expect(fields).toEqual([{ field: 'last-name', value: 'Петрова' }]);
  });

  it.each([
    ['a phone with too few digits', 'Телефон: 123-456'],
    ['a phone with too many digits', 'Телефон: +7 916 123 45 67 89 01 23'],
    ['a phone with an extension', 'Телефон: +7 916 123-45-67 доб. 12'],
    ['two addresses', 'Email: a@example.ru, b@example.ru'],
    ['an address with a display name', 'Email: Ivan <ivan@example.ru>'],
    ['a dotless domain', 'Email: ivan@localhost'],
    ['a birth date before 1900', 'Дата рождения: 05.03.1899'],
    ['a birth date in the future', 'Дата рождения: 05.03.2030'],
    ['a two-digit year', 'Дата рождения: 05.03.90'],
    ['a name with digits', 'Фамилия: Петрова1'],
    ['a name with an at sign', 'Имя: anna@example.ru'],
    ['a name over 100 characters', `Фамилия: ${'а'.repeat(101)}`],
    ['a value over 200 characters', `Номер договора: ${'1'.repeat(201)}`],
  ])('refuses %s', (_case, text) => {
    const result = extractUpdateFields(text, [CONTRACT_NUMBER], TODAY);

    expect(result).toEqual({ ok: false, reason: 'invalid-values' });
  });

  it('reads the operator’s own fields by their labels in any language, after the standard fields', () => {
    const text = ['Номер договора: 12/345-К', 'Ticket number: 0001234', 'Фамилия: Петрова'].join('\n');

    const fields = fieldsOf(text, [CONTRACT_NUMBER, LOTTERY_TICKET]);

    expect(fields).toEqual([
      { field: 'last-name', value: 'Петрова' },
      { field: 'contract-number', value: '12/345-К' },
      { field: 'lottery-ticket', value: '0001234' },
    ]);
  });

  it('does not read an own field’s label without a separator', () => {
    const text = 'Номер договора 12/345-К';

    const result = extractUpdateFields(text, [CONTRACT_NUMBER], TODAY);

    expect(result).toEqual({ ok: false, reason: 'no-fields' });
  });

  it('reads the fields of a 512 KB message whose own text ends with a long quoted history', () => {
    const own = [
      'Телефон: +7 916 123-45-67',
      'Фамилия: Петрова',
      '',
      'On Mon, 3 Mar 2025, Support wrote:',
    ].join('\n');
    const history = '> Фамилия: Иванова, телефон: 8 903 000 00 00; e-mail: old@example.ru\n'.repeat(8000);

    const fields = fieldsOf(`${own}\n${history}`.slice(0, 512 * 1024));

    expect(fields).toEqual([
      { field: 'last-name', value: 'Петрова' },
      { field: 'phone', value: '+7 916 123-45-67' },
    ]);
  });

  it.each([
    ['one line of commas', ','.repeat(512 * 1024)],
    ['one line of labels without colons', ', фамилия'.repeat(58_000)],
    ['a label before half a megabyte of digits', `Телефон: ${'1'.repeat(512 * 1024)}`],
    ['a label before half a megabyte of dots', `Email: ${'.'.repeat(512 * 1024)}x`],
    ['half a megabyte of qualifiers', 'новый '.repeat(87_000)],
    ['half a megabyte of blank lines', '\n'.repeat(512 * 1024)],
  ])('gives a plain answer for %s', (_case, text) => {
    const result = extractUpdateFields(text, NO_OWN_FIELDS, TODAY);

    expect(result.ok).toBe(false);
  });

  it('reads the last of many labelled lines in a 512 KB message', () => {
    const lines = Array.from({ length: 20_000 }, (_, index) => `Фамилия: Петрова ${'а'.repeat(index % 7)}`);
    lines.push('Фамилия: Сидорова');

    const fields = fieldsOf(lines.join('\n').slice(-512 * 1024));

    expect(fields).toEqual([{ field: 'last-name', value: 'Сидорова' }]);
  });
});

describe('extractUpdateFields on arbitrary text', () => {
  /** Label-like pieces mixed with noise, so that generated texts reach the value checks. */
  const piece = fc.oneof(
    fc.constantFrom(
      'Телефон',
      'Фамилия',
      'Email',
      'Дата рождения',
      'Аты',
      ': ',
      ' - ',
      ', ',
      '\n',
      '> ',
      '\u00a0',
    ),
    fc.constantFrom('+7 916 123-45-67', 'Петрова', 'a@example.ru', '05.03.1990', 'wrote:', '(', ')', '«'),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );

  it('answers with checked values of at most 200 characters, never an empty value', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const result = extractUpdateFields(pieces.join(''), [CONTRACT_NUMBER], TODAY);

        if (result.ok) {
          expect(result.fields.length).toBeGreaterThan(0);
          for (const { value } of result.fields) expect(value.length).toBeGreaterThan(0);
          for (const { value } of result.fields) expect(value.length).toBeLessThanOrEqual(200);
          expect(new Set(result.fields.map(({ field }) => field)).size).toBe(result.fields.length);
        }
      }),
    );
  });
});

describe('parseBirthDate', () => {
  it.each([
    ['05.03.1990', '1990-03-05'],
    ['5.3.1990', '1990-03-05'],
    ['05/03/1990', '1990-03-05'],
    ['1990-03-05', '1990-03-05'],
    ['5 марта 1990', '1990-03-05'],
    ['5 марта 1990 г.', '1990-03-05'],
    ['5 March 1990', '1990-03-05'],
    ['March 5, 1990', '1990-03-05'],
    ['5th of March 1990', '1990-03-05'],
    ['1990-жылдын 5-марты', '1990-03-05'],
    ['1990-жылы 5-мартта', '1990-03-05'],
    ['5 мая 1990', '1990-05-05'],
    ['5 сент. 1990', '1990-09-05'],
    ['29.02.2000', '2000-02-29'],
    ['01.06.2026', '2026-06-01'],
  ])('reads %s as %s', (written, expected) => {
    const parsed = parseBirthDate(written, TODAY);

    expect(parsed).toBe(expected);
  });

  it.each([
    ['31.02.1990'],
    ['29.02.1900'],
    ['00.03.1990'],
    ['05.13.1990'],
    ['05.03.1899'],
    ['02.06.2026'],
    ['05.03.90'],
    ['5 мартобря 1990'],
    ['5 марта'],
    ['05.03-1990'],
    ['1990'],
  ])('refuses %s', (written) => {
    const parsed = parseBirthDate(written, TODAY);

    expect(parsed).toBeNull();
  });
});

describe('namedDataItems', () => {
  it.each([
    [
      'ru photo and phone',
      'Прошу прекратить распространение моих фотографий и номера телефона',
      ['phone', 'photo'],
    ],
    ['ky photo and address', 'Менин сүрөттөрүмдү жана дарегимди таратууну токтотуңуз', ['address', 'photo']],
    [
      'en email, address and birth date',
      'Please stop sharing my email address, home address and date of birth',
      ['address', 'birth-date', 'email'],
    ],
    [
      'ru full name and birth date',
      'Уберите ФИО и дату рождения из открытого доступа',
      ['birth-date', 'full-name'],
    ],
    ['ru email address, not a postal one', 'Удалите адрес электронной почты', ['email']],
    ['ru place of birth, which is no birth date', 'Уберите место рождения', []],
    [
      'ru name parts',
      'Прошу не распространять мою фамилию, имя и отчество',
      ['first-name', 'last-name', 'patronymic'],
    ],
    ['ky full name', 'Менин аты-жөнүмдү жарыялабаңыз', ['full-name']],
    ['ru account', 'Скройте мой логин и учётную запись', ['account-id']],
    ['en phone and photo', 'Stop publishing my PHONE number and photos', ['phone', 'photo']],
  ])('finds the %s', (_case, text, expected) => {
    const items = namedDataItems(text, NO_OWN_FIELDS);

    expect(items).toEqual(expected);
  });

  it('finds the operator’s own fields in another grammatical form', () => {
    const text = 'Прошу не распространять номера лотерейных билетов и номер договора';

    const items = namedDataItems(text, [CONTRACT_NUMBER, LOTTERY_TICKET]);

    expect(items).toEqual(['contract-number', 'lottery-ticket']);
  });

  it('names nothing for a text without data words', () => {
    const items = namedDataItems('Прошу прекратить распространение. Спасибо!', NO_OWN_FIELDS);

    expect(items).toEqual([]);
  });

  it('ignores data named only in the quoted history', () => {
    const text = [
      'Прошу убрать мои фото.',
      'On Mon, 3 Mar 2025, Support wrote:',
      '> Укажите телефон и адрес',
    ].join('\n');

    const items = namedDataItems(text, NO_OWN_FIELDS);

    expect(items).toEqual(['photo']);
  });

  it('finds words in a 512 KB message full of near misses', () => {
    const text = `${'фотоаппарат адрес электронной '.repeat(17_000)}\nи мой телефон`;

    const items = namedDataItems(text, NO_OWN_FIELDS);

    expect(items).toEqual(['address', 'phone', 'photo']);
  });
});

describe('fieldName', () => {
  it.each([
    ['phone', 'ky', 'Телефон номери'],
    ['phone', 'ru', 'Телефон'],
    ['phone', 'en', 'Phone'],
    ['birth-date', 'ky', 'Туулган күнү'],
    ['full-name', 'ru', 'ФИО'],
    ['photo', 'en', 'Photo'],
  ] as const)('names %s in %s as %s', (field, language, expected) => {
    const name = fieldName(field, language, NO_OWN_FIELDS);

    expect(name).toBe(expected);
  });

  it('names an own field as the profile does', () => {
    const name = fieldName('contract-number', 'ky', [CONTRACT_NUMBER]);

    expect(name).toBe('Келишимдин номери');
  });

  it('shows an unknown id as it is', () => {
    const name = fieldName('loyalty-card', 'ru', NO_OWN_FIELDS);

    expect(name).toBe('loyalty-card');
  });
});

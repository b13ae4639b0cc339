import { describe, expect, it } from 'vitest';
import {
  type Classification,
  classifyRequest,
  normaliseSubject,
} from '../../../../functions/domain/classify/classify-request';
import { canonicalSubjectTag, SUBJECT_TAGS } from '../../../../functions/domain/classify/subject-tags';
import {
  LANGUAGES,
  REQUEST_KINDS,
  type RequestKind,
} from '../../../../functions/domain/requests/request-kinds';

type Expected = Pick<Classification, 'kind' | 'language'>;

function kindAndLanguage(result: Classification | null): Expected | null {
  return result === null ? null : { kind: result.kind, language: result.language };
}

// --- Variants real subjects add around a tag ---------------------------------------------------------------

const PREFIXES = [
  '',
  'Re: ',
  'RE: ',
  're:',
  'Re : ',
  'Ответ: ',
  'Fwd: ',
  'FW: ',
  'Fw: ',
  'Re[2]: ',
  'Re(3): ',
  '[EXTERNAL] ',
  '[EXTERNAL] Re: ',
  'Re: Fwd: RE: ',
  'Re: Re: Re: ',
  'Отв: ',
  'Пересл: ',
  'AW: ',
  'TR: ',
  'Жооп: ',
];
const QUOTES: readonly (readonly [string, string])[] = [
  ['', ''],
  ['«', '»'],
  ['“', '”'],
  ['"', '"'],
  ["'", "'"],
  ['„', '“'],
];
const CASES: readonly ((text: string) => string)[] = [
  (text) => text,
  (text) => text.toUpperCase(),
  (text) => text.toLowerCase(),
  (text) => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase(),
];
/** Ways to separate words: NBSP, narrow NBSP, tab, repeated spaces, and zero-width characters inside words. */
const SPACINGS: readonly ((text: string) => string)[] = [
  (text) => text,
  (text) => text.replaceAll(' ', '\u00a0'),
  (text) => text.replaceAll(' ', '\u202f'),
  (text) => text.replaceAll(' ', '\t'),
  (text) => text.replaceAll(' ', '   '),
  (text) => text.replaceAll(' ', ' \u200b'),
  (text) => text.replace(/(\p{L})(\p{L})/gu, '$1\u200b$2').replace(/(\p{L})(\p{L})/u, '$1\u00ad$2'),
];
const TRAILING = ['', '.', '!', '...', '?', ' .', '…', '!!!', ';'];

/** Every tag the operator publishes, with what it must classify to. */
const CANONICAL_TAGS = SUBJECT_TAGS.map((entry) => ({
  tag: entry.canonical,
  expected: { kind: entry.kind, language: entry.language },
}));

describe('the subject tag table', () => {
  it('has exactly one entry for every kind in every language', () => {
    const pairs = SUBJECT_TAGS.map((entry) => `${entry.kind}/${entry.language}`);

    const expected = REQUEST_KINDS.flatMap((kind) => LANGUAGES.map((language) => `${kind}/${language}`));

    expect([...pairs].sort()).toEqual([...expected].sort());
  });

  it('publishes the exact phrases of policy 004 §7.2, §10.3 and §10.4 in Kyrgyz and their Russian originals', () => {
    const published = (kind: RequestKind) => [
      canonicalSubjectTag(kind, 'ky'),
      canonicalSubjectTag(kind, 'ru'),
    ];

    expect(published('unsubscribe')).toEqual([
      'Жаңы продукттар жана кызматтар жана атайын сунуштар жөнүндө билдирүүлөрдөн баш тартуу',
      'Отказ от уведомлений о новых продуктах и услугах и специальных предложениях',
    ]);
    expect(published('update-data')).toEqual([
      'Жеке маалыматтарды актуалдаштыруу',
      'Актуализация персональных данных',
    ]);
    expect(published('withdraw-consent')).toEqual([
      'Жеке маалыматтарды иштеп чыгууга макулдукту артка чакыртып алуу',
      'Отзыв согласия на обработку персональных данных',
    ]);
  });

  it('publishes the English tags of the design card', () => {
    const english = (kind: RequestKind) => canonicalSubjectTag(kind, 'en');

    expect([english('unsubscribe'), english('update-data'), english('withdraw-consent')]).toEqual([
      'unsubscribe',
      'update personal data',
      'withdraw consent',
    ]);
  });

  it('classifies a plain example of every short form to its own kind and language', () => {
    // Each pattern written out twice: every word with its first alternative, and only the required words
    // with their last alternative. A pattern shadowed by another kind's pattern shows up here.
    const examples = SUBJECT_TAGS.flatMap((entry) =>
      entry.shortForms.flatMap((pattern) => {
        const words = pattern.split(' ').filter((word) => word !== '$');
        const spell = (word: string, pick: 'first' | 'last') => {
          const alternatives = word.replace(/\?$/, '').split('|');
          const chosen = pick === 'first' ? alternatives[0] : alternatives.at(-1);
          return (chosen ?? '').replace(/\*$/, '');
        };
        const full = words.map((word) => spell(word, 'first')).join(' ');
        const required = words
          .filter((word) => !word.endsWith('?'))
          .map((word) => spell(word, 'last'))
          .join(' ');
        return [full, required].map((subject) => ({
          subject,
          expected: { kind: entry.kind, language: entry.language },
        }));
      }),
    );

    const mismatches = examples.filter(
      ({ subject, expected }) => !isDeepEqual(kindAndLanguage(classifyRequest(subject, '')), expected),
    );

    expect(examples.length).toBeGreaterThan(150);
    expect(mismatches).toEqual([]);
  });
});

describe('normaliseSubject', () => {
  it.each([
    ['Re: Fwd: RE: «Отказ от рассылки».', 'отказ от рассылки'],
    ['[EXTERNAL] Re[2]: “Unsubscribe”!!!', 'unsubscribe'],
    [
      'Ответ:\u00a0Отв:\tПересл:  Жеке\u202fмаалыматтарды   актуалдаштыруу',
      'жеке маалыматтарды актуалдаштыруу',
    ],
    ['От\u200bпи\u00adсать\u2060ся', 'отписаться'],
    ['ОТЗЫВ СОГЛАСИЯ НА ОБРАБОТКУ ПЕРСОНАЛЬНЫХ ДАННЫХ', 'отзыв согласия на обработку персональных данных'],
    ['Отзыв согласия: ещё раз', 'отзыв согласия еще раз'],
    ['ＵＮＳＵＢＳＣＲＩＢＥ', 'unsubscribe'],
    ['ЖАҢЫ ПРОДУКТТАР', 'жаңы продукттар'],
    ['Re:', ''],
    ['', ''],
  ])('normalises %j to %j', (subject, expected) => {
    const normalised = normaliseSubject(subject);

    expect(normalised).toBe(expected);
  });

  it('keeps a word that merely starts like a reply prefix', () => {
    expect(normaliseSubject('Report: remove data')).toBe('report remove data');
  });
});

describe('classifyRequest', () => {
  describe('published tags', () => {
    it.each(CANONICAL_TAGS)(
      'recognises $tag exactly under every prefix, quote, case, spacing and trailing punctuation',
      ({ tag, expected }) => {
        const failures: string[] = [];
        let variant = 0;
        for (const prefix of PREFIXES) {
          for (const [open, close] of QUOTES) {
            for (const changeCase of CASES) {
              for (const space of SPACINGS) {
                const trailing = TRAILING[variant++ % TRAILING.length] ?? '';
                const subject = `${prefix}${open}${space(changeCase(tag))}${close}${trailing}`;
                const result = classifyRequest(subject, '');
                const ok = isDeepEqual(kindAndLanguage(result), expected) && result?.exact === true;
                if (!ok) failures.push(subject);
              }
            }
          }
        }

        expect(variant).toBe(PREFIXES.length * QUOTES.length * CASES.length * SPACINGS.length);
        expect(failures).toEqual([]);
      },
    );

    it.each(CANONICAL_TAGS)('reports $tag as found in the subject', ({ tag }) => {
      expect(classifyRequest(tag, '')?.foundIn).toBe('subject');
    });
  });

  describe('short forms people write', () => {
    it.each<[string, RequestKind, Expected['language']]>([
      // English
      ['unsubscribe', 'unsubscribe', 'en'],
      ['Opt out', 'unsubscribe', 'en'],
      ['opt-out', 'unsubscribe', 'en'],
      ['Stop marketing', 'unsubscribe', 'en'],
      ['Stop sending me newsletters', 'unsubscribe', 'en'],
      ['Please remove me from your mailing list', 'unsubscribe', 'en'],
      ['STOP', 'unsubscribe', 'en'],
      ['Update my data', 'update-data', 'en'],
      ['Correct my data', 'update-data', 'en'],
      ['Change my phone number', 'update-data', 'en'],
      ['Withdraw my consent', 'withdraw-consent', 'en'],
      ['Revoke consent', 'withdraw-consent', 'en'],
      ['Stop processing my personal data', 'withdraw-consent', 'en'],
      ['Delete my data', 'erasure', 'en'],
      ['Erase all my personal data', 'erasure', 'en'],
      ['Right to be forgotten', 'erasure', 'en'],
      ['Delete my account', 'erasure', 'en'],
      ['Access request', 'access', 'en'],
      ['Subject access request', 'access', 'en'],
      ['What data do you hold about me?', 'access', 'en'],
      ['Copy of my personal data', 'access', 'en'],
      ['Restrict processing of my data', 'restrict', 'en'],
      ['Restriction of processing', 'restrict', 'en'],
      ['Stop dissemination', 'stop-dissemination', 'en'],
      ['Stop sharing my data', 'stop-dissemination', 'en'],
      // Russian
      ['Отписаться', 'unsubscribe', 'ru'],
      ['Отписка', 'unsubscribe', 'ru'],
      ['Отпишите меня', 'unsubscribe', 'ru'],
      ['Отказ от рассылки', 'unsubscribe', 'ru'],
      ['Отказ от получения рекламных рассылок', 'unsubscribe', 'ru'],
      ['Удалите меня из рассылки', 'unsubscribe', 'ru'],
      ['Больше не присылайте рекламу', 'unsubscribe', 'ru'],
      ['Актуализация данных', 'update-data', 'ru'],
      ['Исправить данные', 'update-data', 'ru'],
      ['Уточнение персональных данных', 'update-data', 'ru'],
      ['Смена номера телефона', 'update-data', 'ru'],
      ['Отзыв согласия', 'withdraw-consent', 'ru'],
      ['Отозвать согласие', 'withdraw-consent', 'ru'],
      ['Отзываю своё согласие', 'withdraw-consent', 'ru'],
      ['Прекратить обработку персональных данных', 'withdraw-consent', 'ru'],
      ['Удалить мои данные', 'erasure', 'ru'],
      ['Удаление данных', 'erasure', 'ru'],
      ['Удалите мой аккаунт', 'erasure', 'ru'],
      ['Доступ к данным', 'access', 'ru'],
      ['Какие данные обо мне у вас есть?', 'access', 'ru'],
      ['Запрос сведений об обработке моих персональных данных', 'access', 'ru'],
      ['Блокировка данных', 'restrict', 'ru'],
      ['Ограничение обработки', 'restrict', 'ru'],
      ['Прекратить распространение', 'stop-dissemination', 'ru'],
      ['Требование о прекращении распространения персональных данных', 'stop-dissemination', 'ru'],
      // Kyrgyz
      ['Жазылуудан чыгуу', 'unsubscribe', 'ky'],
      ['Билдирүүлөрдөн баш тартуу', 'unsubscribe', 'ky'],
      ['Жарнамадан баш тартам', 'unsubscribe', 'ky'],
      ['Мындан ары жарнама жибербегиле', 'unsubscribe', 'ky'],
      ['Маалыматтарды тактоо', 'update-data', 'ky'],
      ['Жеке маалыматтарымды жаңыртуу', 'update-data', 'ky'],
      ['Макулдукту кайтарып алуу', 'withdraw-consent', 'ky'],
      ['Жеке маалыматтарды иштетүүгө берилген макулдукту кайтарып алуу', 'withdraw-consent', 'ky'],
      ['Маалыматтарды жок кылуу', 'erasure', 'ky'],
      ['Маалыматтарды өчүрүү', 'erasure', 'ky'],
      ['Аккаунтумду өчүрүңүз', 'erasure', 'ky'],
      ['Маалыматтарды бөгөттөө', 'restrict', 'ky'],
      ['Жеке маалыматтарымдын иштетилиши тууралуу маалымат алуу', 'access', 'ky'],
      ['Жеке маалыматтарды жайылтууну токтотуу', 'stop-dissemination', 'ky'],
    ])('classifies %j as %s (%s)', (subject, kind, language) => {
      const result = classifyRequest(subject, '');

      expect(result).toEqual({ kind, language, foundIn: 'subject', exact: true });
    });

    it.each<[string, RequestKind]>([
      ['Unsubscribe please', 'unsubscribe'],
      ['Отписаться от рассылки, спасибо', 'unsubscribe'],
      ['Delete my data — I closed my account last year', 'erasure'],
      ['Жеке маалыматтарды актуалдаштыруу: жаңы телефон номерим', 'update-data'],
    ])('accepts extra words after the tag in %j', (subject, kind) => {
      expect(classifyRequest(subject, '')?.kind).toBe(kind);
    });

    it.each<[string, RequestKind]>([
      ['Hello, unsubscribe', 'unsubscribe'],
      ['Здравствуйте! Прошу удалить мои персональные данные', 'erasure'],
      ['Добрый день, прошу отписать меня', 'unsubscribe'],
      ['I would like to access my data', 'access'],
      ['Please, could you delete my account?', 'erasure'],
      ['Заявление об отзыве согласия', 'withdraw-consent'],
      ['Саламатсызбы, маалыматтарымды өчүрүңүз', 'erasure'],
    ])('looks past greetings and request words in %j', (subject, kind) => {
      expect(classifyRequest(subject, '')?.kind).toBe(kind);
    });
  });

  describe('tolerance', () => {
    it.each<[string, RequestKind]>([
      ['OTKAЗ от рассылки', 'unsubscribe'], // Latin O, T, K, A in capitals
      ['Oтпиcкa', 'unsubscribe'], // Latin o, c, a
      ['Актуализация пеpсональных данных', 'update-data'], // Latin p
      ['Отзыв соглaсия на обpaботку персональных данных', 'withdraw-consent'], // Latin a, p
      ['unsubsсribe', 'unsubscribe'], // Cyrillic с in a Latin word
      ['Отказ ot рассылки', 'unsubscribe'], // a word of Latin look-alikes in a Cyrillic subject
    ])('reads look-alike letters in %j as the script of the word (not exact)', (subject, kind) => {
      const result = classifyRequest(subject, '');

      expect(result?.kind).toBe(kind);
      expect(result?.exact).toBe(false);
    });

    it.each(
      SUBJECT_TAGS.filter((entry) => entry.language === 'ky' && /[ңөү]/.test(entry.canonical)).map(
        (entry) => ({
          typed: entry.canonical.replaceAll('ң', 'н').replaceAll('ө', 'о').replaceAll('ү', 'у'),
          kind: entry.kind,
        }),
      ),
    )('accepts н, о, у typed for ң, ө, ү in $typed (not exact)', ({ typed, kind }) => {
      const result = classifyRequest(typed, '');

      expect(result).toEqual({ kind, language: 'ky', foundIn: 'subject', exact: false });
    });

    it('calls a match exact when the request itself is written exactly and only later words are off', () => {
      // «Отзыв согласия» is an exact short form; the look-alike letters are in the words after it.
      const result = classifyRequest('Отзыв согласия нa обpaботку персональных данных', '');

      expect(result).toEqual({ kind: 'withdraw-consent', language: 'ru', foundIn: 'subject', exact: true });
    });

    it('still calls a Kyrgyz tag exact when it has no Kyrgyz-specific letters', () => {
      expect(classifyRequest('Жеке маалыматтарды актуалдаштыруу', '')?.exact).toBe(true);
    });

    it.each<[string, RequestKind]>([
      ['unsubscibe', 'unsubscribe'], // one letter missing in an 11-letter tag
      ['unsubcsribe', 'unsubscribe'], // two neighbours swapped
      ['Stop marketng', 'unsubscribe'],
      ['withdraw consnet', 'withdraw-consent'],
      ['Актуализацыя персоналных данных', 'update-data'], // two typos in a 32-letter tag
      ['Отказ от увдомлений о новых продуктах и услугах и специальных предложениях', 'unsubscribe'],
      ['Жеке маалыматтарды актуалдаштруу', 'update-data'],
    ])('forgives a small typo in the long tag %j (not exact)', (subject, kind) => {
      const result = classifyRequest(subject, '');

      expect(result?.kind).toBe(kind);
      expect(result?.exact).toBe(false);
    });

    it.each([
      'unsbscrbe', // two typos in an 11-letter tag: only one allowed
      'subscribe', // two letters from "unsubscribe", and the opposite request
      'resubscribe',
      'optuot', // short tag: no typo allowed
      'Описка', // «отпис*» is short: one missing letter is not forgiven
      'dsra',
      'delete my date', // short words never take a typo
    ])('does not stretch typo tolerance to %j', (subject) => {
      expect(classifyRequest(subject, '')).toBeNull();
    });
  });

  describe('precedence when several requests are named', () => {
    it.each<[string, RequestKind]>([
      // The request that opens the subject wins.
      ['withdraw consent and delete my data', 'withdraw-consent'],
      ['delete my data and withdraw consent', 'erasure'],
      ['Отзыв согласия и удаление данных', 'withdraw-consent'],
      // At the same place, the tag covering more words wins: consent withdrawn for a narrower purpose.
      ['Отзыв согласия на рассылку', 'unsubscribe'],
      ['Withdraw consent for marketing', 'unsubscribe'],
      ['Отзыв согласия на распространение персональных данных', 'stop-dissemination'],
      [
        'Отзыв согласия на обработку персональных данных, разрешенных для распространения',
        'stop-dissemination',
      ],
      ['Withdraw consent to dissemination', 'stop-dissemination'],
      ['Жайылтууга макулдукту кайтарып алуу', 'stop-dissemination'],
      // «Temporarily» stopping processing is blocking; stopping it outright is withdrawal.
      ['Временно прекратить обработку персональных данных', 'restrict'],
      ['Прекратить обработку персональных данных', 'withdraw-consent'],
    ])('classifies %j as %s', (subject, kind) => {
      expect(classifyRequest(subject, '')?.kind).toBe(kind);
    });

    it('prefers an exact tag to a tolerant one of the same length', () => {
      // «отказ от рассылки» matches exactly; nothing tolerant may replace it.
      expect(classifyRequest('Отказ от рассылки', '')).toEqual({
        kind: 'unsubscribe',
        language: 'ru',
        foundIn: 'subject',
        exact: true,
      });
    });
  });

  describe('where in the subject a tag counts', () => {
    it('ignores a short tag buried in an unrelated subject', () => {
      expect(classifyRequest('Your subscription: how to unsubscribe at any time', '')).toBeNull();
      expect(classifyRequest('Вопрос: как удалить мои данные?', '')).toBeNull();
    });

    it('finds a long published tag written exactly anywhere in the subject', () => {
      const result = classifyRequest('Sitronics / Отзыв согласия на обработку персональных данных', '');

      expect(result).toEqual({ kind: 'withdraw-consent', language: 'ru', foundIn: 'subject', exact: true });
    });

    it('does not look for short published tags, or inexact long ones, in the middle of a subject', () => {
      expect(classifyRequest('Why did you delete my data?', '')).toBeNull();
      expect(classifyRequest('Cannot access my data', '')).toBeNull();
      expect(classifyRequest('Акт об уничтожении персональных данных', '')).toBeNull();
    });
  });

  describe('the body', () => {
    it('reads the first line of the body when the subject is empty', () => {
      expect(classifyRequest('', 'Unsubscribe\nThanks')).toEqual({
        kind: 'unsubscribe',
        language: 'en',
        foundIn: 'body',
        exact: true,
      });
    });

    it('reads the first line of the body when the subject has no tag', () => {
      const result = classifyRequest(
        'Fwd: Специальные предложения недели',
        'Отпишите меня, пожалуйста\n\n> реклама',
      );

      expect(result).toEqual({ kind: 'unsubscribe', language: 'ru', foundIn: 'body', exact: true });
    });

    it('skips blank lines, including ones made of NBSP and zero-width characters, and CRLF line ends', () => {
      const result = classifyRequest('', '\r\n   \r\n\u00a0\u200b\r\n\tУдалите мои данные\r\n');

      expect(result?.kind).toBe('erasure');
      expect(result?.foundIn).toBe('body');
    });

    it('skips quoted reply lines to reach the first own line', () => {
      const result = classifyRequest('', '> Unsubscribe\n>> old text\n  > more\nWithdraw my consent');

      expect(result?.kind).toBe('withdraw-consent');
    });

    it('never counts quoted reply text', () => {
      expect(classifyRequest('', '> Unsubscribe\n> Delete my data')).toBeNull();
    });

    it('reads the line after a greeting that stands on its own line', () => {
      expect(classifyRequest('', 'Здравствуйте!\n\nПрошу удалить мои персональные данные')).toMatchObject({
        kind: 'erasure',
        language: 'ru',
        foundIn: 'body',
      });
      expect(classifyRequest('', 'Hi team,\nunsubscribe')?.kind).toBe('unsubscribe');
      expect(classifyRequest('', 'Саламатсызбы!\r\n\r\nЖеке маалыматтарды актуалдаштыруу')?.kind).toBe(
        'update-data',
      );
    });

    it('never counts a line after a first line that says something, nor a third line', () => {
      expect(classifyRequest('', 'Thanks for the newsletter\nunsubscribe')).toBeNull();
      expect(classifyRequest('', 'Hello\nHow are you\nunsubscribe')).toBeNull();
    });

    it('lets a tag in the subject win over one in the body', () => {
      expect(classifyRequest('Unsubscribe', 'Delete my data')?.kind).toBe('unsubscribe');
    });
  });

  describe('mail that is not a request', () => {
    it.each([
      'Re: your invoice',
      'subscribe me',
      'Please subscribe me to the newsletter',
      'Не отписывайте меня',
      'Прошу не отписывать меня',
      'Специальные предложения недели',
      'New products and special offers for you',
      'Жаңы продукттар жана кызматтар', // a newsletter title, not the refusal
      'Баш тартуу', // refuse what?
      'Маалымат алуу', // any information
      'Отказ в выплате выигрыша',
      'Отзыв о работе поддержки',
      'Отмена согласования', // «согласи*» is consent; approval is not, and a stem takes no typo at its end
      'Нет доступа к личному кабинету',
      'Блокировка карты',
      'Access denied',
      'Stop charging my card',
      'Remove me from the photo',
      'Forget me not — spring collection',
      'Delete',
      'Заказ №123: доставка',
      'Fwd:',
    ])('returns null for %j', (subject) => {
      expect(classifyRequest(subject, '')).toBeNull();
    });

    it('returns null for an empty subject and an empty body', () => {
      expect(classifyRequest('', '')).toBeNull();
      expect(classifyRequest('   ', '\n\n  \n')).toBeNull();
    });

    it('returns null instead of throwing when given something that is not a string', () => {
      const notAString = undefined as unknown as string;

      expect(classifyRequest(notAString, notAString)).toBeNull();
      expect(normaliseSubject(notAString)).toBe('');
    });
  });
});

function isDeepEqual(actual: unknown, expected: unknown): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

describe('classifyRequest on a body line that is not the request itself', () => {
  it.each([
    'Unsubscribe | View in browser',
    'To unsubscribe from these emails, click here',
    'Unsubscribe here: https://shop.example/u/123',
    'You can unsubscribe at any time',
    'Unsubscribe from this newsletter or update your preferences',
    'Отписаться от рассылки можно по ссылке',
    'Отписаться | Открыть в браузере',
    'Если вы хотите отписаться, нажмите здесь',
    'Удалить мои данные можно в личном кабинете',
  ])('returns null for a first body line %j (a footer or a sentence around the tag)', (line) => {
    expect(classifyRequest('', `${line}\nOur spring collection is here.`)).toBeNull();
    expect(classifyRequest('Spring offers', `${line}\r\n`)).toBeNull();
  });

  it('does not read past a short first line that carries a tag but is not the request', () => {
    expect(classifyRequest('', 'Unsubscribe | Preferences\nDelete my data')).toBeNull();
  });

  it.each([
    ['Unsubscribe', 'unsubscribe'],
    ['Unsubscribe me, please!', 'unsubscribe'],
    ['Hello, unsubscribe me please. Thanks!', 'unsubscribe'],
    ['Please delete my data', 'erasure'],
    ['Отпишите меня, пожалуйста', 'unsubscribe'],
    ['Здравствуйте! Прошу удалить мои персональные данные. Спасибо.', 'erasure'],
    ['Отзыв согласия', 'withdraw-consent'],
    ['Саламатсызбы, жеке маалыматтарды актуалдаштыруу, рахмат', 'update-data'],
  ])('still reads a first body line that is the request with polite words around it: %j', (line, kind) => {
    expect(classifyRequest('', `${line}\n\nAigul`)).toMatchObject({ kind, foundIn: 'body' });
  });

  it('keeps the subject rules: words may follow a tag in the subject', () => {
    expect(classifyRequest('Unsubscribe | View in browser', '')).toMatchObject({
      kind: 'unsubscribe',
      foundIn: 'subject',
    });
  });
});

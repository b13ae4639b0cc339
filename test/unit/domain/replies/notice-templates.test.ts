import { describe, expect, it } from 'vitest';
import type { AccessReport } from '../../../../functions/domain/replies/access-report';
import {
  type NoticeInput,
  type RenderNoticeInput,
  renderNotice,
} from '../../../../functions/domain/replies/notice-templates';
import {
  confirmButtonLabel,
  formatReplyDate,
  kindName,
} from '../../../../functions/domain/replies/reply-templates';
import {
  LANGUAGES,
  type Language,
  REQUEST_KINDS,
  type RequestKind,
} from '../../../../functions/domain/requests/request-kinds';

const OPERATOR_NAMES = { ky: '«Икс2» ЖЧК', ru: 'ООО «Икс2»', en: 'X2 LLC' } as const;
const REQUEST_ID = 'MK-7H3K9QF2XA';
const TIME_ZONE = 'Asia/Bishkek';
const LIFT_URL = 'https://privacy.x2.kg/c/lift-q7Z3xk';
const ADDRESS_URL = 'https://privacy.x2.kg/c/address-q7Z3xk';
// 21:30 UTC is 03:30 the next day in Bishkek (UTC+6): the date only comes out right in the zone.
const RECEIVED = new Date('2026-03-05T21:30:00Z');
const DUE = new Date('2026-03-12T18:00:00Z');
const DESTRUCTION = new Date('2026-04-04T18:00:00Z');
const EXPIRES = new Date('2026-03-07T21:30:00Z');
const EXTENDED_DUE = new Date('2026-03-19T18:00:00Z');
const OPS_REASON = 'The archive system answers within 7 days';

const date = (value: Date, language: Language): string => formatReplyDate(value, language, TIME_ZONE);

const REPORT: AccessReport = {
  generatedAt: new Date('2026-03-10T08:00:00Z'),
  marketingOptOutSince: new Date('2026-01-02T10:00:00Z'),
  consentWithdrawnSince: null,
  processingRestrictedSince: new Date('2026-02-02T10:00:00Z'),
  disseminationStoppedSince: null,
  disseminationStoppedItems: [],
  erasureRequestedSince: null,
  erasureDueBy: null,
  requests: [
    {
      requestId: 'MK-AAAAAAAAAA',
      kind: 'restrict',
      receivedAt: new Date('2026-02-02T09:00:00Z'),
      status: 'in-progress',
      outcome: 'in-progress',
    },
  ],
  dataHeldByOperator: ['Full name', 'Phone number'],
};

function confirmed(
  kind: RequestKind,
  overrides: Partial<Extract<NoticeInput, { notice: 'confirmed' }>> = {},
) {
  return {
    notice: 'confirmed',
    kind,
    requestId: REQUEST_ID,
    receivedAt: RECEIVED,
    dueAt: DUE,
    ...(kind === 'withdraw-consent' || kind === 'erasure' ? { destructionBy: DESTRUCTION } : {}),
    ...(kind === 'restrict' ? { liftUrl: LIFT_URL, liftExpiresAt: EXPIRES } : {}),
    ...(kind === 'update-data' ? { newAddressLinkSent: true } : {}),
    ...overrides,
  } as const satisfies NoticeInput;
}

/** One input of every notice, 'confirmed' and 'cancelled' once per kind. */
const ALL_NOTICES: readonly NoticeInput[] = [
  ...REQUEST_KINDS.map((kind) => confirmed(kind)),
  ...REQUEST_KINDS.map(
    (kind) => ({ notice: 'cancelled', kind, requestId: REQUEST_ID, receivedAt: RECEIVED }) as const,
  ),
  { notice: 'restriction-lifted', requestId: REQUEST_ID },
  { notice: 'confirm-address', requestId: REQUEST_ID, actionUrl: ADDRESS_URL, actionExpiresAt: EXPIRES },
  { notice: 'access-report', requestId: REQUEST_ID, report: REPORT },
  extended(),
  { notice: 'rejected', kind: 'erasure', requestId: REQUEST_ID, reason: OPS_REASON },
];

function extended(reason: string = OPS_REASON) {
  return {
    notice: 'extended',
    kind: 'access',
    requestId: REQUEST_ID,
    originalDueAt: DUE,
    dueAt: EXTENDED_DUE,
    reason,
  } as const satisfies NoticeInput;
}

function render(notice: NoticeInput, language: Language = 'en', operatorName?: string) {
  const input: RenderNoticeInput = {
    ...notice,
    language,
    operatorName: operatorName ?? OPERATOR_NAMES[language],
    timeZone: TIME_ZONE,
  };
  return renderNotice(input);
}

function describeNotice(notice: NoticeInput): string {
  return 'kind' in notice ? `${notice.notice}/${notice.kind}` : notice.notice;
}

/** The link a notice must carry, if any. */
function linkOf(notice: NoticeInput): string | undefined {
  if (notice.notice === 'confirm-address') return notice.actionUrl;
  if (notice.notice === 'confirmed') return notice.liftUrl;
  return undefined;
}

describe('renderNotice', () => {
  it('renders every notice in every language with subject, text and HTML filled in', () => {
    for (const language of LANGUAGES) {
      for (const notice of ALL_NOTICES) {
        // Act
        const rendered = render(notice, language);

        // Assert
        const where = `${language}/${describeNotice(notice)}`;
        for (const part of [rendered.subject, rendered.text, rendered.html]) {
          expect(part, where).not.toMatch(/[{}]|undefined|null|NaN|Invalid Date|\[object/);
          expect(part.trim(), where).not.toBe('');
        }
        expect(rendered.subject, where).toContain(REQUEST_ID);
        expect(rendered.text, where).toContain(REQUEST_ID);
        expect(rendered.html, where).toContain(REQUEST_ID);
        expect(rendered.text, where).toContain(OPERATOR_NAMES[language]);
        expect(rendered.html, where).toContain(`<html lang="${language}">`);
        expect(rendered.text.endsWith('\n'), where).toBe(true);
        const link = linkOf(notice);
        if (link) {
          expect(rendered.text, where).toContain(link);
          expect(rendered.html, where).toContain(`href="${link}"`);
        } else {
          expect(rendered.text, where).not.toContain('http');
          expect(rendered.html, where).not.toContain('href=');
        }
      }
    }
  });

  it('names the kind in the subject of a confirmed or cancelled notice', () => {
    for (const language of LANGUAGES) {
      for (const notice of ALL_NOTICES) {
        if (!('kind' in notice)) continue;

        expect(render(notice, language).subject).toContain(kindName(notice.kind, language));
      }
    }
  });

  it('uses a different text for every notice and kind', () => {
    for (const language of LANGUAGES) {
      const texts = new Set(ALL_NOTICES.map((notice) => render(notice, language).text));

      expect(texts.size, language).toBe(ALL_NOTICES.length);
    }
  });

  it('puts nothing but the kind and the request id into the subject', () => {
    expect(render(confirmed('erasure')).subject).toBe(
      `Request confirmed: Erasure of personal data — ${REQUEST_ID}`,
    );
    expect(
      render({ notice: 'cancelled', kind: 'access', requestId: REQUEST_ID, receivedAt: RECEIVED }, 'ru')
        .subject,
    ).toBe(`Запрос отменён: Доступ к персональным данным — ${REQUEST_ID}`);
    expect(render({ notice: 'restriction-lifted', requestId: REQUEST_ID }, 'ky').subject).toBe(
      `Жеке маалыматтарды бөгөттөө: токтотулду — ${REQUEST_ID}`,
    );
    expect(render({ notice: 'access-report', requestId: REQUEST_ID, report: REPORT }).subject).toBe(
      `Access to personal data: report — ${REQUEST_ID}`,
    );
  });

  it('escapes an operator name with a script in every notice', () => {
    const operatorName = '<script>alert("x")</script> & Co';

    for (const language of LANGUAGES) {
      for (const notice of ALL_NOTICES) {
        const rendered = render(notice, language, operatorName);

        const where = `${language}/${describeNotice(notice)}`;
        expect(rendered.html, where).not.toContain('<script>');
        expect(rendered.html, where).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
        expect(rendered.text, where).toContain(operatorName);
      }
    }
  });

  it('escapes a link in its href', () => {
    const actionUrl = 'https://privacy.x2.kg/c/t?a=1&b="2"';
    const rendered = render({
      notice: 'confirm-address',
      requestId: REQUEST_ID,
      actionUrl,
      actionExpiresAt: EXPIRES,
    });

    expect(rendered.html).toContain('href="https://privacy.x2.kg/c/t?a=1&amp;b=&quot;2&quot;"');
    expect(rendered.html).not.toMatch(/href="[^"]*"[^>]*"2/);
  });

  it('refuses a javascript: link, a data: link and text that is not a URL', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'not a url']) {
      expect(() => render(confirmed('restrict', { liftUrl: url }))).toThrow(/liftUrl/);
      expect(() =>
        render({
          notice: 'confirm-address',
          requestId: REQUEST_ID,
          actionUrl: url,
          actionExpiresAt: EXPIRES,
        }),
      ).toThrow(/actionUrl/);
    }
  });

  it('never places the operator name where it would need a case ending', () => {
    for (const language of LANGUAGES) {
      for (const notice of ALL_NOTICES) {
        const { text } = render(notice, language);

        // A suffix would be glued to the name ("X2 LLCге", "X2 LLC's"): never a letter, digit or
        // apostrophe right after it.
        const after = text.split(OPERATOR_NAMES[language]).slice(1);
        for (const rest of after)
          expect(rest, `${language}/${describeNotice(notice)}`).not.toMatch(/^[\p{L}\p{N}'’-]/u);
      }
    }
  });

  it('writes Kyrgyz dates only after a label', () => {
    let datesSeen = 0;
    for (const notice of ALL_NOTICES) {
      const { text } = render(notice, 'ky');

      const dates = [...text.matchAll(/\d{4}-ж\., \d{1,2}-\S+ \d\d:\d\d GMT[+-]\d+/g)];
      datesSeen += dates.length;
      for (const found of dates) {
        expect(text.slice(found.index - 2, found.index), describeNotice(notice)).toBe(': ');
      }
    }

    expect(datesSeen).toBeGreaterThan(ALL_NOTICES.length);
  });
});

describe("renderNotice 'confirmed'", () => {
  it('says what each kind does now and what follows by the due date', () => {
    const due = date(DUE, 'en');
    const destruction = date(DESTRUCTION, 'en');
    const expectations: Readonly<Record<RequestKind, readonly string[]>> = {
      unsubscribe: ['X2 LLC will send you no more marketing messages. This applies from now on.'],
      'update-data': ['X2 LLC will correct your personal data', `no later than ${due}.`],
      'withdraw-consent': [
        'Processing of your personal data on the basis of your consent has stopped, and so have marketing messages to you.',
        `will be destroyed, except data that must be kept by law, no later than ${destruction}.`,
      ],
      access: [
        'X2 LLC will send you a report on your personal data',
        'in a separate email',
        `no later than ${due}.`,
      ],
      erasure: [
        'Marketing messages to you have stopped.',
        `scheduled for destruction and will be destroyed, except data that must be kept by law, no later than ${destruction}.`,
        'kept only as a “do not contact” entry',
      ],
      restrict: ['Processing of your personal data is blocked from now on, until the restriction is lifted.'],
      'stop-dissemination': [
        'The personal data named in your message will no longer be disseminated',
        `no later than ${due}.`,
      ],
    };

    for (const kind of REQUEST_KINDS) {
      const { text } = render(confirmed(kind));

      expect(text, kind).toContain(
        `Your request “${kindName(kind, 'en')}” of ${date(RECEIVED, 'en')} has been confirmed.`,
      );
      for (const phrase of expectations[kind]) expect(text, kind).toContain(phrase);
    }
    expect(render(confirmed('unsubscribe')).text).not.toContain('no later than');
  });

  it('states the destruction date in every language, falling back to the due date', () => {
    const expectations = {
      en: (at: string) => `no later than ${at}.`,
      ru: (at: string) => `не позднее ${at}.`,
      ky: (at: string) => `Жок кылуунун акыркы мөөнөтү: ${at}.`,
    } as const;

    for (const language of LANGUAGES) {
      for (const kind of ['withdraw-consent', 'erasure'] as const) {
        const withDate = render(confirmed(kind), language).text;
        const withoutDate = render(confirmed(kind, { destructionBy: undefined }), language).text;

        expect(withDate, `${language}/${kind}`).toContain(
          expectations[language](date(DESTRUCTION, language)),
        );
        expect(withoutDate, `${language}/${kind}`).toContain(expectations[language](date(DUE, language)));
      }
    }
  });

  it('keeps the address of an erased subject only as a do-not-contact entry, in every language', () => {
    const expectations = { en: '“do not contact”', ru: '«не связываться»', ky: '«байланышпоо»' } as const;

    for (const language of LANGUAGES) {
      expect(render(confirmed('erasure'), language).text).toContain(expectations[language]);
    }
  });

  it('gives the link that lifts a restriction, with its expiry, in every language', () => {
    const expectations = {
      en: ['To lift the restriction, open this link:', `The link is valid until ${date(EXPIRES, 'en')}.`],
      ru: ['Чтобы снять блокировку, откройте эту ссылку:', `Ссылка действительна до ${date(EXPIRES, 'ru')}.`],
      ky: [
        'Бөгөттү алуу үчүн бул шилтемени ачыңыз:',
        `Шилтеменин жарактуулук мөөнөтү: ${date(EXPIRES, 'ky')}.`,
      ],
    } as const;

    for (const language of LANGUAGES) {
      const { text, html } = render(confirmed('restrict'), language);

      const [how, validUntil] = expectations[language];
      expect(text).toContain(how);
      expect(text).toContain(validUntil);
      expect(text.indexOf(LIFT_URL)).toBeGreaterThan(text.indexOf(how));
      expect(html).toContain(`<a href="${LIFT_URL}">${LIFT_URL}</a>`);
    }
  });

  it('tells the person to write to us when a restriction comes without a lift link', () => {
    const { text, html } = render(confirmed('restrict', { liftUrl: undefined, liftExpiresAt: undefined }));

    expect(text).toContain('To lift the restriction, write to us and quote the request number.');
    expect(text).not.toContain('valid until');
    expect(html).not.toContain('href=');
  });

  it('mentions the link sent to a new address only when one was sent', () => {
    const sent = render(confirmed('update-data')).text;
    const notSent = render(confirmed('update-data', { newAddressLinkSent: false })).text;

    expect(sent).toContain(
      'we have sent a link to the new address. The address changes only once it is confirmed',
    );
    expect(notSent).not.toContain('new address');
    expect(render(confirmed('update-data'), 'ru').text).toContain(
      'на новый адрес отправлено письмо со ссылкой',
    );
    expect(render(confirmed('update-data'), 'ky').text).toContain('жаңы дарекке шилтемеси бар кат жөнөтүлдү');
  });
});

describe("renderNotice 'cancelled'", () => {
  it('says nothing was or will be done and what was changed is restored, in every language', () => {
    const expectations = {
      en: [
        'you did not send the request',
        'nothing has been done on it and nothing will be',
        'has been restored',
      ],
      ru: ['не отправляли запрос', 'ничего не сделано и не будет сделано', 'восстановлено'],
      ky: [
        'жөнөтпөгөнүңүздү билдирдиңиз',
        'эч нерсе аткарылган жок жана аткарылбайт',
        'мурунку абалына кайтарылды',
      ],
    } as const;

    for (const language of LANGUAGES) {
      const { text } = render(
        { notice: 'cancelled', kind: 'erasure', requestId: REQUEST_ID, receivedAt: RECEIVED },
        language,
      );

      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
      expect(text, language).toContain(date(RECEIVED, language));
      expect(text, language).toContain(kindName('erasure', language));
    }
  });
});

describe("renderNotice 'restriction-lifted'", () => {
  it('says processing resumed and to write if it was not the person, in every language', () => {
    const expectations = {
      en: ['has been lifted: processing has resumed', 'If you did not ask for this, write to us'],
      ru: ['Блокирование ваших персональных данных прекращено', 'Если вы об этом не просили, напишите нам'],
      ky: ['бөгөтү алынды', 'бизге жазып'],
    } as const;

    for (const language of LANGUAGES) {
      const { text } = render({ notice: 'restriction-lifted', requestId: REQUEST_ID }, language);

      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
    }
  });
});

describe("renderNotice 'confirm-address'", () => {
  it('asks the new mailbox to confirm with the link and the Confirm button, and to ignore the mail otherwise', () => {
    const expectations = {
      en: ['personal data that X2 LLC processes', 'ignore this email and nothing will change'],
      ru: ['которые обрабатывает ООО «Икс2»', 'ничего не изменится'],
      ky: ['«Икс2» ЖЧК иштеп чыккан', 'эч нерсе өзгөрбөйт'],
    } as const;

    for (const language of LANGUAGES) {
      const { subject, text, html } = render(
        {
          notice: 'confirm-address',
          requestId: REQUEST_ID,
          actionUrl: ADDRESS_URL,
          actionExpiresAt: EXPIRES,
        },
        language,
      );

      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
      expect(text, language).toMatch(new RegExp(`[«“]${confirmButtonLabel(language)}[»”]`));
      expect(text, language).toContain(date(EXPIRES, language));
      expect(html, language).toContain(`href="${ADDRESS_URL}"`);
      expect(subject, language).toContain(kindName('update-data', language));
    }
  });
});

describe("renderNotice 'access-report'", () => {
  it('carries the report in the body, listing each request and flag', () => {
    for (const language of LANGUAGES) {
      const { text } = render({ notice: 'access-report', requestId: REQUEST_ID, report: REPORT }, language);

      expect(text, language).toContain('MK-AAAAAAAAAA');
      expect(text, language).toContain(kindName('restrict', language));
      expect(text, language).toContain(date(new Date('2026-01-02T10:00:00Z'), language));
      expect(text, language).toContain(date(new Date('2026-02-02T10:00:00Z'), language));
      expect(text, language).toContain('- Full name\n- Phone number\n');
    }
  });

  it("states the due date of the operator's own records when given", () => {
    const { text } = render({ notice: 'access-report', requestId: REQUEST_ID, report: REPORT, dueAt: DUE });

    expect(text).toContain(`held in its own systems separately, no later than ${date(DUE, 'en')}.`);
  });
});

describe("renderNotice 'extended'", () => {
  it('gives the new due date, the previous one and ops’ reason, in every language', () => {
    const expectations = {
      en: (due: string, previous: string) => [
        'The term for answering your request “Access to personal data” has been extended.',
        `Reason: ${OPS_REASON}`,
        `This will be done no later than ${due}.`,
        `The previous due date was ${previous}.`,
      ],
      ru: (due: string, previous: string) => [
        `Срок ответа на ваш запрос «${kindName('access', 'ru')}» продлён.`,
        `Причина: ${OPS_REASON}`,
        `Срок выполнения — не позднее ${due}.`,
        `Прежний срок — не позднее ${previous}.`,
      ],
      ky: (due: string, previous: string) => [
        `«${kindName('access', 'ky')}» суроо-талабыңызга жооп берүү мөөнөтү узартылды.`,
        `Себеби: ${OPS_REASON}`,
        `Аткаруунун акыркы мөөнөтү: ${due}.`,
        `Мурунку мөөнөтү: ${previous}.`,
      ],
    } as const;

    for (const language of LANGUAGES) {
      const { subject, text } = render(extended(), language);

      for (const phrase of expectations[language](date(EXTENDED_DUE, language), date(DUE, language)))
        expect(text, language).toContain(phrase);
      expect(subject, language).toBe(
        {
          en: `Term extended: Access to personal data — ${REQUEST_ID}`,
          ru: `Срок продлён: ${kindName('access', 'ru')} — ${REQUEST_ID}`,
          ky: `Мөөнөтү узартылды: ${kindName('access', 'ky')} — ${REQUEST_ID}`,
        }[language],
      );
    }
  });

  it('inserts ops’ words as written in the text and escaped in HTML, never in the subject', () => {
    const reason = 'Archive <b>offline</b> & "slow"';

    const { subject, text, html } = render(extended(reason));

    expect(text).toContain(`Reason: ${reason}`);
    expect(html).toContain('Reason: Archive &lt;b&gt;offline&lt;/b&gt; &amp; &quot;slow&quot;');
    expect(html).not.toContain('<b>');
    expect(subject).not.toContain('Archive');
  });
});

describe("renderNotice 'rejected'", () => {
  it('says the request was refused, why, and where the person may appeal, in every language', () => {
    const expectations = {
      en: [
        'Your request “Erasure of personal data” has been refused.',
        `Reason: ${OPS_REASON}`,
        'you may appeal to the authority for the protection of the rights of personal data subjects or to a court',
      ],
      ru: [
        `Ваш запрос «${kindName('erasure', 'ru')}» отклонён.`,
        `Причина: ${OPS_REASON}`,
        'в уполномоченном органе по защите прав субъектов персональных данных или в суде',
      ],
      ky: [
        `«${kindName('erasure', 'ky')}» суроо-талабыңыз четке кагылды.`,
        `Себеби: ${OPS_REASON}`,
        'ыйгарым укуктуу органга же сотко даттана аласыз',
      ],
    } as const;

    for (const language of LANGUAGES) {
      const { subject, text } = render(
        { notice: 'rejected', kind: 'erasure', requestId: REQUEST_ID, reason: OPS_REASON },
        language,
      );

      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
      expect(subject, language).toContain(kindName('erasure', language));
      expect(subject, language).not.toContain(OPS_REASON);
    }
  });
});

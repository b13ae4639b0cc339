import { describe, expect, it } from 'vitest';
import {
  type AccessReport,
  type AccessReportContext,
  accessReportBlocks,
  statusWord,
} from '../../../../functions/domain/replies/access-report';
import {
  formatReplyDate,
  kindName,
  renderMessage,
} from '../../../../functions/domain/replies/reply-templates';
import { LANGUAGES, type Language } from '../../../../functions/domain/requests/request-kinds';

const OPERATOR_NAMES = { ky: '«Икс2» ЖЧК', ru: 'ООО «Икс2»', en: 'X2 LLC' } as const;
const TIME_ZONE = 'Asia/Bishkek';

const OPT_OUT = new Date('2026-01-02T10:00:00Z');
const WITHDRAWN = new Date('2026-01-05T10:00:00Z');
const RESTRICTED = new Date('2026-02-02T10:00:00Z');
const STOPPED = new Date('2026-02-03T10:00:00Z');
const ERASURE = new Date('2026-02-10T10:00:00Z');
const ERASURE_DUE = new Date('2026-03-12T18:00:00Z');

function fullReport(overrides: Partial<AccessReport> = {}): AccessReport {
  return {
    generatedAt: new Date('2026-03-10T08:00:00Z'),
    marketingOptOutSince: OPT_OUT,
    consentWithdrawnSince: WITHDRAWN,
    processingRestrictedSince: RESTRICTED,
    disseminationStoppedSince: STOPPED,
    disseminationStoppedItems: ['Phone number', 'Photo on the winners page'],
    erasureRequestedSince: ERASURE,
    erasureDueBy: ERASURE_DUE,
    requests: [
      {
        requestId: 'MK-BBBBBBBBBB',
        kind: 'restrict',
        receivedAt: new Date('2026-02-02T09:00:00Z'),
        status: 'in-progress',
        outcome: 'in-progress',
      },
      {
        requestId: 'MK-AAAAAAAAAA',
        kind: 'unsubscribe',
        receivedAt: new Date('2026-01-02T09:00:00Z'),
        status: 'completed',
        outcome: 'completed',
      },
      {
        requestId: 'MK-CCCCCCCCCC',
        kind: 'erasure',
        receivedAt: new Date('2026-02-10T09:00:00Z'),
        status: 'completed',
        outcome: 'cancelled',
      },
      {
        requestId: 'MK-DDDDDDDDDD',
        kind: null,
        receivedAt: new Date('2026-02-20T09:00:00Z'),
        status: 'needs-human',
        outcome: 'needs-human',
      },
    ],
    dataHeldByOperator: ['Full name', 'Date of birth', 'Phone number'],
    ...overrides,
  };
}

function context(language: Language, overrides: Partial<AccessReportContext> = {}): AccessReportContext {
  return { language, operatorName: OPERATOR_NAMES[language], timeZone: TIME_ZONE, ...overrides };
}

function reportText(report: AccessReport, ctx: AccessReportContext): string {
  return renderMessage(ctx.language, 'report', accessReportBlocks(report, ctx)).text;
}

const date = (value: Date, language: Language): string => formatReplyDate(value, language, TIME_ZONE);

describe('accessReportBlocks', () => {
  it('explains that only a keyed hash of the address is kept, and the address itself only while a request is open', () => {
    const expectations = {
      en: [
        'a code computed from it with a secret key (a keyed hash)',
        'only while one of your requests is open',
      ],
      ru: ['код, вычисленный из него с секретным ключом (хеш с ключом)', 'только пока ваш запрос не закрыт'],
      ky: ['жашыруун ачкыч менен эсептелген кодду (ачкычтуу хеш)', 'суроо-талабыңыз жабылганга чейин гана'],
    } as const;

    for (const language of LANGUAGES) {
      const text = reportText(fullReport(), context(language));

      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
    }
  });

  it('lists every flag with the date it was set, in every language', () => {
    for (const language of LANGUAGES) {
      const text = reportText(fullReport(), context(language));

      for (const since of [OPT_OUT, WITHDRAWN, RESTRICTED, STOPPED, ERASURE, ERASURE_DUE]) {
        expect(text, language).toContain(date(since, language));
      }
      expect(text, language).toContain('Phone number; Photo on the winners page');
    }
  });

  it('names each flag in English', () => {
    const text = reportText(fullReport(), context('en'));

    expect(text).toContain(`- Marketing messages refused since ${date(OPT_OUT, 'en')}.`);
    expect(text).toContain(
      `Consent to the processing of your personal data withdrawn since ${date(WITHDRAWN, 'en')}`,
    );
    expect(text).toContain(`- Processing of your personal data blocked since ${date(RESTRICTED, 'en')}.`);
    expect(text).toContain(
      `- Dissemination of your personal data stopped since ${date(STOPPED, 'en')} for: Phone number; Photo on the winners page.`,
    );
    expect(text).toContain(
      `- Destruction of your personal data requested since ${date(ERASURE, 'en')}; due no later than ${date(ERASURE_DUE, 'en')}.`,
    );
  });

  it('lists only the flags that are set, and says so when none is', () => {
    const none = fullReport({
      marketingOptOutSince: null,
      consentWithdrawnSince: null,
      processingRestrictedSince: null,
      disseminationStoppedSince: null,
      disseminationStoppedItems: [],
      erasureRequestedSince: null,
      erasureDueBy: null,
    });
    const onlyOptOut = fullReport({ ...none, marketingOptOutSince: OPT_OUT });

    expect(reportText(none, context('en'))).toContain(
      'No refusal, withdrawal of consent or restriction is recorded.',
    );
    expect(reportText(none, context('ru'))).toContain(
      'Отказов, отзыва согласия и ограничений не зарегистрировано.',
    );
    expect(reportText(none, context('ky'))).toContain('катталган эмес');
    const text = reportText(onlyOptOut, context('en'));
    expect(text).toContain('Marketing messages refused');
    expect(text).not.toMatch(/blocked since|withdrawn since|Dissemination|Destruction/);
  });

  it('lists every request with its id, kind, received date and translated status, oldest first', () => {
    for (const language of LANGUAGES) {
      const report = fullReport();
      const text = reportText(report, context(language));

      for (const request of report.requests) {
        expect(text, language).toContain(request.requestId);
        expect(text, language).toContain(date(request.receivedAt, language));
        if (request.kind) expect(text, language).toContain(kindName(request.kind, language));
        expect(text, language).toContain(statusWord(request.status, language));
      }
      const order = ['MK-AAAAAAAAAA', 'MK-BBBBBBBBBB', 'MK-CCCCCCCCCC', 'MK-DDDDDDDDDD'].map((id) =>
        text.indexOf(id),
      );
      expect(order, language).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('writes each request as one readable line, with the outcome only when it differs from the status', () => {
    const text = reportText(fullReport(), context('en'));

    expect(text).toContain(
      `- MK-AAAAAAAAAA — Unsubscribe from marketing. Received: ${date(new Date('2026-01-02T09:00:00Z'), 'en')}. Status: completed.\n`,
    );
    expect(text).toContain('Status: completed. Outcome: cancelled.');
    expect(text).toContain('MK-DDDDDDDDDD — message not recognised as a request.');
    expect(text).toContain('Status: passed to a member of staff.\n');
  });

  it('translates the statuses in Russian and Kyrgyz', () => {
    const ru = reportText(fullReport(), context('ru'));
    const ky = reportText(fullReport(), context('ky'));

    expect(ru).toContain('Состояние: выполняется.');
    expect(ru).toContain('Состояние: выполнено. Итог: отменено.');
    expect(ky).toContain('Абалы: аткарылууда.');
    expect(ky).toContain('Абалы: аткарылды. Жыйынтыгы: жокко чыгарылды.');
  });

  it('says when no request is recorded', () => {
    expect(reportText(fullReport({ requests: [] }), context('en'))).toContain('No requests are recorded.');
    expect(reportText(fullReport({ requests: [] }), context('ru'))).toContain(
      'Запросов не зарегистрировано.',
    );
    expect(reportText(fullReport({ requests: [] }), context('ky'))).toContain(
      'Суроо-талаптар катталган эмес.',
    );
  });

  it("lists the operator's categories and says its systems' records follow separately", () => {
    for (const language of LANGUAGES) {
      const text = reportText(fullReport(), context(language));

      for (const category of ['Full name', 'Date of birth', 'Phone number']) {
        expect(text, language).toContain(`- ${category}\n`);
      }
    }
    expect(reportText(fullReport(), context('en'))).toContain(
      'X2 LLC will provide the records about you held in its own systems separately, within the term set by law.',
    );
  });

  it("gives the date the operator's records are due when it is known", () => {
    const due = new Date('2026-03-20T18:00:00Z');

    expect(reportText(fullReport(), context('en', { operatorRecordsDueAt: due }))).toContain(
      `separately, no later than ${date(due, 'en')}.`,
    );
    expect(reportText(fullReport(), context('ru', { operatorRecordsDueAt: due }))).toContain(
      `отдельно, не позднее ${date(due, 'ru')}.`,
    );
    expect(reportText(fullReport(), context('ky', { operatorRecordsDueAt: due }))).toContain(
      `Берүүнүн акыркы мөөнөтү: ${date(due, 'ky')}.`,
    );
  });

  it('puts lists into HTML as escaped list items', () => {
    const report = fullReport({ dataHeldByOperator: ['<b>Name</b> & "nick"'] });
    const { html } = renderMessage('en', 'report', accessReportBlocks(report, context('en')));

    expect(html).toContain('<li>&lt;b&gt;Name&lt;/b&gt; &amp; &quot;nick&quot;</li>');
    expect(html).not.toContain('<b>');
    expect(html).toMatch(/<ul>\n<li>/);
  });
});

describe('accessReportBlocks with the data systems’ answers', () => {
  const SYSTEMS = {
    en: [
      {
        name: 'player accounts',
        purpose: 'to run the lottery games',
        data: [
          { category: 'full name', values: ['Ivan Petrov'] },
          { category: 'email address', values: ['ivan@example.kg', 'i.petrov@example.kg'] },
        ],
      },
      { name: 'helpdesk', purpose: 'to answer questions', data: null },
    ],
    ru: [
      {
        name: 'учётные записи игроков',
        purpose: 'для проведения лотерей',
        data: [{ category: 'фамилия, имя, отчество', values: ['Иван Петров'] }],
      },
      { name: 'служба поддержки', purpose: 'для ответов на вопросы', data: null },
    ],
    ky: [
      {
        name: 'оюнчулардын эсептери',
        purpose: 'лотереялык оюндарды өткөрүү үчүн',
        data: [{ category: 'аты-жөнү', values: ['Иван Петров'] }],
      },
      { name: 'колдоо кызматы', purpose: 'суроолорго жооп берүү үчүн', data: null },
    ],
  } as const;

  it('gives a section per system: its name, its purpose and the data by category, in every language', () => {
    const en = reportText(fullReport({ systems: SYSTEMS.en }), context('en'));
    expect(en).toContain('X2 LLC holds the following personal data of yours in its information systems:');
    expect(en).toContain('System: player accounts. Purpose: to run the lottery games.');
    expect(en).toContain('- full name: Ivan Petrov\n');
    expect(en).toContain('- email address: ivan@example.kg; i.petrov@example.kg\n');
    expect(en).toContain(
      'System: helpdesk. Purpose: to answer questions.\n\nThis system holds no personal data of yours.',
    );

    const ru = reportText(fullReport({ systems: SYSTEMS.ru }), context('ru'));
    expect(ru).toContain(
      'ООО «Икс2» хранит в своих информационных системах следующие ваши персональные данные:',
    );
    expect(ru).toContain('Система: учётные записи игроков. Цель обработки: для проведения лотерей.');
    expect(ru).toContain('- фамилия, имя, отчество: Иван Петров');
    expect(ru).toContain('В этой системе ваших персональных данных нет.');

    const ky = reportText(fullReport({ systems: SYSTEMS.ky }), context('ky'));
    expect(ky).toContain(
      '«Икс2» ЖЧК өз маалыматтык системаларында сиздин төмөнкү жеке маалыматтарыңызды сактайт:',
    );
    expect(ky).toContain(
      'Система: оюнчулардын эсептери. Иштеп чыгуунун максаты: лотереялык оюндарды өткөрүү үчүн.',
    );
    expect(ky).toContain('- аты-жөнү: Иван Петров');
    expect(ky).toContain('Бул системада сиздин жеке маалыматтарыңыз жок.');
  });

  it('no longer promises the systems’ records for later: they are in the report', () => {
    for (const language of LANGUAGES) {
      const text = reportText(fullReport({ systems: SYSTEMS[language] }), context(language));
      expect(text, language).not.toMatch(/separately|отдельно|өзүнчө берет/);
    }
  });

  it('escapes the values the systems gave in HTML', () => {
    const report = fullReport({
      systems: [
        { name: 'crm', purpose: 'sales', data: [{ category: 'notes', values: ['<script>x</script>'] }] },
      ],
    });
    const { html } = renderMessage('en', 'report', accessReportBlocks(report, context('en')));
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });
});

describe('statusWord', () => {
  it('translates the known statuses into every language', () => {
    const statuses = [
      'completed',
      'in-progress',
      'awaiting-verification',
      'cancelled',
      'needs-human',
      'held',
      'dropped',
      'duplicate',
    ];

    for (const language of LANGUAGES) {
      const words = statuses.map((status) => statusWord(status, language));

      expect(new Set(words).size, language).toBe(statuses.length);
      if (language !== 'en') for (const word of words) expect(word).toMatch(/[а-яөүң]/);
    }
    expect(statusWord('awaiting-verification', 'en')).toBe('awaiting confirmation');
    expect(statusWord('needs-human', 'ru')).toBe('передано сотруднику');
  });

  it('shows an unknown status as it is rather than hiding it', () => {
    expect(statusWord('some-new-status', 'ky')).toBe('some-new-status');
  });
});

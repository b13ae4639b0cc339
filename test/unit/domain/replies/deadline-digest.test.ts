/**
 * The deadline digest's words and layout in Kyrgyz, Russian and English: subject with the counts, one
 * table per section with the due dates in the jurisdiction's zone, the commands to act, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import {
  type DigestEntry,
  type DigestInput,
  MAX_DIGEST_ROWS,
  renderDeadlineDigest,
} from '../../../../functions/domain/replies/deadline-digest';
import { localDateTime } from '../../../../functions/domain/requests/deadlines';
import { LANGUAGES, type Language } from '../../../../functions/domain/requests/request-kinds';

const AT = new Date('2031-03-07T04:00:00Z'); // 10:00 in Bishkek

const overdue: DigestEntry = {
  requestId: 'MK-OVERDUE01',
  kind: 'access',
  status: 'in-progress',
  dueAt: new Date('2031-03-06T17:59:59Z'),
  daysOverdue: 1,
  waitingFor: ['crm', 'helpdesk'],
};
const review: DigestEntry = {
  requestId: 'MK-REVIEW001',
  kind: null,
  status: 'needs-human',
  dueAt: new Date('2031-02-26T17:59:59Z'),
  daysOverdue: 9,
};
const soon: DigestEntry = {
  requestId: 'MK-SOON0001',
  kind: 'erasure',
  status: 'held',
  dueAt: new Date('2031-03-11T17:59:59Z'),
  daysOverdue: null,
};

function input(overrides: Partial<DigestInput> = {}): DigestInput {
  return {
    language: 'en',
    operatorId: 'x2',
    jurisdiction: 'KG-58',
    timeZone: 'Asia/Bishkek',
    at: AT,
    dueSoonWorkingDays: 2,
    overdue: [review, overdue],
    dueSoon: [soon],
    awaitingVerification: 0,
    cliTarget: '--operator x2 --requests-table makul-x2-requests',
    ...overrides,
  };
}

const EXPECTED: Readonly<
  Record<
    Language,
    { subject: string; intro: string; overdueTitle: string; dueHeader: string; actions: string }
  >
> = {
  ky: {
    subject: '[makul x2] Суроо-талаптардын мөөнөттөрү: мөөнөтү өткөн — 2, мөөнөтү жакында бүтөт — 1',
    intro:
      'Жеке маалыматтар боюнча суроо-талаптардын ичинен мыйзамдуу мөөнөтү өтүп кеткендери же 2 иш күнүнүн ичинде бүтө тургандары бар.',
    overdueTitle: 'Мөөнөтү өткөн суроо-талаптар (2)',
    dueHeader: 'Мөөнөтү (Asia/Bishkek)',
    actions: 'Эмне кылуу керек (ID — суроо-талаптын номери):',
  },
  ru: {
    subject: '[makul x2] Сроки запросов: просрочено — 2, срок скоро истекает — 1',
    intro:
      'Среди запросов о персональных данных есть просроченные или такие, срок ответа на которые истекает в течение 2 рабочих дней.',
    overdueTitle: 'Просроченные запросы (2)',
    dueHeader: 'Срок (Asia/Bishkek)',
    actions: 'Что сделать (ID — номер запроса):',
  },
  en: {
    subject: '[makul x2] Request deadlines: 2 overdue, 1 due soon',
    intro: 'Some personal-data requests are past their legal due date or due within the next 2 working days.',
    overdueTitle: 'Overdue requests (2)',
    dueHeader: 'Due (Asia/Bishkek)',
    actions: 'What to do (ID is the request number):',
  },
};

describe('renderDeadlineDigest', () => {
  it.each(LANGUAGES)('writes the subject, the introduction and the tables in %s', (language) => {
    const digest = renderDeadlineDigest(input({ language }));
    const expected = EXPECTED[language];

    expect(digest.subject).toBe(expected.subject);
    expect(digest.text).toContain(expected.intro);
    expect(digest.text).toContain(expected.overdueTitle);
    expect(digest.text).toContain(expected.dueHeader);
    expect(digest.text).toContain(expected.actions);
    expect(digest.html).toContain(`<html lang="${language}">`);
    expect(digest.html).toContain(expected.overdueTitle);
  });

  it('lays each section out as a plain table, due dates in the jurisdiction’s zone, days overdue for the late ones', () => {
    const { text } = renderDeadlineDigest(input());

    expect(text).toContain(
      [
        'Overdue requests (2)',
        '',
        'Request       Kind    Status       Due (Asia/Bishkek)  Days overdue  Waiting for',
        'MK-REVIEW001  -       needs-human  2031-02-26 23:59    9             —',
        'MK-OVERDUE01  access  in-progress  2031-03-06 23:59    1             crm, helpdesk',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        'Requests due soon (1)',
        '',
        'Request      Kind     Status  Due (Asia/Bishkek)  Days overdue  Waiting for',
        'MK-SOON0001  erasure  held    2031-03-11 23:59    —             —',
      ].join('\n'),
    );
    expect(text).toContain('Checked: 2031-03-07 10:00 (Asia/Bishkek).');
  });

  it.each([
    ['ky', 'Жообу күтүлүп жаткан системалар'],
    ['ru', 'Ждём ответа систем'],
    ['en', 'Waiting for'],
  ] as const)('names in %s the systems a request waits for, in the text and the HTML', (language, header) => {
    const { text, html } = renderDeadlineDigest(input({ language }));

    expect(text).toMatch(new RegExp(`${header}\\n.*MK-REVIEW001.*—\\n.*MK-OVERDUE01.*crm, helpdesk\\n`));
    expect(html).toContain(`>${header}</th>`);
    expect(html).toContain('>crm, helpdesk</td>');
  });

  it('gives the commands to act, pointed at this deployment', () => {
    const { text, html } = renderDeadlineDigest(input());

    for (const command of [
      'npx makul requests show ID --operator x2 --requests-table makul-x2-requests',
      'npx makul requests extend ID --reason "…" --operator x2 --requests-table makul-x2-requests',
      'npx makul requests complete ID --operator x2 --requests-table makul-x2-requests',
      'npx makul requests reject ID --reason "…" --operator x2 --requests-table makul-x2-requests',
    ]) {
      expect(text).toContain(`- ${command}`);
    }
    expect(html).toContain('<code>npx makul requests extend ID --reason &quot;…&quot; --operator x2');
  });

  it('leaves out an empty section', () => {
    const { text } = renderDeadlineDigest(input({ dueSoon: [] }));

    expect(text).not.toContain('due soon (');
    expect(text).toContain('Overdue requests (2)');
  });

  it('counts the requests awaiting confirmation in one line, in each language, without listing them', () => {
    const lines = LANGUAGES.map(
      (language) => renderDeadlineDigest(input({ language, awaitingVerification: 4 })).text,
    );

    expect(lines[0]).toContain('Жөнөтүүчүнүн ырастоосун күтүп жаткандар');
    expect(lines[1]).toContain('Ожидают подтверждения отправителем');
    expect(lines[2]).toContain("Awaiting the sender's confirmation");
    for (const text of lines) expect(text).toContain('): 4.');
    expect(renderDeadlineDigest(input()).text).not.toContain('Awaiting');
  });

  it('says "today" with no working days ahead, and agrees the Russian plural with the number', () => {
    const intro = (language: Language, days: number) =>
      renderDeadlineDigest(input({ language, dueSoonWorkingDays: days })).text;

    expect(intro('en', 0)).toContain('or due today.');
    expect(intro('ru', 0)).toContain('истекает сегодня.');
    expect(intro('ky', 0)).toContain('же бүгүн бүтө тургандары бар.');
    expect(intro('en', 1)).toContain('within the next 1 working day.');
    expect(intro('ru', 1)).toContain('в течение 1 рабочего дня.');
    expect(intro('ru', 5)).toContain('в течение 5 рабочих дней.');
    expect(intro('ru', 21)).toContain('в течение 21 рабочего дня.');
    expect(intro('ru', 11)).toContain('в течение 11 рабочих дней.');
  });

  it(`shows at most ${MAX_DIGEST_ROWS} rows a section and says how to list the rest`, () => {
    const many = Array.from({ length: MAX_DIGEST_ROWS + 5 }, (_, index) => ({
      ...overdue,
      requestId: `MK-MANY${String(index).padStart(5, '0')}`,
    }));

    const { text } = renderDeadlineDigest(input({ overdue: many }));

    expect(text).toContain('MK-MANY00099');
    expect(text).not.toContain('MK-MANY00100');
    expect(text).toContain(
      '…and 5 more. The full list: npx makul requests list --overdue --operator x2 --requests-table makul-x2-requests',
    );
  });

  it('escapes everything it puts into HTML', () => {
    const { html } = renderDeadlineDigest(
      input({ overdue: [{ ...overdue, requestId: 'MK-<b>1</b>' }], cliTarget: '--local' }),
    );

    expect(html).toContain('MK-&lt;b&gt;1&lt;/b&gt;');
    expect(html).not.toContain('<b>1</b>');
  });

  it('holds ids, kinds, statuses and dates only: no address, no personal data field', () => {
    const { subject, text, html } = renderDeadlineDigest(input());

    expect(`${subject}\n${text}\n${html}`).not.toMatch(/@/);
  });
});

describe('localDateTime', () => {
  it('shows the wall clock of the zone, to the minute', () => {
    expect(localDateTime(new Date('2026-12-31T20:59:59Z'), 'Europe/Moscow')).toBe('2026-12-31 23:59');
    expect(localDateTime(new Date('2026-12-31T18:00:00Z'), 'Asia/Bishkek')).toBe('2027-01-01 00:00');
  });
});

import { describe, expect, it } from 'vitest';
import {
  confirmButtonLabel,
  escapeHtml,
  formatReplyDate,
  kindName,
  type ReplyInput,
  renderReply,
} from '../../../../functions/domain/replies/reply-templates';
import { LANGUAGES, REQUEST_KINDS } from '../../../../functions/domain/requests/request-kinds';
import type { ReplyOutcome } from '../../../../functions/domain/requests/request-policies';

const OUTCOMES: readonly ReplyOutcome[] = ['done', 'verify', 'accepted'];
const OPERATOR_NAMES = { ky: '«Икс2» ЖЧК', ru: 'ООО «Икс2»', en: 'X2 LLC' } as const;
const ACTION_URL = 'https://privacy.x2.kg/confirm#token=q7Z3xk';

function replyInput(overrides: Partial<ReplyInput> = {}): ReplyInput {
  return {
    kind: 'erasure',
    language: 'en',
    outcome: 'verify',
    requestId: 'MK-7H3K9QF2XA',
    operatorName: 'X2 LLC',
    // 21:30 UTC is 03:30 the next day in Bishkek (UTC+6): the date only comes out right in the zone.
    receivedAt: new Date('2026-03-05T21:30:00Z'),
    dueAt: new Date('2026-03-12T18:00:00Z'),
    timeZone: 'Asia/Bishkek',
    actionUrl: ACTION_URL,
    actionExpiresAt: new Date('2026-03-07T21:30:00Z'),
    ...overrides,
  };
}

/** The received date as each language writes it in Bishkek time. */
const RECEIVED_IN_BISHKEK = {
  en: '6 March 2026 at 03:30 GMT+6',
  ru: '6 марта 2026 г. в 03:30 GMT+6',
  ky: '2026-ж., 6-март 03:30 GMT+6',
} as const;

describe('renderReply', () => {
  it('renders every outcome for every kind in every language with all parts filled in', () => {
    for (const language of LANGUAGES) {
      for (const kind of REQUEST_KINDS) {
        for (const outcome of OUTCOMES) {
          // Arrange
          const input = replyInput({ language, kind, outcome, operatorName: OPERATOR_NAMES[language] });

          // Act
          const reply = renderReply(input);

          // Assert
          const where = `${language}/${kind}/${outcome}`;
          for (const part of [reply.subject, reply.text, reply.html]) {
            expect(part, where).not.toMatch(/[{}]|undefined|null|NaN|Invalid Date/);
          }
          expect(reply.subject, where).toContain('MK-7H3K9QF2XA');
          expect(reply.subject, where).toContain(kindName(kind, language));
          expect(reply.text, where).toContain('MK-7H3K9QF2XA');
          expect(reply.text, where).toContain(OPERATOR_NAMES[language]);
          expect(reply.text, where).toContain(RECEIVED_IN_BISHKEK[language]);
          expect(reply.html, where).toContain(`lang="${language}"`);
          if (outcome !== 'done') {
            expect(reply.text, where).toContain(ACTION_URL);
            expect(reply.html, where).toContain(`href="${ACTION_URL}"`);
          }
        }
      }
    }
  });

  it('uses different texts for different kinds and outcomes', () => {
    const texts = new Set<string>();
    for (const kind of REQUEST_KINDS) {
      for (const outcome of OUTCOMES) {
        texts.add(renderReply(replyInput({ kind, outcome, language: 'ky' })).text);
      }
    }

    expect(texts.size).toBe(REQUEST_KINDS.length * OUTCOMES.length);
  });

  it('writes Kyrgyz with the Kyrgyz letters ң, ө and ү', () => {
    const reply = renderReply(replyInput({ language: 'ky' }));

    expect(reply.text).toMatch(/ң/);
    expect(reply.text).toMatch(/ө/);
    expect(reply.text).toMatch(/ү/);
  });

  it('tells the person to open the link and press Confirm, when it expires, and to ignore the mail if it was not them', () => {
    const expectations = {
      en: [
        'press “Confirm”',
        'valid until 8 March 2026 at 03:30 GMT+6',
        'ignore this email and nothing will change',
      ],
      ru: ['нажмите «Подтвердить»', 'действительна до 8 марта 2026 г. в 03:30 GMT+6', 'ничего не изменится'],
      ky: [
        '«Ырастоо» баскычын басыңыз',
        'жарактуулук мөөнөтү: 2026-ж., 8-март 03:30 GMT+6',
        'эч нерсе өзгөрбөйт',
      ],
    } as const;

    for (const language of LANGUAGES) {
      const reply = renderReply(replyInput({ language, outcome: 'verify' }));

      for (const phrase of expectations[language]) expect(reply.text).toContain(phrase);
      expect(reply.text).toContain(confirmButtonLabel(language));
    }
  });

  it('offers a "this was not me" link and states the deadline when a request is accepted', () => {
    const expectations = {
      en: ['If this was not you, open this link:', 'no later than 13 March 2026 at 00:00 GMT+6'],
      ru: ['Если это были не вы, откройте эту ссылку:', 'не позднее 13 марта 2026 г. в 00:00 GMT+6'],
      ky: ['Эгер бул сиз болбосоңуз, бул шилтемени ачыңыз:', 'акыркы мөөнөтү: 2026-ж., 13-март 00:00 GMT+6'],
    } as const;

    for (const language of LANGUAGES) {
      const reply = renderReply(replyInput({ language, outcome: 'accepted' }));

      for (const phrase of expectations[language]) expect(reply.text).toContain(phrase);
      const notMe = reply.text.indexOf(expectations[language][0]);
      expect(reply.text.indexOf(ACTION_URL)).toBeGreaterThan(notMe);
    }
  });

  it('says an unsubscribe is done and that no more marketing will come from the operator', () => {
    const reply = renderReply(
      replyInput({ kind: 'unsubscribe', outcome: 'done', actionUrl: undefined, actionExpiresAt: undefined }),
    );

    expect(reply.subject).toBe('Unsubscribe from marketing: done — MK-7H3K9QF2XA');
    expect(reply.text).toContain('X2 LLC will send you no more marketing messages.');
    expect(reply.text).not.toContain('http');
  });

  it('formats dates in the given time zone', () => {
    const moscow = renderReply(replyInput({ language: 'ru', timeZone: 'Europe/Moscow' }));

    expect(moscow.text).toContain('6 марта 2026 г. в 00:30 GMT+3');
  });

  it('escapes the operator name and the link in the HTML part', () => {
    const reply = renderReply(
      replyInput({
        outcome: 'accepted',
        operatorName: '<script>alert("x")</script> & Co',
        actionUrl: 'https://privacy.x2.kg/not-me?a=1&b="2"#t',
      }),
    );

    expect(reply.html).not.toContain('<script>');
    expect(reply.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(reply.html).toContain('href="https://privacy.x2.kg/not-me?a=1&amp;b=&quot;2&quot;#t"');
    expect(reply.html).not.toMatch(/href="[^"]*"[^>]*"2/);
  });

  it('never puts anything but the kind and the request id into the subject', () => {
    const reply = renderReply(replyInput({ language: 'ru', outcome: 'accepted', kind: 'access' }));

    expect(reply.subject).toBe('Запрос принят: Доступ к персональным данным — MK-7H3K9QF2XA');
  });

  it('refuses a verify reply without a link or without an expiry time', () => {
    expect(() => renderReply(replyInput({ outcome: 'verify', actionUrl: undefined }))).toThrow(/actionUrl/);
    expect(() => renderReply(replyInput({ outcome: 'verify', actionExpiresAt: undefined }))).toThrow(
      /actionExpiresAt/,
    );
  });

  it('refuses an accepted reply without its "this was not me" link', () => {
    expect(() => renderReply(replyInput({ outcome: 'accepted', actionUrl: undefined }))).toThrow(/actionUrl/);
  });

  it('refuses a link that is not http(s), so no script can hide in an href', () => {
    for (const actionUrl of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'not a url']) {
      expect(() => renderReply(replyInput({ actionUrl }))).toThrow(/actionUrl/);
    }
  });

  it('ends the text with a line break and separates paragraphs with blank lines', () => {
    const reply = renderReply(replyInput());

    expect(reply.text.endsWith('\n')).toBe(true);
    expect(reply.text.split('\n\n').length).toBeGreaterThan(5);
  });
});

describe('kindName', () => {
  it('names every kind in every language, differently per kind', () => {
    for (const language of LANGUAGES) {
      const names = REQUEST_KINDS.map((kind) => kindName(kind, language));

      expect(new Set(names).size).toBe(REQUEST_KINDS.length);
      for (const name of names) expect(name.trim()).not.toBe('');
    }
  });

  it('uses the policies’ own phrases where they exist', () => {
    expect(kindName('update-data', 'ky')).toBe('Жеке маалыматтарды актуалдаштыруу');
    expect(kindName('update-data', 'ru')).toBe('Актуализация персональных данных');
    expect(kindName('withdraw-consent', 'ru')).toBe('Отзыв согласия на обработку персональных данных');
  });
});

describe('formatReplyDate', () => {
  it('writes day, month, year, time and UTC offset in the language', () => {
    const date = new Date('2026-03-05T10:07:00Z');

    expect(formatReplyDate(date, 'en', 'Asia/Bishkek')).toBe('5 March 2026 at 16:07 GMT+6');
    expect(formatReplyDate(date, 'ru', 'Asia/Bishkek')).toBe('5 марта 2026 г. в 16:07 GMT+6');
    expect(formatReplyDate(date, 'ky', 'Asia/Bishkek')).toBe('2026-ж., 5-март 16:07 GMT+6');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  type PageContext,
  type PageView,
  type ResultOutcome,
  renderPage,
} from '../../../../functions/domain/pages/render-page';
import {
  confirmButtonLabel,
  formatReplyDate,
  kindName,
} from '../../../../functions/domain/replies/reply-templates';
import { LANGUAGES, type Language, REQUEST_KINDS } from '../../../../functions/domain/requests/request-kinds';

const OPERATOR_NAMES = { ky: '«Х2» ЖЧК', ru: 'ОсОО «Х2»', en: 'X2 LLC' } as const;
const SELF_PATH = '/c/q7Z3xkP0aLmN4vB8';
// 21:30 UTC is 03:30 the next day in Bishkek (UTC+6): the date only comes out right in the zone.
const RECEIVED_AT = new Date('2026-03-05T21:30:00Z');
const DUE_AT = new Date('2026-03-12T18:00:00Z');
const DESTRUCTION_BY = new Date('2026-04-04T18:00:00Z');
const RESULT_OUTCOMES: readonly ResultOutcome[] = [
  'confirmed',
  'cancelled',
  'lifted',
  'address-confirmed',
  'unsubscribed',
  'sent-to-staff',
  'too-late',
];
const XSS_PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'] as const;

function pageContext(overrides: Partial<PageContext> = {}): PageContext {
  const language = overrides.language ?? 'en';
  return {
    language,
    operatorName: OPERATOR_NAMES[language],
    supportAddress: 'privacy@x2.kg',
    timeZone: 'Asia/Bishkek',
    selfPath: SELF_PATH,
    ...overrides,
  };
}

/** One view of every page, with every optional part filled in. */
function everyView(): readonly PageView[] {
  return [
    {
      page: 'confirm',
      kind: 'update-data',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      changes: [{ label: 'Phone', masked: '+7 916 ***-**-67' }],
      rejected: [{ label: 'Birth date', reason: 'invalid-date' }],
    },
    {
      page: 'confirm',
      kind: 'stop-dissemination',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      dataItems: ['Photo'],
    },
    {
      page: 'confirm',
      kind: 'erasure',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      destructionBy: DESTRUCTION_BY,
    },
    { page: 'dispute', kind: 'erasure', requestId: 'MK-7H3K9QF2XA', receivedAt: RECEIVED_AT },
    { page: 'lift-restriction', requestId: 'MK-7H3K9QF2XA', restrictedSince: RECEIVED_AT },
    { page: 'confirm-address', requestId: 'MK-7H3K9QF2XA', maskedAddress: 'a***@example.org' },
    { page: 'unsubscribe' },
    ...RESULT_OUTCOMES.map(
      (outcome): PageView => ({
        page: 'result',
        outcome,
        kind: 'erasure',
        requestId: 'MK-7H3K9QF2XA',
        dueAt: DUE_AT,
        destructionBy: DESTRUCTION_BY,
      }),
    ),
    { page: 'unavailable' },
    { page: 'too-many-attempts' },
    { page: 'not-found' },
  ];
}

function expectedStatus(view: PageView): number {
  switch (view.page) {
    case 'unavailable':
    case 'not-found':
      return 404;
    case 'too-many-attempts':
      return 429;
    case 'result':
      return view.outcome === 'too-late' ? 409 : 200;
    default:
      return 200;
  }
}

function forms(html: string): string[] {
  return html.match(/<form[\s\S]*?<\/form>/g) ?? [];
}

function buttons(html: string): string[] {
  return html.match(/<button[^>]*>[^<]*<\/button>/g) ?? [];
}

/** Every href and form action in the page. */
function targets(html: string): string[] {
  return [...html.matchAll(/\b(?:href|action)="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('renderPage', () => {
  it('renders every page in every language with its lang attribute, one heading, the viewport and its status', () => {
    for (const language of LANGUAGES) {
      for (const view of everyView()) {
        // Arrange
        const context = pageContext({ language });

        // Act
        const page = renderPage(view, context);

        // Assert
        const where = `${language}/${view.page}/${'outcome' in view ? view.outcome : ''}`;
        expect(page.statusCode, where).toBe(expectedStatus(view));
        expect(page.html, where).toMatch(/^<!DOCTYPE html>\n<html lang="(ky|ru|en)">/);
        expect(page.html, where).toContain(`<html lang="${language}">`);
        expect(page.html, where).toContain(
          '<meta name="viewport" content="width=device-width, initial-scale=1">',
        );
        expect(page.html.match(/<main>/g), where).toHaveLength(1);
        expect(page.html.match(/<h1>/g), where).toHaveLength(1);
        expect(page.html, where).toContain(`<a href="mailto:privacy@x2.kg">privacy@x2.kg</a>`);
        expect(page.html, where).not.toMatch(/undefined|null|NaN|Invalid Date|\[object/);
      }
    }
  });

  it('offers on the confirm page the Confirm button named in the mail and a "this was not me" button that cancels', () => {
    for (const language of LANGUAGES) {
      for (const kind of REQUEST_KINDS) {
        // Arrange
        const view: PageView = {
          page: 'confirm',
          kind,
          requestId: 'MK-7H3K9QF2XA',
          receivedAt: RECEIVED_AT,
          dueAt: DUE_AT,
        };

        // Act
        const { html } = renderPage(view, pageContext({ language }));

        // Assert
        const [form, ...others] = forms(html);
        expect(others).toHaveLength(0);
        expect(form).toContain(`<form method="post" action="${SELF_PATH}">`);
        expect(form).toContain(`<input type="hidden" name="lang" value="${language}">`);
        const [confirm, cancel, ...more] = buttons(html);
        expect(more).toHaveLength(0);
        expect(confirm).toBe(
          `<button type="submit" name="action" value="confirm">${confirmButtonLabel(language)}</button>`,
        );
        expect(cancel).toMatch(
          /^<button type="submit" name="action" value="cancel" class="secondary">.+<\/button>$/,
        );
      }
    }
  });

  it('offers on the dispute page a single button that cancels the request', () => {
    for (const language of LANGUAGES) {
      const view: PageView = {
        page: 'dispute',
        kind: 'erasure',
        requestId: 'MK-7H3K9QF2XA',
        receivedAt: RECEIVED_AT,
      };

      const { html } = renderPage(view, pageContext({ language }));

      expect(forms(html)).toHaveLength(1);
      expect(buttons(html)).toEqual([
        expect.stringMatching(/^<button type="submit" name="action" value="cancel">.+<\/button>$/),
      ]);
      expect(html).toContain(kindName('erasure', language));
    }
  });

  it('offers on the lift-restriction and confirm-address pages a single Confirm button', () => {
    const views: readonly PageView[] = [
      { page: 'lift-restriction', requestId: 'MK-7H3K9QF2XA', restrictedSince: RECEIVED_AT },
      { page: 'confirm-address', requestId: 'MK-7H3K9QF2XA', maskedAddress: 'a***@example.org' },
    ];
    for (const language of LANGUAGES) {
      for (const view of views) {
        const { html } = renderPage(view, pageContext({ language }));

        expect(forms(html)).toHaveLength(1);
        expect(html).toContain(`<input type="hidden" name="lang" value="${language}">`);
        expect(buttons(html)).toEqual([
          `<button type="submit" name="action" value="confirm">${confirmButtonLabel(language)}</button>`,
        ]);
        expect(html).toContain('MK-7H3K9QF2XA');
      }
    }
  });

  it('posts List-Unsubscribe=One-Click and the language from the unsubscribe page, never acting on GET', () => {
    const labels = { ky: 'Жазылуудан чыгуу', ru: 'Отписаться', en: 'Unsubscribe' } as const;
    for (const language of LANGUAGES) {
      const context = pageContext({ language, selfPath: '/u/q7Z3xkP0aLmN4vB8' });

      const { html } = renderPage({ page: 'unsubscribe' }, context);

      expect(forms(html)).toEqual([
        '<form method="post" action="/u/q7Z3xkP0aLmN4vB8">' +
          '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
          `<input type="hidden" name="lang" value="${language}">` +
          `<button type="submit">${labels[language]}</button></form>`,
      ]);
    }
  });

  it('shows no form on result, unavailable, too-many-attempts and not-found pages', () => {
    const formless = everyView().filter((view) =>
      ['result', 'unavailable', 'too-many-attempts', 'not-found'].includes(view.page),
    );
    for (const language of LANGUAGES) {
      for (const view of formless) {
        const { html } = renderPage(view, pageContext({ language }));

        expect(html).not.toContain('<form');
        expect(html).not.toContain('<button');
      }
    }
  });

  it('links to the same page in the three languages, named in their own language, marking the current one', () => {
    for (const language of LANGUAGES) {
      const { html } = renderPage({ page: 'unsubscribe' }, pageContext({ language }));

      const links = html.match(/<nav[\s\S]*<\/nav>/)?.[0] ?? '';
      expect(links).toContain(`<a href="${SELF_PATH}?lang=ky" hreflang="ky" lang="ky"`);
      expect(links).toContain(`<a href="${SELF_PATH}?lang=ru" hreflang="ru" lang="ru"`);
      expect(links).toContain(`<a href="${SELF_PATH}?lang=en" hreflang="en" lang="en"`);
      expect(links).toMatch(/>Кыргызча<\/a>[\s\S]*>Русский<\/a>[\s\S]*>English<\/a>/);
      expect(links.match(/aria-current="true"/g)).toHaveLength(1);
      expect(links).toContain(`lang="${language}" aria-current="true"`);
    }
  });

  it('adds the language to a self path that already has a query with "&"', () => {
    const { html } = renderPage({ page: 'unsubscribe' }, pageContext({ selfPath: '/u/abc?x=1' }));

    expect(html).toContain('href="/u/abc?x=1&amp;lang=ru"');
    expect(html).toContain('action="/u/abc?x=1"');
  });

  it('leaves the language switch off result pages, whose link has been used', () => {
    const { html } = renderPage({ page: 'result', outcome: 'confirmed' }, pageContext());

    expect(html).not.toContain('<nav');
  });

  it('states on the confirm page the kind, the request number, the received and due dates and what will happen', () => {
    for (const language of LANGUAGES) {
      const sentences = new Set<string>();
      for (const kind of REQUEST_KINDS) {
        const view: PageView = {
          page: 'confirm',
          kind,
          requestId: 'MK-7H3K9QF2XA',
          receivedAt: RECEIVED_AT,
          dueAt: DUE_AT,
        };

        const { html } = renderPage(view, pageContext({ language }));

        expect(html).toContain(kindName(kind, language));
        expect(html).toContain('<dd>MK-7H3K9QF2XA</dd>');
        expect(html).toContain(`<dd>${formatReplyDate(RECEIVED_AT, language, 'Asia/Bishkek')}</dd>`);
        expect(html).toContain(`<dd>${formatReplyDate(DUE_AT, language, 'Asia/Bishkek')}</dd>`);
        const whatHappens = html.split('<h2>')[1] ?? '';
        expect(whatHappens).toContain(OPERATOR_NAMES[language]);
        sentences.add(whatHappens);
      }
      expect(sentences.size).toBe(REQUEST_KINDS.length);
    }
  });

  it('writes the dates in Bishkek time after a label, as the mails do', () => {
    const view: PageView = {
      page: 'confirm',
      kind: 'erasure',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      destructionBy: DESTRUCTION_BY,
    };

    const { html } = renderPage(view, pageContext({ language: 'ky' }));

    expect(html).toContain('<dt>Алынган убакыт</dt><dd>2026-ж., 6-март 03:30 GMT+6</dd>');
    expect(html).toContain('<dt>Аткаруунун акыркы мөөнөтү</dt><dd>2026-ж., 13-март 00:00 GMT+6</dd>');
    expect(html).toContain(
      '<dt>Маалыматтарды жок кылуунун акыркы мөөнөтү</dt><dd>2026-ж., 5-апрель 00:00 GMT+6</dd>',
    );
  });

  it('never puts a date inside a Kyrgyz sentence, only in a labelled value', () => {
    for (const view of everyView()) {
      const { html } = renderPage(view, pageContext({ language: 'ky' }));

      for (const date of [RECEIVED_AT, DUE_AT, DESTRUCTION_BY]) {
        const formatted = formatReplyDate(date, 'ky', 'Asia/Bishkek');
        const occurrences = html.split(formatted).length - 1;
        const labelled = html.split(`<dd>${formatted}</dd>`).length - 1;
        expect(occurrences, view.page).toBe(labelled);
      }
    }
  });

  it('states the destruction date for withdraw-consent and erasure', () => {
    for (const kind of ['withdraw-consent', 'erasure'] as const) {
      const view: PageView = {
        page: 'confirm',
        kind,
        requestId: 'MK-7H3K9QF2XA',
        receivedAt: RECEIVED_AT,
        dueAt: DUE_AT,
        destructionBy: DESTRUCTION_BY,
      };

      const { html } = renderPage(view, pageContext());

      expect(html).toContain('<dt>Data to be destroyed by</dt><dd>5 April 2026 at 00:00 GMT+6</dd>');
    }
  });

  it('lists the masked changes of update-data in a table and the values that will not be changed, with why', () => {
    const view: PageView = {
      page: 'confirm',
      kind: 'update-data',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      changes: [
        { label: 'Phone', masked: '+7 916 ***-**-67' },
        { label: 'Last name', masked: 'И*****' },
      ],
      rejected: [
        { label: 'Second phone', reason: 'invalid-phone' },
        { label: 'Email', reason: 'invalid-email' },
      ],
    };

    const { html } = renderPage(view, pageContext());

    expect(html).toContain('X2 LLC will make these changes to your personal data:');
    expect(html).toContain('<tr><th scope="row">Phone</th><td class="value">+7 916 ***-**-67</td></tr>');
    expect(html).toContain('<tr><th scope="row">Last name</th><td class="value">И*****</td></tr>');
    expect(html).toContain('<h3>Will not be changed</h3>');
    expect(html).toContain('<li>Second phone — not a valid phone number</li>');
    expect(html).toContain('<li>Email — not a valid email address</li>');
  });

  it('says no data will change when every value of an update-data request was rejected', () => {
    const view: PageView = {
      page: 'confirm',
      kind: 'update-data',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      changes: [],
      rejected: [{ label: 'Birth date', reason: 'invalid-date' }],
    };

    const { html } = renderPage(view, pageContext({ language: 'ru' }));

    expect(html).toContain('поэтому данные не изменятся');
    expect(html).toContain('<li>Birth date — некорректная дата</li>');
    expect(html).not.toContain('<table');
  });

  it('names the data whose dissemination will stop', () => {
    const view: PageView = {
      page: 'confirm',
      kind: 'stop-dissemination',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      dataItems: ['Фотография', 'Место работы'],
    };

    const { html } = renderPage(view, pageContext({ language: 'ru' }));

    expect(html).toContain('ОсОО «Х2» прекратит распространение следующих персональных данных:');
    expect(html).toContain('<ul><li>Фотография</li><li>Место работы</li></ul>');
  });

  it('says on each result page what was done, with its own title', () => {
    for (const language of LANGUAGES) {
      const titles = new Set<string>();
      for (const outcome of RESULT_OUTCOMES) {
        const view: PageView = { page: 'result', outcome, kind: 'erasure', requestId: 'MK-7H3K9QF2XA' };

        const { html } = renderPage(view, pageContext({ language }));

        titles.add(html.match(/<h1>(.*)<\/h1>/)?.[1] ?? '');
        expect(html).toContain('<dd>MK-7H3K9QF2XA</dd>');
      }
      expect(titles.size).toBe(RESULT_OUTCOMES.length);
    }
  });

  it('repeats what will be done and by when once a request is confirmed', () => {
    const view: PageView = {
      page: 'result',
      outcome: 'confirmed',
      kind: 'erasure',
      requestId: 'MK-7H3K9QF2XA',
      dueAt: DUE_AT,
    };

    const { statusCode, html } = renderPage(view, pageContext());

    expect(statusCode).toBe(200);
    expect(html).toContain('<h1>Request confirmed</h1>');
    expect(html).toContain('X2 LLC will destroy your personal data, except data that must be kept by law.');
    expect(html).toContain('<dt>To be done by</dt><dd>13 March 2026 at 00:00 GMT+6</dd>');
  });

  it('answers too-late with 409 and tells the person to write to the support address quoting the number', () => {
    const view: PageView = { page: 'result', outcome: 'too-late', requestId: 'MK-7H3K9QF2XA' };

    const { statusCode, html } = renderPage(view, pageContext());

    expect(statusCode).toBe(409);
    expect(html).toContain('quote the request number: <a href="mailto:privacy@x2.kg">privacy@x2.kg</a>');
  });

  it('shows one identical unavailable page, with status 404, whatever the link', () => {
    for (const language of LANGUAGES) {
      // Arrange: an unknown, an expired and a used token look alike to the renderer, as they must.
      const paths = [
        '/c/unknownTokenAAAA',
        '/c/expiredTokenBBBB',
        '/c/usedTokenCCCC',
        '/u/x?y=1',
        ...XSS_PAYLOADS,
      ];

      // Act
      const pages = paths.map((selfPath) =>
        renderPage({ page: 'unavailable' }, pageContext({ language, selfPath })),
      );

      // Assert
      const first = pages[0];
      for (const page of pages) expect(page).toEqual(first);
      expect(first?.statusCode).toBe(404);
      expect(first?.html).not.toContain('Token');
      expect(first?.html).toContain('<a href="mailto:privacy@x2.kg">privacy@x2.kg</a>');
      expect(first?.html).toContain('href="?lang=ru"');
    }
  });

  it('does not reflect an arbitrary path on the not-found and too-many-attempts pages', () => {
    for (const page of ['not-found', 'too-many-attempts'] as const) {
      const { html } = renderPage({ page }, pageContext({ selfPath: '/wp-admin/secret-probe' }));

      expect(html).not.toContain('secret-probe');
    }
  });

  it('escapes script payloads in every value it is given', () => {
    for (const payload of XSS_PAYLOADS) {
      for (const language of LANGUAGES) {
        // Arrange
        const context = pageContext({
          language,
          operatorName: payload,
          supportAddress: payload,
          selfPath: `/c/${payload}`,
        });
        const views: readonly PageView[] = [
          {
            page: 'confirm',
            kind: 'update-data',
            requestId: payload,
            receivedAt: RECEIVED_AT,
            dueAt: DUE_AT,
            changes: [{ label: payload, masked: payload }],
            rejected: [{ label: payload, reason: 'invalid-phone' }],
          },
          {
            page: 'confirm',
            kind: 'stop-dissemination',
            requestId: payload,
            receivedAt: RECEIVED_AT,
            dueAt: DUE_AT,
            dataItems: [payload],
          },
          { page: 'dispute', kind: 'access', requestId: payload, receivedAt: RECEIVED_AT },
          { page: 'lift-restriction', requestId: payload, restrictedSince: RECEIVED_AT },
          { page: 'confirm-address', requestId: payload, maskedAddress: payload },
          { page: 'unsubscribe' },
          { page: 'result', outcome: 'too-late', requestId: payload, kind: 'erasure' },
          { page: 'unavailable' },
        ];

        for (const view of views) {
          // Act
          const { html } = renderPage(view, context);

          // Assert
          expect(html, view.page).not.toContain(payload);
          // Inert text may still read "onerror=alert(1)"; what matters is that no tag or attribute opens.
          expect(html, view.page).not.toMatch(/<script|<img/i);
          expect(html, view.page).toContain(
            payload.includes('<script>') ? '&lt;script&gt;' : '&quot;&gt;&lt;img',
          );
        }
      }
    }
  });

  it('keeps the links and the form on this site whatever the self path', () => {
    const hostile = [
      '//evil.example/c/x',
      '/\\evil.example/c/x',
      '\\\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'https://evil.example/',
      ' //evil.example',
    ];
    for (const selfPath of hostile) {
      const { html } = renderPage({ page: 'unsubscribe' }, pageContext({ selfPath }));

      for (const target of targets(html).filter((value) => !value.startsWith('mailto:'))) {
        expect(target, selfPath).toMatch(/^\/(?![/\\])/);
        expect(target, selfPath).not.toMatch(/[\s\\]/);
      }
    }
  });

  it('loads nothing from outside: no script, no external URL, no inline style attribute, one style block', () => {
    for (const language of LANGUAGES) {
      for (const view of everyView()) {
        const { html } = renderPage(view, pageContext({ language }));

        expect(html).not.toMatch(/<script/i);
        expect(html).not.toMatch(/https?:\/\//i);
        expect(html).not.toMatch(/\s(?:src|srcset|style|on[a-z]+)=/i);
        expect(html).not.toMatch(/<(?:link|img|iframe|object|embed|base)\b/i);
        expect(html.match(/<style>/g)).toHaveLength(1);
      }
    }
  });

  it('renders a page in well under a millisecond', () => {
    const view: PageView = {
      page: 'confirm',
      kind: 'erasure',
      requestId: 'MK-7H3K9QF2XA',
      receivedAt: RECEIVED_AT,
      dueAt: DUE_AT,
      destructionBy: DESTRUCTION_BY,
    };
    const contexts = LANGUAGES.map((language: Language) => pageContext({ language }));
    for (const context of contexts) renderPage(view, context);

    const started = performance.now();
    const rounds = 300;
    for (let round = 0; round < rounds; round += 1) renderPage(view, contexts[round % 3] as PageContext);
    const perPage = (performance.now() - started) / rounds;

    expect(perPage).toBeLessThan(0.5);
  });
});

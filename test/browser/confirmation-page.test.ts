/**
 * The confirmation page in a real browser: a request mail arrives, the link in makul's reply (captured
 * by the SES v2 emulator) is opened in Chromium through the local HTTP API, and its buttons are pressed
 * as a person would press them. The register and the subject's record show what happened.
 *
 * Markup in what a request mail says reaches the page only as text: those pages are opened twice, with
 * the Content-Security-Policy and without it (Playwright's bypassCSP), so that the escaping is tested on
 * its own and not only the policy that would stop an injected script anyway.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sendDeferredOutbound } from '../../functions/app/send-deferred-outbound';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import { PAGE_TEXTS } from '../../functions/domain/pages/page-texts';
import { LANGUAGES, type Language } from '../../functions/domain/requests/request-kinds';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { hashToken } from '../../functions/domain/tokens/verification-token';
import {
  arriveWithLink,
  computedStyleOf,
  follow,
  headingOf,
  injectedMarkerOf,
  languageOf,
  openPage,
  PHONE,
  pressButton,
  screenshot,
  usePagesStack,
  widthsOf,
} from '../support/browser';
import { HMAC_KEY } from '../support/inbound-harness';

const DESKTOP = { viewport: { width: 960, height: 540 } } as const;

const stack = usePagesStack(DESKTOP);

const WITHDRAW_CONSENT_RU = 'Отзыв согласия на обработку персональных данных';
const UPDATE_DATA_RU = 'Актуализация персональных данных';

const keyOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);

const arrive = (options: Parameters<typeof arriveWithLink>[1]) => arriveWithLink(stack.harness, options);

const open = (options?: BrowserContextOptions) => openPage(stack, options);
const press = (page: Page, action: 'confirm' | 'cancel') =>
  pressButton(page, `form button[value="${action}"]`);
const heading = headingOf;
const htmlLang = languageOf;
const statusOf = async (requestId: string) => (await stack.harness.requestItem(requestId))?.status?.S;

/** Moves a link's expiry into the past, as 72 hours would (the pages function reads the real clock). */
async function expireToken(link: string): Promise<void> {
  const token = link.slice(link.lastIndexOf('/') + 1);
  await stack.harness.client.send(
    new UpdateItemCommand({
      TableName: 'makul-requests',
      Key: { pk: { S: `TOKEN#${hashToken(token)}` }, sk: { S: 'TOKEN' } },
      UpdateExpression: 'SET expiresAtIso = :past',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':past': { S: new Date(Date.now() - 60_000).toISOString() } },
    }),
  );
}

/** Sends what the deferred-outbound job would send by now (notices after a confirmation wait for it). */
async function runDeferredOutbound(): Promise<void> {
  const { harness } = stack;
  harness.advanceClock(10 * 60 * 1000);
  try {
    await sendDeferredOutbound(harness.dependencies());
  } finally {
    harness.resetClock();
  }
}

describe('the confirmation page', () => {
  it('opens from the link in the mail in the language of the request, and in the others by its links', async () => {
    const { link, requestId } = await arrive({
      address: 'languages@example.kg',
      subject: WITHDRAW_CONSENT_RU,
    });
    const { page, watch } = await open();

    const opened = await page.goto(link);
    const first = { lang: await htmlLang(page), heading: await heading(page) };
    const mainText = await page.locator('main').textContent();
    const seen: Record<string, { lang: string | null; heading: string | null }> = {};
    for (const language of ['ky', 'en', 'ru'] as const satisfies readonly Language[]) {
      await follow(page, `nav a[hreflang="${language}"]`);
      seen[language] = { lang: await htmlLang(page), heading: await heading(page) };
      await screenshot(page, `confirm-${language}`);
    }

    expect(opened?.status()).toBe(200);
    expect(first).toEqual({ lang: 'ru', heading: PAGE_TEXTS.ru.confirm.title });
    expect(mainText).toContain(requestId);
    for (const language of LANGUAGES) {
      expect(seen[language]).toEqual({ lang: language, heading: PAGE_TEXTS[language].confirm.title });
    }
    expect(new Set(LANGUAGES.map((language) => seen[language]?.heading)).size).toBe(LANGUAGES.length);
    expect(await page.locator('nav a[aria-current]').getAttribute('hreflang')).toBe('ru');
    expect(await page.locator('form button[value="confirm"]').isVisible()).toBe(true);
    expect(await page.locator('form button[value="cancel"]').isVisible()).toBe(true);
    expect(await statusOf(requestId)).toBe('awaiting-verification');
    expect(watch.consoleErrors).toEqual([]);
  });

  it('applies the request when Confirm is pressed, and the confirmation notice follows', async () => {
    const address = 'confirms@example.kg';
    const { link, requestId } = await arrive({ address, subject: WITHDRAW_CONSENT_RU });
    const { page, watch } = await open();
    await page.goto(link);

    const answer = await press(page, 'confirm');

    expect(answer.status()).toBe(200);
    expect(await heading(page)).toBe(PAGE_TEXTS.ru.result.confirmed.title);
    expect(await statusOf(requestId)).toBe('in-progress');
    expect(await stack.harness.subjectProfile(keyOf(address))).toMatchObject({
      consentWithdrawn: { BOOL: true },
      consentWithdrawnBy: { SS: [requestId] },
    });
    await runDeferredOutbound();
    const mails = await stack.harness.sentTo(address);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toContain(requestId);
    expect(watch.consoleErrors).toEqual([]);
    await screenshot(page, 'confirmed-ru');
  });

  it('cancels the request when "This was not me" is pressed, and applies nothing', async () => {
    const address = 'not-me@example.kg';
    const { link, requestId } = await arrive({ address, subject: 'delete my data' });
    const { page } = await open();
    await page.goto(link);

    const answer = await press(page, 'cancel');

    expect(answer.status()).toBe(200);
    expect(await heading(page)).toBe(PAGE_TEXTS.en.result.cancelled.title);
    expect(await statusOf(requestId)).toBe('cancelled');
    expect(await stack.harness.subjectProfile(keyOf(address))).toBeUndefined();
    await screenshot(page, 'cancelled-en');
  });

  it('changes nothing when a mail scanner fetches the link, however often', async () => {
    const address = 'scanned@example.kg';
    const { link, requestId } = await arrive({ address, subject: WITHDRAW_CONSENT_RU });

    const fetched = [];
    for (let scan = 0; scan < 4; scan += 1) {
      const response = await fetch(link, { headers: { 'user-agent': 'LinkScanner/1.0' } });
      fetched.push({
        status: response.status,
        hasForm: (await response.text()).includes('<form method="post"'),
      });
    }

    expect(fetched).toEqual(Array.from({ length: 4 }, () => ({ status: 200, hasForm: true })));
    expect(await statusOf(requestId)).toBe('awaiting-verification');
    expect(await stack.harness.subjectProfile(keyOf(address))).toBeUndefined();
    // The link still works for its owner afterwards: the scans spent nothing.
    const { page } = await open();
    await page.goto(link);
    expect((await press(page, 'confirm')).status()).toBe(200);
    expect(await statusOf(requestId)).toBe('in-progress');
  });

  it('shows the neutral "link does not work" page for a used link, the same as for an unknown one', async () => {
    const { link } = await arrive({ address: 'reused@example.kg', subject: WITHDRAW_CONSENT_RU });
    const { page } = await open();
    await page.goto(link);
    await press(page, 'confirm');

    const reopened = await page.goto(link);
    const reopenedHtml = await reopened?.text();
    const unknown = await page.goto(`${stack.pages.url}/c/${'A'.repeat(43)}`);

    expect(reopened?.status()).toBe(404);
    expect(unknown?.status()).toBe(404);
    expect(reopenedHtml).toBe(await unknown?.text());
    expect(await heading(page)).toBe(PAGE_TEXTS.ky.unavailable.title);
    expect(await page.locator('form').count()).toBe(0);
    await screenshot(page, 'unavailable-ky');
  });

  it('answers an expired link, and a button pressed on a page opened before it expired, neutrally', async () => {
    const address = 'expired@example.kg';
    const { link, requestId } = await arrive({ address, subject: WITHDRAW_CONSENT_RU });
    const { page } = await open();
    await page.goto(link);
    const unknownHtml = await (await fetch(`${stack.pages.url}/c/${'B'.repeat(43)}?lang=ru`)).text();
    await expireToken(link);

    const pressed = await press(page, 'confirm');
    const pressedHtml = await pressed.text();
    const reopened = await page.goto(`${link}?lang=ru`);

    expect(pressed.status()).toBe(404);
    expect(reopened?.status()).toBe(404);
    expect(await heading(page)).toBe(PAGE_TEXTS.ru.unavailable.title);
    expect(pressedHtml).toBe(unknownHtml);
    expect(await reopened?.text()).toBe(unknownHtml);
    expect(await statusOf(requestId)).toBe('awaiting-verification');
    expect(await stack.harness.subjectProfile(keyOf(address))).toBeUndefined();
  });

  it('works without JavaScript: the link opens and Confirm applies the request', async () => {
    const address = 'no-script@example.kg';
    const { link, requestId } = await arrive({ address, subject: WITHDRAW_CONSENT_RU });
    const { page } = await open({ ...DESKTOP, javaScriptEnabled: false });

    const shown = await page.goto(link);
    const answer = await press(page, 'confirm');

    expect(shown?.status()).toBe(200);
    expect(answer.status()).toBe(200);
    expect(await heading(page)).toBe(PAGE_TEXTS.ru.result.confirmed.title);
    expect(await statusOf(requestId)).toBe('in-progress');
    expect(await stack.harness.subjectProfile(keyOf(address))).toMatchObject({
      consentWithdrawn: { BOOL: true },
    });
  });

  it('loads nothing from anywhere but makul, and its Content-Security-Policy blocks nothing it needs', async () => {
    const { link } = await arrive({ address: 'requests@example.kg', subject: WITHDRAW_CONSENT_RU });
    const { page, watch } = await open();

    const shown = await page.goto(link);
    await follow(page, 'nav a[hreflang="en"]');
    // The one style sheet applies (the policy allows it by its hash): the button has the accent colour.
    const buttonColour = await computedStyleOf(page, 'form button[value="confirm"]', 'background-color');
    await press(page, 'confirm');

    expect(shown?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(buttonColour).toBe('rgb(11, 79, 138)');
    const hosts = new Set(watch.requests.map((url) => new URL(url).hostname));
    expect(hosts).toEqual(new Set(['127.0.0.1']));
    expect(watch.requests.length).toBeGreaterThanOrEqual(3);
    expect(watch.consoleErrors).toEqual([]);
  });
});

describe('the confirmation page on a phone', () => {
  it('fits a 390 px wide screen without horizontal scrolling', async () => {
    const body = 'Прошу изменить мои данные.\r\nТелефон: 0555 123 456\r\nEmail: new.address@example.kg\r\n';
    const { link } = await arrive({ address: 'phone@example.kg', subject: UPDATE_DATA_RU, body });
    const { page } = await open(PHONE);

    await page.goto(link);

    const widths = await widthsOf(page);
    expect(widths.inner).toBe(390);
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    expect(await page.locator('table').isVisible()).toBe(true);
    await screenshot(page, 'confirm-update-data-mobile-ru');
  });
});

describe('markup in what the subject wrote', () => {
  const SCRIPT = '<script>window.__xss=1</script>';
  const ATTRIBUTE = '"><img src=x onerror="window.__xss=1">';

  /**
   * Opens the link with the Content-Security-Policy on and, to test the escaping alone, off; returns
   * the text of the page's main part.
   */
  async function assertInert(link: string, name: string): Promise<string> {
    let mainText = '';
    for (const bypassCSP of [false, true]) {
      const { page, watch } = await open({ ...DESKTOP, bypassCSP });

      const shown = await page.goto(link);

      expect(shown?.status()).toBe(200);
      expect(await injectedMarkerOf(page)).toBe('undefined');
      expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
      expect(watch.dialogs).toEqual([]);
      // Without the policy Chromium also asks for /favicon.ico (a 404 here); the policy forbids that.
      const errors = bypassCSP
        ? watch.consoleErrors.filter((error) => !error.endsWith('/favicon.ico)'))
        : watch.consoleErrors;
      expect(errors).toEqual([]);
      expect(new Set(watch.requests.map((url) => new URL(url).hostname))).toEqual(new Set(['127.0.0.1']));
      mainText = (await page.locator('main').textContent()) ?? '';
      if (!bypassCSP) await screenshot(page, name);
    }
    return mainText;
  }

  it('does not run a script or an attribute injection in the sender name or the subject', async () => {
    const address = 'xss-header@example.kg';
    const { link, requestId } = await arrive({
      address,
      // A quoted display name; its own quotes escaped as RFC 5322 quoted-pairs, so they arrive as written.
      from: `"${SCRIPT} ${ATTRIBUTE.replaceAll('"', '\\"')}" <${address}>`,
      subject: `${WITHDRAW_CONSENT_RU} ${SCRIPT} ${ATTRIBUTE}`,
    });

    const mainText = await assertInert(link, 'confirm-hostile-headers');

    expect(mainText).toContain(requestId);
    expect(await statusOf(requestId)).toBe('awaiting-verification');
  });

  it('makes no element of the values of an update-data request, and still shows the valid change', async () => {
    const body = [
      'Прошу изменить мои данные.',
      `Имя: ${SCRIPT}`,
      `Фамилия: ${ATTRIBUTE}`,
      `Email: ${ATTRIBUTE}@example.kg`,
      'Телефон: 0555 123 456',
      '',
    ].join('\r\n');
    const { link } = await arrive({ address: 'xss-body@example.kg', subject: UPDATE_DATA_RU, body });

    const mainText = await assertInert(link, 'confirm-hostile-update-data');

    expect(mainText).toContain('+996 555 **-**-56');
  });

  it('reflects nothing of a path or a query with markup', async () => {
    const { page, watch } = await open({ ...DESKTOP, bypassCSP: true });

    const path = await page.goto(`${stack.pages.url}/c/${encodeURIComponent(ATTRIBUTE + SCRIPT)}`);
    const pathHtml = await page.content();
    const query = await page.goto(
      `${stack.pages.url}/c/${'C'.repeat(43)}?lang=${encodeURIComponent(SCRIPT)}`,
    );

    expect(path?.status()).toBe(404);
    expect(query?.status()).toBe(404);
    for (const html of [pathHtml, await page.content()]) {
      expect(html).not.toContain('__xss');
    }
    expect(await injectedMarkerOf(page)).toBe('undefined');
    expect(watch.dialogs).toEqual([]);
  });
});

/**
 * The one-click unsubscribe page (RFC 8058) in a real browser: the link a marketing mail carries in its
 * List-Unsubscribe header, opened in Chromium through the local HTTP API. GET shows a button; only
 * pressing it (a POST of List-Unsubscribe=One-Click, as a mail provider's own button sends) opts out.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import { PAGE_TEXTS } from '../../functions/domain/pages/page-texts';
import { listUnsubscribeHeaders } from '../../functions/domain/replies/list-unsubscribe-headers';
import { LANGUAGES } from '../../functions/domain/requests/request-kinds';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { unsubscribeLinkKey } from '../../functions/domain/tokens/unsubscribe-token';
import {
  follow,
  headingOf,
  languageOf,
  openPage,
  PHONE,
  pressButton,
  screenshot,
  usePagesStack,
  widthsOf,
} from '../support/browser';
import { HMAC_KEY, SUPPORT_ADDRESS } from '../support/inbound-harness';

const stack = usePagesStack({ viewport: { width: 960, height: 540 } });

const keyOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);
const optedOut = async (address: string) =>
  (await stack.harness.subjectProfile(keyOf(address)))?.marketingOptOut?.BOOL === true;

/** The https link of the List-Unsubscribe header a marketing mail to this address carries. */
function oneClickLink(address: string): string {
  const header = listUnsubscribeHeaders({
    address,
    linkKey: unsubscribeLinkKey(HMAC_KEY),
    confirmBaseUrl: stack.harness.config.profile.operator.confirmBaseUrl,
    supportAddress: SUPPORT_ADDRESS,
  }).find((field) => field.name === 'List-Unsubscribe');
  const link = /<(https?:[^>]+)>/.exec(header?.value ?? '')?.[1];
  if (link === undefined) throw new Error('no one-click link in the List-Unsubscribe header');
  return link;
}

const press = (page: Page) => pressButton(page, 'form button[type="submit"]');

describe('the one-click unsubscribe page', () => {
  it('shows a button on GET and unsubscribes only when it is pressed', async () => {
    const address = 'reader@example.kg';
    const { page, watch } = await openPage(stack);

    const shown = await page.goto(`${oneClickLink(address)}?lang=ru`);
    const beforePress = await optedOut(address);
    await screenshot(page, 'unsubscribe-ru');
    const answer = await press(page);

    expect(shown?.status()).toBe(200);
    expect(beforePress).toBe(false);
    expect(answer.status()).toBe(200);
    expect(answer.headers().location).toBeUndefined();
    expect(answer.headers()['set-cookie']).toBeUndefined();
    expect(await headingOf(page)).toBe(PAGE_TEXTS.ru.result.unsubscribed.title);
    expect(await optedOut(address)).toBe(true);
    expect(new Set(watch.requests.map((url) => new URL(url).hostname))).toEqual(new Set(['127.0.0.1']));
    expect(watch.consoleErrors).toEqual([]);
    await screenshot(page, 'unsubscribed-ru');
  });

  it('changes nothing when a mail scanner fetches the link, however often', async () => {
    const address = 'scanned.reader@example.kg';
    const link = oneClickLink(address);

    const statuses = [];
    for (let scan = 0; scan < 4; scan += 1) {
      statuses.push((await fetch(link, { headers: { 'user-agent': 'LinkScanner/1.0' } })).status);
    }

    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await optedOut(address)).toBe(false);
  });

  it('is shown in Kyrgyz, Russian and English through the language links', async () => {
    const address = 'languages.reader@example.kg';
    const { page } = await openPage(stack);
    await page.goto(oneClickLink(address));
    const first = { lang: await languageOf(page), heading: await headingOf(page) };

    const seen = [];
    for (const language of LANGUAGES) {
      await follow(page, `nav a[hreflang="${language}"]`);
      seen.push({ lang: await languageOf(page), heading: await headingOf(page) });
      if (language === 'en') await screenshot(page, 'unsubscribe-en');
    }

    expect(first).toEqual({ lang: 'ky', heading: PAGE_TEXTS.ky.unsubscribe.title });
    expect(seen).toEqual(
      LANGUAGES.map((language) => ({ lang: language, heading: PAGE_TEXTS[language].unsubscribe.title })),
    );
    expect(await optedOut(address)).toBe(false);
  });

  it('works without JavaScript and on a phone screen without horizontal scrolling', async () => {
    const address = 'phone.reader@example.kg';
    const { page } = await openPage(stack, { ...PHONE, javaScriptEnabled: false });

    await page.goto(`${oneClickLink(address)}?lang=ky`);
    const widths = await widthsOf(page);
    await screenshot(page, 'unsubscribe-mobile-ky');
    const answer = await press(page);

    expect(widths.inner).toBe(PHONE.viewport.width);
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    expect(answer.status()).toBe(200);
    expect(await headingOf(page)).toBe(PAGE_TEXTS.ky.result.unsubscribed.title);
    expect(await optedOut(address)).toBe(true);
  });

  it('answers an altered link with the neutral page, and unsubscribes no one', async () => {
    const address = 'forged.reader@example.kg';
    const link = oneClickLink(address);
    const altered = `${link.slice(0, -2)}${link.endsWith('AA') ? 'BB' : 'AA'}`;
    const { page } = await openPage(stack);

    const shown = await page.goto(`${altered}?lang=en`);

    expect(shown?.status()).toBe(404);
    expect(await headingOf(page)).toBe(PAGE_TEXTS.en.unavailable.title);
    expect(await page.locator('form').count()).toBe(0);
    expect(await optedOut(address)).toBe(false);
  });
});

/**
 * RFC 8058 as a mail provider performs it: a plain HTTP client (no browser, no cookies) POSTs
 * `List-Unsubscribe=One-Click` to the URL of the List-Unsubscribe header, through the local HTTP server
 * that stands in for API Gateway, to the real pages handler on DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import { listUnsubscribeHeaders } from '../../functions/domain/replies/list-unsubscribe-headers';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { unsubscribeLinkKey } from '../../functions/domain/tokens/unsubscribe-token';
import { createPagesHandler } from '../../functions/pages/handler';
import { type HttpPagesHandle, startHttpPages } from '../../local/http-pages';
import { HMAC_KEY, InboundHarness } from '../support/inbound-harness';

let harness: InboundHarness;
let server: HttpPagesHandle;

beforeAll(async () => {
  harness = await InboundHarness.start();
  server = await startHttpPages({ handler: createPagesHandler(harness.environment), port: 0, log: () => {} });
});

afterAll(async () => {
  await server?.dispose();
  await harness?.stop();
});

/** The https URL of the List-Unsubscribe header, moved onto the local server (same path). */
function oneClickUrl(address: string): string {
  const [listUnsubscribe] = listUnsubscribeHeaders({
    address,
    linkKey: unsubscribeLinkKey(HMAC_KEY),
    confirmBaseUrl: harness.config.profile.operator.confirmBaseUrl,
    supportAddress: 'support@x2.kg',
  });
  const https = /<(https:[^>]+)>/.exec(listUnsubscribe?.value ?? '')?.[1];
  if (!https) throw new Error('no https URL in List-Unsubscribe');
  const { pathname } = new URL(https);
  return `${server.url.replace(/\/$/, '')}${pathname}`;
}

const keyOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);

describe('one-click unsubscribe over HTTP (RFC 8058)', () => {
  it('opts the recipient out on the POST, answering 200 with no redirect and no cookie', async () => {
    const recipient = 'list.reader@example.kg';

    const response = await fetch(oneClickUrl(recipient), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await harness.subjectProfile(keyOf(recipient))).toMatchObject({ marketingOptOut: { BOOL: true } });
  });

  it('accepts the body as multipart/form-data too, which RFC 8058 allows', async () => {
    const recipient = 'multipart.reader@example.kg';
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');

    const response = await fetch(oneClickUrl(recipient), { method: 'POST', body: form, redirect: 'manual' });

    expect(response.status).toBe(200);
    expect(await harness.subjectProfile(keyOf(recipient))).toMatchObject({ marketingOptOut: { BOOL: true } });
  });

  it('does not unsubscribe on GET, however often the link is fetched', async () => {
    const recipient = 'scanner.target@example.kg';

    for (let fetchCount = 0; fetchCount < 3; fetchCount += 1) {
      const response = await fetch(oneClickUrl(recipient), { redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('List-Unsubscribe');
    }

    expect(await harness.subjectProfile(keyOf(recipient))).toBeUndefined();
  });
});

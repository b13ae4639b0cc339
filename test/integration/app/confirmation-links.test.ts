/**
 * The links in makul's mail, end to end on the real local services: a mail arrives, the reply's link
 * is opened (GET) and a button pressed (POST) through the deployed pages handler, and the register,
 * the subject's record and the mail sent afterwards show what happened.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink, showLink } from '../../../functions/app/confirmation-links';
import { sendDeferredOutbound } from '../../../functions/app/send-deferred-outbound';
import { normaliseAddress } from '../../../functions/domain/mail/sender-address';
import { requestIdFor } from '../../../functions/domain/requests/request-id';
import { subjectKey } from '../../../functions/domain/subjects/subject-key';
import { TOKEN_MAX_ATTEMPTS } from '../../../functions/domain/tokens/attempt-limits';
import { unsubscribeLinkKey, unsubscribeToken } from '../../../functions/domain/tokens/unsubscribe-token';
import { createPagesHandler, type PagesHandler } from '../../../functions/pages/handler';
import {
  HMAC_KEY,
  HUMAN_INBOX,
  InboundHarness,
  PASSING_VERDICTS,
  requestMail,
} from '../../support/inbound-harness';

let harness: InboundHarness;
let pages: PagesHandler;

beforeAll(async () => {
  harness = await InboundHarness.start();
  pages = createPagesHandler(harness.environment);
});

afterAll(async () => {
  await harness?.stop();
});

const keyOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);
const AUTHENTICATED = {
  ...PASSING_VERDICTS,
  dkim: 'PASS',
  dmarc: 'PASS',
  dkimPassDomains: ['example.org'],
} as const;

let sourceSerial = 0;
/** A fresh source address per test, so the per-source hourly limit of one test never touches another. */
function nextSource(): string {
  sourceSerial += 1;
  return `198.51.100.${sourceSerial}`;
}

async function arrive(
  from: string,
  subject: string,
  options: { body?: string; authenticated?: boolean } = {},
): Promise<{ requestId: string; link: string }> {
  const delivery = await harness.deliver(
    requestMail({ from, subject, ...(options.body ? { body: options.body } : {}) }),
    options.authenticated ? { verdicts: AUTHENTICATED } : {},
  );
  expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);
  const mails = await harness.sentTo(from);
  // An unsubscribe is done at once: its reply has no link.
  const text = mails.at(-1)?.body.text ?? '';
  const link = text.includes('/c/') ? linkIn(text) : '';
  return { requestId: requestIdFor(delivery.sesMessageId), link };
}

function linkIn(text: string, nth = 0): string {
  const links = [...text.matchAll(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]{43}/g)].map((match) => match[0]);
  const link = links[nth];
  if (!link) throw new Error('no confirmation link in the mail');
  return link;
}

const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);

function httpEvent(
  method: 'GET' | 'POST',
  path: string,
  options: { body?: string; query?: Record<string, string>; sourceIp?: string } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? nextSource(),
        userAgent: 'test',
      },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    // HTTP APIs hand form posts over base64-encoded.
    ...(options.body
      ? { body: Buffer.from(options.body).toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  } as APIGatewayProxyEventV2;
}

async function call(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return pages(event, { awsRequestId: 'pages-test' } as Context);
}

/** One run of the deferred-outbound job: it sends the notices the pages recorded. */
async function runOutboxJob(): Promise<void> {
  await sendDeferredOutbound(harness.dependencies());
}

const pathOf = (link: string) => new URL(link).pathname;

describe('a confirmation link', () => {
  it('shows what will happen on GET and changes nothing, however often a scanner fetches it', async () => {
    const sender = 'scanned@example.kg';
    const { requestId, link } = await arrive(sender, 'Отзыв согласия на обработку персональных данных');

    for (let fetch = 0; fetch < 3; fetch += 1) {
      const page = await call(httpEvent('GET', pathOf(link)));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<form method="post"');
    }

    expect(await harness.requestItem(requestId)).toMatchObject({ status: { S: 'awaiting-verification' } });
    expect(await harness.subjectProfile(keyOf(sender))).toBeUndefined();
  });

  it('applies the request on Confirm, tells the subject once, and then works no more', async () => {
    const sender = 'confirmer@example.kg';
    const { requestId, link } = await arrive(sender, 'Отзыв согласия на обработку персональных данных');

    const done = await call(httpEvent('POST', pathOf(link), { body: 'action=confirm&lang=ru' }));

    expect(done.statusCode).toBe(200);
    expect(done.headers?.['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(await harness.requestItem(requestId)).toMatchObject({
      status: { S: 'in-progress' },
      proof: { S: 'confirmed-link' },
    });
    expect(await harness.subjectProfile(keyOf(sender))).toMatchObject({
      consentWithdrawn: { BOOL: true },
      marketingOptOut: { BOOL: true },
      consentWithdrawnBy: { SS: [requestId] },
    });
    expect(await harness.sentTo(sender)).toHaveLength(1);
    await runOutboxJob();
    await runOutboxJob();
    const mails = await harness.sentTo(sender);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toContain(requestId);
    expect(await harness.requestItem(`${requestId}.confirmed`)).toMatchObject({
      outboundState: { S: 'sent' },
    });

    const again = await call(httpEvent('POST', pathOf(link), { body: 'action=confirm' }));
    expect(again.statusCode).toBe(404);
    const reopened = await call(httpEvent('GET', pathOf(link)));
    expect(reopened.statusCode).toBe(404);
    expect(reopened.body).toBe(again.body);
    expect(await harness.sentTo(sender)).toHaveLength(2);
    const trail = await harness.runtime.register.auditTrail(requestId);
    expect(trail.map((event) => event.event)).toContain('link-confirmed');
    expect(trail.find((event) => event.event === 'link-confirmed')?.detail).toMatchObject({
      who: keyOf(sender),
      proof: 'confirmed-link',
    });
  });

  it('cancels the request when the mailbox owner says "this was not me", and applies nothing', async () => {
    const sender = 'notme@example.kg';
    const { requestId, link } = await arrive(sender, 'delete my data');

    const page = await call(httpEvent('POST', pathOf(link), { body: 'action=cancel' }));

    expect(page.statusCode).toBe(200);
    expect(await harness.requestItem(requestId)).toMatchObject({ status: { S: 'cancelled' } });
    expect(await harness.subjectProfile(keyOf(sender))).toBeUndefined();
  });

  it('answers an expired link with the same neutral page as an unknown one', async () => {
    const sender = 'late@example.kg';
    const { link } = await arrive(sender, 'withdraw consent');
    const deps = harness.dependencies();
    const unknown = await showLink('A'.repeat(43), nextSource(), null, deps);

    harness.advanceClock(73 * 60 * 60 * 1000);
    try {
      const expired = await showLink(tokenOf(link), nextSource(), null, harness.dependencies());
      const pressed = await actOnLink(tokenOf(link), 'confirm', nextSource(), null, harness.dependencies());
      expect(expired.view).toEqual({ page: 'unavailable' });
      expect(pressed.view).toEqual({ page: 'unavailable' });
      expect(unknown.view).toEqual(expired.view);
    } finally {
      harness.resetClock();
    }
  });

  it('stops answering a link opened more often than a person would', async () => {
    const { link } = await arrive('hammered@example.kg', 'withdraw consent');
    const deps = harness.dependencies();

    const pages: string[] = [];
    for (let attempt = 0; attempt <= TOKEN_MAX_ATTEMPTS; attempt += 1) {
      pages.push((await showLink(tokenOf(link), nextSource(), null, deps)).view.page);
    }

    expect(pages.slice(0, TOKEN_MAX_ATTEMPTS).every((page) => page === 'confirm')).toBe(true);
    expect(pages.at(-1)).toBe('too-many-attempts');
  });

  it('refuses a source that sends more page requests in an hour than its limit', async () => {
    const source = nextSource();
    const deps = harness.dependencies();
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 301; attempt += 1) {
      seen.add((await showLink(`${'B'.repeat(42)}${attempt % 10}`, source, null, deps)).view.page);
    }
    expect(seen).toEqual(new Set(['unavailable', 'too-many-attempts']));
    expect((await showLink('C'.repeat(43), source, null, deps)).view.page).toBe('too-many-attempts');
    const page = await call(httpEvent('GET', `/c/${'D'.repeat(43)}`, { sourceIp: source }));
    expect(page.statusCode).toBe(429);
    expect(page.headers?.['Retry-After']).toBe('3600');
  });
});

describe('"this was not me" on a request accepted from an authenticated sender', () => {
  it('undoes what the request set, but keeps what another request of the subject asked for', async () => {
    const sender = 'owner@example.org';
    const unsubscribed = await arrive(sender, 'unsubscribe');
    const erasure = await arrive(sender, 'delete my data', { authenticated: true });
    expect(await harness.subjectProfile(keyOf(sender))).toMatchObject({ erasureRequested: { BOOL: true } });

    const page = await call(httpEvent('POST', pathOf(erasure.link), { body: 'action=cancel&lang=en' }));

    expect(page.statusCode).toBe(200);
    expect(await harness.requestItem(erasure.requestId)).toMatchObject({ status: { S: 'cancelled' } });
    const profile = await harness.subjectProfile(keyOf(sender));
    expect(profile?.erasureRequested).toBeUndefined();
    expect(profile).toMatchObject({
      marketingOptOut: { BOOL: true },
      marketingOptOutBy: { SS: [unsubscribed.requestId] },
    });
    const mails = await harness.sentTo(sender);
    expect(mails.at(-1)?.subject).toContain(erasure.requestId);
  });

  it('is too late once the request was carried out', async () => {
    const sender = 'executed@example.org';
    const { requestId, link } = await arrive(sender, 'delete my data', { authenticated: true });
    await harness.markExecuted(requestId);

    const page = await call(httpEvent('POST', pathOf(link), { body: 'action=cancel' }));

    expect(page.statusCode).toBe(409);
    expect(await harness.subjectProfile(keyOf(sender))).toMatchObject({ erasureRequested: { BOOL: true } });
  });
});

describe('carrying out each kind on confirmation', () => {
  it('update-data: shows the changes masked, then asks the new mailbox to confirm the new address', async () => {
    const sender = 'old.address@example.kg';
    const body = 'Прошу изменить мои данные.\r\nТелефон: 0555 123 456\r\nEmail: new.address@example.kg\r\n';
    const { requestId, link } = await arrive(sender, 'Актуализация персональных данных', { body });

    const page = await call(httpEvent('GET', pathOf(link), { query: { lang: 'ru' } }));
    expect(page.body).toContain('+996 555 **-**-56');
    expect(page.body).toContain('n***@example.kg');
    expect(page.body).not.toContain('123 456');
    await call(httpEvent('POST', pathOf(link), { body: 'action=confirm' }));

    expect(await harness.requestItem(requestId)).toMatchObject({ status: { S: 'in-progress' } });
    await runOutboxJob();
    const [addressMail] = await harness.sentTo('new.address@example.kg');
    expect(addressMail).toBeDefined();
    const addressLink = linkIn(addressMail?.body.text ?? '');
    const confirmed = await call(httpEvent('POST', pathOf(addressLink), { body: 'action=confirm' }));
    expect(confirmed.statusCode).toBe(200);
    expect(await harness.requestItem(requestId)).toHaveProperty('addressConfirmedAt');
  });

  it('update-data with nothing recognisable goes to a person with the reason, not to the subject', async () => {
    const sender = 'vague@example.kg';
    const delivery = await harness.deliver(
      requestMail({ from: sender, subject: 'update personal data', body: 'Please fix my data.' }),
    );
    await harness.runBatch([delivery.record]);

    expect(await harness.requestItem(requestIdFor(delivery.sesMessageId))).toMatchObject({
      action: { S: 'review' },
      reason: { S: 'update-data:no-fields' },
      status: { S: 'needs-human' },
    });
    expect(await harness.sentTo(sender)).toHaveLength(0);
  });

  it("update-data whose values all fail the page's checks goes to a person once confirmed", async () => {
    const sender = 'wrong.number@example.kg';
    // A Russian national number: the shape passes on arrival, but under KG numbering it is no number.
    const { requestId, link } = await arrive(sender, 'Актуализация персональных данных', {
      body: 'Телефон: 8 916 123 45 67',
    });

    const page = await call(httpEvent('POST', pathOf(link), { body: 'action=confirm' }));
    await runOutboxJob();

    expect(page.statusCode).toBe(200);
    expect(await harness.requestItem(requestId)).toMatchObject({
      status: { S: 'needs-human' },
      proof: { S: 'confirmed-link' },
    });
    expect(await harness.requestItem(`${requestId}.to-staff`)).toMatchObject({
      reason: { S: 'update-data:invalid-values' },
      outbound: { S: 'forward' },
      outboundState: { S: 'sent' },
    });
    // Staff see the request's own id, the one the person was given.
    const forwards = (await harness.sentTo(HUMAN_INBOX)).filter((mail) => mail.subject.endsWith(requestId));
    expect(forwards).toHaveLength(1);
  });

  it('stop-dissemination: records the data named as no longer disseminated', async () => {
    const sender = 'public@example.kg';
    const body = 'Прошу прекратить распространение моей фотографии и номера телефона.';
    const { link } = await arrive(sender, 'Прекращение распространения персональных данных', { body });

    await call(httpEvent('POST', pathOf(link), { body: 'action=confirm' }));

    const profile = await harness.subjectProfile(keyOf(sender));
    expect(profile).toMatchObject({ disseminationStopped: { BOOL: true } });
    expect(profile?.disseminationStoppedItems?.SS?.sort()).toEqual(['phone', 'photo']);
  });

  it('restrict: blocks processing, and the confirmation mail carries a link that lifts it', async () => {
    const sender = 'pause@example.kg';
    const { link } = await arrive(sender, 'restrict processing');
    await call(httpEvent('POST', pathOf(link), { body: 'action=confirm' }));
    expect(await harness.subjectProfile(keyOf(sender))).toMatchObject({
      processingRestricted: { BOOL: true },
    });

    await runOutboxJob();
    const notice = (await harness.sentTo(sender)).at(-1);
    const lift = linkIn(notice?.body.text ?? '');
    expect((await call(httpEvent('GET', pathOf(lift)))).statusCode).toBe(200);
    expect(await harness.subjectProfile(keyOf(sender))).toMatchObject({
      processingRestricted: { BOOL: true },
    });
    await call(httpEvent('POST', pathOf(lift), { body: 'action=confirm' }));

    expect((await harness.subjectProfile(keyOf(sender)))?.processingRestricted).toBeUndefined();
  });

  it('restrict from an authenticated sender: blocked at once, and a mail with the link that lifts it follows', async () => {
    const sender = 'signed.pause@example.org';
    const { requestId } = await arrive(sender, 'restrict processing', { authenticated: true });
    expect(await harness.subjectProfile(keyOf(sender))).toMatchObject({
      processingRestricted: { BOOL: true },
    });

    await runOutboxJob();

    expect(await harness.requestItem(`${requestId}.confirmed`)).toMatchObject({
      outboundState: { S: 'sent' },
    });
    const mails = await harness.sentTo(sender);
    expect(mails).toHaveLength(2);
    const lift = linkIn(mails[1]?.body.text ?? '');
    await call(httpEvent('POST', pathOf(lift), { body: 'action=confirm' }));
    expect((await harness.subjectProfile(keyOf(sender)))?.processingRestricted).toBeUndefined();
  });

  it("access: sends a report of the subject's requests to the verified address only", async () => {
    const sender = 'curious@example.kg';
    const earlier = await arrive(sender, 'unsubscribe');
    const { requestId, link } = await arrive(sender, 'access my data');

    await call(httpEvent('POST', pathOf(link), { body: 'action=confirm&lang=en' }));
    await runOutboxJob();

    const report = (await harness.sentTo(sender)).at(-1);
    expect(report?.subject).toContain(requestId);
    expect(report?.body.text).toContain(earlier.requestId);
    expect(report?.body.text).toContain(requestId);
  });

  it('access from an authenticated sender: the report follows without a confirmation', async () => {
    const sender = 'signed@example.org';
    const { requestId } = await arrive(sender, 'access my data', { authenticated: true });
    expect(await harness.requestItem(`${requestId}.access-report`)).toMatchObject({
      outboundState: { S: 'pending' },
      opsQueue: { S: 'deferred' },
    });

    await runOutboxJob();

    expect(await harness.sentTo(sender)).toHaveLength(2);
    expect(await harness.requestItem(`${requestId}.access-report`)).toMatchObject({
      outboundState: { S: 'sent' },
    });
  });

  it('access where the operator’s data systems answer: the report waits for them, the subject hears it will follow', async () => {
    const sender = 'waits-for-systems@example.kg';
    const { requestId, link } = await arrive(sender, 'access my data');
    const { profile } = harness.config;
    const withSystems = {
      ...profile,
      operator: {
        ...profile.operator,
        dataSystems: [
          {
            id: 'accounts',
            name: { ky: 'эсептер', ru: 'учётные записи', en: 'accounts' },
            purpose: { ky: 'оюндар үчүн', ru: 'для игр', en: 'for the games' },
            categories: ['email'],
            toldBy: 'event' as const,
            kinds: ['access' as const],
          },
        ],
      },
    };
    const pressed = await actOnLink(
      tokenOf(link),
      'confirm',
      nextSource(),
      'en',
      harness.dependencies({ profile: withSystems }),
    );
    expect(pressed.view).toMatchObject({ page: 'result', outcome: 'confirmed' });
    // Recorded by app/answer-task.ts once every system has answered, not now.
    expect(await harness.requestItem(`${requestId}.access-report`)).toBeUndefined();
    expect(await harness.requestItem(`${requestId}.confirmed`)).toMatchObject({ notice: { S: 'confirmed' } });
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  const linkKey = () => unsubscribeLinkKey(HMAC_KEY);

  it('opts the recipient out on POST List-Unsubscribe=One-Click, with 200, no redirect and no cookie', async () => {
    const recipient = 'oneclick@example.kg';
    const path = `/u/${unsubscribeToken(recipient, linkKey())}`;

    const shown = await call(httpEvent('GET', path));
    expect(shown.statusCode).toBe(200);
    expect(await harness.subjectProfile(keyOf(recipient))).toBeUndefined();

    const done = await call(httpEvent('POST', path, { body: 'List-Unsubscribe=One-Click' }));

    expect(done.statusCode).toBe(200);
    expect(done.headers?.Location).toBeUndefined();
    expect(done.headers?.['Set-Cookie']).toBeUndefined();
    expect(done.cookies).toBeUndefined();
    expect(await harness.subjectProfile(keyOf(recipient))).toMatchObject({ marketingOptOut: { BOOL: true } });
  });

  it('does nothing for a POST without the one-click body or with an altered token', async () => {
    const recipient = 'careful@example.kg';
    const token = unsubscribeToken(recipient, linkKey());

    await call(httpEvent('POST', `/u/${token}`, { body: 'something=else' }));
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await call(httpEvent('POST', `/u/${altered}`, { body: 'List-Unsubscribe=One-Click' }));

    expect(forged.statusCode).toBe(404);
    expect(await harness.subjectProfile(keyOf(recipient))).toBeUndefined();
  });
});

/**
 * The status API through its real handler (middy, routing, validation, the HMAC key) and the local
 * HTTP server that plays API Gateway, against DynamoDB Local: what a marketing system sees before it
 * sends. Subjects get their state from real request mail handled by the inbound function.
 */
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { DynamoDbStatusFeed } from '../../functions/adapters/dynamodb/status-feed';
import { encodeCursor } from '../../functions/app/subject-status';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { stateOf } from '../../functions/domain/subjects/subject-status';
import { createPagesHandler } from '../../functions/pages/handler';
import { createStatusApiHandler } from '../../functions/status-api/handler';
import {
  batchResponseSchema,
  changesResponseSchema,
  errorResponseSchema,
  singleStatusSchema,
} from '../../functions/status-api/response-schemas';
import { type HttpPagesHandle, startHttpPages } from '../../local/http-pages';
import { HMAC_KEY, InboundHarness, PASSING_VERDICTS, requestMail } from '../support/inbound-harness';

let harness: InboundHarness;
let server: HttpPagesHandle;

beforeAll(async () => {
  harness = await InboundHarness.start();
  const status = createStatusApiHandler(harness.environment, harness.logger);
  const pages = createPagesHandler(harness.environment, harness.logger);
  server = await startHttpPages({
    handler: (event, context) =>
      event.rawPath.startsWith('/v1/') ? status(event, context) : pages(event, context),
    port: 0,
    log: () => {},
  });
});

afterAll(async () => {
  await server?.dispose();
  await harness?.stop();
});

const sidOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);

/** SES's verdicts on mail from a domain that signs and publishes DMARC: proof of sender. */
const AUTHENTICATED = {
  ...PASSING_VERDICTS,
  dkim: 'PASS',
  dmarc: 'PASS',
  dkimPassDomains: ['example.kg'],
} as const;

/** A request mail from an authenticated sender, handled by the inbound function: its effect is applied now. */
async function arrive(address: string, subject: string): Promise<void> {
  const delivery = await harness.deliver(requestMail({ from: address, subject }), {
    mailFrom: address,
    verdicts: AUTHENTICATED,
  });
  const { batchItemFailures } = await harness.runBatch([delivery.record]);
  expect(batchItemFailures).toEqual([]);
}

/**
 * Every answer must be what docs/status-api.openapi.json promises: its schemas are the ones the
 * document is generated from.
 */
function documented(status: number, body: unknown, ok: z.ZodMiniType): void {
  const schema = status === 200 ? ok : errorResponseSchema;
  const parsed = schema.safeParse(body);
  expect(parsed.success, `answer ${status} as documented: ${JSON.stringify(parsed.error?.issues)}`).toBe(
    true,
  );
}

async function getStatus(query: string) {
  const response = await fetch(`${server.url}/v1/subjects/status?${query}`);
  const body = (await response.json()) as Record<string, unknown>;
  documented(response.status, body, singleStatusSchema);
  return { status: response.status, headers: response.headers, body };
}

async function postBatch(body: unknown) {
  const response = await fetch(`${server.url}/v1/subjects/status:batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  documented(response.status, answer, batchResponseSchema);
  return { status: response.status, body: answer };
}

async function getChanges(query: string) {
  const response = await fetch(`${server.url}/v1/suppressions/changes${query}`);
  const body = (await response.json()) as Record<string, unknown>;
  documented(response.status, body, changesResponseSchema);
  return { status: response.status, body };
}

describe('one address', () => {
  it('is suppressed the moment its unsubscribe mail is handled, and says why and since when', async () => {
    expect((await getStatus('email=status.one%40example.kg')).body).toMatchObject({
      known: false,
      marketing: 'allowed',
    });

    await arrive('status.one@example.kg', 'unsubscribe');
    const { status, headers, body } = await getStatus('email=Status.One%40Example.KG');

    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/json');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({
      email: 'Status.One@Example.KG',
      sid: sidOf('status.one@example.kg'),
      known: true,
      marketing: 'suppressed',
      processing: 'allowed',
      changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reason: 'unsubscribed',
    });
  });

  it('answers by sid the same as by address', async () => {
    await arrive('status.sid@example.kg', 'unsubscribe');
    const bySid = await getStatus(`sid=${sidOf('status.sid@example.kg')}`);
    const byEmail = await getStatus('email=status.sid%40example.kg');

    const { email: _email, ...withoutEcho } = byEmail.body;
    expect(bySid.body).toEqual(withoutEcho);
  });

  it('answers an unknown address with the operator default, marked unknown', async () => {
    const { body } = await getStatus('email=nobody.here%40example.kg');
    expect(body).toMatchObject({
      known: false,
      marketing: 'allowed',
      processing: 'allowed',
      changedAt: null,
      reason: null,
    });
  });

  it.each([
    ['withdraw consent', 'withdrawn', 'consent-withdrawn'],
    ['restrict processing', 'restricted', 'processing-restricted'],
    ['delete my data', 'withdrawn', 'erasure-requested'],
  ])('after "%s" from an authenticated sender: processing %s', async (subject, processing, reason) => {
    const address = `status.${reason}@example.kg`;
    await arrive(address, subject);
    const { body } = await getStatus(`email=${encodeURIComponent(address)}`);
    expect(body).toMatchObject({
      known: true,
      processing,
      reason,
      // Withdrawal and erasure also stop marketing; a restriction pauses processing only.
      marketing: processing === 'withdrawn' ? 'suppressed' : 'allowed',
    });
  });

  it.each([
    ['', 'email', 'give exactly one of email or sid'],
    ['email=a%40example.kg&sid=abc', 'email', 'give exactly one of email or sid'],
    ['email=not-an-address', 'email', 'not an email address'],
    ['email=Ivan%20%3Civan%40example.kg%3E', 'email', 'not an email address'],
    ['sid=XYZ', 'sid', 'not a sid'],
    ['email=a%40example.kg&extra=1', 'extra', 'not a field'],
  ])('refuses "%s" with a 400 naming %s', async (query, field, message) => {
    const { status, body } = await getStatus(query);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: { code: 'invalid-request', field, message: expect.stringContaining(message) },
    });
  });
});

describe('a batch', () => {
  it('answers every entry in order, echoing it, duplicates alike and malformed ones in place', async () => {
    await arrive('batch.one@example.kg', 'unsubscribe');
    const emails = [
      'batch.one@example.kg',
      'not an address',
      'nobody.batch@example.kg',
      'BATCH.ONE@example.kg',
      'batch.one@example.kg',
    ];

    const { status, body } = await postBatch({ emails });

    expect(status).toBe(200);
    const results = body.results as Record<string, unknown>[];
    expect(results.map((result) => result.email)).toEqual(emails);
    expect(results[0]).toMatchObject({
      known: true,
      marketing: 'suppressed',
      sid: sidOf('batch.one@example.kg'),
    });
    expect(results[1]).toEqual({
      email: 'not an address',
      error: { code: 'invalid-email', message: expect.any(String), retryable: false },
    });
    expect(results[2]).toMatchObject({ known: false, marketing: 'allowed' });
    const { email: _a, ...first } = results[0] as Record<string, unknown>;
    for (const duplicate of [results[3], results[4]]) {
      const { email: _b, ...rest } = duplicate as Record<string, unknown>;
      expect(rest).toEqual(first);
    }
  });

  it('looks up by sids too, a malformed sid answered in place', async () => {
    await arrive('batch.sid@example.kg', 'unsubscribe');
    const { body } = await postBatch({
      sids: [sidOf('batch.sid@example.kg'), 'nope', sidOf('unknown@x.kg')],
    });
    const results = body.results as Record<string, unknown>[];
    expect(results[0]).toMatchObject({ sid: sidOf('batch.sid@example.kg'), marketing: 'suppressed' });
    expect(results[1]).toMatchObject({ sid: 'nope', error: { code: 'invalid-sid' } });
    expect(results[2]).toMatchObject({ sid: sidOf('unknown@x.kg'), known: false });
  });

  it('answers 1,000 entries, 300 of them opted out, in one call', async () => {
    const addresses = Array.from({ length: 1000 }, (_, index) => `bulk.${index}@example.kg`);
    await seedOptOuts(addresses.filter((_, index) => index % 10 < 3));

    const { status, body } = await postBatch({ emails: addresses });

    expect(status).toBe(200);
    const results = body.results as { email: string; marketing: string; known: boolean }[];
    expect(results).toHaveLength(1000);
    results.forEach((result, index) => {
      expect(result.email).toBe(addresses[index]);
      expect(result.marketing).toBe(index % 10 < 3 ? 'suppressed' : 'allowed');
      expect(result.known).toBe(index % 10 < 3);
    });
  });

  it.each([
    ['not json', '(body)', 'not JSON'],
    [{}, 'emails', 'give exactly one of emails or sids'],
    [{ emails: ['a@b.kg'], sids: [] }, 'emails', 'give exactly one of emails or sids'],
    [{ emails: [] }, 'emails', ''],
    [{ emails: ['a@b.kg', 7] }, 'emails[1]', ''],
    [{ emails: Array.from({ length: 1001 }, () => 'a@b.kg') }, 'emails', ''],
    [{ emails: ['a@b.kg'], other: 1 }, 'other', 'not a field'],
  ])('refuses %j with a 400 naming %s', async (body, field, message) => {
    const response = await postBatch(body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'invalid-request', field, message: expect.stringContaining(message) },
    });
  });
});

describe('the change feed', () => {
  it('gives every change exactly once, in order, page after page, while changes are being written', async () => {
    const feed = new DynamoDbStatusFeed(harness.client, harness.config.subjectsTableName);
    const before = await feed.lastSequence();
    const writers = 4;
    const perWriter = 15;
    const suppressed = stateOf({ marketingOptOut: true });
    // Four processors append at once (the stream's shards), while a marketing system pages through.
    const writing = Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let index = 0; index < perWriter; index += 1) {
          await feed.append(`concurrent-${writer}-${index}`, {
            sid: sidOf(`feed.${writer}.${index}@example.kg`),
            changedAt: new Date().toISOString(),
            previous: stateOf({}),
            current: suppressed,
          });
        }
      }),
    );
    let written = false;
    void writing.then(() => {
      written = true;
    });
    const seen: number[] = [];
    let cursor = encodeCursor(before);
    // Until the writers are done and a page after that finds nothing more.
    for (let drained = false; !drained; ) {
      const finished = written;
      const { status, body } = await getChanges(`?since=${cursor}&limit=7`);
      expect(status).toBe(200);
      const page = body as { changes: { sequence: number }[]; next: string; more: boolean };
      seen.push(...page.changes.map((change) => change.sequence));
      cursor = page.next;
      drained = finished && page.changes.length === 0;
    }
    await writing;

    expect(seen).toEqual(Array.from({ length: writers * perWriter }, (_, index) => before + index + 1));
    // The cursor is stable: asking again from the same place gives the same page.
    const again = await getChanges(`?since=${encodeCursor(before)}&limit=5`);
    expect((again.body.changes as { sequence: number }[]).map((change) => change.sequence)).toEqual(
      seen.slice(0, 5),
    );
  });

  it('shows each change as the events do: states before and after, and the reason', async () => {
    const feed = new DynamoDbStatusFeed(harness.client, harness.config.subjectsTableName);
    const before = await feed.lastSequence();
    const sid = sidOf('feed.shape@example.kg');
    await feed.append('shape-1', {
      sid,
      changedAt: '2026-12-02T10:00:00.000Z',
      previous: stateOf({ marketingOptOut: true }),
      current: stateOf({ consentWithdrawn: true, marketingOptOut: true }),
    });

    const { body } = await getChanges(`?since=${encodeCursor(before)}`);

    expect(body).toEqual({
      changes: [
        {
          sequence: before + 1,
          sid,
          changedAt: '2026-12-02T10:00:00.000Z',
          marketing: { previous: 'suppressed', current: 'suppressed' },
          processing: { previous: 'allowed', current: 'withdrawn' },
          reason: 'consent-withdrawn',
        },
      ],
      next: encodeCursor(before + 1),
      more: false,
    });
  });

  it('starts at the first change without a cursor and answers an empty page with the same cursor', async () => {
    const first = await getChanges('?limit=1');
    expect((first.body.changes as { sequence: number }[])[0]?.sequence).toBe(1);
    const feed = new DynamoDbStatusFeed(harness.client, harness.config.subjectsTableName);
    const last = await feed.lastSequence();
    const empty = await getChanges(`?since=${encodeCursor(last)}`);
    expect(empty.body).toEqual({ changes: [], next: encodeCursor(last), more: false });
  });

  it.each([
    ['?since=garbage', 'since'],
    ['?limit=0', 'limit'],
    ['?limit=1001', 'limit'],
    ['?limit=ten', 'limit'],
    ['?other=1', 'other'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const { status, body } = await getChanges(query);
    expect(status).toBe(400);
    expect((body.error as { field: string }).field).toBe(field);
  });
});

describe('anything else', () => {
  it('is a JSON 404', async () => {
    const response = await fetch(`${server.url}/v1/other`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not-found', message: 'no such route' } });
  });
});

/** Opt-outs for many addresses at once, as the register records an unsubscribe on a subject's record. */
async function seedOptOuts(addresses: readonly string[]): Promise<void> {
  const at = new Date().toISOString();
  for (let start = 0; start < addresses.length; start += 25) {
    await harness.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [harness.config.subjectsTableName]: addresses.slice(start, start + 25).map((address) => ({
            PutRequest: {
              Item: {
                pk: { S: `SUB#${sidOf(address)}` },
                sk: { S: 'PROFILE' },
                marketingOptOut: { BOOL: true },
                marketingOptOutAt: { S: at },
                marketingOptOutBy: { SS: ['seeded'] },
                updatedAt: { S: at },
              },
            },
          })),
        },
      }),
    );
  }
}

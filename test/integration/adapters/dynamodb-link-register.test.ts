/**
 * The link register on DynamoDB Local: each rule that keeps a link from acting twice, late, on the
 * wrong request or with a stale view of the subject's record is a condition of one transaction, and
 * each is checked here by trying the write when it must be refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLinkRegister } from '../../../functions/adapters/dynamodb/link-register';
import type { RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import type { TokenRedemption } from '../../../functions/ports/request-register';
import { type LocalRegister, startLocalRegister } from '../../support/local-register';
import { sampleRequest } from '../../support/sample-request';

const TABLES = { requestsTableName: 'links-requests', subjectsTableName: 'links-subjects' };
/** Now, to the second: DynamoDB Local's TTL deletes items dated in the past (lazily). */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const hoursFromNow = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

let local: LocalRegister;
let register: DynamoDbLinkRegister;
let serial = 0;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  register = new DynamoDbLinkRegister(local.client, TABLES);
});

afterAll(async () => {
  await local?.stop();
});

/** A recorded request with a stored token; returns both. */
async function withToken(
  overrides: Partial<RegisteredRequest> = {},
  expiresAt: Date = hoursFromNow(72),
): Promise<{ request: RegisteredRequest; tokenHash: string }> {
  serial += 1;
  const request = sampleRequest(9000 + serial, {
    kind: 'erasure',
    status: 'awaiting-verification',
    subjectKey: `subject-link-${serial}`,
    receivedAt: NOW.toISOString(),
    ...overrides,
  });
  await register.recordNew(request, { at: NOW.toISOString(), event: 'received', detail: {} }, null, null);
  const tokenHash = `${'0'.repeat(56)}${String(serial).padStart(8, '0')}`;
  await register.putToken({ tokenHash, purpose: 'verify', requestId: request.requestId, expiresAt });
  return { request, tokenHash };
}

function confirmation(request: RegisteredRequest, tokenHash: string, at: Date = NOW): TokenRedemption {
  return {
    tokenHash,
    at,
    requestId: request.requestId,
    request: { fromStatuses: ['awaiting-verification'], toStatus: 'in-progress', proof: 'confirmed-link' },
    subject: { key: request.subjectKey ?? '', apply: { erasureRequested: true, marketingOptOut: true } },
    audit: { at: at.toISOString(), event: 'link-confirmed', detail: {} },
    notices: [],
  };
}

describe('DynamoDbLinkRegister.redeemToken', () => {
  it('spends a token once: a second redemption, even at once, is refused and changes nothing', async () => {
    const { request, tokenHash } = await withToken();

    const [first, second] = await Promise.all([
      register.redeemToken(confirmation(request, tokenHash)),
      register.redeemToken(confirmation(request, tokenHash, new Date(NOW.getTime() + 1))),
    ]);

    expect([first.outcome, second.outcome].sort()).toEqual(['done', 'token-spent']);
    const trail = await register.auditTrail(request.requestId);
    expect(trail.filter((event) => event.event === 'link-confirmed')).toHaveLength(1);
  });

  it('refuses an expired token that TTL has not deleted yet', async () => {
    const { request, tokenHash } = await withToken({}, hoursFromNow(1));

    const late = await register.redeemToken(confirmation(request, tokenHash, hoursFromNow(2)));

    expect(late).toEqual({ outcome: 'token-spent' });
    expect((await register.get(request.requestId))?.status).toBe('awaiting-verification');
  });

  it('refuses a token issued for another request', async () => {
    const { tokenHash } = await withToken();
    const { request: other } = await withToken();

    expect(await register.redeemToken(confirmation(other, tokenHash))).toEqual({ outcome: 'token-spent' });
    expect((await register.subjectRecord(other.subjectKey ?? ''))?.flags).toBeUndefined();
  });

  it('refuses a request that has moved on (confirmed, cancelled or executed), leaving the token unspent', async () => {
    const { request, tokenHash } = await withToken({ status: 'cancelled' });

    expect(await register.redeemToken(confirmation(request, tokenHash))).toEqual({
      outcome: 'request-moved',
    });
    const touched = await register.touchToken(tokenHash, 10);
    expect(touched.outcome === 'found' && touched.token.usedAt).toBeNull();
  });

  it('gives back only what no other request holds, and refuses when the holders changed since they were read', async () => {
    const { request: first, tokenHash: firstToken } = await withToken({ subjectKey: 'shared-subject' });
    const { request: second, tokenHash: secondToken } = await withToken({ subjectKey: 'shared-subject' });
    await register.redeemToken(confirmation(first, firstToken));
    const readBefore = await register.subjectRecord('shared-subject');
    await register.redeemToken(confirmation(second, secondToken));
    expect((await register.subjectRecord('shared-subject'))?.flags.erasureRequested?.heldBy).toEqual(
      [first.requestId, second.requestId].sort(),
    );
    const disputeToken = `${'f'.repeat(56)}${String(serial).padStart(8, '0')}`;
    await register.putToken({
      tokenHash: disputeToken,
      purpose: 'dispute',
      requestId: first.requestId,
      expiresAt: hoursFromNow(72),
    });
    const cancel = (current: NonNullable<typeof readBefore>): TokenRedemption => ({
      tokenHash: disputeToken,
      at: NOW,
      requestId: first.requestId,
      request: { fromStatuses: ['in-progress'], toStatus: 'cancelled', stamp: 'cancelledAt' },
      subject: {
        key: 'shared-subject',
        release: { effect: { erasureRequested: true, marketingOptOut: true }, current },
      },
      audit: { at: NOW.toISOString(), event: 'link-cancelled', detail: {} },
      notices: [],
    });

    // Read before the second request joined: first was the only holder, so removing the flag is refused.
    expect(await register.redeemToken(cancel(readBefore as NonNullable<typeof readBefore>))).toEqual({
      outcome: 'subject-changed',
    });
    const current = await register.subjectRecord('shared-subject');
    expect(await register.redeemToken(cancel(current as NonNullable<typeof current>))).toEqual({
      outcome: 'done',
    });

    const after = await register.subjectRecord('shared-subject');
    expect(after?.flags.erasureRequested?.heldBy).toEqual([second.requestId]);
    expect(after?.flags.marketingOptOut?.heldBy).toEqual([second.requestId]);
  });
});

describe('DynamoDbLinkRegister.touchToken', () => {
  it('counts every page request and answers nothing more past the limit', async () => {
    const { tokenHash } = await withToken();

    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1)
      outcomes.push((await register.touchToken(tokenHash, 3)).outcome);

    expect(outcomes).toEqual(['found', 'found', 'found', 'exhausted']);
    expect((await register.touchToken('9'.repeat(64), 3)).outcome).toBe('unknown');
  });
});

describe('DynamoDbLinkRegister.countSourceRequest', () => {
  it('refuses a source over its hourly limit, and counts each hour on its own', async () => {
    const counted: boolean[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      counted.push(await register.countSourceRequest('source-a', '2026-12-02T10', 2, NOW));
    }

    expect(counted).toEqual([true, true, false]);
    expect(await register.countSourceRequest('source-a', '2026-12-02T11', 2, NOW)).toBe(true);
  });
});

/**
 * The DynamoDB register on its own, against DynamoDB Local: every rule that keeps a request from being
 * recorded twice or an outbound message from being sent twice is a conditional write here, and each one
 * is checked by trying the write from a wrong state.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbRequestRegister } from '../../../functions/adapters/dynamodb/request-register';
import { DynamoDbSealedContacts } from '../../../functions/adapters/dynamodb/sealed-contacts';
import type { AuditEvent, RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import type { OutboundLimits } from '../../../functions/ports/request-register';
import type { DynamoDbLocalHandle } from '../../../local/dynamodb-local';
import { startLocalRegister } from '../../support/local-register';
import { sampleRequest } from '../../support/sample-request';

const TABLES = { requestsTableName: 'register-requests', subjectsTableName: 'register-subjects' };
/**
 * The register's clock reads now: counters, tokens and markers carry a TTL from it, and DynamoDB Local
 * deletes expired items (lazily, so a test dated in the past would pass or fail by chance).
 */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const later = (hours: number) => new Date(NOW.getTime() + hours * 60 * 60 * 1000);

let dynamodb: DynamoDbLocalHandle;
let client: DynamoDBClient;
let register: DynamoDbRequestRegister;
let counter = 0;

beforeAll(async () => {
  ({ dynamodb, client, register } = await startLocalRegister(TABLES));
});

afterAll(async () => {
  client?.destroy();
  await dynamodb?.dispose();
});

function request(overrides: Partial<RegisteredRequest> = {}): RegisteredRequest {
  counter += 1;
  return sampleRequest(counter, { receivedAt: NOW.toISOString(), dueAt: NOW.toISOString(), ...overrides });
}

/** Limits no test here reaches, unless it sets its own. */
const ROOMY: OutboundLimits = {
  mailbox: null,
  operator: { counter: 'replies', hour: '2026-11-20T08', maxPerHour: 1_000_000 },
};

const event = (name: string, at: Date = NOW): AuditEvent => ({
  at: at.toISOString(),
  event: name,
  detail: {},
});

async function recorded(overrides: Partial<RegisteredRequest> = {}): Promise<RegisteredRequest> {
  const entry = request(overrides);
  expect(await register.recordNew(entry, event('received'), null, null)).toEqual({ outcome: 'recorded' });
  return entry;
}

describe('DynamoDbRequestRegister.recordNew', () => {
  it('records a request once: the same request again is "exists" and changes nothing', async () => {
    const entry = await recorded();

    expect(
      await register.recordNew({ ...entry, reason: 'changed' }, event('received-again'), null, null),
    ).toEqual({
      outcome: 'exists',
    });
    expect((await register.get(entry.requestId))?.reason).toBe('tag-in-subject');
    expect((await register.auditTrail(entry.requestId)).map((e) => e.event)).toEqual(['received']);
  });
});

describe('DynamoDbRequestRegister.claimOutbound', () => {
  it('claims a pending message once; a second claim learns the state and claim time from the refused write', async () => {
    const entry = await recorded();

    expect(await register.claimOutbound(entry.requestId, NOW, ROOMY)).toEqual({ outcome: 'claimed' });
    expect(await register.claimOutbound(entry.requestId, new Date(NOW.getTime() + 1000), ROOMY)).toEqual({
      outcome: 'not-pending',
      outboundState: 'sending',
      outboundClaimedAt: NOW.toISOString(),
    });
  });

  it('refuses to claim a message that was sent, and says so', async () => {
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await register.markSent(entry.requestId, 'ses-out-1', event('reply-sent'));

    expect(await register.claimOutbound(entry.requestId, NOW, ROOMY)).toMatchObject({
      outcome: 'not-pending',
      outboundState: 'sent',
    });
  });

  it('counts replies per mailbox and day, and refuses the one over the limit', async () => {
    const limits: OutboundLimits = {
      ...ROOMY,
      mailbox: { key: 'mailbox-capped', day: '2026-11-20', maxPerDay: 1 },
    };
    const first = await recorded();
    const second = await recorded();

    expect(await register.claimOutbound(first.requestId, NOW, limits)).toEqual({ outcome: 'claimed' });
    expect(await register.claimOutbound(second.requestId, NOW, limits)).toEqual({
      outcome: 'rate-limited',
      limit: 'mailbox',
    });
    expect((await register.get(second.requestId))?.outboundState).toBe('pending');
  });

  it('counts every message of the operator per hour, and says which limit refused', async () => {
    const limits: OutboundLimits = {
      mailbox: { key: 'mailbox-roomy', day: '2026-11-20', maxPerDay: 100 },
      operator: { counter: 'forwards', hour: '2026-11-20T09', maxPerHour: 1 },
    };
    const first = await recorded();
    const second = await recorded();

    expect(await register.claimOutbound(first.requestId, NOW, limits)).toEqual({ outcome: 'claimed' });
    expect(await register.claimOutbound(second.requestId, NOW, limits)).toEqual({
      outcome: 'rate-limited',
      limit: 'operator',
    });
  });

  it('gives back what a released claim counted', async () => {
    const limits: OutboundLimits = {
      mailbox: { key: 'mailbox-refund', day: '2026-11-20', maxPerDay: 1 },
      operator: { counter: 'replies', hour: '2026-11-20T10', maxPerHour: 1 },
    };
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, limits);
    await register.releaseClaim(entry.requestId, event('reply-failed', new Date(NOW.getTime() + 2)), limits);

    expect(await register.claimOutbound(entry.requestId, NOW, limits)).toEqual({ outcome: 'claimed' });
  });
});

describe('DynamoDbRequestRegister deferral and the ops queue', () => {
  it('defers a pending message, lists it once due, and resumes it to pending', async () => {
    const entry = await recorded();
    const until = later(16);
    await register.deferOutbound(entry.requestId, until, event('reply-deferred'));

    const notYet = await register.listOpsQueue('deferred', { until: new Date(until.getTime() - 1) });
    const due = await register.listOpsQueue('deferred', { until });
    expect(notYet.map((r) => r.requestId)).not.toContain(entry.requestId);
    expect(due.find((r) => r.requestId === entry.requestId)).toMatchObject({
      outboundState: 'deferred',
      opsQueue: 'deferred',
      opsQueueAt: until.toISOString(),
    });

    const retryAt = later(16.25);
    await register.resumeDeferred(
      entry.requestId,
      retryAt,
      event('reply-resumed', new Date(NOW.getTime() + 3)),
    );
    // Still listed until it is sent: a job that dies mid-send finds it again after retryAt.
    expect(await register.get(entry.requestId)).toMatchObject({
      outboundState: 'pending',
      opsQueue: 'deferred',
      opsQueueAt: retryAt.toISOString(),
    });
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await register.markSent(entry.requestId, 'ses-out', event('reply-sent', new Date(NOW.getTime() + 5)));
    expect(await register.get(entry.requestId)).toMatchObject({ outboundState: 'sent', opsQueue: null });
    expect((await register.listOpsQueue('deferred')).map((r) => r.requestId)).not.toContain(entry.requestId);
  });

  it('lists a message marked in doubt for ops', async () => {
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await register.markInDoubt(entry.requestId, event('reply-in-doubt', new Date(NOW.getTime() + 4)));

    expect((await register.listOpsQueue('in-doubt')).map((r) => r.requestId)).toContain(entry.requestId);
  });

  it('refuses to defer or resume from a wrong state', async () => {
    const entry = await recorded();
    await expect(register.resumeDeferred(entry.requestId, NOW, event('reply-resumed'))).rejects.toThrow();
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await expect(register.deferOutbound(entry.requestId, NOW, event('reply-deferred'))).rejects.toThrow();
  });
});

describe('DynamoDbRequestRegister duplicates and tokens', () => {
  it('takes a duplicate marker once and names the first request to the second', async () => {
    const marker = { key: 'same-message-id-same-mailbox', expiresAt: later(7 * 24) };
    const first = request();
    const second = request();

    expect(await register.recordNew(first, event('received'), null, marker)).toEqual({ outcome: 'recorded' });
    expect(await register.recordNew(second, event('received'), null, marker)).toEqual({
      outcome: 'duplicate',
      firstRequestId: first.requestId,
    });
    expect(await register.get(second.requestId)).toBeNull();
  });

  it('keeps one token per request and purpose, and tells a retry the first expiry', async () => {
    const entry = await recorded();
    const firstExpiry = later(72);
    const token = {
      tokenHash: `hash-${entry.requestId}`,
      purpose: 'verify' as const,
      requestId: entry.requestId,
    };

    expect(await register.putToken({ ...token, expiresAt: firstExpiry })).toEqual({ expiresAt: firstExpiry });
    expect(await register.putToken({ ...token, expiresAt: later(96) })).toEqual({
      expiresAt: firstExpiry,
    });
  });
});

describe('DynamoDbRequestRegister outbound state changes from a wrong state', () => {
  it('refuses markSent unless the message is claimed', async () => {
    const entry = await recorded();
    await expect(register.markSent(entry.requestId, 'ses-out', event('reply-sent'))).rejects.toThrow();
    expect((await register.get(entry.requestId))?.outboundState).toBe('pending');
  });

  it('refuses releaseClaim and markInDoubt unless the message is claimed', async () => {
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await register.markSent(entry.requestId, 'ses-out', event('reply-sent', new Date(NOW.getTime() + 1)));

    await expect(register.releaseClaim(entry.requestId, event('reply-failed'), ROOMY)).rejects.toThrow();
    await expect(register.markInDoubt(entry.requestId, event('reply-in-doubt'))).rejects.toThrow();
    expect((await register.get(entry.requestId))?.outboundState).toBe('sent');
  });

  it('gives a claim back to pending, so the next claim succeeds', async () => {
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await register.releaseClaim(entry.requestId, event('reply-failed', new Date(NOW.getTime() + 1)), ROOMY);

    expect(await register.claimOutbound(entry.requestId, NOW, ROOMY)).toEqual({ outcome: 'claimed' });
  });
});

describe('forgetting a sealed address that the reply and the contact-list sync both need', () => {
  const contacts = () => new DynamoDbSealedContacts(client, TABLES.requestsTableName);

  async function sent(overrides: Partial<RegisteredRequest> = {}): Promise<RegisteredRequest> {
    const entry = await recorded(overrides);
    await register.claimOutbound(entry.requestId, NOW, ROOMY);
    await register.markSent(entry.requestId, 'ses-out', event('reply-sent', new Date(NOW.getTime() + 1)));
    return entry;
  }

  it('the delivery forgets it only once the sync is done: synced and completed', async () => {
    const entry = await sent();

    expect(await register.forgetContactIfSynced(entry.requestId)).toBe(false);
    expect((await register.get(entry.requestId))?.sealedContact).toBe('v1.sealed.contact');

    await contacts().markContactListSynced(entry.requestId);
    expect(await register.forgetContactIfSynced(entry.requestId)).toBe(true);
    expect((await register.get(entry.requestId))?.sealedContact).toBeNull();
  });

  it('the sync forgets it only once the reply is sent, or when none is owed', async () => {
    const pending = await recorded();
    const oneClick = await recorded({ outbound: 'none', outboundState: 'skipped' });

    expect(await contacts().forgetContactIfReplied(pending.requestId)).toBe(false);
    expect(await contacts().sealedContactOf(pending.requestId)).toBe('v1.sealed.contact');
    expect(await contacts().forgetContactIfReplied(oneClick.requestId)).toBe(true);
    expect(await contacts().sealedContactOf(oneClick.requestId)).toBeNull();
  });

  it('neither forgets the address of a request that is not completed', async () => {
    const inProgress = await sent({ kind: 'withdraw-consent', status: 'in-progress' });
    await contacts().markContactListSynced(inProgress.requestId);

    expect(await register.forgetContactIfSynced(inProgress.requestId)).toBe(false);
    expect(await contacts().forgetContactIfReplied(inProgress.requestId)).toBe(false);
    expect(await contacts().sealedContactOf(inProgress.requestId)).toBe('v1.sealed.contact');
  });

  it('marks no request that does not exist: no entry is created', async () => {
    await contacts().markContactListSynced('MK-NO-SUCH-REQUEST');

    expect(await register.get('MK-NO-SUCH-REQUEST')).toBeNull();
  });
});

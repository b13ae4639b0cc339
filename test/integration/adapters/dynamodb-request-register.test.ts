/**
 * The DynamoDB register on its own, against DynamoDB Local: every rule that keeps a request from being
 * recorded twice or an outbound message from being sent twice is a conditional write here, and each one
 * is checked by trying the write from a wrong state.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRequestRegister } from '../../../functions/adapters/dynamodb/request-register';
import type { AuditEvent, RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../../local/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/loopback';
import { createMakulTables } from '../../../local/makul-tables';

const TABLES = { requestsTableName: 'register-requests', subjectsTableName: 'register-subjects' };
const NOW = new Date('2026-11-20T08:00:00Z');

let dynamodb: DynamoDbLocalHandle;
let client: DynamoDBClient;
let register: DynamoDbRequestRegister;
let counter = 0;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal({ report: () => undefined });
  await createMakulTables(dynamodb.endpoint, TABLES);
  client = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: dynamodb.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  register = new DynamoDbRequestRegister(client, TABLES);
});

afterAll(async () => {
  client?.destroy();
  await dynamodb?.dispose();
});

function request(overrides: Partial<RegisteredRequest> = {}): RegisteredRequest {
  counter += 1;
  return {
    requestId: `MK-TEST${String(counter).padStart(5, '0')}`,
    sesMessageId: `ses-${counter}`,
    channel: 'email',
    action: 'process',
    reason: 'tag-in-subject',
    kind: 'unsubscribe',
    language: 'ru',
    status: 'completed',
    receivedAt: NOW.toISOString(),
    dueAt: NOW.toISOString(),
    jurisdiction: 'RU-152FZ',
    subjectKey: `subject-${counter}`,
    senderAddress: 'ivan@example.ru',
    senderAuthenticated: false,
    exactTag: true,
    rawMail: { bucket: 'raw', key: `inbound/${counter}` },
    operatorAddress: 'support@x2.kg',
    originalMessageId: null,
    originalReferences: null,
    outbound: 'reply',
    outboundState: 'pending',
    outboundClaimedAt: null,
    ...overrides,
  };
}

const event = (name: string, at: Date = NOW): AuditEvent => ({
  at: at.toISOString(),
  event: name,
  detail: {},
});

async function recorded(overrides: Partial<RegisteredRequest> = {}): Promise<RegisteredRequest> {
  const entry = request(overrides);
  expect(await register.recordNew(entry, event('received'), null)).toBe('recorded');
  return entry;
}

describe('DynamoDbRequestRegister.recordNew', () => {
  it('records a request once: the same request again is "exists" and changes nothing', async () => {
    const entry = await recorded();

    expect(await register.recordNew({ ...entry, reason: 'changed' }, event('received-again'), null)).toBe(
      'exists',
    );
    expect((await register.get(entry.requestId))?.reason).toBe('tag-in-subject');
    expect((await register.auditTrail(entry.requestId)).map((e) => e.event)).toEqual(['received']);
  });
});

describe('DynamoDbRequestRegister.claimOutbound', () => {
  it('claims a pending message once; a second claim learns the state and claim time from the refused write', async () => {
    const entry = await recorded();

    expect(await register.claimOutbound(entry.requestId, NOW, null)).toEqual({ outcome: 'claimed' });
    expect(await register.claimOutbound(entry.requestId, new Date(NOW.getTime() + 1000), null)).toEqual({
      outcome: 'not-pending',
      outboundState: 'sending',
      outboundClaimedAt: NOW.toISOString(),
    });
  });

  it('refuses to claim a message that was sent, and says so', async () => {
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, null);
    await register.markSent(entry.requestId, 'ses-out-1', event('reply-sent'));

    expect(await register.claimOutbound(entry.requestId, NOW, null)).toMatchObject({
      outcome: 'not-pending',
      outboundState: 'sent',
    });
  });

  it('counts replies per subject and day, and refuses the one over the limit', async () => {
    const rateLimit = { subjectKey: 'subject-capped', day: '2026-11-20', maxPerDay: 1 };
    const first = await recorded();
    const second = await recorded();

    expect(await register.claimOutbound(first.requestId, NOW, rateLimit)).toEqual({ outcome: 'claimed' });
    expect(await register.claimOutbound(second.requestId, NOW, rateLimit)).toEqual({
      outcome: 'rate-limited',
    });
    expect((await register.get(second.requestId))?.outboundState).not.toBe('sending');
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
    await register.claimOutbound(entry.requestId, NOW, null);
    await register.markSent(entry.requestId, 'ses-out', event('reply-sent', new Date(NOW.getTime() + 1)));

    await expect(register.releaseClaim(entry.requestId, event('reply-failed'), null)).rejects.toThrow();
    await expect(register.markInDoubt(entry.requestId, event('reply-in-doubt'))).rejects.toThrow();
    expect((await register.get(entry.requestId))?.outboundState).toBe('sent');
  });

  it('gives a claim back to pending, so the next claim succeeds', async () => {
    const entry = await recorded();
    await register.claimOutbound(entry.requestId, NOW, null);
    await register.releaseClaim(entry.requestId, event('reply-failed', new Date(NOW.getTime() + 1)), null);

    expect(await register.claimOutbound(entry.requestId, NOW, null)).toEqual({ outcome: 'claimed' });
  });
});

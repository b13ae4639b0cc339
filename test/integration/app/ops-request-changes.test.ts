/**
 * The ops state changes on DynamoDB Local: extend, complete and reject an open request. Each one is a
 * single conditional transaction, so each refusal is checked to leave the register as it was, and each
 * race (two extensions, a change between the read and the write) to end with one winner and a typed
 * outcome for the other. The notices recorded are rendered the way the deferred-outbound job does.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLinkRegister } from '../../../functions/adapters/dynamodb/link-register';
import { completeRequestByOps } from '../../../functions/app/complete-request';
import { extendRequestByOps } from '../../../functions/app/extend-request';
import { renderNoticeFor } from '../../../functions/app/prepare-notice';
import { rejectRequestByOps } from '../../../functions/app/reject-request';
import type { Jurisdiction } from '../../../functions/domain/operators/operator-profile';
import { formatReplyDate } from '../../../functions/domain/replies/reply-templates';
import { extendedDueAt } from '../../../functions/domain/requests/deadlines';
import { noticeId } from '../../../functions/domain/requests/link-actions';
import type { NoticeKind, RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import type { Language } from '../../../functions/domain/requests/request-kinds';
import { REQUEST_POLICIES, type SubjectEffect } from '../../../functions/domain/requests/request-policies';
import { openAddress, sealAddress } from '../../../functions/domain/subjects/sealed-address';
import type { LinkRegister } from '../../../functions/ports/request-register';
import { type LocalRegister, startLocalRegister } from '../../support/local-register';
import { sampleProfile } from '../../support/sample-profile';
import { sampleRequest } from '../../support/sample-request';

const TABLES = { requestsTableName: 'ops-requests', subjectsTableName: 'ops-subjects' };
const HMAC_KEY = 'ops-test-hmac-key-0123456789abcdef0123456789abcdef';
const ADDRESS = 'aigul@example.kg';
const NOW = new Date('2026-12-01T09:00:00.000Z');
const RECEIVED = '2026-11-20T08:00:00.000Z';
/** Friday 4 December 2026, 23:59:59 in Moscow: an access request's due date. */
const DUE = '2026-12-04T20:59:59.000Z';
/** Five working days later: Friday 11 December, end of the day in Moscow. */
const EXTENDED_DUE = '2026-12-11T20:59:59.000Z';
const EXTENSION_SOURCE = 'RU 152-FZ art. 20 part 2';
const REASON = 'The data are held in an archive system that answers within 7 days';

/** RU-like: access 10 working days, extendable once by 5 with a reasoned notice; nothing else extends. */
const base = sampleProfile().jurisdiction;
const JURISDICTION: Jurisdiction = {
  ...base,
  id: 'RU-152FZ',
  timeZone: 'Europe/Moscow',
  deadlines: {
    ...base.deadlines,
    access: {
      amount: 10,
      unit: 'working-days',
      source: 'RU 152-FZ art. 14 part 3, art. 20 part 1',
      extension: { amount: 5, unit: 'working-days', source: EXTENSION_SOURCE },
    },
  },
};
const PROFILE = { ...sampleProfile(), jurisdiction: JURISDICTION };

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

/** A recorded request with its address sealed, its kind's flags set on a subject record of its own. */
async function recorded(overrides: Partial<RegisteredRequest> = {}): Promise<RegisteredRequest> {
  serial += 1;
  const requestId = `MK-OPS${String(serial).padStart(6, '0')}`;
  const request = sampleRequest(serial, {
    requestId,
    kind: 'access',
    status: 'in-progress',
    receivedAt: RECEIVED,
    dueAt: DUE,
    closedAt: null,
    subjectKey: `subject-ops-${serial}`,
    sealedContact: sealAddress(ADDRESS, HMAC_KEY, requestId),
    ...overrides,
  });
  const effect: SubjectEffect | null =
    request.kind && request.status === 'in-progress' ? REQUEST_POLICIES[request.kind].effect : null;
  const received = { at: RECEIVED, event: 'received', detail: {} };
  expect(await register.recordNew(request, received, effect, null)).toEqual({ outcome: 'recorded' });
  return request;
}

const deps = (options: { register?: LinkRegister; withoutKey?: true } = {}) => ({
  register: options.register ?? register,
  jurisdiction: JURISDICTION,
  now: () => NOW,
  ...(options.withoutKey ? {} : { hmacKey: HMAC_KEY }),
});

const events = async (requestId: string) => (await register.auditTrail(requestId)).map((e) => e.event);
const noticeOf = (requestId: string, notice: NoticeKind) => register.get(noticeId(requestId, notice));

/** The register as one caller sees it: its read of the request is followed by `meanwhile` (someone else's write). */
function registerWithStaleRead(meanwhile: (read: RegisteredRequest | null) => Promise<void>): LinkRegister {
  return Object.assign(Object.create(register) as LinkRegister, {
    get: async (requestId: string) => {
      const read = await register.get(requestId);
      await meanwhile(read);
      return read;
    },
  });
}

/** The notice rendered as the deferred-outbound job renders it. */
async function rendered(notice: RegisteredRequest, language: Language) {
  return renderNoticeFor(notice, language, { profile: PROFILE, register, hmacKey: HMAC_KEY, now: () => NOW });
}

const dateIn = (iso: string, language: Language) =>
  formatReplyDate(new Date(iso), language, JURISDICTION.timeZone);

describe('extendRequestByOps', () => {
  it('moves the due date to exactly the extended date, keeps the original, audits it and records the reasoned notice', async () => {
    const request = await recorded();

    const outcome = await extendRequestByOps(request.requestId, REASON, deps());

    expect(outcome).toEqual({
      outcome: 'extended',
      requestId: request.requestId,
      from: DUE,
      to: EXTENDED_DUE,
      statute: EXTENSION_SOURCE,
    });
    expect(extendedDueAt('access', JURISDICTION, new Date(DUE))?.dueAt.toISOString()).toBe(EXTENDED_DUE);
    expect(await register.get(request.requestId)).toEqual({
      ...request,
      dueAt: EXTENDED_DUE,
      originalDueAt: DUE,
      extendedAt: NOW.toISOString(),
      extensionReason: REASON,
    });
    const trail = await register.auditTrail(request.requestId);
    expect(trail.at(-1)).toEqual({
      at: NOW.toISOString(),
      event: 'deadline-extended-by-ops',
      detail: {
        who: 'ops',
        reason: REASON,
        from: DUE,
        to: EXTENDED_DUE,
        statute: EXTENSION_SOURCE,
        notices: 'extended',
      },
    });
    const notice = await noticeOf(request.requestId, 'extended');
    expect(notice).toMatchObject({
      notice: 'extended',
      noticeOf: request.requestId,
      outbound: 'reply',
      outboundState: 'pending',
      opsQueue: 'deferred',
      dueAt: EXTENDED_DUE,
      originalDueAt: DUE,
      extensionReason: REASON,
    });
    expect(openAddress(notice?.sealedContact ?? '', HMAC_KEY, notice?.requestId ?? '')).toBe(ADDRESS);
    expect((await register.listOpsQueue('deferred')).map((entry) => entry.requestId)).toContain(
      notice?.requestId,
    );
  });

  it('renders the notice in Kyrgyz, Russian and English with the new date, the previous one and the reason', async () => {
    const request = await recorded({ language: 'ky' });
    await extendRequestByOps(request.requestId, REASON, deps());
    const notice = (await noticeOf(request.requestId, 'extended')) as RegisteredRequest;
    const expectations = {
      ky: ['суроо-талабыңызга жооп берүү мөөнөтү узартылды', 'Себеби: ', 'Мурунку мөөнөтү: '],
      ru: ['Срок ответа на ваш запрос', 'продлён', 'Причина: ', 'Прежний срок'],
      en: ['has been extended', 'Reason: ', 'The previous due date was'],
    } as const;

    for (const language of ['ky', 'ru', 'en'] as const) {
      const { subject, text, html } = await rendered(notice, language);

      expect(subject, language).toContain(request.requestId);
      expect(subject, language).not.toContain(REASON);
      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
      expect(text, language).toContain(REASON);
      expect(text, language).toContain(dateIn(EXTENDED_DUE, language));
      expect(text, language).toContain(dateIn(DUE, language));
      expect(html, language).toContain(REASON);
    }
  });

  it('refuses a second extension: the law allows one', async () => {
    const request = await recorded();
    await extendRequestByOps(request.requestId, REASON, deps());

    const again = await extendRequestByOps(request.requestId, 'once more', deps());

    expect(again).toEqual({ outcome: 'already-extended', originalDueAt: DUE, dueAt: EXTENDED_DUE });
    expect((await register.get(request.requestId))?.dueAt).toBe(EXTENDED_DUE);
    expect((await events(request.requestId)).filter((e) => e === 'deadline-extended-by-ops')).toHaveLength(1);
  });

  it('refuses once the original term has run out: the notice must go within it', async () => {
    const request = await recorded();
    const afterDue = new Date(Date.parse(DUE) + 1000);

    const late = await extendRequestByOps(request.requestId, REASON, { ...deps(), now: () => afterDue });

    expect(late).toEqual({ outcome: 'term-passed', dueAt: DUE });
    expect((await register.get(request.requestId))?.dueAt).toBe(DUE);
    expect(await events(request.requestId)).not.toContain('deadline-extended-by-ops');
    // On its last second it still may.
    const lastSecond = new Date(Date.parse(DUE));
    expect(
      (await extendRequestByOps(request.requestId, REASON, { ...deps(), now: () => lastSecond })).outcome,
    ).toBe('extended');
  });

  it('lets one of two extensions at once win; the other learns of the concurrent change and writes nothing', async () => {
    const request = await recorded();
    // Both read before either writes.
    let reads = 0;
    let bothRead: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const racing = registerWithStaleRead(async () => {
      reads += 1;
      if (reads === 2) bothRead();
      await barrier;
    });

    const outcomes = await Promise.all([
      extendRequestByOps(request.requestId, 'first', deps({ register: racing })),
      extendRequestByOps(request.requestId, 'second', deps({ register: racing })),
    ]);

    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['concurrent-change', 'extended']);
    expect((await register.get(request.requestId))?.dueAt).toBe(EXTENDED_DUE);
    expect((await events(request.requestId)).filter((e) => e === 'deadline-extended-by-ops')).toHaveLength(1);
  });

  it('refuses when the request was extended between the read and the write (once only, in the write)', async () => {
    const request = await recorded();
    // Marked extended behind the caller's back, the due date left as read: only "never extended" can refuse.
    const stale = registerWithStaleRead(async () => {
      await local.client.send(
        new UpdateItemCommand({
          TableName: TABLES.requestsTableName,
          Key: { pk: { S: `REQ#${request.requestId}` }, sk: { S: 'META' } },
          UpdateExpression: 'SET originalDueAt = :due',
          ExpressionAttributeValues: { ':due': { S: DUE } },
        }),
      );
    });

    expect(await extendRequestByOps(request.requestId, REASON, deps({ register: stale }))).toEqual({
      outcome: 'concurrent-change',
    });
    expect(await register.get(request.requestId)).toMatchObject({ dueAt: DUE, extendedAt: null });
    expect(await noticeOf(request.requestId, 'extended')).toBeNull();
  });

  it('refuses when the request was closed between the read and the write (open only, in the write)', async () => {
    const request = await recorded();
    const stale = registerWithStaleRead(async () => {
      expect((await completeRequestByOps(request.requestId, 'done meanwhile', deps())).outcome).toBe(
        'completed',
      );
    });

    const outcome = await extendRequestByOps(request.requestId, REASON, deps({ register: stale }));

    expect(outcome).toEqual({ outcome: 'concurrent-change' });
    expect(await register.get(request.requestId)).toMatchObject({ status: 'completed', dueAt: DUE });
    expect(await noticeOf(request.requestId, 'extended')).toBeNull();
  });

  it('refuses when the due date changed between the read and the write', async () => {
    const request = await recorded();
    const moved = '2026-12-07T20:59:59.000Z';
    const stale = registerWithStaleRead(async () => {
      await local.client.send(
        new UpdateItemCommand({
          TableName: TABLES.requestsTableName,
          Key: { pk: { S: `REQ#${request.requestId}` }, sk: { S: 'META' } },
          UpdateExpression: 'SET dueAt = :due',
          ExpressionAttributeValues: { ':due': { S: moved } },
        }),
      );
    });

    expect(await extendRequestByOps(request.requestId, REASON, deps({ register: stale }))).toEqual({
      outcome: 'concurrent-change',
    });
    expect((await register.get(request.requestId))?.dueAt).toBe(moved);
  });

  it('refuses an unknown request, and a notice entry named as if it were one', async () => {
    const request = await recorded();
    await extendRequestByOps(request.requestId, REASON, deps());

    expect(await extendRequestByOps('MK-NOSUCH0000', REASON, deps())).toEqual({ outcome: 'unknown-request' });
    expect(await extendRequestByOps(noticeId(request.requestId, 'extended'), REASON, deps())).toEqual({
      outcome: 'unknown-request',
    });
  });

  it('refuses a request that is not open, and changes nothing', async () => {
    for (const status of ['completed', 'cancelled', 'rejected', 'dropped', 'duplicate'] as const) {
      const request = await recorded({ status });

      expect(await extendRequestByOps(request.requestId, REASON, deps()), status).toEqual({
        outcome: 'not-open',
        status,
      });
      expect(await register.get(request.requestId), status).toEqual(request);
      expect(await events(request.requestId), status).toEqual(['received']);
    }
  });

  it('refuses a kind the law gives no extension, a request without a kind, and one of another jurisdiction', async () => {
    const erasure = await recorded({ kind: 'erasure' });
    const review = await recorded({ kind: null, status: 'needs-human' });
    const elsewhere = await recorded({ jurisdiction: 'KG-58' });

    expect(await extendRequestByOps(erasure.requestId, REASON, deps())).toEqual({
      outcome: 'no-extension-in-law',
      kind: 'erasure',
      jurisdiction: 'RU-152FZ',
    });
    expect(await extendRequestByOps(review.requestId, REASON, deps())).toEqual({
      outcome: 'no-extension-in-law',
      kind: null,
      jurisdiction: 'RU-152FZ',
    });
    expect(await extendRequestByOps(elsewhere.requestId, REASON, deps())).toEqual({
      outcome: 'no-extension-in-law',
      kind: 'access',
      jurisdiction: 'KG-58',
    });
    for (const request of [erasure, review, elsewhere]) {
      expect(await register.get(request.requestId)).toEqual(request);
    }
  });

  it('refuses when the subject cannot be told: no key, no address kept, or a held request', async () => {
    const noKey = await recorded();
    const noAddress = await recorded({ sealedContact: null });
    const held = await recorded({ status: 'held', opsQueue: 'held', opsQueueAt: RECEIVED });

    expect(await extendRequestByOps(noKey.requestId, REASON, deps({ withoutKey: true }))).toEqual({
      outcome: 'cannot-tell-subject',
    });
    expect(await extendRequestByOps(noAddress.requestId, REASON, deps())).toEqual({
      outcome: 'cannot-tell-subject',
    });
    expect(await extendRequestByOps(held.requestId, REASON, deps())).toEqual({
      outcome: 'cannot-tell-subject',
    });
    for (const request of [noKey, noAddress, held]) {
      expect(await register.get(request.requestId)).toEqual(request);
      expect(await noticeOf(request.requestId, 'extended')).toBeNull();
    }
  });
});

describe('completeRequestByOps', () => {
  it('completes a request in progress, stamps it with the note, and leaves the subject’s flags as they are', async () => {
    const request = await recorded({ kind: 'erasure' });
    const flagsBefore = await register.subjectRecord(request.subjectKey ?? '');

    const outcome = await completeRequestByOps(request.requestId, 'erased in CRM and billing', deps());

    expect(outcome).toEqual({ outcome: 'completed', requestId: request.requestId });
    expect(await register.get(request.requestId)).toEqual({
      ...request,
      status: 'completed',
      closedAt: NOW.toISOString(),
      closingReason: 'erased in CRM and billing',
    });
    expect(flagsBefore?.flags.marketingOptOut).toBeDefined();
    expect(await register.subjectRecord(request.subjectKey ?? '')).toEqual(flagsBefore);
    expect((await register.auditTrail(request.requestId)).at(-1)).toEqual({
      at: NOW.toISOString(),
      event: 'completed-by-ops',
      detail: { who: 'ops', note: 'erased in CRM and billing' },
    });
    expect(await register.get(noticeId(request.requestId, 'rejected'))).toBeNull();
  });

  it('completes a request passed to staff, and a held one, which leaves the held list', async () => {
    const review = await recorded({ kind: null, status: 'needs-human', sealedContact: null });
    const held = await recorded({ status: 'held', opsQueue: 'held', opsQueueAt: RECEIVED });
    expect((await register.listOpsQueue('held')).map((entry) => entry.requestId)).toContain(held.requestId);

    expect((await completeRequestByOps(review.requestId, 'answered by staff', deps())).outcome).toBe(
      'completed',
    );
    expect((await completeRequestByOps(held.requestId, 'genuine, done by hand', deps())).outcome).toBe(
      'completed',
    );

    expect(await register.get(held.requestId)).toMatchObject({
      status: 'completed',
      opsQueue: null,
      opsQueueAt: null,
    });
    expect((await register.listOpsQueue('held')).map((entry) => entry.requestId)).not.toContain(
      held.requestId,
    );
    expect((await register.get(review.requestId))?.status).toBe('completed');
  });

  it('refuses a request still awaiting verification: nobody has shown it is theirs yet', async () => {
    const request = await recorded({ status: 'awaiting-verification' });

    expect(await completeRequestByOps(request.requestId, 'done', deps())).toEqual({
      outcome: 'not-verified',
    });
    expect(await register.get(request.requestId)).toEqual(request);
  });

  it('refuses an unknown request and one already closed', async () => {
    expect(await completeRequestByOps('MK-NOSUCH0000', 'done', deps())).toEqual({
      outcome: 'unknown-request',
    });
    for (const status of ['completed', 'cancelled', 'rejected'] as const) {
      const request = await recorded({ status });

      expect(await completeRequestByOps(request.requestId, 'done', deps())).toEqual({
        outcome: 'not-open',
        status,
      });
      expect(await events(request.requestId)).toEqual(['received']);
    }
  });

  it('refuses when the request changed between the read and the write', async () => {
    const request = await recorded();
    const stale = registerWithStaleRead(async () => {
      expect((await rejectRequestByOps(request.requestId, 'refused meanwhile', deps())).outcome).toBe(
        'rejected',
      );
    });

    expect(await completeRequestByOps(request.requestId, 'done', deps({ register: stale }))).toEqual({
      outcome: 'concurrent-change',
    });
    expect((await register.get(request.requestId))?.status).toBe('rejected');
  });
});

describe('rejectRequestByOps', () => {
  it('rejects with the reason, gives back the flags it set but the marketing opt-out, and records the notice', async () => {
    const request = await recorded({ kind: 'erasure' });
    const reason = 'The contract is in force: the data must be kept until it ends (Civil Code art. 29)';

    const outcome = await rejectRequestByOps(request.requestId, reason, deps());

    expect(outcome).toEqual({
      outcome: 'rejected',
      requestId: request.requestId,
      released: ['erasureRequested'],
      subjectTold: true,
    });
    expect(await register.get(request.requestId)).toEqual({
      ...request,
      status: 'rejected',
      closedAt: NOW.toISOString(),
      closingReason: reason,
    });
    const record = await register.subjectRecord(request.subjectKey ?? '');
    expect(record?.flags.erasureRequested).toBeUndefined();
    expect(record?.flags.marketingOptOut?.heldBy).toEqual([request.requestId]);
    expect((await register.auditTrail(request.requestId)).at(-1)).toEqual({
      at: NOW.toISOString(),
      event: 'rejected-by-ops',
      detail: { who: 'ops', reason, released: 'erasureRequested', notices: 'rejected' },
    });
    const notice = await noticeOf(request.requestId, 'rejected');
    expect(notice).toMatchObject({ notice: 'rejected', outboundState: 'pending', closingReason: reason });
    expect(openAddress(notice?.sealedContact ?? '', HMAC_KEY, notice?.requestId ?? '')).toBe(ADDRESS);
  });

  it('renders the notice in Kyrgyz, Russian and English with the reason and where to appeal', async () => {
    const request = await recorded({ kind: 'stop-dissemination', language: 'ru' });
    await rejectRequestByOps(request.requestId, REASON, deps());
    const notice = (await noticeOf(request.requestId, 'rejected')) as RegisteredRequest;
    const expectations = {
      ky: ['суроо-талабыңыз четке кагылды', 'Себеби: ', 'сотко даттана аласыз'],
      ru: ['отклонён', 'Причина: ', 'в суде'],
      en: ['has been refused', 'Reason: ', 'or to a court'],
    } as const;

    for (const language of ['ky', 'ru', 'en'] as const) {
      const { subject, text } = await rendered(notice, language);

      expect(subject, language).toContain(request.requestId);
      expect(subject, language).not.toContain(REASON);
      for (const phrase of expectations[language]) expect(text, language).toContain(phrase);
      expect(text, language).toContain(REASON);
    }
  });

  it('keeps a flag set while another request holds it too', async () => {
    const first = await recorded({ kind: 'restrict' });
    serial += 1;
    const secondId = `MK-OPS${String(serial).padStart(6, '0')}`;
    const second = sampleRequest(serial, {
      requestId: secondId,
      kind: 'restrict',
      status: 'in-progress',
      subjectKey: first.subjectKey,
    });
    await register.recordNew(
      second,
      { at: RECEIVED, event: 'received', detail: {} },
      { processingRestricted: true },
      null,
    );

    const outcome = await rejectRequestByOps(first.requestId, REASON, deps());

    expect(outcome).toMatchObject({ outcome: 'rejected', released: ['processingRestricted'] });
    expect(
      (await register.subjectRecord(first.subjectKey ?? ''))?.flags.processingRestricted?.heldBy,
    ).toEqual([secondId]);
  });

  it('rejects a request awaiting verification: nothing was applied, so nothing is given back', async () => {
    const request = await recorded({ kind: 'erasure', status: 'awaiting-verification' });

    expect(await rejectRequestByOps(request.requestId, REASON, deps())).toEqual({
      outcome: 'rejected',
      requestId: request.requestId,
      released: [],
      subjectTold: true,
    });
    expect(await register.subjectRecord(request.subjectKey ?? '')).toBeNull();
  });

  it('rejects a held request without writing to its sender, and takes it off the held list', async () => {
    const request = await recorded({ status: 'held', opsQueue: 'held', opsQueueAt: RECEIVED });

    expect(await rejectRequestByOps(request.requestId, 'spam', deps())).toMatchObject({
      outcome: 'rejected',
      subjectTold: false,
    });
    expect(await noticeOf(request.requestId, 'rejected')).toBeNull();
    expect(await register.get(request.requestId)).toMatchObject({ status: 'rejected', opsQueue: null });
  });

  it('rejects without telling anyone when no key is given', async () => {
    const request = await recorded();

    expect(await rejectRequestByOps(request.requestId, REASON, deps({ withoutKey: true }))).toMatchObject({
      outcome: 'rejected',
      subjectTold: false,
    });
    expect(await noticeOf(request.requestId, 'rejected')).toBeNull();
  });

  it('refuses an unknown request and one already closed', async () => {
    expect(await rejectRequestByOps('MK-NOSUCH0000', REASON, deps())).toEqual({ outcome: 'unknown-request' });
    for (const status of ['completed', 'cancelled', 'rejected', 'dropped'] as const) {
      const request = await recorded({ status });

      expect(await rejectRequestByOps(request.requestId, REASON, deps())).toEqual({
        outcome: 'not-open',
        status,
      });
      expect(await events(request.requestId)).toEqual(['received']);
    }
  });

  it('refuses when the request was confirmed between the read and the write (its new flags were not read)', async () => {
    const request = await recorded({ kind: 'erasure', status: 'awaiting-verification' });
    const stale = registerWithStaleRead(async () => {
      const confirmed = await register.redeemToken({
        tokenHash: null,
        at: NOW,
        requestId: request.requestId,
        request: {
          fromStatuses: ['awaiting-verification'],
          toStatus: 'in-progress',
          proof: 'confirmed-link',
        },
        subject: { key: request.subjectKey ?? '', apply: REQUEST_POLICIES.erasure.effect },
        audit: { at: NOW.toISOString(), event: 'link-confirmed', detail: {} },
        notices: [],
      });
      expect(confirmed).toEqual({ outcome: 'done' });
    });

    expect(await rejectRequestByOps(request.requestId, REASON, deps({ register: stale }))).toEqual({
      outcome: 'concurrent-change',
    });
    expect((await register.get(request.requestId))?.status).toBe('in-progress');
  });

  it('refuses when the subject’s record changed between the read and the write', async () => {
    const request = await recorded({ kind: 'erasure' });
    serial += 1;
    const other = sampleRequest(serial, { requestId: `MK-OPS${String(serial).padStart(6, '0')}` });
    // Another request takes a hold on the same flag after the read: the release read is stale.
    const stale: LinkRegister = Object.assign(Object.create(register) as LinkRegister, {
      subjectRecord: async (key: string) => {
        const read = await register.subjectRecord(key);
        await register.recordNew(
          { ...other, subjectKey: key },
          { at: RECEIVED, event: 'received', detail: {} },
          { erasureRequested: true },
          null,
        );
        return read;
      },
    });

    expect(await rejectRequestByOps(request.requestId, REASON, deps({ register: stale }))).toEqual({
      outcome: 'concurrent-change',
    });
    expect((await register.get(request.requestId))?.status).toBe('in-progress');
  });
});

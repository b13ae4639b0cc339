/**
 * The inbound function end to end on real local services: DynamoDB Local, the SES v2 emulator and
 * the S3 emulator. What is recorded, what is sent and with which headers, redeliveries, partial batch
 * failures, and outages of DynamoDB and SES in the middle of a batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDeferredOutbound } from '../../functions/app/send-deferred-outbound';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import { localDate, reviewDueAt } from '../../functions/domain/requests/deadlines';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { hashToken } from '../../functions/domain/tokens/verification-token';
import { arrivalFromRecord } from '../../functions/inbound-email/ses-notification';
import {
  BODY_MARKER,
  HMAC_KEY,
  HUMAN_INBOX,
  InboundHarness,
  PASSING_VERDICTS,
  requestMail,
  SUPPORT_ADDRESS,
} from '../support/inbound-harness';
import { EVENT_FIXTURES } from '../support/paths';

let harness: InboundHarness;

beforeAll(async () => {
  harness = await InboundHarness.start();
});

afterAll(async () => {
  await harness?.stop();
});

const keyOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);
const lambdaContext = { awsRequestId: 'test-invocation' } as Context;

describe('inbound-email on real local services', () => {
  it('records an unsubscribe, opts the subject out at once and replies in the tag’s language with RFC 3834 headers', async () => {
    const sender = 'aigul.unsubscribe@example.kg';
    const delivery = await harness.deliver(
      requestMail({
        from: `Айгүл Осмонова <${sender}>`,
        subject:
          'Re: «Жаңы продукттар жана кызматтар жана атайын сунуштар жөнүндө билдирүүлөрдөн баш тартуу»',
        messageId: '<original-1@mail.example.kg>',
        extraHeaders: ['References: <newsletter-7@x2.kg>'],
      }),
    );

    const response = await harness.handler()({ Records: [delivery.record] }, lambdaContext);

    expect(response.batchItemFailures).toEqual([]);
    const requestId = requestIdFor(delivery.sesMessageId);
    const item = await harness.requestItem(requestId);
    expect(item).toMatchObject({
      kind: { S: 'unsubscribe' },
      language: { S: 'ky' },
      channel: { S: 'email' },
      status: { S: 'completed' },
      action: { S: 'process' },
      outboundState: { S: 'sent' },
      subjectKey: { S: keyOf(sender) },
    });
    expect(item?.receivedAt?.S).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(item?.dueAt?.S).toBe(item?.receivedAt?.S);
    // Done, and makul will not write again: the address went with the reply.
    expect(item).not.toHaveProperty('sealedContact');

    const profile = await harness.subjectProfile(keyOf(sender));
    expect(profile?.marketingOptOut).toEqual({ BOOL: true });
    expect(profile?.marketingOptOutAt?.S).toMatch(/^\d{4}-/);

    const trail = await harness.runtime.register.auditTrail(requestId);
    expect(trail.map((event) => event.event)).toEqual(['received', 'reply-sent']);

    const [reply, ...more] = await harness.sentTo(sender);
    expect(more).toHaveLength(0);
    expect(reply?.from).toBe('support@x2.kg');
    expect(reply?.subject).toContain(requestId);
    expect(reply?.body.text).toMatch(/[өүң]/); // Kyrgyz text
    expect(reply?.body.text).not.toContain(BODY_MARKER); // never a copy of the original
    const headers = Object.fromEntries((reply?.headers ?? []).map((header) => [header.name, header.value]));
    expect(headers['Auto-Submitted']).toBe('auto-replied');
    expect(headers['In-Reply-To']).toBe('<original-1@mail.example.kg>');
    expect(headers.References).toBe('<newsletter-7@x2.kg> <original-1@mail.example.kg>');
  });

  it('holds a withdrawal from an unauthenticated sender for a single-use link, storing only its hash', async () => {
    const sender = 'ivan.withdraw@example.ru';
    const delivery = await harness.deliver(
      requestMail({ from: sender, subject: 'Отзыв согласия на обработку персональных данных' }),
      { delivery: 'raw-message-delivery' },
    );

    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);

    const requestId = requestIdFor(delivery.sesMessageId);
    expect(await harness.requestItem(requestId)).toMatchObject({
      kind: { S: 'withdraw-consent' },
      language: { S: 'ru' },
      status: { S: 'awaiting-verification' },
    });
    expect(await harness.subjectProfile(keyOf(sender))).toBeUndefined();

    const [reply] = await harness.sentTo(sender);
    const token = /\/c\/([A-Za-z0-9_-]{43})/.exec(reply?.body.text ?? '')?.[1];
    expect(token).toBeDefined();
    const stored = await harness.tokenItem(hashToken(token as string));
    expect(stored).toMatchObject({ requestId: { S: requestId }, purpose: { S: 'verify' } });
    expect(JSON.stringify(stored)).not.toContain(token as string);
    expect(Number(stored?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 71 * 3600);
  });

  it('applies an erasure from a DMARC-authenticated sender now and offers "this was not me"', async () => {
    const sender = 'owner@example.org';
    const delivery = await harness.deliver(requestMail({ from: sender, subject: 'delete my data' }), {
      verdicts: { ...PASSING_VERDICTS, dkim: 'PASS', dmarc: 'PASS', dkimPassDomains: ['example.org'] },
    });

    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);

    const requestId = requestIdFor(delivery.sesMessageId);
    expect(await harness.requestItem(requestId)).toMatchObject({
      kind: { S: 'erasure' },
      status: { S: 'in-progress' },
      senderAuthenticated: { BOOL: true },
    });
    const profile = await harness.subjectProfile(keyOf(sender));
    expect(profile).toMatchObject({ erasureRequested: { BOOL: true }, marketingOptOut: { BOOL: true } });
    const [reply] = await harness.sentTo(sender);
    const token = /\/c\/([A-Za-z0-9_-]{43})/.exec(reply?.body.text ?? '')?.[1] as string;
    expect(await harness.tokenItem(hashToken(token))).toMatchObject({ purpose: { S: 'dispute' } });
  });

  it('forwards mail without a tag, whole, to the human support inbox and records it for review', async () => {
    const sender = 'question@example.kg';
    const raw = requestMail({ from: sender, subject: 'When is the next draw?' });
    const delivery = await harness.deliver(raw);

    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);

    const requestId = requestIdFor(delivery.sesMessageId);
    expect(await harness.requestItem(requestId)).toMatchObject({
      action: { S: 'review' },
      reason: { S: 'no-tag' },
      status: { S: 'needs-human' },
      outbound: { S: 'forward' },
      outboundState: { S: 'sent' },
    });
    expect(await harness.sentTo(sender)).toHaveLength(0);
    const forwards = (await harness.sentTo(HUMAN_INBOX)).filter((mail) => mail.subject.includes(requestId));
    expect(forwards).toHaveLength(1);
    const original = await harness.s3.getObject(delivery.objectKey);
    const attachment = forwards[0]?.attachments[0];
    expect(attachment?.size).toBe(original?.byteLength);
    expect(forwards[0]?.subject).not.toContain(sender);
  });

  it('gives mail without a tag the jurisdiction’s shortest day-based term as its due date', async () => {
    const delivery = await harness.deliver(
      requestMail({ from: 'untagged-due@example.kg', subject: 'A question about my account' }),
    );

    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);

    const item = await harness.requestItem(requestIdFor(delivery.sesMessageId));
    expect(item).toMatchObject({ action: { S: 'review' }, reason: { S: 'no-tag' }, kind: { NULL: true } });
    const receivedAt = new Date(item?.receivedAt?.S ?? Number.NaN);
    expect(item?.dueAt?.S).toBe(reviewDueAt(harness.config.profile.jurisdiction, receivedAt).toISOString());
    // Not "at once" (the immediate unsubscribe duty) but days to triage: seven working days in this profile.
    expect(Date.parse(item?.dueAt?.S ?? '')).toBeGreaterThan(receivedAt.getTime() + 7 * 24 * 60 * 60 * 1000);
  });

  it('warns, once per message and without personal data, when the calendar lacks a year the due date spans', async () => {
    const sender = 'calendar-gap@example.kg';
    const { jurisdiction } = harness.config.profile;
    // A country with no calendar year at all: every day-based term is counted with weekends only.
    const profile = {
      ...harness.config.profile,
      jurisdiction: { ...jurisdiction, country: 'KG', calendar: {} },
    };
    const before = harness.metrics.counts.get('CalendarYearMissing') ?? 0;
    const delivery = await harness.deliver(requestMail({ from: sender, subject: 'withdraw consent' }));

    expect((await harness.runBatch([delivery.record], { profile })).batchItemFailures).toEqual([]);

    expect(harness.metrics.counts.get('CalendarYearMissing')).toBe(before + 1);
    const warning = harness.logLines.find((line) =>
      line.includes('due date counted without the official calendar'),
    );
    expect(warning).toBeDefined();
    expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'WARN', jurisdiction: 'KG-58' });
    expect(warning).toMatch(/"years":"\d{4}(,\d{4})?"/);
    expect(warning).not.toContain(sender);
  });

  it('answers from the second of two support addresses when the person wrote to it', async () => {
    const second = 'privacy@x2.kg';
    const { operator } = harness.config.profile;
    const profile = {
      ...harness.config.profile,
      operator: { ...operator, supportAddresses: [SUPPORT_ADDRESS, second] },
    };
    const sender = 'wrote-to-privacy@example.kg';
    // SMTP keeps the case the sending server wrote: the envelope recipient is compared normalised.
    const deliveries = [
      await harness.deliver(requestMail({ from: sender, to: second, subject: 'unsubscribe' }), {
        rcptTo: [second],
      }),
      await harness.deliver(requestMail({ from: sender, to: 'Privacy@X2.kg', subject: 'opt out' }), {
        rcptTo: ['Privacy@X2.kg'],
      }),
    ];

    const response = await harness.runBatch(
      deliveries.map((delivery) => delivery.record),
      { profile },
    );

    expect(response.batchItemFailures).toEqual([]);
    for (const delivery of deliveries) {
      expect(await harness.requestItem(requestIdFor(delivery.sesMessageId))).toMatchObject({
        action: { S: 'process' },
        operatorAddress: { S: second },
        outboundState: { S: 'sent' },
      });
    }
    const replies = await harness.sentTo(sender);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply.from).toBe(second);
  });

  it('records mail over the size cap without reading it, and tells the human inbox where it is kept', async () => {
    const sender = 'huge@example.kg';
    const attachment = 'A'.repeat(76);
    const raw = requestMail({
      from: sender,
      subject: 'unsubscribe',
      body: Array.from({ length: 140_000 }, () => attachment).join('\r\n'),
    });
    const delivery = await harness.deliver(raw);

    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);

    const requestId = requestIdFor(delivery.sesMessageId);
    expect(await harness.requestItem(requestId)).toMatchObject({
      action: { S: 'review' },
      reason: { S: 'too-large' },
      status: { S: 'needs-human' },
      outboundState: { S: 'sent' },
    });
    const forward = (await harness.sentTo(HUMAN_INBOX)).find((mail) => mail.subject.includes(requestId));
    expect(forward?.attachments).toHaveLength(0);
    expect(forward?.body.text).toContain(`s3://${harness.config.rawMailBucketName}/${delivery.objectKey}`);
    expect(await harness.sentTo(sender)).toHaveLength(0);
  });

  it('drops an auto-reply with its reason recorded, sends nothing and keeps no address', async () => {
    const delivery = await harness.deliver(
      requestMail({
        from: 'robot@example.kg',
        subject: 'unsubscribe',
        extraHeaders: ['Auto-Submitted: auto-replied'],
      }),
    );

    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);

    const item = await harness.requestItem(requestIdFor(delivery.sesMessageId));
    expect(item).toMatchObject({
      action: { S: 'drop' },
      reason: { S: 'auto-submitted' },
      status: { S: 'dropped' },
    });
    expect(item?.sealedContact).toEqual({ NULL: true });
    expect(await harness.sentTo('robot@example.kg')).toHaveLength(0);
  });

  it('neither records nor replies twice when SQS delivers the same message again', async () => {
    const sender = 'twice@example.kg';
    const delivery = await harness.deliver(requestMail({ from: sender, subject: 'unsubscribe' }));

    await harness.runBatch([delivery.record]);
    await harness.runBatch([harness.redeliver(delivery.record, 2)]);
    await harness.runBatch([delivery.record, harness.redeliver(delivery.record, 3)]);

    expect(await harness.sentTo(sender)).toHaveLength(1);
    const trail = await harness.runtime.register.auditTrail(requestIdFor(delivery.sesMessageId));
    expect(trail.filter((event) => event.event === 'received')).toHaveLength(1);
  });

  it('reports only the failing record of a batch, and handles the others', async () => {
    const good = await harness.deliver(requestMail({ from: 'batch-a@example.kg', subject: 'unsubscribe' }));
    const alsoGood = await harness.deliver(requestMail({ from: 'batch-b@example.kg', subject: 'opt out' }));
    const broken = { ...good.record, messageId: 'broken-record', body: '{"not":"a notification"}' };

    const response = await harness.runBatch([good.record, broken, alsoGood.record]);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'broken-record' }]);
    expect(await harness.sentTo('batch-a@example.kg')).toHaveLength(1);
    expect(await harness.sentTo('batch-b@example.kg')).toHaveLength(1);
  });

  it('answers one mailbox at most 10 times a day (RFC 3834), whatever sub-address tag it uses, and defers the rest', async () => {
    const mailbox = 'prolific@example.kg';
    const deliveries = [];
    for (let index = 0; index < 11; index += 1) {
      // prolific+0@, prolific+1@, …: one mailbox, so one daily limit.
      const from = index === 0 ? mailbox : `prolific+${index}@example.kg`;
      deliveries.push(await harness.deliver(requestMail({ from, subject: 'unsubscribe' })));
    }

    const response = await harness.runBatch(deliveries.map((delivery) => delivery.record));

    expect(response.batchItemFailures).toEqual([]);
    const sentToMailbox = async () =>
      (await harness.ses.sentEmails()).filter((email) =>
        email.destination.to.some((to) => to.startsWith('prolific')),
      );
    expect(await sentToMailbox()).toHaveLength(10);
    const lastId = requestIdFor((deliveries.at(-1) as (typeof deliveries)[number]).sesMessageId);
    const trail = await harness.runtime.register.auditTrail(lastId);
    expect(trail.map((event) => event.event)).toContain('reply-deferred');
    // The opt-out itself is not held back: only the reply waits.
    expect(await harness.requestItem(lastId)).toMatchObject({
      status: { S: 'completed' },
      outboundState: { S: 'deferred' },
      opsQueue: { S: 'deferred' },
    });
    expect((await harness.runtime.register.listOpsQueue('deferred')).map((r) => r.requestId)).toContain(
      lastId,
    );

    // The same day, the job leaves it waiting; the next day, it goes out, once.
    expect((await sendDeferredOutbound(harness.dependencies())).results.sent ?? 0).toBe(0);
    harness.advanceClock(24 * 60 * 60 * 1000);
    let nextDay: Awaited<ReturnType<typeof sendDeferredOutbound>>;
    try {
      nextDay = await sendDeferredOutbound(harness.dependencies());
      await sendDeferredOutbound(harness.dependencies());
    } finally {
      harness.resetClock();
    }

    expect(nextDay.results.sent).toBeGreaterThanOrEqual(1);
    expect(await sentToMailbox()).toHaveLength(11);
    expect(await harness.requestItem(lastId)).toMatchObject({ outboundState: { S: 'sent' } });
    expect(await harness.requestItem(lastId)).not.toHaveProperty('opsQueue');
  });

  it('answers a person who copied themselves (Cc: their own address): header recipients are not the operator', async () => {
    const sender = 'copies-self@example.kg';
    const delivery = await harness.deliver(
      requestMail({ from: sender, subject: 'unsubscribe', extraHeaders: [`Cc: ${sender}`] }),
    );

    await harness.runBatch([delivery.record]);

    expect(await harness.requestItem(requestIdFor(delivery.sesMessageId))).toMatchObject({
      action: { S: 'process' },
      kind: { S: 'unsubscribe' },
    });
    expect(await harness.sentTo(sender)).toHaveLength(1);
  });

  it('records the same mail resent (same Message-ID, same mailbox) as a duplicate of the first, and answers once', async () => {
    const mail = (from: string) =>
      requestMail({ from, subject: 'unsubscribe', messageId: '<resent-7781@mail.example.kg>' });
    const first = await harness.deliver(mail('resends@example.kg'));
    const again = await harness.deliver(mail('resends+x@example.kg'));

    await harness.runBatch([first.record]);
    await harness.runBatch([again.record]);

    expect(await harness.requestItem(requestIdFor(again.sesMessageId))).toMatchObject({
      status: { S: 'duplicate' },
      duplicateOf: { S: requestIdFor(first.sesMessageId) },
      outbound: { S: 'none' },
      sealedContact: { NULL: true },
    });
    expect(
      (await harness.sentTo('resends@example.kg')).length +
        (await harness.sentTo('resends+x@example.kg')).length,
    ).toBe(1);
    expect(harness.metrics.counts.get('Duplicates')).toBeGreaterThanOrEqual(1);
  });

  it('does not take a different mail with the same Message-ID from another sender for a duplicate', async () => {
    const messageId = '<shared-id-4410@mail.example.kg>';
    const one = await harness.deliver(
      requestMail({ from: 'first-sender@example.kg', subject: 'unsubscribe', messageId }),
    );
    const two = await harness.deliver(
      requestMail({ from: 'second-sender@example.kg', subject: 'unsubscribe', messageId }),
    );

    await harness.runBatch([one.record, two.record]);

    expect(await harness.requestItem(requestIdFor(two.sesMessageId))).toMatchObject({
      status: { S: 'completed' },
    });
    expect(await harness.sentTo('second-sender@example.kg')).toHaveLength(1);
  });

  it.each([
    ['spam-verdict-fail', { ...PASSING_VERDICTS, spam: 'FAIL' }],
    ['dmarc-fail', { ...PASSING_VERDICTS, dmarc: 'FAIL', dmarcPolicy: 'reject' }],
  ] as const)(
    'holds a request with %s: recorded with its kind, no effect, no reply, listed and counted for ops',
    async (reason, verdicts) => {
      const sender = `held-${reason}@example.kg`;
      const delivery = await harness.deliver(requestMail({ from: sender, subject: 'unsubscribe' }), {
        verdicts,
      });
      const heldBefore = harness.metrics.counts.get(`Held reason=${reason}`) ?? 0;

      await harness.runBatch([delivery.record]);

      const requestId = requestIdFor(delivery.sesMessageId);
      expect(await harness.requestItem(requestId)).toMatchObject({
        action: { S: 'hold' },
        reason: { S: reason },
        kind: { S: 'unsubscribe' },
        status: { S: 'held' },
        outbound: { S: 'none' },
        opsQueue: { S: 'held' },
      });
      expect(await harness.subjectProfile(keyOf(sender))).toBeUndefined();
      expect(await harness.sentTo(sender)).toHaveLength(0);
      expect((await harness.runtime.register.listOpsQueue('held')).map((r) => r.requestId)).toContain(
        requestId,
      );
      expect(harness.metrics.counts.get(`Held reason=${reason}`)).toBe(heldBefore + 1);
    },
  );

  it('keeps a message whose raw mail is missing for the DLQ, with the reason logged', async () => {
    const delivery = await harness.deliver(requestMail({ from: 'gone@example.kg', subject: 'unsubscribe' }));
    const body = delivery.record.body.replace(delivery.objectKey, 'inbound/does-not-exist');

    const response = await harness.runBatch([harness.redeliver({ ...delivery.record, body }, 5)]);

    expect(response.batchItemFailures).toHaveLength(1);
    const last = harness.logLines.at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({
      level: 'ERROR',
      message: 'message failed for the last time: it moves to the DLQ',
      errorName: 'RawMailNotFoundError',
      lastAttempt: true,
    });
  });
});

describe('inbound-email on the committed event fixtures', () => {
  it.each([
    ['sqs-sns-envelope-unsubscribe-ru.json', 'unsubscribe-ru.eml', 'unsubscribe', 'ivan.petrov@example.ru'],
    ['sqs-raw-delivery-unsubscribe-ru.json', 'unsubscribe-ru.eml', 'unsubscribe', 'ivan.petrov@example.ru'],
    [
      'sqs-sns-envelope-withdraw-consent-ky-second-receive.json',
      'withdraw-consent-ky.eml',
      'withdraw-consent',
      'aigul.asanova@example.kg',
    ],
  ])(
    'runs %s through the deployed handler and answers its sender once',
    async (eventFile, emlFile, kind, sender) => {
      const event = JSON.parse(readFileSync(join(EVENT_FIXTURES, eventFile), 'utf8')) as SQSEvent;
      const [record] = event.Records;
      if (!record) throw new Error(`${eventFile} has no record`);
      const arrival = arrivalFromRecord(record, harness.config.rawMailBucketName);
      await harness.s3.putObject(arrival.rawMail.key, readFileSync(join(EVENT_FIXTURES, emlFile)));
      const before = (await harness.sentTo(sender)).length;

      const response = await harness.handler()(event, lambdaContext);
      // The same event again (SQS redelivers): nothing new is recorded or sent.
      await harness.handler()(event, lambdaContext);

      expect(response.batchItemFailures).toEqual([]);
      expect(await harness.requestItem(requestIdFor(arrival.sesMessageId))).toMatchObject({
        kind: { S: kind },
        action: { S: 'process' },
        outboundState: { S: 'sent' },
      });
      // Both unsubscribe fixtures share one SES message id: one request, one reply between them.
      expect((await harness.sentTo(sender)).length - before).toBeLessThanOrEqual(1);
      expect(await harness.sentTo(sender)).toHaveLength(1);
    },
  );
});

describe('inbound-email when a service fails mid-batch', () => {
  it('loses nothing and answers nobody twice when DynamoDB Local stops in the middle of a batch', async () => {
    const senders = ['outage-1@example.kg', 'outage-2@example.kg', 'outage-3@example.kg'];
    const deliveries = await Promise.all(
      senders.map((sender) => harness.deliver(requestMail({ from: sender, subject: 'unsubscribe' }))),
    );
    const realSender = harness.runtime.mailSender;
    let sends = 0;
    const stopDatabaseAfterFirstSend = {
      sendRaw: realSender.sendRaw.bind(realSender),
      async sendReply(reply: Parameters<typeof realSender.sendReply>[0]) {
        const id = await realSender.sendReply(reply);
        sends += 1;
        if (sends === 1) await harness.dynamodb.stop();
        return id;
      },
    };

    const first = await harness.runBatch(
      deliveries.map((delivery) => delivery.record),
      { mailSender: stopDatabaseAfterFirstSend },
    );
    expect(first.batchItemFailures).toHaveLength(3);

    await harness.dynamodb.start();
    const failed = new Set(first.batchItemFailures.map((failure) => failure.itemIdentifier));
    const retry = deliveries.filter((delivery) => failed.has(delivery.record.messageId));
    const second = await harness.runBatch(retry.map((delivery) => harness.redeliver(delivery.record, 2)));
    // The first message's send went out but was never marked sent: its claim is still fresh.
    expect(second.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      deliveries[0]?.record.messageId,
    ]);

    harness.advanceClock(5 * 60 * 1000);
    const third = await harness.runBatch([harness.redeliver(deliveries[0]?.record as never, 3)]);
    harness.advanceClock(-5 * 60 * 1000);
    expect(third.batchItemFailures).toEqual([]);

    for (const sender of senders) expect(await harness.sentTo(sender)).toHaveLength(1);
    const doubtful = await harness.requestItem(requestIdFor(deliveries[0]?.sesMessageId as string));
    expect(doubtful?.outboundState).toEqual({ S: 'in-doubt' });
    for (const delivery of deliveries.slice(1)) {
      expect((await harness.requestItem(requestIdFor(delivery.sesMessageId)))?.outboundState).toEqual({
        S: 'sent',
      });
    }
  });

  it('retries every message when the SES emulator is down, and replies once each when it is back', async () => {
    const senders = ['ses-down-1@example.kg', 'ses-down-2@example.kg'];
    const deliveries = await Promise.all(
      senders.map((sender) =>
        harness.deliver(
          requestMail({ from: sender, subject: 'update personal data', body: 'Phone: +996 555 123 456' }),
        ),
      ),
    );
    await harness.ses.stop();

    const first = await harness.runBatch(deliveries.map((delivery) => delivery.record));

    expect(first.batchItemFailures).toHaveLength(2);
    for (const delivery of deliveries) {
      const item = await harness.requestItem(requestIdFor(delivery.sesMessageId));
      expect(item?.outboundState).toEqual({ S: 'pending' });
      const trail = await harness.runtime.register.auditTrail(requestIdFor(delivery.sesMessageId));
      expect(trail.map((event) => event.event)).toContain('reply-failed');
    }

    await harness.ses.start();
    const second = await harness.runBatch(
      deliveries.map((delivery) => harness.redeliver(delivery.record, 2)),
    );
    const third = await harness.runBatch(deliveries.map((delivery) => harness.redeliver(delivery.record, 3)));

    expect(second.batchItemFailures).toEqual([]);
    expect(third.batchItemFailures).toEqual([]);
    for (const sender of senders) expect(await harness.sentTo(sender)).toHaveLength(1);
    // The failed attempts gave their place in the daily reply limit back: one reply, one count.
    const today = localDate(new Date(), harness.config.profile.jurisdiction.timeZone);
    for (const sender of senders) expect(await harness.replyCount(keyOf(sender), today)).toBe(1);
  });
});

describe('inbound-email register', () => {
  it('keeps a sealed address only for requests it must still write to, and no address in clear anywhere', async () => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await harness.client.send(
        new ScanCommand({ TableName: harness.config.requestsTableName, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const entries = items.filter((item) => JSON.stringify(item).includes('"sk":{"S":"META"}'));

    expect(entries.length).toBeGreaterThan(20);
    for (const entry of entries) {
      // In clear: the operator's own support address, and Message-IDs (which look like addresses) for threading.
      const {
        operatorAddress: _support,
        originalMessageId: _id,
        originalReferences: _references,
        ...rest
      } = entry;
      expect(JSON.stringify(rest)).not.toMatch(/[^\s"<>]+@[^\s"<>]+\.[a-z]{2,}/i);
    }
    const awaiting = entries.filter((entry) => JSON.stringify(entry).includes('"awaiting-verification"'));
    expect(awaiting.length).toBeGreaterThan(0);
    for (const entry of awaiting) expect(JSON.stringify(entry)).toMatch(/"sealedContact":\{"S":"v1\./);
  });
});

describe('inbound-email logs', () => {
  it('contain no address, name, phone or body text from any message handled in these tests', () => {
    expect(harness.logLines.length).toBeGreaterThan(20);
    const logs = harness.logLines.join('\n');
    expect(logs).not.toMatch(/[^\s"<>]+@[^\s"<>]+\.[a-z]{2,}/i);
    for (const personal of ['Айгүл', 'Осмонова', '+996', '555 123', BODY_MARKER, 'aigul', 'ivan']) {
      expect(logs).not.toContain(personal);
    }
  });
});

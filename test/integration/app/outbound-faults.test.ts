/**
 * At most one message per request, whatever fails and whenever: a failure is injected at every step of
 * the inbound path (after the record, after the claim, after the send, at markSent, at the release, an
 * ambiguous answer from SES) and the same message is delivered twice at once. Every run ends with
 * exactly one reply, or with no second reply and the request in doubt, listed and counted for the alarm.
 *
 * The services are real (DynamoDB Local, the SES v2 emulator, the S3 emulator); only the failures are
 * injected, by wrapping the real adapters, because a real service cannot be made to fail at one step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdFor } from '../../../functions/domain/requests/request-id';
import { hashToken } from '../../../functions/domain/tokens/verification-token';
import { MailNotSentError, type MailSender } from '../../../functions/ports/mail-sender';
import type { RequestRegister } from '../../../functions/ports/request-register';
import { InboundHarness, requestMail } from '../../support/inbound-harness';

let harness: InboundHarness;

beforeAll(async () => {
  harness = await InboundHarness.start();
});

afterAll(async () => {
  await harness?.stop();
});

/** A register whose named method fails the first `times` calls, after (or instead of) the real one. */
function failingRegister(
  method: 'claimOutbound' | 'markSent' | 'releaseClaim',
  options: { times: number; afterRealCall: boolean },
): RequestRegister {
  const real = harness.runtime.register;
  let failures = 0;
  return new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (failures >= options.times) return value.apply(target, args);
        failures += 1;
        if (options.afterRealCall) await value.apply(target, args);
        throw new Error(`injected failure in ${String(property)}`);
      };
    },
  });
}

/** A mail sender that fails the first call: before SES (surely not sent) or after it took the message. */
function failingSender(kind: 'not-sent' | 'ambiguous-after-send' | 'ambiguous-before-send'): MailSender {
  const real = harness.runtime.mailSender;
  let failed = false;
  const fail = async <T>(send: () => Promise<T>): Promise<T> => {
    if (failed) return send();
    failed = true;
    if (kind === 'not-sent') throw new MailNotSentError('injected: SES refused');
    if (kind === 'ambiguous-after-send') await send();
    throw Object.assign(new Error('injected: socket hang up'), { name: 'TimeoutError' });
  };
  return {
    sendReply: (reply) => fail(() => real.sendReply(reply)),
    sendRaw: (from, to, raw) => fail(() => real.sendRaw(from, to, raw)),
  };
}

async function scenario(sender: string) {
  const delivery = await harness.deliver(requestMail({ from: sender, subject: 'unsubscribe' }));
  const requestId = requestIdFor(delivery.sesMessageId);
  const inDoubtBefore = harness.metrics.counts.get('OutboundInDoubt') ?? 0;
  return {
    delivery,
    requestId,
    replies: async () => (await harness.sentTo(sender)).length,
    state: async () => (await harness.requestItem(requestId))?.outboundState?.S,
    inDoubtCounted: () => (harness.metrics.counts.get('OutboundInDoubt') ?? 0) - inDoubtBefore,
    listedInDoubt: async () =>
      (await harness.runtime.register.listOpsQueue('in-doubt')).some(
        (entry) => entry.requestId === requestId,
      ),
  };
}

/** Redelivers as SQS would, after the lease of any claim left behind has run out. */
async function redeliverAfterLease(record: Parameters<InboundHarness['redeliver']>[0], receiveCount: number) {
  harness.advanceClock(harness.config.outboundClaimLeaseMs + 1000);
  try {
    return await harness.runBatch([harness.redeliver(record, receiveCount)]);
  } finally {
    harness.resetClock();
  }
}

describe('one reply at most, whatever fails', () => {
  it('a failure after the request is recorded: the retry replies once', async () => {
    const run = await scenario('fault-after-record@example.kg');

    const first = await harness.runBatch([run.delivery.record], {
      register: failingRegister('claimOutbound', { times: 1, afterRealCall: false }),
    });
    await harness.runBatch([harness.redeliver(run.delivery.record, 2)]);

    expect(first.batchItemFailures).toHaveLength(1);
    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('sent');
  });

  it('a failure after the claim, before SES: the claim is given back and the retry replies once', async () => {
    const run = await scenario('fault-after-claim@example.kg');

    const first = await harness.runBatch([run.delivery.record], { mailSender: failingSender('not-sent') });
    await harness.runBatch([harness.redeliver(run.delivery.record, 2)]);

    expect(first.batchItemFailures).toHaveLength(1);
    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('sent');
  });

  it('an ambiguous SES answer after it took the message: in doubt, never sent again', async () => {
    const run = await scenario('fault-after-send@example.kg');

    await harness.runBatch([run.delivery.record], { mailSender: failingSender('ambiguous-after-send') });
    await redeliverAfterLease(run.delivery.record, 2);

    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('in-doubt');
    expect(run.inDoubtCounted()).toBe(1);
    expect(await run.listedInDoubt()).toBe(true);
  });

  it('an ambiguous SES answer when it did not take the message: in doubt, no reply, alarmed', async () => {
    const run = await scenario('fault-ambiguous@example.kg');

    await harness.runBatch([run.delivery.record], { mailSender: failingSender('ambiguous-before-send') });
    await redeliverAfterLease(run.delivery.record, 2);

    expect(await run.replies()).toBe(0);
    expect(await run.state()).toBe('in-doubt');
    expect(run.inDoubtCounted()).toBe(1);
  });

  it('markSent keeps failing after SES took the message: no second send, in doubt once the lease runs out', async () => {
    const run = await scenario('fault-at-marksent@example.kg');

    const first = await harness.runBatch([run.delivery.record], {
      register: failingRegister('markSent', { times: 3, afterRealCall: false }),
    });
    const soon = await harness.runBatch([harness.redeliver(run.delivery.record, 2)]);
    await redeliverAfterLease(run.delivery.record, 3);

    expect(first.batchItemFailures).toHaveLength(1);
    expect(soon.batchItemFailures).toHaveLength(1); // busy: the claim is still live
    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('in-doubt');
    expect(run.inDoubtCounted()).toBe(1);
  });

  it('a markSent that fails once is retried at once: sent, one reply', async () => {
    const run = await scenario('fault-marksent-once@example.kg');

    const first = await harness.runBatch([run.delivery.record], {
      register: failingRegister('markSent', { times: 1, afterRealCall: false }),
    });

    expect(first.batchItemFailures).toEqual([]);
    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('sent');
  });

  it('the release fails after a send that surely failed: no reply is lost silently, the request ends in doubt', async () => {
    const run = await scenario('fault-at-release@example.kg');

    await harness.runBatch([run.delivery.record], {
      mailSender: failingSender('not-sent'),
      register: failingRegister('releaseClaim', { times: 1, afterRealCall: false }),
    });
    await redeliverAfterLease(run.delivery.record, 2);

    expect(await run.replies()).toBe(0);
    expect(await run.state()).toBe('in-doubt');
    expect(run.inDoubtCounted()).toBe(1);
    expect(await run.listedInDoubt()).toBe(true);
  });

  it('a claim that finds the message pending again (given back a moment ago) claims it again and replies', async () => {
    const run = await scenario('fault-pending-again@example.kg');
    const real = harness.runtime.register;
    let raced = false;
    // The moment between another attempt's release and this claim cannot be timed on a real table.
    const register: RequestRegister = Object.assign(Object.create(real) as RequestRegister, {
      claimOutbound: async (...args: Parameters<RequestRegister['claimOutbound']>) => {
        if (raced) return real.claimOutbound(...args);
        raced = true;
        return { outcome: 'not-pending', outboundState: 'pending', outboundClaimedAt: null } as const;
      },
    });

    const response = await harness.runBatch([run.delivery.record], { register });

    expect(response.batchItemFailures).toEqual([]);
    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('sent');
  });

  it('two deliveries of the same message at once: one request, one reply', async () => {
    const run = await scenario('fault-concurrent@example.kg');

    const results = await Promise.all([
      harness.runBatch([run.delivery.record]),
      harness.runBatch([harness.redeliver(run.delivery.record, 2)]),
    ]);
    // A delivery that lost the race (busy, or a transaction conflict) is retried by SQS.
    const failed = results.flatMap((result) => result.batchItemFailures);
    if (failed.length > 0) await harness.runBatch([harness.redeliver(run.delivery.record, 3)]);

    expect(await run.replies()).toBe(1);
    expect(await run.state()).toBe('sent');
    const trail = await harness.runtime.register.auditTrail(run.requestId);
    expect(trail.filter((event) => event.event === 'received')).toHaveLength(1);
    expect(trail.filter((event) => event.event === 'reply-sent')).toHaveLength(1);
  });

  it('a retried verification mail carries the same link: one token per request', async () => {
    const sender = 'fault-token@example.kg';
    const delivery = await harness.deliver(requestMail({ from: sender, subject: 'withdraw consent' }));

    await harness.runBatch([delivery.record], { mailSender: failingSender('not-sent') });
    await harness.runBatch([harness.redeliver(delivery.record, 2)]);

    const [reply] = await harness.sentTo(sender);
    expect(await harness.sentTo(sender)).toHaveLength(1);
    const link = /\/c\/([A-Za-z0-9_-]{43})/.exec(reply?.body.text ?? '')?.[1];
    expect(link).toBeDefined();
    // The link in the mail that went out works: its token is the one the register stored.
    expect(await harness.tokenItem(hashToken(link ?? ''))).toMatchObject({ purpose: { S: 'verify' } });
    const trail = await harness.runtime.register.auditTrail(requestIdFor(delivery.sesMessageId));
    expect(trail.map((event) => event.event)).toEqual(['received', 'reply-failed', 'reply-sent']);
  });
});

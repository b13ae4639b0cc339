/**
 * The status-change processor end to end on the real local services: a request arrives through the
 * inbound function (or a link is pressed), the subjects table's stream on DynamoDB Local carries the
 * write to the deployed status-changes handler (local/stream-poller.ts does what Lambda's event source
 * mapping does), and the change feed, the events on the EventBridge stand-in and the SES contact-list
 * calls show what came of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actOnLink } from '../../functions/app/confirmation-links';
import { unsubscribeOneClick } from '../../functions/app/one-click-unsubscribe';
import { sendDeferredOutbound } from '../../functions/app/send-deferred-outbound';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import { localDate } from '../../functions/domain/requests/deadlines';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { unsubscribeLinkKey, unsubscribeToken } from '../../functions/domain/tokens/unsubscribe-token';
import { MailNotSentError, type MailSender } from '../../functions/ports/mail-sender';
import type { StatusChange } from '../../functions/ports/subject-status';
import { signedByDomainVerdicts } from '../../local/sample-verdicts';
import { HMAC_KEY, InboundHarness, requestMail } from '../support/inbound-harness';
import { schemaProblems } from '../support/json-schema';
import { PROJECT_ROOT } from '../support/paths';
import { CONTACT_LIST, EVENT_BUS_NAME, StatusChangesHarness } from '../support/status-changes-harness';

let inbound: InboundHarness;
let status: StatusChangesHarness;

beforeAll(async () => {
  inbound = await InboundHarness.start();
  status = await StatusChangesHarness.start(inbound);
});

afterAll(async () => {
  await status?.stop();
  await inbound?.stop();
});

afterEach(() => {
  status.contactListSync(false);
});

const EVENT_SCHEMA = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'docs/events/subject-status-changed.schema.json'), 'utf8'),
) as Record<string, unknown>;

const sidOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);

let sourceSerial = 0;
function nextSource(): string {
  sourceSerial += 1;
  return `198.51.100.${sourceSerial}`;
}

/**
 * A request mail through the inbound function, with the stack's current profile; its link, when the
 * reply carries one.
 */
async function arrive(
  from: string,
  subject: string,
  options: { authenticated?: boolean } = {},
): Promise<{ requestId: string; link: string }> {
  const domain = from.slice(from.indexOf('@') + 1);
  const delivery = await inbound.deliver(
    requestMail({ from, subject }),
    options.authenticated ? { verdicts: signedByDomainVerdicts(domain) } : {},
  );
  expect((await inbound.runBatch([delivery.record], status.inboundDependencies())).batchItemFailures).toEqual(
    [],
  );
  const text = (await inbound.sentTo(from)).at(-1)?.body.text ?? '';
  return { requestId: requestIdFor(delivery.sesMessageId), link: linkIn(text) ?? '' };
}

/**
 * An unsubscribe mail recorded by the inbound function whose reply SES refused (surely not sent): the
 * opt-out is in place, the reply still owed. `sendReply` delivers the message again, as SQS does.
 */
async function arriveReplyOwed(from: string): Promise<{ requestId: string; sendReply: () => Promise<void> }> {
  const delivery = await inbound.deliver(requestMail({ from, subject: 'unsubscribe' }));
  const refusing: MailSender = {
    sendReply: async () => {
      throw new MailNotSentError('injected: SES refused');
    },
    sendRaw: async () => {
      throw new MailNotSentError('injected: SES refused');
    },
  };
  const first = await inbound.runBatch(
    [delivery.record],
    status.inboundDependencies({ mailSender: refusing }),
  );
  expect(first.batchItemFailures).toHaveLength(1);
  const requestId = requestIdFor(delivery.sesMessageId);
  expect((await inbound.requestItem(requestId))?.outboundState?.S).toBe('pending');
  return {
    requestId,
    sendReply: async () => {
      const again = inbound.redeliver(delivery.record, 2);
      expect((await inbound.runBatch([again], status.inboundDependencies())).batchItemFailures).toEqual([]);
      expect(await inbound.sentTo(from)).toHaveLength(1);
    },
  };
}

/** What the contact list holds for an address after an opt-out through the sync. */
const OPTED_OUT = {
  TopicPreferences: [
    { TopicName: 'offers', SubscriptionStatus: 'OPT_OUT' },
    { TopicName: 'news', SubscriptionStatus: 'OPT_OUT' },
  ],
  UnsubscribeAll: false,
};

function linkIn(text: string): string | null {
  return /https?:\/\/\S+\/c\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;
}

/** The feed's last sequence now, so a test reads only what it caused. */
const feedHead = () => status.feed.lastSequence();

const state = (marketing: string, processing: string, reason: string | null) => ({
  marketing,
  processing,
  reason,
});

describe('an unsubscribe by mail', () => {
  it('becomes one feed entry and one event, carrying the keyed hash only', async () => {
    const sender = 'first.optout@example.kg';
    const before = await feedHead();
    await arrive(sender, 'unsubscribe');

    await status.drain();

    const changes = await status.changesAfter(before);
    expect(changes).toEqual([
      {
        sequence: before + 1,
        sid: sidOf(sender),
        changedAt: expect.any(String),
        previous: state('allowed', 'allowed', null),
        current: state('suppressed', 'allowed', 'unsubscribed'),
      },
    ]);
    const events = status.eventsFor(sidOf(sender));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventBusName: EVENT_BUS_NAME,
      source: 'makul.x2',
      detailType: 'Subject Status Changed',
      detail: {
        sequence: before + 1,
        sid: sidOf(sender),
        changedAt: changes[0]?.changedAt,
        marketing: { previous: 'allowed', current: 'suppressed' },
        processing: { previous: 'allowed', current: 'allowed' },
        reason: 'unsubscribed',
        operator: 'x2',
      },
    });
    expect(schemaProblems(EVENT_SCHEMA, StatusChangesHarness.delivered(events[0] as never))).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(sender);
    expect(status.logLines.join('\n')).not.toContain(sender);
  });

  it('is still one entry and one event when the same batch is delivered twice', async () => {
    const sender = 'twice@example.kg';
    const before = await feedHead();
    await arrive(sender, 'unsubscribe');
    const batchesBefore = status.batches.length;
    await status.drain();
    const delivered = status.batches.slice(batchesBefore);

    for (const batch of delivered) {
      expect((await status.handle(batch)).batchItemFailures).toEqual([]);
    }

    expect((await status.changesAfter(before)).map((change) => change.sid)).toEqual([sidOf(sender)]);
    expect(status.eventsFor(sidOf(sender))).toHaveLength(1);
  });

  it('is published once when the bus refuses it the first time: the stream delivers it again', async () => {
    const sender = 'refused@example.kg';
    const before = await feedHead();
    await arrive(sender, 'unsubscribe');
    status.bus.failNext(1, 'failed-entry');
    const deliveriesBefore = status.poller.deliveries;

    await status.drain();

    expect(status.poller.deliveries - deliveriesBefore).toBeGreaterThan(1);
    expect(status.poller.givenUp).toEqual([]);
    expect(await status.changesAfter(before)).toHaveLength(1);
    expect(status.eventsFor(sidOf(sender))).toHaveLength(1);
  });

  it('is published once when EventBridge answers 500 once: the SDK tries again', async () => {
    const sender = 'server.error@example.kg';
    await arrive(sender, 'unsubscribe');
    status.bus.failNext(1, 'server-error');

    await status.drain();

    expect(status.eventsFor(sidOf(sender))).toHaveLength(1);
  });

  it('a second unsubscribe of the same address changes nothing and publishes nothing', async () => {
    const sender = 'again@example.kg';
    await arrive(sender, 'unsubscribe');
    await status.drain();
    const before = await feedHead();

    await arrive(sender, 'unsubscribe');
    await status.drain();

    expect(await status.changesAfter(before)).toEqual([]);
    expect(status.eventsFor(sidOf(sender))).toHaveLength(1);
  });
});

describe('each kind of change', () => {
  /** The feed entries one subject got after `before`, as previous → current. */
  async function transitions(sid: string, before: number) {
    return (await status.changesAfter(before))
      .filter((change: StatusChange) => change.sid === sid)
      .map((change) => [change.previous, change.current]);
  }

  it('withdraw-consent: suppressed and withdrawn', async () => {
    const sender = 'withdraws@example.org';
    const before = await feedHead();
    await arrive(sender, 'withdraw consent', { authenticated: true });
    await status.drain();

    expect(await transitions(sidOf(sender), before)).toEqual([
      [state('allowed', 'allowed', null), state('suppressed', 'withdrawn', 'consent-withdrawn')],
    ]);
    const [event] = status.eventsFor(sidOf(sender));
    expect(event?.detail).toMatchObject({ processing: { previous: 'allowed', current: 'withdrawn' } });
  });

  it('restrict, then the restriction lifted by its link: restricted, and back to allowed', async () => {
    const sender = 'pauses@example.org';
    const before = await feedHead();
    const { requestId } = await arrive(sender, 'restrict processing', { authenticated: true });
    await status.drain();
    // The mail with the link that lifts the restriction goes out with the deferred notices.
    await sendDeferredOutbound(inbound.dependencies());
    const lift = linkIn((await inbound.sentTo(sender)).at(-1)?.body.text ?? '');
    expect(lift).not.toBeNull();
    await actOnLink(lift ?? '', 'confirm', nextSource(), null, inbound.dependencies());
    await status.drain();

    expect(await transitions(sidOf(sender), before)).toEqual([
      [state('allowed', 'allowed', null), state('allowed', 'restricted', 'processing-restricted')],
      [state('allowed', 'restricted', 'processing-restricted'), state('allowed', 'allowed', null)],
    ]);
    expect(await inbound.requestItem(requestId)).toBeDefined();
  });

  it('"this was not me" on an erasure: back to what the earlier unsubscribe still holds', async () => {
    const sender = 'disputes@example.org';
    const before = await feedHead();
    await arrive(sender, 'unsubscribe');
    const erasure = await arrive(sender, 'delete my data', { authenticated: true });
    await status.drain();

    await actOnLink(erasure.link, 'cancel', nextSource(), null, inbound.dependencies());
    await status.drain();

    expect(await transitions(sidOf(sender), before)).toEqual([
      [state('allowed', 'allowed', null), state('suppressed', 'allowed', 'unsubscribed')],
      [state('suppressed', 'allowed', 'unsubscribed'), state('suppressed', 'withdrawn', 'erasure-requested')],
      [state('suppressed', 'withdrawn', 'erasure-requested'), state('suppressed', 'allowed', 'unsubscribed')],
    ]);
    const sequences = status
      .eventsFor(sidOf(sender))
      .map((event) => (event.detail as { sequence: number }).sequence);
    expect(sequences).toEqual(
      (await status.changesAfter(before)).filter((c) => c.sid === sidOf(sender)).map((c) => c.sequence),
    );
  });

  it('every event put so far matches the published schema', () => {
    expect(status.bus.events.length).toBeGreaterThan(5);
    for (const event of status.bus.events) {
      expect(schemaProblems(EVENT_SCHEMA, StatusChangesHarness.delivered(event))).toEqual([]);
    }
  });
});

describe('the SES contact-list sync', () => {
  it('opts a withdrawal out of each named topic, creating the contact the list did not have', async () => {
    status.contactListSync(true);
    const sender = 'listed@example.org';
    status.contacts.clear();
    await arrive(sender, 'withdraw consent', { authenticated: true });

    await status.drain();

    expect(status.contacts.calls.map((call) => call.operation)).toEqual(['GetContact', 'CreateContact']);
    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual({
      TopicPreferences: [
        { TopicName: 'offers', SubscriptionStatus: 'OPT_OUT' },
        { TopicName: 'news', SubscriptionStatus: 'OPT_OUT' },
      ],
      UnsubscribeAll: false,
    });
    expect(status.logLines.join('\n')).not.toContain(sender);
  });

  it('updates a contact the list has, keeping its other topics and attributes', async () => {
    status.contactListSync(true);
    const sender = 'subscriber@example.org';
    status.contacts.clear();
    status.contacts.seedContact(CONTACT_LIST.name, sender, {
      TopicPreferences: [
        { TopicName: 'offers', SubscriptionStatus: 'OPT_IN' },
        { TopicName: 'service', SubscriptionStatus: 'OPT_OUT' },
      ],
      UnsubscribeAll: false,
      AttributesData: '{"segment":"vip"}',
    });
    await arrive(sender, 'delete my data', { authenticated: true });

    await status.drain();

    expect(status.contacts.calls.map((call) => call.operation)).toEqual(['GetContact', 'UpdateContact']);
    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual({
      TopicPreferences: [
        { TopicName: 'service', SubscriptionStatus: 'OPT_OUT' },
        { TopicName: 'offers', SubscriptionStatus: 'OPT_OUT' },
        { TopicName: 'news', SubscriptionStatus: 'OPT_OUT' },
      ],
      UnsubscribeAll: false,
      AttributesData: '{"segment":"vip"}',
    });
  });

  it('keeps the address of a withdrawal in progress after syncing it: makul still writes to the person', async () => {
    status.contactListSync(true);
    const sender = 'withdraws.listed@example.org';
    status.contacts.clear();
    const { requestId } = await arrive(sender, 'withdraw consent', { authenticated: true });

    await status.drain();

    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual(OPTED_OUT);
    expect(await status.contactOf(requestId)).toEqual({ sealed: true, synced: true });
  });

  it('syncs a mailed unsubscribe whose reply went out first, then forgets its address', async () => {
    status.contactListSync(true);
    const sender = 'replied.first@example.kg';
    status.contacts.clear();
    const before = await feedHead();
    const { requestId } = await arrive(sender, 'unsubscribe');
    expect(await inbound.sentTo(sender)).toHaveLength(1);
    // Sent, but kept: the sync has not had it yet.
    expect(await status.contactOf(requestId)).toEqual({ sealed: true, synced: false });

    await status.drain();

    expect(status.contacts.calls.map((call) => call.operation)).toEqual(['GetContact', 'CreateContact']);
    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual(OPTED_OUT);
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: true });
    expect(await status.changesAfter(before)).toHaveLength(1);
    expect(status.logLines.join('\n')).not.toContain(sender);
    expect(status.logLines.some((line) => line.includes('"addressForgotten":true'))).toBe(true);
  });

  it('syncs a mailed unsubscribe before its reply is sent; the reply, sent later, forgets the address', async () => {
    status.contactListSync(true);
    const sender = 'synced.first@example.kg';
    status.contacts.clear();
    const { requestId, sendReply } = await arriveReplyOwed(sender);

    await status.drain();

    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual(OPTED_OUT);
    // Synced, but kept: the reply still has to go to it.
    expect(await status.contactOf(requestId)).toEqual({ sealed: true, synced: true });

    await sendReply();

    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: true });
  });

  it('forgets the address when the reply and the sync finish at the same time, whichever is last', async () => {
    status.contactListSync(true);
    const sender = 'both.at.once@example.kg';
    status.contacts.clear();
    const { requestId, sendReply } = await arriveReplyOwed(sender);

    await Promise.all([sendReply(), status.drain()]);

    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual(OPTED_OUT);
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: true });
  });

  it('syncs a second unsubscribe of an address already suppressed, and forgets its address too', async () => {
    status.contactListSync(true);
    const sender = 'asks.twice@example.kg';
    await arrive(sender, 'unsubscribe');
    await status.drain();
    // Subscribed again on the list since (a signup form of the marketing system, say).
    status.contacts.clear();
    status.contacts.seedContact(CONTACT_LIST.name, sender, {
      TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }],
      UnsubscribeAll: false,
    });
    const before = await feedHead();

    const { requestId } = await arrive(sender, 'unsubscribe');
    await status.drain();

    expect(await status.changesAfter(before)).toEqual([]);
    expect(status.contacts.contact(CONTACT_LIST.name, sender)).toEqual(OPTED_OUT);
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: true });
  });

  it('syncs an address the sender wrote with capitals: the subject key is of the normalised one', async () => {
    status.contactListSync(true);
    const sender = 'Mixed.Case@Example.KG';
    status.contacts.clear();
    const { requestId } = await arrive(sender, 'unsubscribe');

    await status.drain();

    // As the sender check keeps it: the local part as written, the domain in lower case.
    expect(status.contacts.contact(CONTACT_LIST.name, 'Mixed.Case@example.kg')).toEqual(OPTED_OUT);
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: true });
  });

  it('syncs a one-click unsubscribe from the address its entry keeps sealed, then forgets it', async () => {
    status.contactListSync(true);
    const recipient = 'one.click.listed@example.kg';
    status.contacts.clear();
    const deps = status.inboundDependencies();
    const token = unsubscribeToken(recipient, unsubscribeLinkKey(HMAC_KEY));

    expect(await unsubscribeOneClick(token, nextSource(), null, deps)).toMatchObject({
      outcome: 'unsubscribed',
    });
    const requestId = oneClickRequestId(recipient, deps.now());
    expect(await status.contactOf(requestId)).toEqual({ sealed: true, synced: false });

    await status.drain();

    expect(status.contacts.contact(CONTACT_LIST.name, recipient)).toEqual(OPTED_OUT);
    // Nothing is sent for a one-click entry: the sync is the last to need the address.
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: true });
    expect(status.logLines.join('\n')).not.toContain(recipient);
  });

  it('without a contact list: a mailed unsubscribe forgets its address with the reply, and no contact is called', async () => {
    const sender = 'unlisted.unsubscribe@example.kg';
    status.contacts.clear();
    const { requestId } = await arrive(sender, 'unsubscribe');
    expect(await inbound.sentTo(sender)).toHaveLength(1);
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: false });

    await status.drain();

    expect(status.eventsFor(sidOf(sender))).toHaveLength(1);
    expect(status.contacts.calls).toEqual([]);
    expect(await status.contactOf(requestId)).toEqual({ sealed: false, synced: false });
  });

  it('without a contact list: a one-click entry keeps no address', async () => {
    const recipient = 'one.click.unlisted@example.kg';
    status.contacts.clear();
    const deps = status.inboundDependencies();
    const token = unsubscribeToken(recipient, unsubscribeLinkKey(HMAC_KEY));

    await unsubscribeOneClick(token, nextSource(), null, deps);
    const requestId = oneClickRequestId(recipient, deps.now());
    expect((await inbound.requestItem(requestId))?.sealedContact).toEqual({ NULL: true });

    await status.drain();

    expect(status.contacts.calls).toEqual([]);
  });

  it('calls nothing when the profile names no contact list', async () => {
    const sender = 'unlisted@example.org';
    status.contacts.clear();
    await arrive(sender, 'withdraw consent', { authenticated: true });

    await status.drain();

    expect(status.eventsFor(sidOf(sender))).toHaveLength(1);
    expect(status.contacts.calls).toEqual([]);
  });
});

/** The register id of the day's one-click entry of an address (app/one-click-unsubscribe.ts). */
function oneClickRequestId(address: string, now: Date): string {
  const day = localDate(now, inbound.config.profile.jurisdiction.timeZone);
  return requestIdFor(`one-click:${sidOf(address)}:${day}`);
}

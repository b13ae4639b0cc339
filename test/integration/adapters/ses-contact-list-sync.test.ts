/**
 * The SES contact-list sync with the real SES v2 client against the contacts stand-in, which, like SES,
 * replaces a contact's preferences with what UpdateContact sends.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesContactListSync } from '../../../functions/adapters/ses/contact-list-sync';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/loopback';
import { type SesContactsStandInHandle, startSesContactsStandIn } from '../../../local/ses-contacts-stand-in';

const LIST = 'newsletter';
const ADDRESS = 'aigul+news@example.kg';
let contacts: SesContactsStandInHandle;
let client: SESv2Client;

beforeAll(async () => {
  contacts = await startSesContactsStandIn({ contactLists: [LIST], report: () => undefined });
  client = new SESv2Client({
    region: LOCAL_REGION,
    endpoint: contacts.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await contacts?.dispose();
});

beforeEach(() => contacts.clear());

describe('SesContactListSync.optOut', () => {
  it('creates a contact the list does not have, opted out of the named topics', async () => {
    const sync = new SesContactListSync(client, { name: LIST, topics: ['offers'] });

    expect(await sync.optOut(ADDRESS)).toBe('created');

    expect(contacts.contact(LIST, ADDRESS)).toEqual({
      TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_OUT' }],
      UnsubscribeAll: false,
    });
  });

  it('unsubscribes from all when no topic is named, keeping the preferences and attributes held', async () => {
    contacts.seedContact(LIST, ADDRESS, {
      TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }],
      UnsubscribeAll: false,
      AttributesData: '{"name":"kept"}',
    });
    const sync = new SesContactListSync(client, { name: LIST });

    expect(await sync.optOut(ADDRESS)).toBe('updated');

    expect(contacts.contact(LIST, ADDRESS)).toEqual({
      TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }],
      UnsubscribeAll: true,
      AttributesData: '{"name":"kept"}',
    });
  });

  it('keeps a contact unsubscribed from all when only topics are named', async () => {
    contacts.seedContact(LIST, ADDRESS, { TopicPreferences: [], UnsubscribeAll: true });
    const sync = new SesContactListSync(client, { name: LIST, topics: ['offers'] });

    await sync.optOut(ADDRESS);

    expect(contacts.contact(LIST, ADDRESS)?.UnsubscribeAll).toBe(true);
  });

  it('is the same the second time: opting out is idempotent', async () => {
    const sync = new SesContactListSync(client, { name: LIST, topics: ['offers', 'news'] });
    await sync.optOut(ADDRESS);
    const once = contacts.contact(LIST, ADDRESS);

    expect(await sync.optOut(ADDRESS)).toBe('updated');

    expect(contacts.contact(LIST, ADDRESS)).toEqual(once);
  });

  it('fails, naming no address, when the list does not exist', async () => {
    const sync = new SesContactListSync(client, { name: 'no-such-list' });

    const failure = sync.optOut(ADDRESS);

    await expect(failure).rejects.toThrow(expect.objectContaining({ name: 'NotFoundException' }));
    await expect(failure).rejects.not.toThrow(ADDRESS);
  });
});

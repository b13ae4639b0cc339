/**
 * SES v2 contact-list calls on 127.0.0.1, for the local stack and the tests: CreateContact, UpdateContact
 * and GetContact (REST JSON under /v2/email/contact-lists/{list}/contacts), answered as SES does and
 * recorded. The SES v2 emulator that receives makul's sent mail (ses-emulator.ts) has no contact lists,
 * so the status-change processor's SES endpoint points here instead.
 *
 * Like SES, UpdateContact replaces the contact's topic preferences, UnsubscribeAll and attributes with
 * what it is given, so a caller that forgets to carry the old ones over is caught by a test.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalServiceHandle } from './loopback';
import { type StandInOptions, sendJson, startStandInServer } from './stand-in-server';

export interface TopicPreference {
  readonly TopicName: string;
  readonly SubscriptionStatus: 'OPT_IN' | 'OPT_OUT';
}

export interface Contact {
  readonly TopicPreferences: readonly TopicPreference[];
  readonly UnsubscribeAll: boolean;
  readonly AttributesData?: string;
}

export type ContactCall =
  | {
      readonly operation: 'CreateContact';
      readonly list: string;
      readonly address: string;
      readonly body: Contact;
    }
  | {
      readonly operation: 'UpdateContact';
      readonly list: string;
      readonly address: string;
      readonly body: Contact;
    }
  | { readonly operation: 'GetContact'; readonly list: string; readonly address: string };

export interface SesContactsStandInHandle extends LocalServiceHandle {
  /** Every call answered since start or the last clear, oldest first (failed ones included). */
  readonly calls: readonly ContactCall[];
  /** The contact as it is now, or undefined. */
  contact(list: string, address: string): Contact | undefined;
  /** Puts a contact on a list, as an import by the operator would. */
  seedContact(list: string, address: string, contact: Contact): void;
  clear(): void;
}

export interface SesContactsStandInOptions extends StandInOptions {
  /** The contact lists that exist; calls for any other list get NotFoundException, as in SES. */
  readonly contactLists: readonly string[];
}

const PATH = /^\/v2\/email\/contact-lists\/([^/]+)\/contacts(?:\/([^/]+))?\/?$/;

export async function startSesContactsStandIn(
  options: SesContactsStandInOptions,
): Promise<SesContactsStandInHandle> {
  const lists = new Map<string, Map<string, Contact>>(
    options.contactLists.map((name) => [name, new Map<string, Contact>()]),
  );
  const calls: ContactCall[] = [];

  /** SES's answer to one call: a JSON body, or an error type with its message. */
  const answer = (method: string, list: string, pathAddress: string | undefined, body: string): Reply => {
    const contacts = lists.get(list);
    if (method === 'POST' && pathAddress === undefined) {
      const given = JSON.parse(body || '{}') as Partial<Contact> & { EmailAddress?: string };
      const address = given.EmailAddress ?? '';
      const contact = contactFrom(given);
      calls.push({ operation: 'CreateContact', list, address, body: contact });
      if (!contacts) return notFound('no such contact list');
      if (contacts.has(address))
        return { status: 400, error: 'AlreadyExistsException', body: { message: 'contact exists' } };
      contacts.set(address, contact);
      return { status: 200, body: {} };
    }
    if (method === 'PUT' && pathAddress !== undefined) {
      const contact = contactFrom(JSON.parse(body || '{}') as Partial<Contact>);
      calls.push({ operation: 'UpdateContact', list, address: pathAddress, body: contact });
      if (!contacts?.has(pathAddress)) return notFound('no such contact');
      contacts.set(pathAddress, contact);
      return { status: 200, body: {} };
    }
    if (method === 'GET' && pathAddress !== undefined) {
      calls.push({ operation: 'GetContact', list, address: pathAddress });
      const contact = contacts?.get(pathAddress);
      if (!contact) return notFound('no such contact');
      return {
        status: 200,
        body: {
          ContactListName: list,
          EmailAddress: pathAddress,
          TopicPreferences: contact.TopicPreferences,
          TopicDefaultPreferences: [],
          UnsubscribeAll: contact.UnsubscribeAll,
          ...(contact.AttributesData === undefined ? {} : { AttributesData: contact.AttributesData }),
        },
      };
    }
    return notFound('no such operation');
  };

  const route = (request: IncomingMessage, body: string, response: ServerResponse): void => {
    const match = PATH.exec(new URL(request.url ?? '/', 'http://stand-in').pathname);
    const reply = match?.[1]
      ? answer(
          request.method ?? 'GET',
          decodeURIComponent(match[1]),
          match[2] === undefined ? undefined : decodeURIComponent(match[2]),
          body,
        )
      : notFound('not served by the SES contacts stand-in');
    // A REST JSON error as the SDK reads it: the type in a header, the message in the body.
    sendJson(response, reply.status, reply.body, reply.error ? { 'x-amzn-errortype': reply.error } : {});
  };

  const server = await startStandInServer('SES contacts stand-in', route, options);
  return {
    ...server,
    get calls() {
      return calls;
    },
    contact: (list, address) => lists.get(list)?.get(address),
    seedContact: (list, address, contact) => {
      lists.get(list)?.set(address, contact);
    },
    clear: () => {
      calls.length = 0;
      for (const contacts of lists.values()) contacts.clear();
    },
  };
}

/** What SES keeps of a create or an update: exactly what was sent, nothing carried over. */
function contactFrom(given: Partial<Contact>): Contact {
  return {
    TopicPreferences: given.TopicPreferences ?? [],
    UnsubscribeAll: given.UnsubscribeAll === true,
    ...(given.AttributesData === undefined ? {} : { AttributesData: given.AttributesData }),
  };
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly error?: string;
}

function notFound(message: string): Reply {
  return { status: 404, error: 'NotFoundException', body: { message } };
}

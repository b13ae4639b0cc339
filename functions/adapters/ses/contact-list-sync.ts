/**
 * Opts an address out on the operator's SES v2 contact list: OPT_OUT for each topic the profile names,
 * or "unsubscribe from all" when it names none. A contact the list does not have yet is created opted
 * out, so a later import cannot quietly subscribe the person again.
 *
 * UpdateContact replaces the contact's topic preferences with the ones it is given: a preference left
 * out is removed, and the topic falls back to its default, which may be OPT_IN. So the contact is read
 * first and every preference it holds is sent back, the named topics set to OPT_OUT; its
 * UnsubscribeAll and attributes are carried over the same way. (A write by someone else between the
 * read and the update can be lost; opting out again is harmless, and makul only ever opts out.)
 */
import {
  AlreadyExistsException,
  CreateContactCommand,
  GetContactCommand,
  type GetContactCommandOutput,
  NotFoundException,
  type SESv2Client,
  type TopicPreference,
  UpdateContactCommand,
} from '@aws-sdk/client-sesv2';
import type { OperatorProfile } from '../../domain/operators/operator-profile';
import type { ContactListOutcome, ContactListSync } from '../../ports/contact-list';

export type ContactListSettings = NonNullable<OperatorProfile['sesContactList']>;

export class SesContactListSync implements ContactListSync {
  constructor(
    private readonly client: SESv2Client,
    private readonly list: ContactListSettings,
  ) {}

  async optOut(address: string): Promise<ContactListOutcome> {
    let existing = await this.contact(address);
    if (existing === null) {
      try {
        await this.client.send(
          new CreateContactCommand({
            ContactListName: this.list.name,
            EmailAddress: address,
            ...this.optedOut([], false),
          }),
        );
        return 'created';
      } catch (error) {
        // Created meanwhile (an import, another delivery of the same change): update it instead.
        if (!(error instanceof AlreadyExistsException)) throw error;
        existing = await this.contact(address);
      }
    }
    await this.client.send(
      new UpdateContactCommand({
        ContactListName: this.list.name,
        EmailAddress: address,
        ...this.optedOut(existing?.TopicPreferences ?? [], existing?.UnsubscribeAll === true),
        ...(existing?.AttributesData ? { AttributesData: existing.AttributesData } : {}),
      }),
    );
    return 'updated';
  }

  private async contact(address: string): Promise<GetContactCommandOutput | null> {
    try {
      return await this.client.send(
        new GetContactCommand({ ContactListName: this.list.name, EmailAddress: address }),
      );
    } catch (error) {
      if (error instanceof NotFoundException) return null;
      throw error;
    }
  }

  /** The contact's preferences with the named topics opted out (or all of them, when none are named). */
  private optedOut(held: readonly TopicPreference[], unsubscribedAll: boolean) {
    const named = this.list.topics;
    if (!named) return { TopicPreferences: [...held], UnsubscribeAll: true };
    const others = held.filter((preference) => !named.includes(preference.TopicName ?? ''));
    return {
      TopicPreferences: [
        ...others,
        ...named.map((topic): TopicPreference => ({ TopicName: topic, SubscriptionStatus: 'OPT_OUT' })),
      ],
      UnsubscribeAll: unsubscribedAll,
    };
  }
}

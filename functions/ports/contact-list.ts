/**
 * The operator's SES contact list (optional, profile `operator.sesContactList`): an opt-out recorded by
 * makul also opts the address out there. The subjects table holds keyed hashes only, so the address
 * comes from a request of the subject that still holds it, sealed (domain/subjects/sealed-address.ts).
 */

export interface SealedContactSource {
  /**
   * The request's address as the register keeps it, sealed to the request id; null when the request
   * has none (any more: makul forgets it once nothing needs it, domain/requests/contact-retention.ts)
   * or does not exist.
   */
  sealedContactOf(requestId: string): Promise<string | null>;
  /** Notes on the request that the contact list has its opt-out: the sync needs its address no more. */
  markContactListSynced(requestId: string): Promise<void>;
  /**
   * Removes the request's sealed address only if the request is completed and its reply is sent (or it
   * sends none); otherwise changes nothing, and the reply's delivery forgets it once sent. True when the
   * condition held.
   */
  forgetContactIfReplied(requestId: string): Promise<boolean>;
}

export type ContactListOutcome = 'updated' | 'created';

export interface ContactListSync {
  /** Opts the address out of the list's topics (or of all), creating the contact when it is missing. */
  optOut(address: string): Promise<ContactListOutcome>;
}

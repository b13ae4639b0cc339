/**
 * The operator's SES contact list (optional, profile `operator.sesContactList`): an opt-out recorded by
 * makul also opts the address out there. The subjects table holds keyed hashes only, so the address
 * comes from a request of the subject that still holds it, sealed (domain/subjects/sealed-address.ts).
 */

export interface SealedContactSource {
  /**
   * The request's address as the register keeps it, sealed to the request id; null when the request
   * has none (any more: makul forgets it once the last mail to the person is sent) or does not exist.
   */
  sealedContactOf(requestId: string): Promise<string | null>;
}

export type ContactListOutcome = 'updated' | 'created';

export interface ContactListSync {
  /** Opts the address out of the list's topics (or of all), creating the contact when it is missing. */
  optOut(address: string): Promise<ContactListOutcome>;
}

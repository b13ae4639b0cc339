/**
 * The once-a-day marker of the deadline digest (DynamoDB in AWS, DynamoDB Local in tests): the run that
 * takes a local day's marker is the one run that mails that day's digest. Taken before the send, so a
 * retried or concurrent run finds it and sends nothing; given back only after a send that surely did not
 * reach the mail service (the same reasoning as the outbound claim, functions/app/deliver-outbound.ts).
 *
 * A marker holds a day, a state, times, counts and SES's message id: no request, no address.
 */
import type { PlainDate } from '../domain/requests/deadlines';

export type DigestMarkerState = 'sending' | 'sent';

export interface DigestClaimInput {
  /** Names this run's claim: only the run that took the marker records it sent or gives it back. */
  readonly claimId: string;
  readonly at: Date;
  /** When the marker may be deleted (DynamoDB TTL): after its local day is over, with a margin. */
  readonly expiresAt: Date;
  /** What the digest reports, for whoever reads the marker. */
  readonly overdue: number;
  readonly dueSoon: number;
}

export type DigestClaim =
  /** This run owns the day's digest: send it, then markSent (or release after a send that surely failed). */
  | { readonly outcome: 'claimed' }
  /**
   * Another run took the day's marker: it sent the digest (`sent`), is sending it, or died or got no
   * clear answer while sending (`sending`, never sent again that day: at most one digest).
   */
  | { readonly outcome: 'taken'; readonly state: DigestMarkerState; readonly claimedAt: string | null };

export interface DigestMarker {
  /** Takes the marker of a local day, only if no run took it yet (a conditional write). */
  claim(day: PlainDate, input: DigestClaimInput): Promise<DigestClaim>;
  /** sending → sent, with SES's message id; only this claim's marker. */
  markSent(day: PlainDate, claimId: string, messageId: string, at: Date): Promise<void>;
  /**
   * Gives the day back after a send that surely did not reach the mail service, so a later run sends
   * the digest; only this claim's marker, and only while it is still `sending`.
   */
  release(day: PlainDate, claimId: string, at: Date): Promise<void>;
}

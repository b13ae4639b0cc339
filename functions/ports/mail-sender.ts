/** Mail out (SES v2 in AWS, the SES v2 emulator locally). */

export interface OutgoingReply {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export interface MailSender {
  /** Sends a reply; returns SES's message id. */
  sendReply(reply: OutgoingReply): Promise<string>;
  /** Sends a complete MIME message (forwards to the human inbox); returns SES's message id. */
  sendRaw(from: string, to: string, raw: Uint8Array): Promise<string>;
}

/**
 * Thrown by a MailSender when the message surely did not reach the mail service (refused as invalid,
 * throttled, no connection): sending it again cannot make a second copy. Any other error from a send
 * leaves the outcome unknown, and makul then never sends that message again.
 */
export class MailNotSentError extends Error {
  override readonly name = 'MailNotSentError';
}

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

/**
 * What SES does when a receipt rule with an S3 action takes a message, so tests and the local stack
 * feed the inbound handler exactly what AWS would:
 *
 * - `withSesTraceHeaders`: the headers SES prepends to a message before it stores it in S3
 *   (Return-Path, Received, X-SES-*-Verdict, Received-SPF, Authentication-Results).
 * - `buildSesReceiptNotification`: the "Received" notification SES publishes for an S3 action, as in
 *   https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html
 * - `receiveLikeSes`: both, with the object key SES stores the message under.
 *
 * How the notification then reaches the handler (SNS, SQS, Lambda) is built in sqs-event.ts. Where
 * AWS's exact behaviour is not documented, the choice is named next to the code.
 */
import { randomBytes } from 'node:crypto';
import { addressParser, decodeWords, type Mailbox } from 'postal-mime';
import type { SecurityVerdicts, VerdictStatus } from '../functions/domain/mail/inbound-mail';

/** Verdicts SES itself writes; `NONE` is makul's own "no notification at all". */
export type SesVerdictStatus = Exclude<VerdictStatus, 'NONE'>;

export interface SesVerdicts extends Omit<SecurityVerdicts, 'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc'> {
  readonly spam: SesVerdictStatus;
  readonly virus: SesVerdictStatus;
  readonly spf: SesVerdictStatus;
  readonly dkim: SesVerdictStatus;
  readonly dmarc: SesVerdictStatus;
  /** The From domain's DMARC policy; SES includes it only when DMARC fails. */
  readonly dmarcPolicy?: 'none' | 'quarantine' | 'reject';
}

/** SMTP envelope: what the sending server said, not what the headers say. */
export interface MailEnvelope {
  /** MAIL FROM address; '' for the null sender `<>` (bounces). */
  readonly mailFrom: string;
  /** RCPT TO addresses accepted for this message. */
  readonly rcptTo: readonly string[];
}

export interface SesMailHeader {
  readonly name: string;
  readonly value: string;
}

export interface SesCommonHeaders {
  readonly returnPath: string;
  readonly from?: string[];
  readonly sender?: string[];
  readonly replyTo?: string[];
  readonly date?: string;
  readonly to?: string[];
  readonly cc?: string[];
  readonly bcc?: string[];
  readonly messageId?: string;
  readonly subject?: string;
}

export interface SesReceiptNotification {
  readonly notificationType: 'Received';
  readonly mail: {
    readonly timestamp: string;
    readonly source: string;
    readonly messageId: string;
    readonly destination: string[];
    readonly headersTruncated: boolean;
    readonly headers: SesMailHeader[];
    readonly commonHeaders: SesCommonHeaders;
  };
  readonly receipt: {
    readonly timestamp: string;
    readonly processingTimeMillis: number;
    readonly recipients: string[];
    readonly spamVerdict: { readonly status: SesVerdictStatus };
    readonly virusVerdict: { readonly status: SesVerdictStatus };
    readonly spfVerdict: { readonly status: SesVerdictStatus };
    readonly dkimVerdict: { readonly status: SesVerdictStatus };
    readonly dmarcVerdict: { readonly status: SesVerdictStatus };
    readonly dmarcPolicy?: 'none' | 'quarantine' | 'reject';
    readonly action: {
      readonly type: 'S3';
      readonly topicArn: string;
      readonly bucketName: string;
      readonly objectKeyPrefix: string;
      readonly objectKey: string;
    };
  };
}

/**
 * SES bounces mail over 40 MB when its S3 action stores it (SES developer guide, S3 action); the
 * notification carries the headers only and truncates them when they pass 10 KB.
 */
export const SES_MAX_STORED_MESSAGE_BYTES = 40 * 1024 * 1024;
const SES_NOTIFICATION_HEADER_LIMIT_BYTES = 10 * 1024;

/**
 * A new SES-style message id: 40 characters of base32hex, like `0vfh5uual2mmckaeivd120n0eiatleuo9k79p8g1`.
 * It is also the S3 object name under the rule's prefix.
 */
export function newSesMessageId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const bytes = randomBytes(25);
  let bits = 0;
  let buffer = 0;
  let id = '';
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      id += alphabet[(buffer >> bits) & 31];
    }
  }
  return id;
}

// ---------------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------------

const HEADER_BODY_SEPARATOR = /\r?\n\r?\n/;

/**
 * The header block of a raw message, split into fields with folding undone. Like SES's notification,
 * a fold (line break plus indentation) becomes one space; values are not decoded.
 */
export function readHeaderFields(raw: Uint8Array): SesMailHeader[] {
  // Headers are 7-bit by RFC 5322; 8-bit bytes (SMTPUTF8 or careless senders) are read as UTF-8.
  const text = new TextDecoder('utf-8').decode(raw.subarray(0, Math.min(raw.length, 1024 * 1024)));
  const separator = HEADER_BODY_SEPARATOR.exec(text);
  const block = separator === null ? text : text.slice(0, separator.index);
  const fields: SesMailHeader[] = [];
  for (const unfolded of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = unfolded.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: unfolded.slice(0, colon).trim(), value: unfolded.slice(colon + 1).trim() });
  }
  return fields;
}

function firstHeader(fields: readonly SesMailHeader[], name: string): string | undefined {
  return fields.find((field) => field.name.toLowerCase() === name.toLowerCase())?.value;
}

function mailboxesOf(value: string | undefined): Mailbox[] {
  if (value === undefined) return [];
  return addressParser(value).flatMap((entry) => (entry.group === undefined ? [entry] : entry.group));
}

/** Addresses of an address header as SES lists them: `Name <address>` or `address` (names decoded). */
function addressList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return mailboxesOf(value).map((mailbox) => {
    const name = mailbox.name.trim();
    return name === '' ? mailbox.address : `${name} <${mailbox.address}>`;
  });
}

function bareAddresses(value: string | undefined): string[] {
  return mailboxesOf(value)
    .map((mailbox) => mailbox.address)
    .filter((address) => address !== '');
}

/** The domain of the first From address, lower-cased ('' when there is none): DMARC's header.from. */
export function fromDomainOf(fields: readonly SesMailHeader[]): string {
  const [from] = bareAddresses(firstHeader(fields, 'From'));
  return from?.split('@').pop()?.toLowerCase() ?? '';
}

/** RFC 8601 result words for SES verdicts (GRAY: SES could not decide, which the RFC calls `none`). */
function authenticationResult(status: SesVerdictStatus): string {
  switch (status) {
    case 'PASS':
      return 'pass';
    case 'FAIL':
      return 'fail';
    case 'PROCESSING_FAILED':
      return 'temperror';
    case 'GRAY':
    case 'DISABLED':
      return 'none';
  }
}

/** The comment SES writes after an SPF result, phrased like its own. */
function spfExplanation(status: SesVerdictStatus, mailFrom: string, clientAddress: string): string {
  const domain = mailFrom.split('@').pop() || 'the null sender';
  switch (status) {
    case 'PASS':
      return `domain of ${domain} designates ${clientAddress} as permitted sender`;
    case 'FAIL':
      return `domain of ${domain} does not designate ${clientAddress} as permitted sender`;
    case 'PROCESSING_FAILED':
      return `transient error while checking the SPF record of ${domain}`;
    case 'GRAY':
    case 'DISABLED':
      return `${clientAddress} is neither permitted nor denied by domain of ${domain}`;
  }
}

/** RFC 5322 date in UTC, the way SES writes it in its Received header. */
function rfc5322Date(date: Date): string {
  return `${date.toUTCString().replace('GMT', '+0000')} (UTC)`;
}

export interface SesTraceInput {
  readonly sesMessageId: string;
  readonly envelope: MailEnvelope;
  readonly verdicts: SesVerdicts;
  readonly receivedAt: Date;
  /** Name of the receiving host in the Received header; SES writes inbound-smtp.<region>.amazonaws.com. */
  readonly receivingHost: string;
  /** What the client said in EHLO/HELO. */
  readonly clientHelo: string;
  readonly clientAddress: string;
}

/**
 * The header lines SES prepends to a message before storing it (see a stored message or the `headers`
 * of any receipt notification). X-SES-RECEIPT and X-SES-DKIM-SIGNATURE, opaque AWS signatures over
 * the stored copy, are left out: nothing can check them outside AWS.
 */
export function sesTraceHeaderLines(
  input: SesTraceInput,
  originalFields: readonly SesMailHeader[],
): string[] {
  const { envelope, verdicts } = input;
  const spf = authenticationResult(verdicts.spf);
  const spfDetail = `(spfCheck: ${spfExplanation(verdicts.spf, envelope.mailFrom, input.clientAddress)}) client-ip=${input.clientAddress}; envelope-from=${envelope.mailFrom}; helo=${input.clientHelo};`;
  const dkimResults =
    verdicts.dkim === 'PASS' && verdicts.dkimPassDomains.length > 0
      ? verdicts.dkimPassDomains.map((domain) => `dkim=pass header.i=@${domain};`)
      : [`dkim=${authenticationResult(verdicts.dkim)};`];
  const recipient = envelope.rcptTo.length === 1 ? ` for ${envelope.rcptTo[0]}` : '';
  return [
    `Return-Path: <${envelope.mailFrom}>`,
    `Received: from ${input.clientHelo} (${input.clientHelo} [${input.clientAddress}]) by ${input.receivingHost} with SMTP id ${input.sesMessageId}${recipient}; ${rfc5322Date(input.receivedAt)}`,
    `X-SES-Spam-Verdict: ${verdicts.spam}`,
    `X-SES-Virus-Verdict: ${verdicts.virus}`,
    `Received-SPF: ${spf} ${spfDetail}`,
    `Authentication-Results: amazonses.com; spf=${spf} ${spfDetail} ${dkimResults.join(' ')} dmarc=${authenticationResult(verdicts.dmarc)} header.from=${fromDomainOf(originalFields)};`,
  ];
}

/** The message as SES stores it in S3: its trace headers first, then the original bytes untouched. */
export function withSesTraceHeaders(raw: Uint8Array, input: SesTraceInput): Uint8Array {
  const lines = sesTraceHeaderLines(input, readHeaderFields(raw));
  const prefix = new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
  const stored = new Uint8Array(prefix.length + raw.length);
  stored.set(prefix, 0);
  stored.set(raw, prefix.length);
  return stored;
}

// ---------------------------------------------------------------------------------------------------
// SES receipt notification
// ---------------------------------------------------------------------------------------------------

export interface ReceiptNotificationInput {
  /** The message as stored in S3 (use withSesTraceHeaders for the headers SES adds). */
  readonly storedMessage: Uint8Array;
  readonly sesMessageId: string;
  readonly envelope: MailEnvelope;
  readonly verdicts: SesVerdicts;
  readonly receivedAt: Date;
  readonly bucketName: string;
  readonly objectKeyPrefix: string;
  readonly objectKey: string;
  readonly topicArn: string;
  /** @default 250, about what SES reports for small messages */
  readonly processingTimeMillis?: number;
}

function commonHeadersOf(fields: readonly SesMailHeader[], envelope: MailEnvelope): SesCommonHeaders {
  const subject = firstHeader(fields, 'Subject');
  const optional = {
    from: addressList(firstHeader(fields, 'From')),
    sender: addressList(firstHeader(fields, 'Sender')),
    replyTo: addressList(firstHeader(fields, 'Reply-To')),
    date: firstHeader(fields, 'Date'),
    to: addressList(firstHeader(fields, 'To')),
    cc: addressList(firstHeader(fields, 'Cc')),
    bcc: addressList(firstHeader(fields, 'Bcc')),
    messageId: firstHeader(fields, 'Message-ID'),
    // SES decodes encoded-words in the common subject; the raw value stays in `headers`.
    subject: subject === undefined ? undefined : decodeWords(subject),
  };
  const present = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined));
  return { returnPath: envelope.mailFrom, ...present };
}

/** Headers for the notification, cut at SES's 10 KB limit (whole fields only; SES then flags truncation). */
function notificationHeaders(fields: readonly SesMailHeader[]): {
  headers: SesMailHeader[];
  truncated: boolean;
} {
  const headers: SesMailHeader[] = [];
  let bytes = 0;
  for (const field of fields) {
    bytes += Buffer.byteLength(field.name) + Buffer.byteLength(field.value) + 2;
    if (bytes > SES_NOTIFICATION_HEADER_LIMIT_BYTES) return { headers, truncated: true };
    headers.push(field);
  }
  return { headers, truncated: false };
}

export function buildSesReceiptNotification(input: ReceiptNotificationInput): SesReceiptNotification {
  const fields = readHeaderFields(input.storedMessage);
  const { headers, truncated } = notificationHeaders(fields);
  const processingTimeMillis = input.processingTimeMillis ?? 250;
  const { verdicts } = input;
  return {
    notificationType: 'Received',
    mail: {
      timestamp: input.receivedAt.toISOString(),
      source: input.envelope.mailFrom,
      messageId: input.sesMessageId,
      // SES: "all recipient addresses (including To: and CC: recipients) from the MIME headers".
      destination: [...bareAddresses(firstHeader(fields, 'To')), ...bareAddresses(firstHeader(fields, 'Cc'))],
      headersTruncated: truncated,
      headers,
      commonHeaders: commonHeadersOf(fields, input.envelope),
    },
    receipt: {
      timestamp: new Date(input.receivedAt.getTime() + processingTimeMillis).toISOString(),
      processingTimeMillis,
      recipients: [...input.envelope.rcptTo],
      spamVerdict: { status: verdicts.spam },
      virusVerdict: { status: verdicts.virus },
      spfVerdict: { status: verdicts.spf },
      dkimVerdict: { status: verdicts.dkim },
      dmarcVerdict: { status: verdicts.dmarc },
      ...(verdicts.dmarc === 'FAIL' && verdicts.dmarcPolicy !== undefined
        ? { dmarcPolicy: verdicts.dmarcPolicy }
        : {}),
      action: {
        type: 'S3',
        topicArn: input.topicArn,
        bucketName: input.bucketName,
        objectKeyPrefix: input.objectKeyPrefix,
        objectKey: input.objectKey,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Receiving a message: store it and notify
// ---------------------------------------------------------------------------------------------------

export interface SesReceiptInput extends SesTraceInput {
  readonly bucketName: string;
  readonly objectKeyPrefix: string;
  readonly topicArn: string;
  /** @default the time since receivedAt */
  readonly processingTimeMillis?: number;
}

export interface SesReceipt {
  /** The message as SES stores it in S3 (its trace headers prepended). */
  readonly stored: Uint8Array;
  readonly objectKey: string;
  readonly notification: SesReceiptNotification;
}

/**
 * What SES does when a receipt rule with an S3 action takes a message: prepend its trace headers,
 * store it under prefix + message id, and describe it in a "Received" notification. The caller
 * writes `stored` to `objectKey` (and decides what a failed write means).
 */
export function receiveLikeSes(raw: Uint8Array, input: SesReceiptInput): SesReceipt {
  const stored = withSesTraceHeaders(raw, input);
  const objectKey = `${input.objectKeyPrefix}${input.sesMessageId}`;
  const notification = buildSesReceiptNotification({
    storedMessage: stored,
    sesMessageId: input.sesMessageId,
    envelope: input.envelope,
    verdicts: input.verdicts,
    receivedAt: input.receivedAt,
    bucketName: input.bucketName,
    objectKeyPrefix: input.objectKeyPrefix,
    objectKey,
    topicArn: input.topicArn,
    processingTimeMillis: input.processingTimeMillis ?? Date.now() - input.receivedAt.getTime(),
  });
  return { stored, objectKey, notification };
}

/**
 * What makul puts on the wire when it sends mail: headers of automatic replies, a sanitiser for any
 * header value that came from inbound mail, and the raw MIME of a forward to the human support inbox.
 * The words of the note in that forward are in staff-texts.ts; this file only puts them on the wire.
 *
 * No I/O and no logging: the values passing through are addresses and message content. The only
 * clock and randomness are the Date, Message-ID and boundary of a forward.
 */
import { randomBytes } from 'node:crypto';
import type { Language } from '../requests/request-kinds';
import { forwardNote, safeReasonId } from './staff-texts';

export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/**
 * RFC 5322 §2.1.1 caps a line at 998 octets; 900 leaves room for the field name and ": ". A longer
 * value from inbound mail is not something a person wrote, and truncating it costs nothing.
 */
const MAX_HEADER_VALUE_LENGTH = 900;

/**
 * Characters removed from header values:
 * - C0 controls, DEL and C1 controls (including NEL U+0085): CR and LF would end the header and let
 *   an attacker add headers or a body (header injection); NUL and the others break parsers.
 * - U+2028/U+2029: line and paragraph separators, treated as line ends by some software.
 * - Bidi embeddings, overrides and isolates: they make a value display differently from its bytes.
 * - Lone surrogates: not encodable as UTF-8, so an encoder would fail or substitute.
 * Tabs, CR and LF become spaces first, because a folded header's line break stands for whitespace.
 */
const LINE_BREAKS_AND_TABS = /[\t\r\n\u2028\u2029\u0085]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;
const WHITESPACE_RUN = /\s+/g;

/**
 * Removes CR, LF, NUL and other control characters, collapses whitespace, caps length (~900 chars:
 * RFC 5322 line limit is 998) — header values from mail are attacker-controlled.
 * Idempotent: safeHeaderValue(safeHeaderValue(x)) === safeHeaderValue(x).
 */
export function safeHeaderValue(value: string): string {
  const cleaned = value
    .replace(LINE_BREAKS_AND_TABS, ' ')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(WHITESPACE_RUN, ' ')
    .trim();
  if (cleaned.length <= MAX_HEADER_VALUE_LENGTH) return cleaned;
  let capped = cleaned.slice(0, MAX_HEADER_VALUE_LENGTH);
  // Do not cut a surrogate pair in half: the lone high surrogate would be unencodable.
  if (/[\ud800-\udbff]$/.test(capped)) capped = capped.slice(0, -1);
  return capped.trimEnd();
}

/**
 * A msg-id as mail software writes it: `<left@right>`, printable ASCII without spaces, one @.
 * Anything looser (comments, spaces, control characters) is dropped rather than repaired: these ids
 * are copied from attacker-controlled headers into ours.
 */
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;
/** Real ids are well under 250 characters; the cap keeps a References line within the budget below. */
const MAX_MESSAGE_ID_LENGTH = 250;
/** RFC 5322 §3.6.4 lets References be trimmed; the last ids are what threading needs. */
const MAX_REFERENCES = 10;

function isValidMessageId(candidate: string): boolean {
  return (
    candidate.length <= MAX_MESSAGE_ID_LENGTH &&
    MESSAGE_ID.test(candidate) &&
    candidate.indexOf('@') === candidate.lastIndexOf('@')
  );
}

/** The last valid ids of a References value plus the original Message-ID, within the line budget. */
function referencesChain(originalMessageId: string, originalReferences: string | null): string[] {
  const earlier = (originalReferences ?? '').match(/<[^<>]*>/g) ?? [];
  const chain: string[] = [];
  for (const id of [...earlier, originalMessageId]) {
    if (!isValidMessageId(id)) continue;
    const existing = chain.indexOf(id);
    if (existing !== -1) chain.splice(existing, 1);
    chain.push(id);
  }
  const kept = chain.slice(-MAX_REFERENCES);
  // Unfolded, the line must stay within the header budget: drop the oldest ids until it does.
  while (kept.join(' ').length > MAX_HEADER_VALUE_LENGTH) kept.shift();
  return kept;
}

/**
 * Headers of an automatic reply (RFC 3834): Auto-Submitted: auto-replied so other responders stay
 * silent; In-Reply-To and References for threading; X-Auto-Response-Suppress: All, which stops
 * Exchange out-of-office replies (a loop otherwise). No In-Reply-To/References without a valid
 * original Message-ID.
 */
export function autoReplyHeaders(
  originalMessageId: string | null,
  originalReferences: string | null,
): HeaderField[] {
  const headers: HeaderField[] = [
    { name: 'Auto-Submitted', value: 'auto-replied' },
    { name: 'X-Auto-Response-Suppress', value: 'All' },
  ];
  const messageId = originalMessageId?.trim() ?? '';
  if (!isValidMessageId(messageId)) return headers;
  headers.push({ name: 'In-Reply-To', value: messageId });
  headers.push({ name: 'References', value: referencesChain(messageId, originalReferences).join(' ') });
  return headers;
}

export interface ForwardToHumansInput {
  /** The operator's address. */
  readonly from: string;
  /** The human support inbox. */
  readonly to: string;
  readonly requestId: string;
  /** Stable reason id, e.g. "no-tag", "too-large", "invalid-sender:several-from". */
  readonly reason: string;
  readonly receivedAt: Date;
  /** When the forward is written (the Date header): the caller's clock, so the domain keeps none. */
  readonly sentAt: Date;
  /** The staff's language (the operator's staffLanguage, else its default language). */
  readonly language: Language;
  /** The operator's time zone, for the times in the note. */
  readonly timeZone: string;
  /**
   * Attached whole when present and small enough for SES; null when not read (too large to parse).
   * An original too big to attach is left out and the note says where it is kept.
   */
  readonly originalRaw: Uint8Array | null;
  /** The original's validated sender: Reply-To, so staff answer the person, not makul. */
  readonly replyTo: string | null;
  /** E.g. "s3://bucket/key": always given, so staff can fetch it while it is kept. */
  readonly rawMailLocation: string;
  readonly originalMessageId: string | null;
}

/**
 * SES v2 takes messages up to 40 MB as sent, headers and base64 included. Base64 grows the original by
 * 4/3 and its line breaks by 78/76; a margin covers the note and headers. Bigger originals are not
 * attached (the send would fail on every retry and park the forward in the DLQ): the note says where
 * the original is kept instead.
 */
const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
const FORWARD_OVERHEAD_BYTES = 64 * 1024;

export function fitsInSesMessage(originalBytes: number): boolean {
  const encoded = Math.ceil(originalBytes / 3) * 4 * (78 / 76);
  return encoded + FORWARD_OVERHEAD_BYTES <= SES_MAX_MESSAGE_BYTES;
}

/** A plain ASCII addr-spec: the operator's configured addresses, or a sender that passed checkSender. */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$/;

function requirePlainAddress(address: string, field: 'from' | 'to'): string {
  if (!PLAIN_ADDRESS.test(address)) throw new Error(`The forward's '${field}' is not a plain ASCII address`);
  return address;
}

/** RFC 5322 date-time in UTC: toUTCString() ends in "GMT", an obsolete zone RFC 5322 §4.3 says not to write. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * RFC 2047 B-encoding in UTF-8 for a non-ASCII header value, folded between encoded-words. 39 bytes
 * per word (52 base64 characters) keeps "Subject: " plus one word within 76 characters (RFC 2047 §2),
 * and a word never splits a character's bytes (RFC 2047 §5: each word must decode on its own).
 */
function encodeHeaderWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const encoder = new TextEncoder();
  const words: string[] = [];
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    words.push(`=?UTF-8?B?${Buffer.from(pending).toString('base64')}?=`);
    pending = [];
  };
  for (const character of value) {
    const bytes = encoder.encode(character);
    if (pending.length + bytes.length > 39) flush();
    pending.push(...bytes);
  }
  flush();
  return words.join('\r\n ');
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return encoded.match(/.{1,76}/g)?.join('\r\n') ?? '';
}

/**
 * A boundary from 144 random bits. It cannot occur in the content: every part body is base64, whose
 * alphabet has no "-", and the part headers are fixed text.
 */
function randomBoundary(): string {
  return `makul-${randomBytes(18).toString('base64url')}`;
}

/**
 * The original, as `application/octet-stream` named `.eml`, base64-encoded, whatever it contains.
 * - Byte-exact: the attachment is evidence (staff or a regulator may check the original's DKIM
 *   signature). Parsers rewrite line ends of 7bit/8bit parts (postal-mime turns CRLF into LF), relays
 *   without 8BITMIME downgrade 8-bit parts, and KOI8-R or bare-LF originals are common; base64 is the
 *   one transfer encoding that every hop and every parser leaves alone.
 * - Not `message/rfc822`: RFC 2046 §5.2.1 allows only 7bit/8bit/binary for it, and strict servers
 *   (Postfix with strict_mime_encoding_domain) can reject it in base64. `message/global` (RFC 6532)
 *   allows base64 but few clients open it. An `.eml` file opens as a message in the usual desktop
 *   clients (Outlook, Thunderbird, Apple Mail).
 */
function originalPart(original: Uint8Array, fileName: string): string {
  return (
    `Content-Type: application/octet-stream; name="${fileName}"\r\n` +
    `Content-Disposition: attachment; filename="${fileName}"\r\n` +
    'Content-Transfer-Encoding: base64\r\n\r\n' +
    base64Lines(original)
  );
}

/**
 * A complete RFC 5322 message (CRLF line ends, 7-bit, lines within 998 octets) for SESv2 SendEmail
 * Content.Raw: a note to staff with the original attached when present. No personal data in the
 * Subject: mail servers and ticket systems log subjects widely.
 *
 * Auto-Submitted: auto-generated, because this is a new message written by makul, not a reply to the
 * original's sender (RFC 3834 §5: "auto-replied" is only for responses) and not the original re-sent;
 * "auto-forwarded" is not a registered value. It, and X-Auto-Response-Suppress, keep the staff inbox's
 * own auto-responders from answering makul.
 */
export function buildForwardToHumans(input: ForwardToHumansInput): Uint8Array {
  const from = requirePlainAddress(input.from, 'from');
  const to = requirePlainAddress(input.to, 'to');
  const domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
  const requestId = input.requestId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64) || 'unknown';
  const fileName = `original-${requestId}.eml`;
  const attached =
    input.originalRaw !== null && fitsInSesMessage(input.originalRaw.byteLength) ? input.originalRaw : null;
  const note = forwardNote({
    language: input.language,
    reason: input.reason,
    requestId,
    receivedAt: input.receivedAt,
    timeZone: input.timeZone,
    attachedFileName: attached === null ? null : fileName,
    rawMailLocation: safeHeaderValue(input.rawMailLocation),
  });
  const boundary = randomBoundary();

  const headers = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${encodeHeaderWords(note.subject)}`,
    `Date: ${rfc5322Date(input.sentAt)}`,
    `Message-ID: <${randomBytes(16).toString('hex')}.${requestId}@${domain}>`,
    'MIME-Version: 1.0',
    'Auto-Submitted: auto-generated',
    'X-Auto-Response-Suppress: All',
    `X-Makul-Request-Id: ${requestId}`,
    `X-Makul-Reason: ${safeReasonId(input.reason)}`,
  ];
  const replyTo = input.replyTo === null ? null : PLAIN_ADDRESS.test(input.replyTo) ? input.replyTo : null;
  if (replyTo !== null) headers.push(`Reply-To: ${replyTo}`);
  const originalId = input.originalMessageId?.trim() ?? '';
  // Lets a ticket system group forwards of the same conversation; the id alone holds no content.
  if (isValidMessageId(originalId)) headers.push(`References: ${originalId}`);
  headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);

  const noteBytes = new TextEncoder().encode(`${note.lines.join('\r\n')}\r\n`);
  const parts = [
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      base64Lines(noteBytes),
  ];
  if (attached !== null) parts.push(originalPart(attached, fileName));

  const message =
    `${headers.join('\r\n')}\r\n\r\n` +
    parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') +
    `--${boundary}--\r\n`;
  // Headers are ASCII or encoded-words and bodies are base64: the whole message is 7-bit, so it passes
  // every relay unchanged and ASCII maps characters to bytes 1:1.
  return new TextEncoder().encode(message);
}

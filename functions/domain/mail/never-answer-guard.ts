/**
 * Mail that must never get an automatic answer: robots, bounces, lists, loops and what SES's scanners
 * flagged. Answering them sends mail to people who did not write (backscatter), starts loops between
 * responders, or confirms an address to a spammer. The rules follow RFC 3834 §2 (automatic responses)
 * and the practice of list managers (GNU Mailman's command runner, vacation(1)).
 *
 * Robots are recognised from what they write, before and whatever the strict sender check says: a
 * bounce from `MAILER-DAEMON <>` or `MAILER-DAEMON@host (Mail Delivery System)` fails that check, and it
 * must be dropped, not sent to humans. So the guard reads the From header as written, the MIME part
 * headers of the raw message (a report can be nested, and postal-mime does not show part types), and
 * the header block itself when the lines end in a bare CR (postal-mime reads such a message as one line).
 *
 * Only clear robot evidence counts: a dropped message reaches no human, so nothing a person's own mail
 * client writes may trip these checks. `X-Auto-Response-Suppress` is deliberately not read: it asks
 * others not to auto-reply, it is not a mark of a robot, and Outlook tooling sets it on people's mail.
 * Nor are `X-Loop` or `X-MS-Exchange-Inbox-Rules-Loop`: a forwarding rule (procmail, an Exchange
 * redirect) adds them to a person's own message on its way to us.
 */
import { decodeWords } from 'postal-mime';
import type { MailHeader, ParsedMail, SecurityVerdicts } from './inbound-mail';
import { headerValues } from './parse-mail';
import { normaliseAddress } from './sender-address';

/**
 * The reasons, in the order they are checked; the first that applies is reported. A virus first (the
 * scanner's word; a spam verdict is not a reason to drop: a person's request is held instead, see
 * decide-inbound.ts), then loops with ourselves, then bounces and other automatic mail, then
 * bulk and list mail, then robot addresses, and last the weakest evidence, a vacation subject. The
 * strings are stable ids: they are recorded with the dropped message and printed by the CLI.
 */
export const NEVER_ANSWER_REASONS = [
  'virus-verdict-fail',
  'own-address',
  'null-return-path',
  'delivery-report',
  'auto-submitted',
  'bulk-precedence',
  'mailing-list',
  'system-sender',
  'auto-reply-subject',
] as const;
export type NeverAnswerReason = (typeof NEVER_ANSWER_REASONS)[number];

export interface GuardContext {
  /** Envelope sender (SES notification mail.source / Return-Path header); '' or '<>' means null return path; undefined when unknown. */
  readonly envelopeSender: string | undefined;
  readonly verdicts: SecurityVerdicts;
  /** The operator's own addresses, including every address the message was sent to (normalised). */
  readonly operatorAddresses: readonly string[];
  /**
   * The raw message as it was parsed (its start is enough). Without it only the parsed top-level
   * headers are read: nested report parts and CR-only header blocks go unseen.
   */
  readonly raw?: Uint8Array;
}

/** Precedence values of bulk and list mail (RFC 3834 §3.1.8 practice; RFC 2076). */
const BULK_PRECEDENCE: ReadonlySet<string> = new Set(['bulk', 'junk', 'list']);

/**
 * Header fields a mailing list or newsletter adds: RFC 2919 List-Id and the RFC 2369 family, and the
 * list managers' own marks, which their notices (a loop alert, "you are not a member") carry without a
 * List-Id: GNU Mailman's X-BeenThere (its loop detection) and X-Mailman-Version, fml's X-MLServer and
 * X-ML-Name, ezmlm's Mailing-List, SmartList's X-Mailing-List. A person writing to us never carries
 * them; a newsletter (List-Unsubscribe) is a robot all the same.
 */
const LIST_HEADERS: readonly string[] = [
  'list-id',
  'list-unsubscribe',
  'list-subscribe',
  'list-post',
  'list-help',
  'list-owner',
  'list-archive',
  'x-beenthere',
  'x-mailman-version',
  'x-mlserver',
  'x-ml-name',
  'mailing-list',
  'x-mailing-list',
];

/**
 * Header fields only a bounce carries: Exim and Gmail name the failed recipients in
 * X-Failed-Recipients; Microsoft Exchange marks its non-delivery reports with
 * X-MS-Exchange-Message-Is-Ndr (present, even empty).
 */
const BOUNCE_HEADERS: readonly string[] = ['x-failed-recipients', 'x-ms-exchange-message-is-ndr'];

/**
 * Media types of the machine-readable part of a report: RFC 6522 multipart/report itself, RFC 3464
 * delivery status, RFC 6533 its internationalised form, RFC 5965 feedback (ARF complaint) reports,
 * RFC 8098 disposition notifications (read receipts) and RFC 6533 their internationalised form.
 */
const REPORT_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'multipart/report',
  'message/delivery-status',
  'message/global-delivery-status',
  'message/feedback-report',
  'message/disposition-notification',
  'message/global-disposition-notification',
]);

/**
 * Parts that hold another message (RFC 2046 §5.2, RFC 6532 §3.7, RFC 6522 §4): a report returns the
 * original in one, and a person may attach a bounce in one. What follows belongs to that other message.
 */
const ATTACHED_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);

/**
 * A report's status part comes right after its human-readable part (RFC 3464 §2, RFC 5965 §2), nested
 * a level or two at most; the part headers read stop here, and so does the text read for them.
 */
const MAX_PARTS_READ = 64;
const MAX_STRUCTURE_BYTES = 256 * 1024;

/**
 * Local parts of mail-system mailboxes (RFC 2142; RFC 3834 §2 names MAILER-DAEMON, owner-*, *-request)
 * and of list managers' robots (LISTSERV, Majordomo, GNU Mailman, Sympa), compared with `-`, `_` and
 * `.` removed: MTAs also write `Mailer_Daemon` and `post_master` (Verizon's gateway).
 */
const SYSTEM_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'mailerdaemon',
  'postmaster',
  'listserv',
  'majordomo',
  'mailman',
  'sympa',
]);

/**
 * Local parts of list software (owner-*, *-request, Mailman's *-bounces) and ones that say "do not
 * answer" (noreply, no-reply, donotreply, do-not-reply, ...). Sub-addresses (`+tag`) are removed
 * first. Narrow on purpose: `*-owner` is left out because teams use it for people's mailboxes
 * ("product-owner"), and list mail from it carries List-Id anyway.
 */
const ROBOT_LOCAL_PART = /^(?:owner-.*|.*-(?:request|bounces?)|(?:no|do[-_.]?not)[-_.]?reply.*)$/;

/** Display names MTAs give their bounces (Postfix and Exim: "Mail Delivery System"; Sendmail and Gmail: "Mail Delivery Subsystem"). */
const MTA_DISPLAY_NAME = /\bmail delivery (?:sub)?system\b/i;

/**
 * Subjects automatic replies open with, followed by a colon: Microsoft Outlook and Exchange
 * ("Automatic reply:", formerly "Out of Office AutoReply:", "Автоматический ответ:", and their German,
 * French, Spanish, Dutch, Nordic forms), iCloud ("Auto reply:"), and the markers sisimai's RFC 3834
 * detector and Discourse's receiver know ("Auto:", "Auto Response:", "Out of the office:").
 * Russian autoresponders write «Автоответ:». Only the very start counts and the colon is required, so a
 * person's "Re: Automatic reply: …" or "Auto-renewal: …" is not one; iCloud's replies also carry
 * X-Apple-Action (read with Auto-Submitted), Outlook's often nothing else.
 */
const AUTO_REPLY_SUBJECT = new RegExp(
  `^\\s*(?:${[
    'auto',
    'auto[- ]?(?:reply|response|respons)',
    'automatic reply',
    'out of (?:the )?office(?: auto[- ]?reply)?',
    'автоответ',
    'автоматический ответ',
    'abwesenheitsnotiz',
    'automatische antwort',
    'réponse automatique',
    'respuesta automática',
    'automatisch antwoord',
    'autosvar',
    'automatisk svar',
  ].join('|')})\\s*[:：]`,
  'iu',
);

/** Returns why this message must never be answered, or null when a reply is allowed. senderAddress may be null (invalid sender). */
export function neverAnswerReason(
  mail: ParsedMail,
  senderAddress: string | null,
  context: GuardContext,
): NeverAnswerReason | null {
  const message = new MessageView(mail, context.raw);
  const checks: Readonly<Record<NeverAnswerReason, () => boolean>> = {
    'virus-verdict-fail': () => context.verdicts.virus === 'FAIL',
    'own-address': () => isOwnAddress([senderAddress, context.envelopeSender], context.operatorAddresses),
    'null-return-path': () => hasNullReturnPath(message, context.envelopeSender),
    'delivery-report': () => isReport(message),
    'auto-submitted': () => isAutoSubmitted(message),
    'bulk-precedence': () => message.header('precedence').some((value) => BULK_PRECEDENCE.has(token(value))),
    'mailing-list': () => LIST_HEADERS.some((name) => message.header(name).length > 0),
    'system-sender': () =>
      [senderAddress, context.envelopeSender].some(isSystemAddress) ||
      // A robot's From the strict check rejects (a comment, `<>`, no domain): read it as written.
      (senderAddress === null && message.header('from').some(fromNamesARobot)),
    'auto-reply-subject': () => AUTO_REPLY_SUBJECT.test(message.subject()),
  };
  return NEVER_ANSWER_REASONS.find((reason) => checks[reason]()) ?? null;
}

/**
 * The message as the guard reads it: postal-mime's headers and subject, except for a message whose
 * lines end in a bare CR, whose header block is read from the raw bytes; and the part headers, read
 * from the raw bytes only when asked.
 */
class MessageView {
  private readonly crOnlyHeaders: readonly MailHeader[] | null;
  private rawText: string | null = null;

  constructor(
    private readonly mail: ParsedMail,
    private readonly raw: Uint8Array | undefined,
  ) {
    this.crOnlyHeaders =
      raw !== undefined && hasBareCrLineBreaks(raw) ? readHeaderBlock(this.text(), 0).headers : null;
  }

  header(name: string): string[] {
    if (this.crOnlyHeaders === null) return headerValues(this.mail, name);
    const key = name.toLowerCase();
    return this.crOnlyHeaders.filter((header) => header.key === key).map((header) => header.value);
  }

  subject(): string {
    if (this.crOnlyHeaders === null) return this.mail.subject;
    return decodeWords(this.header('subject')[0] ?? '');
  }

  /** The start of the raw message as text, decoded once. */
  text(): string {
    if (this.raw === undefined) return '';
    if (this.rawText === null) {
      const head =
        this.raw.byteLength > MAX_STRUCTURE_BYTES ? this.raw.subarray(0, MAX_STRUCTURE_BYTES) : this.raw;
      // Structure (header names, media types, boundaries) is ASCII; latin1 maps every byte to one character.
      this.rawText = new TextDecoder('latin1').decode(head);
    }
    return this.rawText;
  }
}

/** True when the first line break of the message is a CR not followed by LF (classic Mac OS mail). */
function hasBareCrLineBreaks(raw: Uint8Array): boolean {
  const CR = 0x0d;
  const LF = 0x0a;
  const firstCr = raw.indexOf(CR);
  if (firstCr < 0 || raw[firstCr + 1] === LF) return false;
  const firstLf = raw.indexOf(LF);
  return firstLf < 0 || firstCr < firstLf;
}

const LINE_BREAK = /\r\n|\r|\n/g;

/** The line starting at `start` (without its break, whichever it is) and where the next one starts. */
function lineAt(text: string, start: number): { line: string; next: number } {
  LINE_BREAK.lastIndex = start;
  const lineBreak = LINE_BREAK.exec(text);
  if (lineBreak === null) return { line: text.slice(start), next: text.length };
  return { line: text.slice(start, lineBreak.index), next: lineBreak.index + lineBreak[0].length };
}

/** The header fields from `start` to the first empty line, unfolded; and where the body starts. */
function readHeaderBlock(text: string, start: number): { headers: MailHeader[]; next: number } {
  const headers: { key: string; value: string }[] = [];
  let position = start;
  while (position < text.length) {
    const { line, next } = lineAt(text, position);
    position = next;
    if (line.trim() === '') break;
    const last = headers.at(-1);
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.push({ key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
  }
  return { headers, next: position };
}

/** Mail from the operator's own addresses (or sent through them) would make us answer ourselves. */
function isOwnAddress(
  addresses: readonly (string | null | undefined)[],
  operatorAddresses: readonly string[],
): boolean {
  const own = new Set(operatorAddresses.map(normaliseAddress));
  return addresses.some((address) => address && own.has(normaliseAddress(stripAngles(address))));
}

/**
 * RFC 5321 §4.5.5 / RFC 3834 §2: a null reverse path marks a bounce or another notification, which
 * must not be answered. The envelope is authoritative; the Return-Path header (which the final MTA
 * writes from it) stands in when the envelope is unknown, as for a file given to the CLI.
 */
function hasNullReturnPath(message: MessageView, envelopeSender: string | undefined): boolean {
  if (envelopeSender !== undefined) return isNullPath(envelopeSender);
  return message.header('return-path').some(isNullPath);
}

function isNullPath(path: string): boolean {
  const compact = path.replace(/\s+/g, '');
  return compact === '' || compact === '<>';
}

/**
 * Reports (delivery status, complaints, read receipts) are written by machines for machines, and they
 * quote the message they report on, subject included. Recognised by the top-level type, by a bounce
 * header, or by a report part anywhere in this message's own MIME tree (some gateways wrap the report
 * in multipart/mixed, an abuse desk forwards it inside its own message), never inside an attached one.
 */
function isReport(message: MessageView): boolean {
  const [contentType = ''] = message.header('content-type');
  if (REPORT_MEDIA_TYPES.has(token(contentType))) return true;
  if (BOUNCE_HEADERS.some((name) => message.header(name).length > 0)) return true;
  return token(contentType).startsWith('multipart/') && hasReportPart(message.text(), contentType);
}

/**
 * Walks the part headers of a multipart message: at each delimiter line of a known boundary (the
 * top-level one, then those nested multiparts declare), the part's header block gives its type. Body
 * text is jumped over, never read, so a person quoting a report's text trips nothing; the walk stops
 * at the first attached message.
 */
function hasReportPart(text: string, topContentType: string): boolean {
  /** Each delimiter (`--boundary`) with where it next starts a line: -1 not looked for yet, NONE never again. */
  const delimiters: { text: string; nextAt: number }[] = [];
  const addBoundary = (contentType: string) => {
    const boundary = boundaryOf(contentType);
    if (boundary !== null) delimiters.push({ text: `--${boundary}`, nextAt: -1 });
  };
  addBoundary(topContentType);
  let position = readHeaderBlock(text, 0).next;
  for (let partsRead = 0; partsRead < MAX_PARTS_READ; ) {
    let lineStart = NONE;
    for (const delimiter of delimiters) {
      if (delimiter.nextAt < position) {
        const found = nextLineStartingWith(text, delimiter.text, position);
        delimiter.nextAt = found < 0 ? NONE : found;
      }
      lineStart = Math.min(lineStart, delimiter.nextAt);
    }
    if (lineStart === NONE) return false;
    const { line, next } = lineAt(text, lineStart);
    position = next;
    // Transport padding may follow a delimiter; a line that only starts like one is text or another
    // boundary, and a close delimiter (`--boundary--`) opens no part.
    const delimiter = line.trimEnd();
    if (!delimiters.some((known) => known.text === delimiter)) continue;
    partsRead += 1;
    const part = readHeaderBlock(text, next);
    position = part.next;
    const contentType = part.headers.find((header) => header.key === 'content-type')?.value ?? '';
    const mediaType = token(contentType);
    if (REPORT_MEDIA_TYPES.has(mediaType)) return true;
    if (ATTACHED_MESSAGE_TYPES.has(mediaType)) return false;
    if (mediaType.startsWith('multipart/')) addBoundary(contentType);
  }
  return false;
}

const NONE = Number.POSITIVE_INFINITY;

/** Position of the first line at or after `from` that starts with `prefix`, or -1. */
function nextLineStartingWith(text: string, prefix: string, from: number): number {
  for (let index = text.indexOf(prefix, from); index >= 0; index = text.indexOf(prefix, index + 1)) {
    const before = text[index - 1];
    if (index === 0 || before === '\n' || before === '\r') return index;
  }
  return -1;
}

/** The boundary parameter of a multipart Content-Type (RFC 2046 §5.1.1), or null. */
function boundaryOf(contentType: string): string | null {
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;"]{1,200}))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

/**
 * RFC 3834 §5: `Auto-Submitted` other than `no` (an empty or unknown value is still a robot's mark).
 * Older responders say the same with `X-Autoreply` / `X-Autorespond` or `Precedence: auto_reply`;
 * iCloud's vacation replies carry no Auto-Submitted, only `X-Apple-Action: VACATION` (as sisimai's
 * RFC 3834 detector reads it).
 */
function isAutoSubmitted(message: MessageView): boolean {
  return (
    message.header('auto-submitted').some((value) => token(value) !== 'no') ||
    message.header('x-autoreply').length > 0 ||
    message.header('x-autorespond').length > 0 ||
    message.header('precedence').some((value) => token(value) === 'auto_reply') ||
    message.header('x-apple-action').some((value) => token(value) === 'vacation')
  );
}

function isSystemAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const bare = stripAngles(address);
  const at = bare.lastIndexOf('@');
  if (at <= 0) return false;
  return isSystemLocalPart(bare.slice(0, at));
}

function isSystemLocalPart(localPart: string): boolean {
  const bare = localPart.toLowerCase().replace(/\+.*$/, '');
  return SYSTEM_LOCAL_PARTS.has(bare.replace(/[-_.]/g, '')) || ROBOT_LOCAL_PART.test(bare);
}

/**
 * A From header, as written, that names a mail system: an address in it (in brackets, before a
 * comment, or a bare `MAILER-DAEMON` without a domain) with a system local part, the null address
 * `<>`, or an MTA's display name. Addresses inside comments and quoted names are text, not the sender,
 * and are not read. Read only when the strict check found no valid sender.
 */
function fromNamesARobot(value: string): boolean {
  if (MTA_DISPLAY_NAME.test(value)) return true;
  // An unclosed comment or quote runs to the end of the value (Office 365 writes one).
  const outside = value.replace(/"[^"]*"?/g, ' ').replace(/\([^()]*\)?/g, ' ');
  const candidates = [
    ...Array.from(outside.matchAll(/([^\s<>()",;:@[\]\\]+)@/g), (match) => match[1] ?? ''),
    ...Array.from(outside.matchAll(/<([^<>@]*)>/g), (match) => (match[1] ?? '').trim()),
  ];
  if (candidates.includes('')) return true; // `<>`: the null reverse path written as the sender
  const bareWord = outside.trim();
  if (/^[^\s<>@]+$/.test(bareWord)) candidates.push(bareWord);
  return candidates.some(isSystemLocalPart);
}

/** An envelope sender may come as `<a@b>`. */
function stripAngles(address: string): string {
  return address.trim().replace(/^<(.*)>$/, '$1');
}

/** The first token of a header value (before parameters or comments), lower-cased. */
function token(value: string): string {
  return (value.split(/[;(]/, 1)[0] ?? '').trim().toLowerCase();
}

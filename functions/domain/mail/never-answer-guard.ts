/**
 * Mail that must never get an automatic answer: robots, bounces, lists, loops and what SES's scanners
 * flagged. Answering them sends mail to people who did not write (backscatter), starts loops between
 * responders, or confirms an address to a spammer. The rules follow RFC 3834 §2 (automatic responses)
 * and the practice of list managers (GNU Mailman's command runner, vacation(1)).
 *
 * Only clear robot evidence counts: a dropped message reaches no human, so nothing a person's own mail
 * client writes may trip these checks. `X-Auto-Response-Suppress` is deliberately not read: it asks
 * others not to auto-reply, it is not a mark of a robot, and Outlook tooling sets it on people's mail.
 */
import type { ParsedMail, SecurityVerdicts } from './inbound-mail';
import { headerValues } from './parse-mail';
import { normaliseAddress } from './sender-address';

/**
 * The reasons, in the order they are checked; the first that applies is reported. Hostile content
 * first (the scanners' word), then loops with ourselves, then bounces and other automatic mail, then
 * bulk and list mail, then robot addresses. The strings are stable ids: they are recorded with the
 * dropped message and printed by the CLI.
 */
export const NEVER_ANSWER_REASONS = [
  'virus-verdict-fail',
  'spam-verdict-fail',
  'own-address',
  'null-return-path',
  'delivery-report',
  'auto-submitted',
  'bulk-precedence',
  'mailing-list',
  'system-sender',
] as const;
export type NeverAnswerReason = (typeof NEVER_ANSWER_REASONS)[number];

export interface GuardContext {
  /** Envelope sender (SES notification mail.source / Return-Path header); '' or '<>' means null return path; undefined when unknown. */
  readonly envelopeSender: string | undefined;
  readonly verdicts: SecurityVerdicts;
  /** The operator's own addresses, including every address the message was sent to (normalised). */
  readonly operatorAddresses: readonly string[];
}

/** Precedence values of bulk and list mail (RFC 3834 §3.1.8 practice; RFC 2076). */
const BULK_PRECEDENCE: ReadonlySet<string> = new Set(['bulk', 'junk', 'list']);

/**
 * Header fields a mailing list or newsletter adds: RFC 2919 List-Id and the RFC 2369 family. A person
 * writing to us never carries them; a newsletter (List-Unsubscribe) is a robot all the same.
 */
const LIST_HEADERS: readonly string[] = [
  'list-id',
  'list-unsubscribe',
  'list-subscribe',
  'list-post',
  'list-help',
  'list-owner',
  'list-archive',
];

/** Local parts of mail-system mailboxes (RFC 2142; RFC 3834 §2 names MAILER-DAEMON, owner-*, *-request). */
const SYSTEM_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'mailer-daemon',
  'postmaster',
  'listserv',
  'majordomo',
  'mailman',
]);

/**
 * Local parts of list software (owner-*, *-request, Mailman's *-bounces) and ones that say "do not
 * answer" (noreply, no-reply, donotreply, do-not-reply, ...). Sub-addresses (`+tag`) are removed
 * first. Narrow on purpose: `*-owner` is left out because teams use it for people's mailboxes
 * ("product-owner"), and list mail from it carries List-Id anyway.
 */
const ROBOT_LOCAL_PART = /^(?:owner-.*|.*-(?:request|bounces?)|(?:no|do[-_.]?not)[-_.]?reply.*)$/;

/** Returns why this message must never be answered, or null when a reply is allowed. senderAddress may be null (invalid sender). */
export function neverAnswerReason(
  mail: ParsedMail,
  senderAddress: string | null,
  context: GuardContext,
): NeverAnswerReason | null {
  const checks: Readonly<Record<NeverAnswerReason, () => boolean>> = {
    'virus-verdict-fail': () => context.verdicts.virus === 'FAIL',
    'spam-verdict-fail': () => context.verdicts.spam === 'FAIL',
    'own-address': () => isOwnAddress([senderAddress, context.envelopeSender], context.operatorAddresses),
    'null-return-path': () => hasNullReturnPath(mail, context.envelopeSender),
    'delivery-report': () => isDeliveryReport(mail),
    'auto-submitted': () => isAutoSubmitted(mail),
    'bulk-precedence': () =>
      headerValues(mail, 'precedence').some((value) => BULK_PRECEDENCE.has(token(value))),
    'mailing-list': () => LIST_HEADERS.some((name) => headerValues(mail, name).length > 0),
    'system-sender': () => [senderAddress, context.envelopeSender].some(isSystemAddress),
  };
  return NEVER_ANSWER_REASONS.find((reason) => checks[reason]()) ?? null;
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
function hasNullReturnPath(mail: ParsedMail, envelopeSender: string | undefined): boolean {
  if (envelopeSender !== undefined) return isNullPath(envelopeSender);
  return headerValues(mail, 'return-path').some(isNullPath);
}

function isNullPath(path: string): boolean {
  const compact = path.replace(/\s+/g, '');
  return compact === '' || compact === '<>';
}

/** RFC 6522 reports (delivery status, read receipts, feedback) are written by machines for machines. */
function isDeliveryReport(mail: ParsedMail): boolean {
  return headerValues(mail, 'content-type').some((value) => token(value) === 'multipart/report');
}

/**
 * RFC 3834 §5: `Auto-Submitted` other than `no` (an empty or unknown value is still a robot's mark).
 * Older responders say the same with `X-Autoreply` / `X-Autorespond` or `Precedence: auto_reply`.
 */
function isAutoSubmitted(mail: ParsedMail): boolean {
  return (
    headerValues(mail, 'auto-submitted').some((value) => token(value) !== 'no') ||
    headerValues(mail, 'x-autoreply').length > 0 ||
    headerValues(mail, 'x-autorespond').length > 0 ||
    headerValues(mail, 'precedence').some((value) => token(value) === 'auto_reply')
  );
}

function isSystemAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const bare = stripAngles(address);
  const at = bare.lastIndexOf('@');
  if (at <= 0) return false;
  const localPart = bare.slice(0, at).toLowerCase().replace(/\+.*$/, '');
  return SYSTEM_LOCAL_PARTS.has(localPart) || ROBOT_LOCAL_PART.test(localPart);
}

/** An envelope sender may come as `<a@b>`. */
function stripAngles(address: string): string {
  return address.trim().replace(/^<(.*)>$/, '$1');
}

/** The first token of a header value (before parameters or comments), lower-cased. */
function token(value: string): string {
  return (value.split(/[;(]/, 1)[0] ?? '').trim().toLowerCase();
}

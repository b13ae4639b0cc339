/**
 * The pure part of the inbound pipeline: raw message → what to do with it, and why.
 * Used by the Lambda (with SES's verdicts from the notification) and by `makul inspect` (headers only).
 *
 *   size cap ─▶ MIME limits ─▶ parse ─▶ never-answer guard ─▶ sender check ─▶ classify
 *   too-large   too-complex:*  unparseable drop: <reason>    invalid-sender:*  no-tag / tag-in-*
 *
 * Nothing a person wrote is dropped silently: only robots, lists, loops and scanner FAILs are dropped;
 * mail from a person that cannot be handled automatically goes to review (the human support inbox).
 */

import { classifyRequest } from '../classify/classify-request';
import type { ExtractedField, OwnDataField } from '../requests/data-field-names';
import { requestDetails } from '../requests/request-details';
import type { Language, RequestKind } from '../requests/request-kinds';
import { isAuthenticatedSender, verdictsFromHeaders } from './authentication-results';
import type { InboundAction, ParsedMail, SecurityVerdicts } from './inbound-mail';
import { measureMime } from './mime-limits';
import { neverAnswerReason } from './never-answer-guard';
import { headerValues, parseMail } from './parse-mail';
import { checkSender, normaliseAddress } from './sender-address';

export interface InboundContext {
  /**
   * The operator's addresses: those it configured and the address the message was delivered to (the
   * envelope recipient), never the header's To/Cc. Mail from them is a loop; an authenticated mail
   * counts as proof only when its To/Cc names one of them.
   */
  readonly operatorAddresses: readonly string[];
  /**
   * When SES received the message: an authenticated mail is proof only if its Date is close to it.
   * Unknown (a file inspected on its own): nothing is proof, as in every case of doubt.
   */
  readonly receivedAt?: Date;
  /** Envelope sender (SES `mail.source`); undefined when inspecting a file on its own. */
  readonly envelopeSender?: string;
  /** SES verdicts from the receipt notification; undefined: read the message's own X-SES-* headers. */
  readonly notificationVerdicts?: SecurityVerdicts;
  readonly maxMessageBytes: number;
  /** The operator's own data fields, which update-data and stop-dissemination requests may name. */
  readonly ownDataFields?: readonly OwnDataField[];
}

export interface InboundDecision {
  readonly action: InboundAction;
  /** Stable id of the reason, recorded in the register and printed by the CLI. */
  readonly reason: string;
  readonly kind: RequestKind | null;
  readonly language: Language | null;
  /** The one validated sender address (domain lower-cased), or null. */
  readonly sender: string | null;
  /**
   * Proof of sender: DMARC pass, or DKIM pass aligned with the sender's domain, on a mail that names this
   * operator in To/Cc and is recent. A signed mail sent to someone else, or long ago, can be replayed.
   */
  readonly senderAuthenticated: boolean;
  /** False when the tag was recognised only with tolerance (typo, look-alike letters). */
  readonly exactTag: boolean;
  /** The parsed message; null when it was too large or unreadable. */
  readonly mail: ParsedMail | null;
  /**
   * What a processed update-data or stop-dissemination request says must change (the values, the
   * data named); absent for other kinds and decisions.
   */
  readonly details?: {
    readonly fields: readonly ExtractedField[] | null;
    readonly dataItems: readonly string[] | null;
  };
}

const UNDECIDED = { kind: null, language: null, exactTag: false } as const;

/**
 * Only the start of a message is parsed: the headers, the subject and the first lines of the text
 * are all that decide, and a person's request sits there, before any attachment. postal-mime works
 * line by line (about 0.5 s per MB of short lines here) and decodes every attachment it meets, so a
 * 10 MB message parsed whole would cost seconds and several times its size in memory. A message whose
 * only tag lies beyond the window goes to review, where a human reads it: slower, never lost.
 */
export const PARSE_WINDOW_BYTES = 512 * 1024;

export async function decideInbound(raw: Uint8Array, context: InboundContext): Promise<InboundDecision> {
  if (raw.byteLength > context.maxMessageBytes) {
    return {
      action: 'review',
      reason: 'too-large',
      sender: null,
      senderAuthenticated: false,
      mail: null,
      ...UNDECIDED,
    };
  }

  const window = raw.byteLength > PARSE_WINDOW_BYTES ? raw.subarray(0, PARSE_WINDOW_BYTES) : raw;
  // Bounds checked before postal-mime sees the message: over one, parsing could take seconds and
  // time out the whole batch on every retry. A person reads it instead (./mime-limits.ts).
  const overLimit = measureMime(window).exceeded;
  if (overLimit !== null) {
    return {
      action: 'review',
      reason: `too-complex:${overLimit}`,
      sender: null,
      senderAuthenticated: false,
      mail: null,
      ...UNDECIDED,
    };
  }

  let mail: ParsedMail;
  try {
    mail = { ...(await parseMail(window)), sizeBytes: raw.byteLength };
  } catch {
    return {
      action: 'review',
      reason: 'unparseable',
      sender: null,
      senderAuthenticated: false,
      mail: null,
      ...UNDECIDED,
    };
  }

  const headerVerdicts = verdictsFromHeaders(mail);
  const verdicts: SecurityVerdicts = context.notificationVerdicts
    ? // The notification's verdicts are SES's own; the signing domains only appear in its header.
      { ...context.notificationVerdicts, dkimPassDomains: headerVerdicts.dkimPassDomains }
    : headerVerdicts;

  const senderCheck = checkSender(
    mail.headers.filter((header) => header.key === 'from').map((header) => header.value),
  );
  const sender = senderCheck.ok ? senderCheck.address : null;
  const operatorAddresses = context.operatorAddresses.map(normaliseAddress);
  const senderAuthenticated =
    sender !== null &&
    isAuthenticatedSender(verdicts, sender) &&
    namesOperator(mail, operatorAddresses) &&
    isRecent(mail, context.receivedAt);
  const decided = { sender, senderAuthenticated, mail };

  const dropReason = neverAnswerReason(mail, sender, {
    envelopeSender: context.envelopeSender,
    verdicts,
    operatorAddresses,
    // The guard also reads part headers and CR-only header blocks, which postal-mime does not show.
    raw: window,
  });
  if (dropReason) return { action: 'drop', reason: dropReason, ...decided, ...UNDECIDED };

  // A person's mail the scanner calls spam, or whose domain's DMARC policy says to quarantine or reject
  // it, gets no effect and no reply (it may be forged); it is held, with its kind, for ops to recover.
  const holdReason =
    verdicts.spam === 'FAIL' ? 'spam-verdict-fail' : failsStrictDmarc(verdicts) ? 'dmarc-fail' : null;
  if (holdReason) {
    const held = senderCheck.ok ? classifyRequest(mail.subject, mail.text) : null;
    return {
      action: 'hold',
      reason: holdReason,
      kind: held?.kind ?? null,
      language: held?.language ?? null,
      exactTag: held?.exact ?? false,
      ...decided,
      senderAuthenticated: false,
    };
  }

  // Only now does an invalid sender mean review: a robot's From the strict check rejects
  // (`MAILER-DAEMON <>`) was judged by the guard above, from the header as written.
  if (!senderCheck.ok) {
    return { action: 'review', reason: `invalid-sender:${senderCheck.reason}`, ...decided, ...UNDECIDED };
  }

  const classification = classifyRequest(mail.subject, mail.text);
  if (!classification) return { action: 'review', reason: 'no-tag', ...decided, ...UNDECIDED };
  const details = requestDetails(classification.kind, mail.text, context.ownDataFields ?? []);
  if (!details.ok) {
    // The kind is known, but it cannot be carried out without what the mail does not say: a person reads it.
    return {
      action: 'review',
      reason: details.reason,
      kind: classification.kind,
      language: classification.language,
      exactTag: classification.exact,
      ...decided,
    };
  }

  return {
    action: 'process',
    reason: classification.foundIn === 'subject' ? 'tag-in-subject' : 'tag-in-body',
    kind: classification.kind,
    language: classification.language,
    exactTag: classification.exact,
    ...decided,
    ...(details.fields || details.dataItems
      ? { details: { fields: details.fields, dataItems: details.dataItems } }
      : {}),
  };
}

/** DMARC failed and the sending domain asks receivers to quarantine or reject such mail. */
function failsStrictDmarc(verdicts: SecurityVerdicts): boolean {
  return (
    verdicts.dmarc === 'FAIL' && (verdicts.dmarcPolicy === 'quarantine' || verdicts.dmarcPolicy === 'reject')
  );
}

/** Whether the header's To or Cc names one of the operator's addresses (the mail was written to it). */
function namesOperator(mail: ParsedMail, operatorAddresses: readonly string[]): boolean {
  const named = [...headerValues(mail, 'to'), ...headerValues(mail, 'cc')].flatMap(addressesIn);
  return named.some((address) => operatorAddresses.includes(address));
}

const ADDRESS_IN_HEADER = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

function addressesIn(headerValue: string): string[] {
  return [...headerValue.matchAll(ADDRESS_IN_HEADER)].map((match) => normaliseAddress(match[0]));
}

/**
 * A signed mail is proof of a request made now only if it was written recently: mail is delivered
 * within hours, so a Date a week old (or more than a day ahead) means it is being replayed.
 */
export const PROOF_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const PROOF_MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

function isRecent(mail: ParsedMail, receivedAt: Date | undefined): boolean {
  if (receivedAt === undefined) return false;
  const [date] = headerValues(mail, 'date');
  const written = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(written)) return false;
  const age = receivedAt.getTime() - written;
  return age <= PROOF_MAX_AGE_MS && age >= -PROOF_MAX_CLOCK_SKEW_MS;
}

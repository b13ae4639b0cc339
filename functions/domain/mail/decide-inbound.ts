/**
 * The pure part of the inbound pipeline: raw message → what to do with it, and why.
 * Used by the Lambda (with SES's verdicts from the notification) and by `makul inspect` (headers only).
 *
 *   size cap ─▶ parse ─▶ sender check ─▶ never-answer guard ─▶ classify
 *   too-large   unparseable  invalid-sender:*   drop: <reason>      no-tag / tag-in-subject / tag-in-body
 *
 * Nothing a person wrote is dropped silently: only robots, lists, loops and scanner FAILs are dropped;
 * mail from a person that cannot be handled automatically goes to review (the human support inbox).
 */

import { classifyRequest } from '../classify/classify-request';
import type { Language, RequestKind } from '../requests/request-kinds';
import { isAuthenticatedSender, verdictsFromHeaders } from './authentication-results';
import type { InboundAction, ParsedMail, SecurityVerdicts } from './inbound-mail';
import { neverAnswerReason } from './never-answer-guard';
import { parseMail } from './parse-mail';
import { checkSender, normaliseAddress } from './sender-address';

export interface InboundContext {
  /** Addresses of the operator, including every recipient of this message; mail from them is a loop. */
  readonly operatorAddresses: readonly string[];
  /** Envelope sender (SES `mail.source`); undefined when inspecting a file on its own. */
  readonly envelopeSender?: string;
  /** SES verdicts from the receipt notification; undefined: read the message's own X-SES-* headers. */
  readonly notificationVerdicts?: SecurityVerdicts;
  readonly maxMessageBytes: number;
}

export interface InboundDecision {
  readonly action: InboundAction;
  /** Stable id of the reason, recorded in the register and printed by the CLI. */
  readonly reason: string;
  readonly kind: RequestKind | null;
  readonly language: Language | null;
  /** The one validated sender address (domain lower-cased), or null. */
  readonly sender: string | null;
  /** DMARC pass, or DKIM pass aligned with the sender's domain. */
  readonly senderAuthenticated: boolean;
  /** False when the tag was recognised only with tolerance (typo, look-alike letters). */
  readonly exactTag: boolean;
  /** The parsed message; null when it was too large or unreadable. */
  readonly mail: ParsedMail | null;
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

  let mail: ParsedMail;
  try {
    const window = raw.byteLength > PARSE_WINDOW_BYTES ? raw.subarray(0, PARSE_WINDOW_BYTES) : raw;
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
  const senderAuthenticated = sender !== null && isAuthenticatedSender(verdicts, sender);
  const decided = { sender, senderAuthenticated, mail };

  const dropReason = neverAnswerReason(mail, sender, {
    envelopeSender: context.envelopeSender,
    verdicts,
    operatorAddresses: context.operatorAddresses.map(normaliseAddress),
  });
  if (dropReason) return { action: 'drop', reason: dropReason, ...decided, ...UNDECIDED };

  if (!senderCheck.ok) {
    return { action: 'review', reason: `invalid-sender:${senderCheck.reason}`, ...decided, ...UNDECIDED };
  }

  const classification = classifyRequest(mail.subject, mail.text);
  if (!classification) return { action: 'review', reason: 'no-tag', ...decided, ...UNDECIDED };

  return {
    action: 'process',
    reason: classification.foundIn === 'subject' ? 'tag-in-subject' : 'tag-in-body',
    kind: classification.kind,
    language: classification.language,
    exactTag: classification.exact,
    ...decided,
  };
}

/**
 * The two messages makul sends for a request, in two steps: `prepare` does everything that may fail
 * harmlessly (storing the link token, reading the original, composing), `transmit` hands the result to
 * the mail sender. Only the second step can leave it unknown whether a message went out.
 *
 * The reply goes to the subject, in their language, with a confirmation link when the request needs
 * proof; the forward takes mail makul could not handle to the human support inbox, with a note.
 */
import { headerValues, parseMail } from '../domain/mail/parse-mail';
import { checkSender } from '../domain/mail/sender-address';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { autoReplyHeaders, buildForwardToHumans } from '../domain/replies/outbound-message';
import { type RenderedReply, renderReply } from '../domain/replies/reply-templates';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { Language, RequestKind } from '../domain/requests/request-kinds';
import { planRequest } from '../domain/requests/request-policies';
import { openAddress } from '../domain/subjects/sealed-address';
import type { MailSender, OutgoingReply } from '../ports/mail-sender';
import type { MetricsRecorder } from '../ports/metrics';
import type { RawMailStore } from '../ports/raw-mail-store';
import type { RequestRegister } from '../ports/request-register';
import { issueLink } from './issue-link';

export interface SendDependencies {
  readonly profile: DeploymentProfile;
  readonly metrics: MetricsRecorder;
  readonly register: RequestRegister;
  readonly mailSender: MailSender;
  readonly rawMailStore: RawMailStore;
  /** The operator's secret key: link tokens are derived from it (verification-token.ts). */
  readonly hmacKey: string;
  readonly now: () => Date;
  /**
   * Writes the text of a notice entry (prepare-notice.ts). Only the deferred-outbound job sends
   * notices, so only it carries their texts; a function without it refuses a notice loudly.
   */
  readonly composeNotice?: NoticeComposer;
}

export type NoticeComposer = (notice: RegisteredRequest, language: Language) => Promise<RenderedReply>;

export type PreparedMessage =
  | { readonly kind: 'reply'; readonly reply: OutgoingReply }
  | { readonly kind: 'forward'; readonly from: string; readonly to: string; readonly raw: Uint8Array };

export async function prepareOutbound(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: SendDependencies,
): Promise<PreparedMessage> {
  if (request.outbound === 'reply') return { kind: 'reply', reply: await prepareReply(request, deps) };
  return prepareForward(request, rawBytes, deps);
}

/** Sends a prepared message; returns SES's message id. */
export async function transmit(message: PreparedMessage, mailSender: MailSender): Promise<string> {
  return message.kind === 'reply'
    ? mailSender.sendReply(message.reply)
    : mailSender.sendRaw(message.from, message.to, message.raw);
}

async function prepareReply(request: RegisteredRequest, deps: SendDependencies): Promise<OutgoingReply> {
  const { kind, language, sealedContact } = request;
  if (!kind || !language || !sealedContact) throw new Error('a reply needs a kind, a language and a sender');
  const rendered = request.notice
    ? await composeNotice(request, language, deps)
    : await replyText(request, deps);
  return {
    from: request.operatorAddress,
    to: openAddress(sealedContact, deps.hmacKey, request.requestId),
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    // A notice to a new mailbox answers nothing that mailbox sent: it does not thread under the original.
    headers:
      request.notice === 'confirm-address'
        ? autoReplyHeaders(null, null)
        : autoReplyHeaders(request.originalMessageId, request.originalReferences),
  };
}

function composeNotice(request: RegisteredRequest, language: Language, deps: SendDependencies) {
  if (!deps.composeNotice) throw new Error('this function does not send notices');
  return deps.composeNotice(request, language);
}

/** The first reply to a request: what happens, and the link to confirm or to say "this was not me". */
async function replyText(request: RegisteredRequest, deps: SendDependencies): Promise<RenderedReply> {
  const { operator, jurisdiction } = deps.profile;
  const kind = request.kind as RequestKind;
  const language = request.language as Language;
  const plan = planRequest(kind, request.senderAuthenticated);
  const link = plan.token
    ? await issueLink(plan.token, request.requestId, operator.verificationTokenHours, deps)
    : null;
  const receivedAt = new Date(request.receivedAt);
  return renderReply({
    kind,
    language,
    outcome: plan.replyOutcome,
    requestId: request.requestId,
    operatorName: operator.displayName[language],
    receivedAt,
    dueAt: request.dueAt ? new Date(request.dueAt) : receivedAt,
    timeZone: jurisdiction.timeZone,
    ...(link ? { actionUrl: link.url, actionExpiresAt: link.expiresAt } : {}),
  });
}

/**
 * The raw bytes are passed in when the caller already read them, else fetched again (a retry, a
 * deferred forward).
 */
async function prepareForward(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: SendDependencies,
): Promise<PreparedMessage> {
  const { operator } = deps.profile;
  let original = rawBytes;
  if (!original && request.reason !== 'too-large') {
    const raw = await deps.rawMailStore.get(
      request.rawMail.bucket,
      request.rawMail.key,
      operator.maxMessageBytes,
    );
    original = raw.tooLarge ? null : raw.bytes;
  }
  const from = request.operatorAddress;
  const raw = buildForwardToHumans({
    from,
    to: operator.humanSupportInbox,
    // A forward owed by a request (its values failed the page's checks) names that request to staff.
    requestId: request.noticeOf ?? request.requestId,
    reason: request.reason,
    receivedAt: new Date(request.receivedAt),
    sentAt: deps.now(),
    language: operator.staffLanguage ?? operator.defaultLanguage,
    timeZone: deps.profile.jurisdiction.timeZone,
    originalRaw: original,
    replyTo: original ? await validSenderOf(original) : null,
    rawMailLocation: `s3://${request.rawMail.bucket}/${request.rawMail.key}`,
    originalMessageId: request.originalMessageId,
  });
  return { kind: 'forward', from, to: operator.humanSupportInbox, raw };
}

/**
 * The original's one valid sender, for the forward's Reply-To: staff answer the person with one click.
 * Read again from the original rather than kept in the register, which holds no address for review.
 */
async function validSenderOf(original: Uint8Array): Promise<string | null> {
  try {
    const parsed = await parseMail(original);
    const sender = checkSender(headerValues(parsed, 'from'));
    return sender.ok ? sender.address : null;
  } catch {
    return null;
  }
}

/**
 * The two messages makul sends for a request, composed and handed to the mail sender: the reply to the
 * subject (in their language, with a confirmation link when the request needs proof) and the forward of
 * mail it could not handle to the human support inbox.
 */
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { autoReplyHeaders, buildForwardToHumans } from '../domain/replies/outbound-message';
import { renderReply } from '../domain/replies/reply-templates';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { planRequest } from '../domain/requests/request-policies';
import { issueToken, tokenLink } from '../domain/tokens/verification-token';
import type { MailSender } from '../ports/mail-sender';
import type { RawMailStore } from '../ports/raw-mail-store';
import type { RequestRegister } from '../ports/request-register';

export interface SendDependencies {
  readonly profile: DeploymentProfile;
  readonly register: RequestRegister;
  readonly mailSender: MailSender;
  readonly rawMailStore: RawMailStore;
  readonly now: () => Date;
}

/** Sends the reply to the subject; returns SES's message id. */
export async function sendReply(request: RegisteredRequest, deps: SendDependencies): Promise<string> {
  const { kind, language, senderAddress, senderAuthenticated } = request;
  if (!kind || !language || !senderAddress) throw new Error('a reply needs a kind, a language and a sender');
  const { operator, jurisdiction } = deps.profile;
  const plan = planRequest(kind, senderAuthenticated);
  let actionUrl: string | undefined;
  let actionExpiresAt: Date | undefined;
  if (plan.token) {
    // Issued at send time: only the hash is stored, so a retry issues a fresh link rather than resending an old one.
    const token = issueToken(plan.token, deps.now(), operator.verificationTokenHours);
    await deps.register.putToken({
      tokenHash: token.tokenHash,
      purpose: token.purpose,
      requestId: request.requestId,
      expiresAt: token.expiresAt,
    });
    actionUrl = tokenLink(operator.confirmBaseUrl, token.token);
    actionExpiresAt = token.expiresAt;
  }
  const receivedAt = new Date(request.receivedAt);
  const rendered = renderReply({
    kind,
    language,
    outcome: plan.replyOutcome,
    requestId: request.requestId,
    operatorName: operator.displayName[language],
    receivedAt,
    dueAt: request.dueAt ? new Date(request.dueAt) : receivedAt,
    timeZone: jurisdiction.timeZone,
    actionUrl,
    actionExpiresAt,
  });
  return deps.mailSender.sendReply({
    from: request.operatorAddress,
    to: senderAddress,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    headers: autoReplyHeaders(request.originalMessageId, request.originalReferences),
  });
}

/**
 * Forwards the original to the human support inbox with a note; returns SES's message id. The raw
 * bytes are passed in when the caller already read them, else fetched again (a retry).
 */
export async function sendForward(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: SendDependencies,
): Promise<string> {
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
  const message = buildForwardToHumans({
    from,
    to: operator.humanSupportInbox,
    requestId: request.requestId,
    reason: request.reason,
    receivedAt: new Date(request.receivedAt),
    sentAt: deps.now(),
    language: operator.defaultLanguage,
    originalRaw: original,
    rawMailLocation: `s3://${request.rawMail.bucket}/${request.rawMail.key}`,
    originalMessageId: request.originalMessageId,
  });
  return deps.mailSender.sendRaw(from, operator.humanSupportInbox, message);
}

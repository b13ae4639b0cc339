/**
 * One inbound message, start to finish: fetch → decide → record → send the one outbound message.
 *
 * Safe to run again on the same message (SQS redelivers after any failure): the request is recorded
 * once per SES message id, and the outbound message goes through a claim (pending → sending → sent),
 * so a retry resumes where the last attempt stopped and never sends twice. When an attempt vanished
 * after claiming, makul cannot know whether SES took the message and does not send again (at most one
 * reply): the request is marked "in doubt" in the register for ops to see.
 */

import { decideInbound, type InboundDecision } from '../domain/mail/decide-inbound';
import { normaliseAddress } from '../domain/mail/sender-address';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type {
  AuditEvent,
  MailSender,
  OutboundKind,
  RawMailStore,
  RegisteredRequest,
  RequestRegister,
} from '../domain/ports';
import { autoReplyHeaders, buildForwardToHumans } from '../domain/replies/outbound-message';
import { renderReply } from '../domain/replies/reply-templates';
import { dueAt, localDate } from '../domain/requests/deadlines';
import { requestIdFor } from '../domain/requests/request-id';
import type { RequestKind } from '../domain/requests/request-kinds';
import { REQUEST_KINDS } from '../domain/requests/request-kinds';
import { planRequest, REQUEST_POLICIES, type RequestPlan } from '../domain/requests/request-policies';
import { subjectKey } from '../domain/subjects/subject-key';
import { issueToken, tokenLink } from '../domain/tokens/verification-token';
import type { Logger } from '../shared/log';
import { notificationVerdicts, type SesReceiptNotification } from './ses-notification';

export interface InboundDependencies {
  readonly profile: DeploymentProfile;
  readonly register: RequestRegister;
  readonly mailSender: MailSender;
  readonly rawMailStore: RawMailStore;
  readonly hmacKey: string;
  readonly now: () => Date;
  readonly log: Logger;
  /**
   * A claim older than this belongs to an attempt that is gone. It must outlive the function's
   * timeout, or a slow but live attempt could be taken for a dead one.
   */
  readonly outboundClaimLeaseMs: number;
}

export interface InboundOutcome {
  readonly requestId: string;
  readonly action: RegisteredRequest['action'];
  readonly reason: string;
  readonly kind: RequestKind | null;
  readonly outbound: OutboundKind;
  readonly outboundResult: 'sent' | 'already-done' | 'rate-limited' | 'in-doubt' | 'none';
}

/** Raised when another attempt is sending this message right now: SQS retries it later. */
export class OutboundBusyError extends Error {
  override readonly name = 'OutboundBusyError';
}

export async function processInboundNotification(
  notification: SesReceiptNotification,
  deps: InboundDependencies,
): Promise<InboundOutcome> {
  const requestId = requestIdFor(notification.mail.messageId);
  const log = deps.log.child({ requestId });
  const { bucketName, objectKey } = notification.receipt.action;

  let request = await deps.register.get(requestId);
  let rawBytes: Uint8Array | null = null;
  if (request) {
    log.info('message seen before: resuming', { outboundState: request.outboundState });
  } else {
    const raw = await deps.rawMailStore.get(bucketName, objectKey, deps.profile.operator.maxMessageBytes);
    rawBytes = raw.tooLarge ? null : raw.bytes;
    const decision = raw.tooLarge
      ? tooLargeDecision()
      : await decideInbound(raw.bytes, {
          operatorAddresses: operatorAddresses(notification, deps.profile),
          envelopeSender: notification.mail.source,
          notificationVerdicts: notificationVerdicts(notification),
          maxMessageBytes: deps.profile.operator.maxMessageBytes,
        });
    const receivedAt = new Date(notification.mail.timestamp);
    const plan = decision.kind ? planRequest(decision.kind, decision.senderAuthenticated) : null;
    const newRequest = registerEntry(requestId, notification, decision, plan, receivedAt, deps);
    const effect = decision.kind && plan?.applyEffectNow ? REQUEST_POLICIES[decision.kind].effect : null;
    const received: AuditEvent = {
      at: deps.now().toISOString(),
      event: 'received',
      detail: {
        action: decision.action,
        reason: decision.reason,
        kind: decision.kind,
        language: decision.language,
        status: newRequest.status,
        senderAuthenticated: decision.senderAuthenticated,
        subjectEffect: effect ? Object.keys(effect).join(',') : null,
      },
    };
    const recorded = await deps.register.recordNew(newRequest, received, effect);
    log.info('message decided', {
      action: decision.action,
      reason: decision.reason,
      kind: decision.kind,
      language: decision.language,
      status: newRequest.status,
      recorded: recorded === 'recorded',
    });
    request = recorded === 'recorded' ? newRequest : await deps.register.get(requestId);
    if (!request) throw new Error('request missing right after it was recorded');
  }

  const outboundResult = await deliverOutbound(request, rawBytes, deps, log);
  return {
    requestId,
    action: request.action,
    reason: request.reason,
    kind: request.kind,
    outbound: request.outbound,
    outboundResult,
  };
}

function tooLargeDecision(): InboundDecision {
  return {
    action: 'review',
    reason: 'too-large',
    kind: null,
    language: null,
    sender: null,
    senderAuthenticated: false,
    exactTag: false,
    mail: null,
  };
}

function operatorAddresses(notification: SesReceiptNotification, profile: DeploymentProfile): string[] {
  const { operator } = profile;
  return [
    ...operator.supportAddresses,
    ...operator.ownAddresses,
    operator.humanSupportInbox,
    ...notification.receipt.recipients,
    ...notification.mail.destination,
  ];
}

function registerEntry(
  requestId: string,
  notification: SesReceiptNotification,
  decision: InboundDecision,
  plan: RequestPlan | null,
  receivedAt: Date,
  deps: InboundDependencies,
): RegisteredRequest {
  const { jurisdiction } = deps.profile;
  const outbound: OutboundKind =
    decision.action === 'process' ? 'reply' : decision.action === 'review' ? 'forward' : 'none';
  let due: Date | null = null;
  if (decision.kind) due = dueAt(decision.kind, jurisdiction, receivedAt);
  else if (decision.action === 'review') due = earliestDayBasedDeadline(deps.profile, receivedAt);
  return {
    requestId,
    sesMessageId: notification.mail.messageId,
    channel: 'email',
    action: decision.action,
    reason: decision.reason,
    kind: decision.kind,
    language: decision.language,
    status: plan ? plan.status : decision.action === 'review' ? 'needs-human' : 'dropped',
    receivedAt: receivedAt.toISOString(),
    dueAt: due ? due.toISOString() : null,
    jurisdiction: jurisdiction.id,
    subjectKey: decision.sender ? subjectKey(normaliseAddress(decision.sender), deps.hmacKey) : null,
    // Kept only where makul must write back; dropped mail keeps just the keyed hash.
    senderAddress: decision.action === 'drop' ? null : decision.sender,
    senderAuthenticated: decision.senderAuthenticated,
    exactTag: decision.exactTag,
    rawMail: { bucket: notification.receipt.action.bucketName, key: notification.receipt.action.objectKey },
    operatorAddress: supportAddressWrittenTo(notification, deps.profile),
    originalMessageId: decision.mail?.messageId ?? null,
    originalReferences: decision.mail?.references ?? null,
    outbound,
    outboundState: outbound === 'none' ? 'skipped' : 'pending',
    outboundClaimedAt: null,
  };
}

/**
 * Mail without a recognised tag may still be a request under the law; staff get the shortest
 * day-based term of the jurisdiction to triage it, so no legal deadline is missed while it waits.
 */
function earliestDayBasedDeadline(profile: DeploymentProfile, receivedAt: Date): Date {
  const candidates = REQUEST_KINDS.filter((kind) => profile.jurisdiction.deadlines[kind].amount > 0).map(
    (kind) => dueAt(kind, profile.jurisdiction, receivedAt).getTime(),
  );
  return new Date(candidates.length > 0 ? Math.min(...candidates) : receivedAt.getTime());
}

async function deliverOutbound(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: InboundDependencies,
  log: Logger,
): Promise<InboundOutcome['outboundResult']> {
  if (request.outbound === 'none') return 'none';
  if (request.outboundState !== 'pending' && request.outboundState !== 'sending') return 'already-done';

  const now = deps.now();
  const rateLimit =
    request.outbound === 'reply' && request.subjectKey
      ? {
          subjectKey: request.subjectKey,
          day: localDate(now, deps.profile.jurisdiction.timeZone),
          maxPerDay: deps.profile.operator.maxRepliesPerAddressPerDay,
        }
      : null;
  const claim = await deps.register.claimOutbound(
    request.requestId,
    now,
    deps.outboundClaimLeaseMs,
    rateLimit,
  );
  switch (claim) {
    case 'finished':
      return 'already-done';
    case 'rate-limited':
      log.warn('reply not sent: daily reply limit reached for this subject', {
        subjectKey: request.subjectKey,
      });
      return 'rate-limited';
    case 'busy':
      throw new OutboundBusyError('another attempt is sending this message now');
    case 'stale-claim':
      await deps.register.markInDoubt(request.requestId, {
        at: now.toISOString(),
        event: `${request.outbound}-in-doubt`,
        detail: { note: 'an earlier attempt claimed the send and vanished; not sent again' },
      });
      log.warn('outbound message in doubt: not sent again', { outbound: request.outbound });
      return 'in-doubt';
    case 'claimed':
      break;
  }

  try {
    const sesMessageId =
      request.outbound === 'reply'
        ? await sendReply(request, deps)
        : await sendForward(request, rawBytes, deps);
    await deps.register.markSent(request.requestId, sesMessageId, {
      at: deps.now().toISOString(),
      event: request.outbound === 'reply' ? 'reply-sent' : 'forwarded-to-humans',
      detail: { sesMessageId },
    });
    log.info(request.outbound === 'reply' ? 'reply sent' : 'forwarded to the human support inbox');
    return 'sent';
  } catch (error) {
    // Give the claim back so the retry sends; if this fails too, the lease expires into "in doubt".
    await deps.register
      .releaseClaim(
        request.requestId,
        {
          at: deps.now().toISOString(),
          event: `${request.outbound}-failed`,
          detail: { errorName: error instanceof Error ? error.name : 'unknown' },
        },
        rateLimit,
      )
      .catch(() => undefined);
    throw error;
  }
}

/** Replies come from the support address the person wrote to (a policy may name several). */
function supportAddressWrittenTo(notification: SesReceiptNotification, profile: DeploymentProfile): string {
  const support = profile.operator.supportAddresses;
  const recipients = notification.receipt.recipients.map(normaliseAddress);
  return (
    support.find((address) => recipients.includes(address)) ??
    support[0] ??
    profile.operator.humanSupportInbox
  );
}

async function sendReply(request: RegisteredRequest, deps: InboundDependencies): Promise<string> {
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

async function sendForward(
  request: RegisteredRequest,
  rawBytes: Uint8Array | null,
  deps: InboundDependencies,
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
    language: operator.defaultLanguage,
    originalRaw: original,
    rawMailLocation: `s3://${request.rawMail.bucket}/${request.rawMail.key}`,
    originalMessageId: request.originalMessageId,
  });
  return deps.mailSender.sendRaw(from, operator.humanSupportInbox, message);
}

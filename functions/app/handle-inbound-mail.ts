/**
 * One inbound message, start to finish: fetch → decide → record → send the one outbound message.
 *
 * Safe to run again on the same message (SQS redelivers after any failure): the request is recorded
 * once per SES message id, and the outbound message goes through a claim (deliver-outbound.ts), so a
 * retry resumes where the last attempt stopped and never sends twice.
 */

import { answeredBySystems } from '../domain/fulfilment/tasks';
import type { InboundDecision } from '../domain/mail/decide-inbound';
import { decideInbound } from '../domain/mail/decide-inbound';
import type { SecurityVerdicts } from '../domain/mail/inbound-mail';
import { normaliseAddress } from '../domain/mail/sender-address';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { missingCalendarYears, yearsSpanned } from '../domain/requests/deadlines';
import { DUPLICATE_WINDOW_DAYS, duplicateMarkerKey } from '../domain/requests/duplicate-marker';
import { confirmationNotices } from '../domain/requests/link-actions';
import { newRegisterEntry } from '../domain/requests/register-entry';
import type { AuditEvent, RegisteredRequest } from '../domain/requests/registered-request';
import { requestIdFor } from '../domain/requests/request-id';
import type { RequestKind } from '../domain/requests/request-kinds';
import { planRequest, REQUEST_POLICIES } from '../domain/requests/request-policies';
import { canonicalMailbox } from '../domain/subjects/mailbox';
import { sealAddress, sealText } from '../domain/subjects/sealed-address';
import { subjectKey } from '../domain/subjects/subject-key';
import type { Logger } from '../shared/log';
import { deliverOutbound, type OutboundDependencies, type OutboundResult } from './deliver-outbound';
import { noticeFor } from './notice-for';
import { newAddressOf } from './update-fields';

/** What SES tells about a message it received and stored (from the receipt notification). */
export interface InboundMailArrival {
  readonly sesMessageId: string;
  readonly receivedAt: Date;
  /** Envelope MAIL FROM; '' or '<>' for the null return path of bounces. */
  readonly envelopeSender: string;
  /** Envelope recipients SES accepted the message for (the receipt's recipients). */
  readonly envelopeRecipients: readonly string[];
  /** The To/Cc addresses of the header, as SES lists them in `mail.destination`. */
  readonly headerRecipients: readonly string[];
  readonly rawMail: { readonly bucket: string; readonly key: string };
  readonly verdicts: SecurityVerdicts;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface InboundDependencies extends OutboundDependencies {
  readonly hmacKey: string;
}

export interface InboundOutcome {
  readonly requestId: string;
  readonly action: RegisteredRequest['action'];
  readonly reason: string;
  readonly kind: RequestKind | null;
  readonly outbound: RegisteredRequest['outbound'];
  readonly outboundResult: OutboundResult;
}

export async function handleInboundMail(
  arrival: InboundMailArrival,
  deps: InboundDependencies,
): Promise<InboundOutcome> {
  const requestId = requestIdFor(arrival.sesMessageId);
  const log = deps.log.child({ requestId });

  let request = await deps.register.get(requestId);
  let rawBytes: Uint8Array | null = null;
  if (request) {
    log.info('message seen before: resuming', { outboundState: request.outboundState });
  } else {
    const { bucket, key } = arrival.rawMail;
    const raw = await deps.rawMailStore.get(bucket, key, deps.profile.operator.maxMessageBytes);
    rawBytes = raw.tooLarge ? null : raw.bytes;
    const decision = raw.tooLarge
      ? tooLargeDecision()
      : await decideInbound(raw.bytes, {
          operatorAddresses: operatorAddresses(arrival, deps.profile),
          envelopeSender: arrival.envelopeSender,
          receivedAt: arrival.receivedAt,
          notificationVerdicts: arrival.verdicts,
          maxMessageBytes: deps.profile.operator.maxMessageBytes,
          ownDataFields: deps.profile.operator.ownDataFields,
        });
    request = await record(requestId, arrival, decision, deps, log);
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

/**
 * Records the decided message once: its register entry, first audit event and effect, all or nothing.
 * A resend of a mail already recorded (same Message-ID, same mailbox) is recorded as its duplicate.
 */
async function record(
  requestId: string,
  arrival: InboundMailArrival,
  decided: InboundDecision,
  deps: InboundDependencies,
  log: Logger,
): Promise<RegisteredRequest> {
  const decision = decided;
  const found = decision.action === 'process' ? (decision.details ?? null) : null;
  // Only a processed request is planned (and may take effect); a held one waits for ops.
  const plan =
    decision.action === 'process' && decision.kind
      ? planRequest(decision.kind, decision.senderAuthenticated)
      : null;
  const sender = decision.sender ? normaliseAddress(decision.sender) : null;
  const mailbox = sender ? canonicalMailbox(sender) : null;
  let entry = newRegisterEntry({
    requestId,
    sesMessageId: arrival.sesMessageId,
    decision,
    plan,
    receivedAt: arrival.receivedAt,
    profile: deps.profile,
    subjectKey: sender ? subjectKey(sender, deps.hmacKey) : null,
    replyLimitKey: mailbox ? subjectKey(mailbox, deps.hmacKey) : null,
    sealedContact: decision.sender ? sealAddress(decision.sender, deps.hmacKey, requestId) : null,
    rawMail: arrival.rawMail,
    operatorAddress: supportAddressWrittenTo(arrival, deps.profile),
    sealedDetails: found?.fields ? sealText(JSON.stringify(found.fields), deps.hmacKey, requestId) : null,
    dataItems: found?.dataItems ?? null,
  });
  let effect = decision.kind && plan?.applyEffectNow ? REQUEST_POLICIES[decision.kind].effect : null;
  const messageId = decision.mail?.messageId;
  const duplicateMarker =
    mailbox && messageId && decision.action !== 'drop'
      ? {
          key: duplicateMarkerKey(messageId, mailbox, deps.hmacKey),
          expiresAt: new Date(arrival.receivedAt.getTime() + DUPLICATE_WINDOW_DAYS * DAY_MS),
        }
      : null;
  const received = (): AuditEvent => ({
    at: deps.now().toISOString(),
    event: 'received',
    detail: {
      action: entry.action,
      reason: entry.reason,
      kind: entry.kind,
      language: entry.language,
      status: entry.status,
      senderAuthenticated: entry.senderAuthenticated,
      subjectEffect: effect ? Object.keys(effect).join(',') : null,
      duplicateOf: entry.duplicateOf,
      // Who (keyed hash of the sender) and by which proof, for the regulator.
      who: entry.subjectKey,
      proof: entry.proof,
    },
  });
  // An authenticated request takes effect now, so what a confirmation would have set off starts now too
  // The accepted reply already says what will be done, so no "confirmed" notice, except for a
  // restriction: that notice carries the link that lifts it, which the reply does not.
  const kind = decision.kind;
  const newAddress = newAddressOf(found?.fields ?? null);
  const notices =
    effect && kind && decision.sender
      ? confirmationNotices(
          kind,
          newAddress !== null,
          kind === 'access' && answeredBySystems(kind, deps.profile.operator.dataSystems),
        )
          .filter((notice) => notice !== 'confirmed' || kind === 'restrict')
          .flatMap((notice) => {
            const owed = noticeFor(entry, notice, deps.now(), deps.hmacKey, newAddress);
            return owed ? [owed] : [];
          })
      : [];
  let recorded = await deps.register.recordNew(entry, received(), effect, duplicateMarker, {
    notices,
    disseminationStoppedItems: found?.dataItems ?? [],
  });
  if (recorded.outcome === 'duplicate') {
    // The same mail again: recorded for the trail, pointing at the first, and nothing else happens.
    entry = asDuplicate(entry, recorded.firstRequestId);
    effect = null;
    recorded = await deps.register.recordNew(entry, received(), null, null);
  }
  log.info('message decided', {
    action: entry.action,
    reason: entry.reason,
    kind: entry.kind,
    language: entry.language,
    status: entry.status,
    recorded: recorded.outcome === 'recorded',
  });
  if (recorded.outcome !== 'recorded') {
    // Another delivery of the same SES message recorded it first: continue from what it wrote.
    const existing = await deps.register.get(requestId);
    if (!existing) throw new Error('request missing right after it was recorded');
    return existing;
  }
  // Counted once per message, by the attempt that recorded it.
  deps.metrics.count('Decisions', { action: entry.action, reason: reasonCategory(entry.reason) });
  if (entry.status === 'duplicate') deps.metrics.count('Duplicates');
  if (entry.status === 'held') deps.metrics.count('Held', { reason: entry.reason });
  const { jurisdiction } = deps.profile;
  const uncovered = entry.dueAt
    ? missingCalendarYears(
        jurisdiction,
        yearsSpanned(new Date(entry.receivedAt), new Date(entry.dueAt), jurisdiction.timeZone),
      )
    : [];
  if (uncovered.length > 0) {
    // Counted without the days the calendar lacks: earlier than the law's date, not later (but for a
    // worked Saturday, deadlines.ts). The calendar needs
    // its new year (config/calendars/README.md says how to add one).
    log.warn('due date counted without the official calendar', {
      jurisdiction: jurisdiction.id,
      years: uncovered.join(','),
    });
    deps.metrics.count('CalendarYearMissing');
  }
  return entry;
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

/** `invalid-sender:comment` → `invalid-sender`: the rule detail stays in the register, not in metrics. */
function reasonCategory(reason: string): string {
  return reason.split(':')[0] ?? reason;
}

function asDuplicate(entry: RegisteredRequest, firstRequestId: string): RegisteredRequest {
  return {
    ...entry,
    action: 'drop',
    reason: 'duplicate',
    status: 'duplicate',
    duplicateOf: firstRequestId,
    sealedContact: null,
    outbound: 'none',
    outboundState: 'skipped',
  };
}

/**
 * The operator's own addresses, for the loop guard: those it configured and the address SES delivered
 * this message to. Never the header's To/Cc: people copy themselves, and their mail must not be taken
 * for the operator's own.
 */
function operatorAddresses(arrival: InboundMailArrival, profile: DeploymentProfile): string[] {
  const { operator } = profile;
  return [
    ...operator.supportAddresses,
    ...operator.ownAddresses,
    operator.humanSupportInbox,
    ...arrival.envelopeRecipients,
  ];
}

/** Replies come from the support address the person wrote to (a policy may name several). */
function supportAddressWrittenTo(arrival: InboundMailArrival, profile: DeploymentProfile): string {
  const support = profile.operator.supportAddresses;
  const recipients = arrival.envelopeRecipients.map(normaliseAddress);
  return (
    support.find((address) => recipients.includes(address)) ??
    support[0] ??
    profile.operator.humanSupportInbox
  );
}

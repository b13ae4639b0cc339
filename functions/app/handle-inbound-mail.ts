/**
 * One inbound message, start to finish: fetch → decide → record → send the one outbound message.
 *
 * Safe to run again on the same message (SQS redelivers after any failure): the request is recorded
 * once per SES message id, and the outbound message goes through a claim (deliver-outbound.ts), so a
 * retry resumes where the last attempt stopped and never sends twice.
 */
import type { InboundDecision } from '../domain/mail/decide-inbound';
import { decideInbound } from '../domain/mail/decide-inbound';
import type { SecurityVerdicts } from '../domain/mail/inbound-mail';
import { normaliseAddress } from '../domain/mail/sender-address';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { newRegisterEntry } from '../domain/requests/register-entry';
import type { AuditEvent, RegisteredRequest } from '../domain/requests/registered-request';
import { requestIdFor } from '../domain/requests/request-id';
import type { RequestKind } from '../domain/requests/request-kinds';
import { planRequest, REQUEST_POLICIES } from '../domain/requests/request-policies';
import { subjectKey } from '../domain/subjects/subject-key';
import { deliverOutbound, type OutboundDependencies, type OutboundResult } from './deliver-outbound';

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
          notificationVerdicts: arrival.verdicts,
          maxMessageBytes: deps.profile.operator.maxMessageBytes,
        });
    const plan = decision.kind ? planRequest(decision.kind, decision.senderAuthenticated) : null;
    const newRequest = newRegisterEntry({
      requestId,
      sesMessageId: arrival.sesMessageId,
      decision,
      plan,
      receivedAt: arrival.receivedAt,
      profile: deps.profile,
      subjectKey: decision.sender ? subjectKey(normaliseAddress(decision.sender), deps.hmacKey) : null,
      rawMail: arrival.rawMail,
      operatorAddress: supportAddressWrittenTo(arrival, deps.profile),
    });
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

function operatorAddresses(arrival: InboundMailArrival, profile: DeploymentProfile): string[] {
  const { operator } = profile;
  return [
    ...operator.supportAddresses,
    ...operator.ownAddresses,
    operator.humanSupportInbox,
    ...arrival.envelopeRecipients,
    ...arrival.headerRecipients,
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

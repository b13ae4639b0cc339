/**
 * The register entry for a freshly decided inbound message: its status, due date and the one outbound
 * message it owes. Pure: the caller brings the decision, the clock's reading and the subject key.
 */
import type { InboundDecision } from '../mail/decide-inbound';
import type { DeploymentProfile } from '../operators/operator-profile';
import { dueAt, localDate, reviewDueAt } from './deadlines';
import type { OutboundKind, RegisteredRequest } from './registered-request';
import type { RequestPlan } from './request-policies';

export interface RegisterEntryInput {
  readonly requestId: string;
  readonly sesMessageId: string;
  readonly decision: InboundDecision;
  /** The policy's plan for the decided kind; null when no kind was recognised. */
  readonly plan: RequestPlan | null;
  readonly receivedAt: Date;
  readonly profile: DeploymentProfile;
  /** Keyed hash of the sender's normalised address, or null when there is no valid sender. */
  readonly subjectKey: string | null;
  /** Keyed hash of the sender's mailbox (reply limits), or null when there is no valid sender. */
  readonly replyLimitKey: string | null;
  /** The sender's address, sealed; kept only when makul will write to the person. */
  readonly sealedContact: string | null;
  readonly rawMail: { readonly bucket: string; readonly key: string };
  /** The support address the message was sent to: replies come from it. */
  readonly operatorAddress: string;
  /** update-data: the values asked for, sealed. */
  readonly sealedDetails?: string | null;
  /** stop-dissemination: the categories of data named. */
  readonly dataItems?: readonly string[] | null;
}

export function newRegisterEntry(input: RegisterEntryInput): RegisteredRequest {
  const { decision, plan, receivedAt } = input;
  const { jurisdiction } = input.profile;
  const outbound: OutboundKind =
    decision.action === 'process' ? 'reply' : decision.action === 'review' ? 'forward' : 'none';
  let due: Date | null = null;
  if (decision.kind) due = dueAt(decision.kind, jurisdiction, receivedAt);
  else if (decision.action === 'review' || decision.action === 'hold')
    due = reviewDueAt(jurisdiction, receivedAt);
  const held = decision.action === 'hold';
  const status: RegisteredRequest['status'] = plan
    ? plan.status
    : held
      ? 'held'
      : decision.action === 'review'
        ? 'needs-human'
        : 'dropped';
  return {
    requestId: input.requestId,
    sesMessageId: input.sesMessageId,
    channel: 'email',
    action: decision.action,
    reason: decision.reason,
    kind: decision.kind,
    language: decision.language,
    status,
    receivedAt: receivedAt.toISOString(),
    dueAt: due ? due.toISOString() : null,
    originalDueAt: null,
    extendedAt: null,
    extensionReason: null,
    // Done on arrival (an unsubscribe): closed when received.
    closedAt: status === 'completed' ? receivedAt.toISOString() : null,
    closingReason: null,
    jurisdiction: jurisdiction.id,
    subjectKey: input.subjectKey,
    replyLimitKey: input.replyLimitKey,
    // Only a request makul answers keeps a way to write back; review and dropped mail keep the keyed hash.
    // A held request keeps it too: ops may find it genuine and answer it.
    sealedContact: decision.action === 'process' || held ? input.sealedContact : null,
    senderAuthenticated: decision.senderAuthenticated,
    exactTag: decision.exactTag,
    rawMail: input.rawMail,
    operatorAddress: input.operatorAddress,
    originalMessageId: decision.mail?.messageId ?? null,
    originalReferences: decision.mail?.references ?? null,
    outbound,
    outboundState: outbound === 'none' ? 'skipped' : 'pending',
    outboundClaimedAt: null,
    // Held requests are listed for ops, oldest first, so a false positive can be recovered.
    opsQueue: held ? 'held' : null,
    opsQueueAt: held ? receivedAt.toISOString() : null,
    duplicateOf: null,
    sealedDetails: input.sealedDetails ?? null,
    dataItems: input.dataItems ?? null,
    proof: plan?.applyEffectNow && decision.kind ? proofAtArrival(decision.senderAuthenticated) : null,
    provedAt: plan?.applyEffectNow && decision.senderAuthenticated ? receivedAt.toISOString() : null,
    notice: null,
    noticeOf: null,
    registerMonth: registerMonthOf(receivedAt, jurisdiction.timeZone),
  };
}

/** `2026-12`: the month of an instant in the jurisdiction's zone, the register month of an entry received then. */
export function registerMonthOf(receivedAt: Date, timeZone: string): string {
  return localDate(receivedAt, timeZone).slice(0, 7);
}

/** A request that takes effect on arrival is proved by its authenticated sender, or needs no proof. */
function proofAtArrival(senderAuthenticated: boolean): RegisteredRequest['proof'] {
  return senderAuthenticated ? 'authenticated-sender' : null;
}

/**
 * The register entry of a one-click unsubscribe (RFC 8058): kind unsubscribe, done at once, nothing
 * sent back; the subject key says whose it is. It keeps the address, sealed, only for the SES
 * contact-list sync, which forgets it once done (contact-retention.ts); otherwise none.
 */
export function newOneClickEntry(input: {
  readonly requestId: string;
  readonly subjectKey: string;
  readonly language: RegisteredRequest['language'];
  readonly at: Date;
  readonly profile: DeploymentProfile;
  /** The address sealed to the request id, when the profile names an SES contact list; else null. */
  readonly sealedContact: string | null;
}): RegisteredRequest {
  const at = input.at.toISOString();
  const { operator, jurisdiction } = input.profile;
  return {
    requestId: input.requestId,
    sesMessageId: 'none',
    channel: 'one-click',
    action: 'process',
    reason: 'one-click',
    kind: 'unsubscribe',
    language: input.language,
    status: 'completed',
    receivedAt: at,
    dueAt: at,
    originalDueAt: null,
    extendedAt: null,
    extensionReason: null,
    closedAt: at,
    closingReason: null,
    jurisdiction: jurisdiction.id,
    subjectKey: input.subjectKey,
    replyLimitKey: null,
    sealedContact: input.sealedContact,
    senderAuthenticated: false,
    exactTag: true,
    rawMail: { bucket: '', key: '' },
    operatorAddress: operator.supportAddresses[0] ?? operator.humanSupportInbox,
    originalMessageId: null,
    originalReferences: null,
    // Nothing is sent: `skipped` is what lets the contact-list sync forget the address at once.
    outbound: 'none',
    outboundState: 'skipped',
    outboundClaimedAt: null,
    opsQueue: null,
    opsQueueAt: null,
    duplicateOf: null,
    sealedDetails: null,
    dataItems: null,
    proof: null,
    provedAt: null,
    notice: null,
    noticeOf: null,
    registerMonth: registerMonthOf(input.at, jurisdiction.timeZone),
  };
}

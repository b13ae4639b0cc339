/** A register entry for tests that write the register directly: a processed unsubscribe, pending reply. */
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';

export function sampleRequest(serial: number, overrides: Partial<RegisteredRequest> = {}): RegisteredRequest {
  const at = new Date('2026-11-20T08:00:00Z').toISOString();
  return {
    requestId: `MK-TEST${String(serial).padStart(5, '0')}`,
    sesMessageId: `ses-${serial}`,
    channel: 'email',
    action: 'process',
    reason: 'tag-in-subject',
    kind: 'unsubscribe',
    language: 'ru',
    status: 'completed',
    receivedAt: at,
    dueAt: at,
    jurisdiction: 'RU-152FZ',
    subjectKey: `subject-${serial}`,
    replyLimitKey: `mailbox-${serial}`,
    sealedContact: 'v1.sealed.contact',
    senderAuthenticated: false,
    exactTag: true,
    rawMail: { bucket: 'raw', key: `inbound/${serial}` },
    operatorAddress: 'support@x2.kg',
    originalMessageId: null,
    originalReferences: null,
    outbound: 'reply',
    outboundState: 'pending',
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
    ...overrides,
  };
}

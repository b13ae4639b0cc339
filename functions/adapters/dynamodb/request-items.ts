/**
 * How register entries, counters and markers look as DynamoDB items (key design:
 * functions/shared/table-design.ts). Only the register adapter uses this.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { OutboundState, RegisteredRequest } from '../../domain/requests/registered-request';
import { FULFILMENT_KEYS, REQUEST_INDEXES, TABLE_KEYS } from '../../shared/table-design';

export type Item = Record<string, AttributeValue>;

export const requestKey = (requestId: string): Item => ({ pk: { S: `REQ#${requestId}` }, sk: { S: 'META' } });

export const subjectItemKey = (subjectKey: string, sk: string): Item => ({
  pk: { S: `SUB#${subjectKey}` },
  sk: { S: sk },
});

export const operatorCounterKey = (counter: string, hour: string): Item => ({
  pk: { S: 'OPERATOR' },
  sk: { S: `${counter.toUpperCase()}#${hour}` },
});

export const tokenKey = (tokenHash: string): Item => ({
  pk: { S: `TOKEN#${tokenHash}` },
  sk: { S: 'TOKEN' },
});

export const duplicateMarkerKey = (key: string): Item => ({ pk: { S: `MSGID#${key}` }, sk: { S: 'MSGID' } });

export function str(value: string | null): AttributeValue {
  return value === null ? { NULL: true } : { S: value };
}

export function readStr(item: Item, name: string): string | null {
  const value = item[name];
  return value && 'S' in value && value.S !== undefined ? value.S : null;
}

function readBool(item: Item, name: string): boolean {
  const value = item[name];
  return Boolean(value && 'BOOL' in value && value.BOOL);
}

export function epochSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

export const TTL = TABLE_KEYS.ttlAttribute;
const { partitionKey: OPS_QUEUE, sortKey: OPS_QUEUE_AT } = REQUEST_INDEXES.opsQueue;
const { partitionKey: REGISTER_MONTH, sortKey: REGISTER_AT } = REQUEST_INDEXES.byMonth;

/** `REQ#2026-12`: the register-by-month partition of request entries received in that month. */
export function requestMonthKey(month: string): string {
  return `${FULFILMENT_KEYS.requestMonthPrefix}${month}`;
}

export function fromRequest(request: RegisteredRequest): Item {
  const item: Item = {
    requestId: { S: request.requestId },
    sesMessageId: { S: request.sesMessageId },
    channel: { S: request.channel },
    action: { S: request.action },
    reason: { S: request.reason },
    kind: str(request.kind),
    language: str(request.language),
    status: { S: request.status },
    receivedAt: { S: request.receivedAt },
    jurisdiction: { S: request.jurisdiction },
    replyLimitKey: str(request.replyLimitKey),
    sealedContact: str(request.sealedContact),
    senderAuthenticated: { BOOL: request.senderAuthenticated },
    exactTag: { BOOL: request.exactTag },
    rawMailBucket: { S: request.rawMail.bucket },
    rawMailKey: { S: request.rawMail.key },
    operatorAddress: { S: request.operatorAddress },
    originalMessageId: str(request.originalMessageId),
    originalReferences: str(request.originalReferences),
    outbound: { S: request.outbound },
    outboundState: { S: request.outboundState },
    outboundClaimedAt: str(request.outboundClaimedAt),
    duplicateOf: str(request.duplicateOf),
    sealedDetails: str(request.sealedDetails),
    proof: str(request.proof),
    provedAt: str(request.provedAt),
    notice: str(request.notice),
    noticeOf: str(request.noticeOf),
  };
  if (request.dataItems && request.dataItems.length > 0) item.dataItems = { SS: [...request.dataItems] };
  // Index keys are written only when set: the indexes are sparse, and a NULL key would be refused.
  if (request.opsQueue !== null && request.opsQueueAt !== null) {
    item[OPS_QUEUE] = { S: request.opsQueue };
    item[OPS_QUEUE_AT] = { S: request.opsQueueAt };
  }
  if (request.subjectKey !== null) item.subjectKey = { S: request.subjectKey };
  // The register by month (the regulator's export) holds requests only: a notice is part of its request.
  // An entry made without its local month (tests, older paths) is filed under its UTC month, so it is
  // never missing from an export (the export reads the neighbouring months too).
  if (request.noticeOf === null) {
    item[REGISTER_MONTH] = { S: requestMonthKey(request.registerMonth ?? request.receivedAt.slice(0, 7)) };
    item[REGISTER_AT] = { S: request.receivedAt };
  }
  // dueAt is the by-status-due index's sort key: an entry without a due date stays out of that index.
  if (request.dueAt !== null) item.dueAt = { S: request.dueAt };
  // Written only when set, like the index keys: the extension's condition is that originalDueAt does
  // not exist (the law allows one extension), and the closing stamps read the same way.
  const stamps = {
    originalDueAt: request.originalDueAt,
    extendedAt: request.extendedAt,
    extensionReason: request.extensionReason,
    closedAt: request.closedAt,
    closingReason: request.closingReason,
  };
  for (const [name, value] of Object.entries(stamps)) if (value !== null) item[name] = { S: value };
  return item;
}

export function toRequest(item: Item): RegisteredRequest {
  return {
    requestId: readStr(item, 'requestId') ?? '',
    sesMessageId: readStr(item, 'sesMessageId') ?? '',
    channel: (readStr(item, 'channel') ?? 'email') as RegisteredRequest['channel'],
    action: readStr(item, 'action') as RegisteredRequest['action'],
    reason: readStr(item, 'reason') ?? '',
    kind: readStr(item, 'kind') as RegisteredRequest['kind'],
    language: readStr(item, 'language') as RegisteredRequest['language'],
    status: readStr(item, 'status') as RegisteredRequest['status'],
    receivedAt: readStr(item, 'receivedAt') ?? '',
    dueAt: readStr(item, 'dueAt'),
    originalDueAt: readStr(item, 'originalDueAt'),
    extendedAt: readStr(item, 'extendedAt'),
    extensionReason: readStr(item, 'extensionReason'),
    closedAt: readStr(item, 'closedAt'),
    closingReason: readStr(item, 'closingReason'),
    jurisdiction: readStr(item, 'jurisdiction') ?? '',
    subjectKey: readStr(item, 'subjectKey'),
    replyLimitKey: readStr(item, 'replyLimitKey'),
    sealedContact: readStr(item, 'sealedContact'),
    senderAuthenticated: readBool(item, 'senderAuthenticated'),
    exactTag: readBool(item, 'exactTag'),
    rawMail: { bucket: readStr(item, 'rawMailBucket') ?? '', key: readStr(item, 'rawMailKey') ?? '' },
    operatorAddress: readStr(item, 'operatorAddress') ?? '',
    originalMessageId: readStr(item, 'originalMessageId'),
    originalReferences: readStr(item, 'originalReferences'),
    outbound: readStr(item, 'outbound') as RegisteredRequest['outbound'],
    outboundState: readStr(item, 'outboundState') as OutboundState,
    outboundClaimedAt: readStr(item, 'outboundClaimedAt'),
    opsQueue: readStr(item, OPS_QUEUE) as RegisteredRequest['opsQueue'],
    opsQueueAt: readStr(item, OPS_QUEUE_AT),
    duplicateOf: readStr(item, 'duplicateOf'),
    sealedDetails: readStr(item, 'sealedDetails'),
    dataItems: item.dataItems?.SS ? [...item.dataItems.SS].sort() : null,
    proof: readStr(item, 'proof') as RegisteredRequest['proof'],
    provedAt: readStr(item, 'provedAt'),
    notice: readStr(item, 'notice') as RegisteredRequest['notice'],
    noticeOf: readStr(item, 'noticeOf'),
  };
}

export { OPS_QUEUE, OPS_QUEUE_AT, REGISTER_AT, REGISTER_MONTH };

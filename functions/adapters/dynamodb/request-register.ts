/**
 * The request register and the subjects' records in DynamoDB (key design: table-design.ts).
 *
 * Every state change that must not happen twice is a conditional write: a request is recorded once
 * per SES message id, and its one outbound message moves pending → sending → sent under conditions,
 * so a redelivered or concurrently delivered message neither records twice nor sends twice.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditEvent, OutboundState, RegisteredRequest } from '../../domain/requests/registered-request';
import type { SubjectEffect } from '../../domain/requests/request-policies';
import type { ClaimResult, RateLimit, RequestRegister, StoredToken } from '../../ports/request-register';
import { TABLE_KEYS } from '../../shared/table-design';

type Item = Record<string, AttributeValue>;

export interface RegisterTables {
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
}

/** Daily reply counters outlive their day by a little, then TTL removes them. */
const REPLY_COUNTER_TTL_SECONDS = 3 * 24 * 60 * 60;

const requestKey = (requestId: string): Item => ({ pk: { S: `REQ#${requestId}` }, sk: { S: 'META' } });
const subjectKeyOf = (subjectKey: string, sk: string): Item => ({
  pk: { S: `SUB#${subjectKey}` },
  sk: { S: sk },
});

function str(value: string | null): AttributeValue {
  return value === null ? { NULL: true } : { S: value };
}

function readStr(item: Item, name: string): string | null {
  const value = item[name];
  return value && 'S' in value && value.S !== undefined ? value.S : null;
}

function readBool(item: Item, name: string): boolean {
  const value = item[name];
  return Boolean(value && 'BOOL' in value && value.BOOL);
}

function epochSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

export class DynamoDbRequestRegister implements RequestRegister {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: RegisterTables,
  ) {}

  async get(requestId: string): Promise<RegisteredRequest | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tables.requestsTableName,
        Key: requestKey(requestId),
        ConsistentRead: true,
      }),
    );
    return Item ? toRequest(Item) : null;
  }

  async recordNew(
    request: RegisteredRequest,
    received: AuditEvent,
    effect: SubjectEffect | null,
  ): Promise<'recorded' | 'exists'> {
    const items: TransactWriteItem[] = [
      {
        Put: {
          TableName: this.tables.requestsTableName,
          Item: { ...requestKey(request.requestId), ...fromRequest(request) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: this.auditPut(request.requestId, received) },
    ];
    if (effect && request.subjectKey && Object.keys(effect).length > 0) {
      items.push({
        Update: this.subjectEffectUpdate(request.subjectKey, request.requestId, effect, received.at),
      });
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return 'recorded';
    } catch (error) {
      if (failedCondition(error, 0)) return 'exists';
      throw error;
    }
  }

  async claimOutbound(requestId: string, now: Date, rateLimit: RateLimit | null): Promise<ClaimResult> {
    const items: TransactWriteItem[] = [
      {
        Update: {
          TableName: this.tables.requestsTableName,
          Key: requestKey(requestId),
          UpdateExpression: 'SET outboundState = :sending, outboundClaimedAt = :now',
          ConditionExpression: 'outboundState = :pending',
          ExpressionAttributeValues: {
            ':sending': { S: 'sending' },
            ':pending': { S: 'pending' },
            ':now': { S: now.toISOString() },
          },
          // A refused claim hands back the item as it is, so the caller learns why without a second read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ];
    if (rateLimit) {
      items.push({
        Update: {
          TableName: this.tables.subjectsTableName,
          Key: subjectKeyOf(rateLimit.subjectKey, `REPLIES#${rateLimit.day}`),
          UpdateExpression: 'ADD replyCount :one SET expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(replyCount) OR replyCount < :max',
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':max': { N: String(rateLimit.maxPerDay) },
            ':expires': { N: String(Math.floor(now.getTime() / 1000) + REPLY_COUNTER_TTL_SECONDS) },
          },
        },
      });
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return { outcome: 'claimed' };
    } catch (error) {
      if (failedCondition(error, 0)) {
        const current = (error as TransactionCanceledException).CancellationReasons?.[0]?.Item;
        if (!current) throw new Error(`request ${requestId} vanished while claiming its outbound message`);
        return {
          outcome: 'not-pending',
          outboundState: readStr(current, 'outboundState') as OutboundState,
          outboundClaimedAt: readStr(current, 'outboundClaimedAt'),
        };
      }
      if (failedCondition(error, 1)) {
        await this.setOutboundState(requestId, 'pending', 'skipped', {
          at: now.toISOString(),
          event: 'reply-rate-limited',
          detail: { maxPerDay: rateLimit?.maxPerDay ?? null },
        });
        return { outcome: 'rate-limited' };
      }
      throw error;
    }
  }

  async markSent(requestId: string, outboundMessageId: string, event: AuditEvent): Promise<void> {
    await this.setOutboundState(requestId, 'sending', 'sent', event, outboundMessageId);
  }

  async releaseClaim(requestId: string, event: AuditEvent, rateLimit: RateLimit | null): Promise<void> {
    // The claim counted a reply against the day's limit; nothing went out, so give that back too,
    // or an SES outage retried five times would use up half of someone's daily replies.
    const refund: TransactWriteItem[] = rateLimit
      ? [
          {
            Update: {
              TableName: this.tables.subjectsTableName,
              Key: subjectKeyOf(rateLimit.subjectKey, `REPLIES#${rateLimit.day}`),
              UpdateExpression: 'ADD replyCount :minusOne',
              ConditionExpression: 'replyCount > :zero',
              ExpressionAttributeValues: { ':minusOne': { N: '-1' }, ':zero': { N: '0' } },
            },
          },
        ]
      : [];
    await this.setOutboundState(requestId, 'sending', 'pending', event, undefined, refund);
  }

  async markInDoubt(requestId: string, event: AuditEvent): Promise<void> {
    await this.setOutboundState(requestId, 'sending', 'in-doubt', event);
  }

  async putToken(token: StoredToken): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tables.requestsTableName,
        Item: {
          pk: { S: `TOKEN#${token.tokenHash}` },
          sk: { S: 'TOKEN' },
          requestId: { S: token.requestId },
          purpose: { S: token.purpose },
          expiresAtIso: { S: token.expiresAt.toISOString() },
          [TABLE_KEYS.ttlAttribute]: { N: epochSeconds(token.expiresAt) },
        },
        // 256 random bits never collide; the condition makes a collision an error instead of an overwrite.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async auditTrail(requestId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.requestsTableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          ExpressionAttributeValues: { ':pk': { S: `REQ#${requestId}` }, ':audit': { S: 'AUDIT#' } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        events.push({
          at: readStr(item, 'at') ?? '',
          event: readStr(item, 'event') ?? '',
          detail: JSON.parse(readStr(item, 'detail') ?? '{}') as AuditEvent['detail'],
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  /** Moves the outbound state under a condition and appends the audit event in the same transaction. */
  private async setOutboundState(
    requestId: string,
    from: OutboundState,
    to: OutboundState,
    event: AuditEvent,
    outboundMessageId?: string,
    alsoWrite: readonly TransactWriteItem[] = [],
  ): Promise<void> {
    const values: Item = { ':from': { S: from }, ':to': { S: to } };
    let update = 'SET outboundState = :to';
    if (outboundMessageId) {
      update += ', outboundMessageId = :messageId';
      values[':messageId'] = { S: outboundMessageId };
    }
    await this.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tables.requestsTableName,
              Key: requestKey(requestId),
              UpdateExpression: update,
              ConditionExpression: 'outboundState = :from',
              ExpressionAttributeValues: values,
            },
          },
          { Put: this.auditPut(requestId, event) },
          ...alsoWrite,
        ],
      }),
    );
  }

  /** Audit entries are append-only: the condition refuses to overwrite one. */
  private auditPut(requestId: string, event: AuditEvent) {
    return {
      TableName: this.tables.requestsTableName,
      Item: {
        pk: { S: `REQ#${requestId}` },
        sk: { S: `AUDIT#${event.at}#${event.event}` },
        at: { S: event.at },
        event: { S: event.event },
        detail: { S: JSON.stringify(event.detail) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  private subjectEffectUpdate(subjectKey: string, requestId: string, effect: SubjectEffect, at: string) {
    const flags = Object.keys(effect) as (keyof SubjectEffect)[];
    // Each flag keeps the time it was first set: the proof of "since when" a regulator asks for.
    const sets = flags.map((flag) => `${flag} = :true, ${flag}At = if_not_exists(${flag}At, :at)`);
    return {
      TableName: this.tables.subjectsTableName,
      Key: subjectKeyOf(subjectKey, 'PROFILE'),
      UpdateExpression: `SET ${sets.join(', ')}, updatedAt = :at, lastRequestId = :requestId`,
      ExpressionAttributeValues: {
        ':true': { BOOL: true },
        ':at': { S: at },
        ':requestId': { S: requestId },
      },
    };
  }
}

function failedCondition(error: unknown, index: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}

function fromRequest(request: RegisteredRequest): Item {
  return {
    requestId: { S: request.requestId },
    sesMessageId: { S: request.sesMessageId },
    channel: { S: request.channel },
    action: { S: request.action },
    reason: { S: request.reason },
    kind: str(request.kind),
    language: str(request.language),
    status: { S: request.status },
    receivedAt: { S: request.receivedAt },
    dueAt: str(request.dueAt),
    jurisdiction: { S: request.jurisdiction },
    subjectKey: str(request.subjectKey),
    senderAddress: str(request.senderAddress),
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
  };
}

function toRequest(item: Item): RegisteredRequest {
  return {
    requestId: readStr(item, 'requestId') ?? '',
    sesMessageId: readStr(item, 'sesMessageId') ?? '',
    channel: 'email',
    action: readStr(item, 'action') as RegisteredRequest['action'],
    reason: readStr(item, 'reason') ?? '',
    kind: readStr(item, 'kind') as RegisteredRequest['kind'],
    language: readStr(item, 'language') as RegisteredRequest['language'],
    status: readStr(item, 'status') as RegisteredRequest['status'],
    receivedAt: readStr(item, 'receivedAt') ?? '',
    dueAt: readStr(item, 'dueAt'),
    jurisdiction: readStr(item, 'jurisdiction') ?? '',
    subjectKey: readStr(item, 'subjectKey'),
    senderAddress: readStr(item, 'senderAddress'),
    senderAuthenticated: readBool(item, 'senderAuthenticated'),
    exactTag: readBool(item, 'exactTag'),
    rawMail: { bucket: readStr(item, 'rawMailBucket') ?? '', key: readStr(item, 'rawMailKey') ?? '' },
    operatorAddress: readStr(item, 'operatorAddress') ?? '',
    originalMessageId: readStr(item, 'originalMessageId'),
    originalReferences: readStr(item, 'originalReferences'),
    outbound: readStr(item, 'outbound') as RegisteredRequest['outbound'],
    outboundState: readStr(item, 'outboundState') as OutboundState,
    outboundClaimedAt: readStr(item, 'outboundClaimedAt'),
  };
}

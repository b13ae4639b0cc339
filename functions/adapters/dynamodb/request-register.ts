import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  AuditEvent,
  OpsQueue,
  OutboundState,
  RegisteredRequest,
} from '../../domain/requests/registered-request';
import type { SubjectEffect } from '../../domain/requests/request-policies';
import type {
  ClaimResult,
  DuplicateMarker,
  OutboundLimits,
  RecordAlso,
  RecordResult,
  RequestListing,
  RequestRegister,
  StoredToken,
  SubjectFlag,
} from '../../ports/request-register';
import { REQUEST_INDEXES } from '../../shared/table-design';
import {
  duplicateMarkerKey,
  epochSeconds,
  fromRequest,
  type Item,
  OPS_QUEUE,
  OPS_QUEUE_AT,
  operatorCounterKey,
  readStr,
  requestKey,
  subjectItemKey,
  TTL,
  tokenKey,
  toRequest,
} from './request-items';
import { CONTACT_LIST_SYNCED, removeSealedContactIf } from './sealed-contacts';

export interface RegisterTables {
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
}

/** Reply counters outlive their day or hour by a little, then TTL removes them. */
export const COUNTER_TTL_SECONDS = 3 * 24 * 60 * 60;

/** What a state change writes besides the new state. */
interface StateChange {
  readonly set?: Item;
  readonly remove?: readonly string[];
  readonly alsoWrite?: readonly TransactWriteItem[];
}

export interface RegisterOptions {
  /**
   * At most this many items read per Query page (tests use a small one to cross pages); DynamoDB
   * still ends a page at 1 MB. @default no limit beyond what is still wanted
   */
  readonly pageSize?: number;
}

export class DynamoDbRequestRegister implements RequestRegister, RequestListing {
  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly tables: RegisterTables,
    protected readonly options: RegisterOptions = {},
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
    duplicateMarker: DuplicateMarker | null,
    also: RecordAlso = {},
  ): Promise<RecordResult> {
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
    if (duplicateMarker) {
      items.push({
        Put: {
          TableName: this.tables.requestsTableName,
          Item: {
            ...duplicateMarkerKey(duplicateMarker.key),
            firstRequestId: { S: request.requestId },
            [TTL]: { N: epochSeconds(duplicateMarker.expiresAt) },
          },
          // An expired marker still waiting for TTL's lazy deletion counts as gone.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: { ':now': { N: epochSeconds(new Date(received.at)) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    if (effect && request.subjectKey && Object.keys(effect).length > 0) {
      items.push({
        Update: this.subjectEffectUpdate(
          request.subjectKey,
          request.requestId,
          effect,
          received.at,
          also.disseminationStoppedItems ?? [],
        ),
      });
    }
    for (const notice of also.notices ?? []) items.push({ Put: this.noticePut(notice) });
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return { outcome: 'recorded' };
    } catch (error) {
      if (failedCondition(error, 0)) return { outcome: 'exists' };
      const marker = duplicateMarker ? refusedItem(error, 2) : undefined;
      const firstRequestId = marker ? readStr(marker, 'firstRequestId') : null;
      if (firstRequestId) return { outcome: 'duplicate', firstRequestId };
      throw error;
    }
  }

  async claimOutbound(requestId: string, now: Date, limits: OutboundLimits): Promise<ClaimResult> {
    const expires = { N: String(Math.floor(now.getTime() / 1000) + COUNTER_TTL_SECONDS) };
    const counted = (key: Item, max: number): TransactWriteItem => ({
      Update: {
        TableName: this.tables.subjectsTableName,
        Key: key,
        UpdateExpression: 'ADD sentCount :one SET #ttl = :expires',
        ConditionExpression: 'attribute_not_exists(sentCount) OR sentCount < :max',
        ExpressionAttributeNames: { '#ttl': TTL },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: String(max) }, ':expires': expires },
      },
    });
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
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      counted(operatorCounterKey(limits.operator.counter, limits.operator.hour), limits.operator.maxPerHour),
    ];
    if (limits.mailbox) {
      const { key, day, maxPerDay } = limits.mailbox;
      items.push(counted(subjectItemKey(key, `REPLIES#${day}`), maxPerDay));
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return { outcome: 'claimed' };
    } catch (error) {
      const current = refusedItem(error, 0);
      if (current) {
        return {
          outcome: 'not-pending',
          outboundState: readStr(current, 'outboundState') as OutboundState,
          outboundClaimedAt: readStr(current, 'outboundClaimedAt'),
        };
      }
      if (failedCondition(error, 0))
        throw new Error(`request ${requestId} vanished while claiming its outbound message`);
      if (failedCondition(error, 2)) return { outcome: 'rate-limited', limit: 'mailbox' };
      if (failedCondition(error, 1)) return { outcome: 'rate-limited', limit: 'operator' };
      throw error;
    }
  }

  async markSent(
    requestId: string,
    outboundMessageId: string,
    event: AuditEvent,
    options: { readonly forgetContact?: boolean } = {},
  ): Promise<void> {
    await this.setOutboundState(requestId, 'sending', 'sent', event, {
      set: { outboundMessageId: { S: outboundMessageId } },
      remove: [OPS_QUEUE, OPS_QUEUE_AT, ...(options.forgetContact ? ['sealedContact'] : [])],
    });
  }

  async forgetContactIfSynced(requestId: string): Promise<boolean> {
    return removeSealedContactIf(this.client, this.tables.requestsTableName, requestId, {
      condition: '#synced = :true',
      names: { '#synced': CONTACT_LIST_SYNCED },
      values: { ':true': { BOOL: true } },
    });
  }

  async releaseClaim(requestId: string, event: AuditEvent, limits: OutboundLimits): Promise<void> {
    const refund = (key: Item): TransactWriteItem => ({
      Update: {
        TableName: this.tables.subjectsTableName,
        Key: key,
        UpdateExpression: 'ADD sentCount :minusOne',
        ConditionExpression: 'sentCount > :zero',
        ExpressionAttributeValues: { ':minusOne': { N: '-1' }, ':zero': { N: '0' } },
      },
    });
    const alsoWrite = [refund(operatorCounterKey(limits.operator.counter, limits.operator.hour))];
    if (limits.mailbox)
      alsoWrite.push(refund(subjectItemKey(limits.mailbox.key, `REPLIES#${limits.mailbox.day}`)));
    await this.setOutboundState(requestId, 'sending', 'pending', event, { alsoWrite });
  }

  async markInDoubt(requestId: string, event: AuditEvent): Promise<void> {
    await this.setOutboundState(requestId, 'sending', 'in-doubt', event, {
      set: this.onOpsQueue('in-doubt', event.at),
    });
  }

  async deferOutbound(requestId: string, until: Date, event: AuditEvent): Promise<void> {
    await this.setOutboundState(requestId, 'pending', 'deferred', event, {
      set: this.onOpsQueue('deferred', until.toISOString()),
    });
  }

  async resumeDeferred(requestId: string, retryAt: Date, event: AuditEvent): Promise<void> {
    await this.setOutboundState(requestId, 'deferred', 'pending', event, {
      set: this.onOpsQueue('deferred', retryAt.toISOString()),
    });
  }

  async listOpsQueue(
    queue: OpsQueue,
    options: { until?: Date; limit?: number } = {},
  ): Promise<RegisteredRequest[]> {
    return this.queryRequests(
      {
        IndexName: REQUEST_INDEXES.opsQueue.indexName,
        KeyConditionExpression: options.until ? '#queue = :queue AND #at <= :until' : '#queue = :queue',
        ExpressionAttributeNames: {
          '#queue': OPS_QUEUE,
          ...(options.until ? { '#at': OPS_QUEUE_AT } : {}),
        },
        ExpressionAttributeValues: {
          ':queue': { S: queue },
          ...(options.until ? { ':until': { S: options.until.toISOString() } } : {}),
        },
      },
      options.limit ?? 1000,
    );
  }

  async requestsByStatus(
    status: RegisteredRequest['status'],
    options: { dueFrom?: Date; dueBefore?: Date; limit?: number } = {},
  ): Promise<RegisteredRequest[]> {
    const { dueFrom, dueBefore } = options;
    if (dueFrom && dueBefore && dueFrom.getTime() >= dueBefore.getTime()) return [];
    const index = REQUEST_INDEXES.byStatusDue;
    const before = dueBefore?.toISOString();
    // A key condition cannot say "from ≤ due < before": BETWEEN includes `before`, and the entries due
    // exactly then (the last ones of the range, as it is sorted) are dropped below.
    let range = '';
    if (dueFrom && dueBefore) range = ' AND #due BETWEEN :from AND :before';
    else if (dueFrom) range = ' AND #due >= :from';
    else if (dueBefore) range = ' AND #due < :before';
    return this.queryRequests(
      {
        IndexName: index.indexName,
        KeyConditionExpression: `#status = :status${range}`,
        // Notice entries copy their request's status and due date (a notice's text reads the date),
        // so they are in the index; all of them are `completed`, a few per request, and this filter
        // leaves them out. Keeping them out of the index instead would take the due date off them.
        // Non-notices hold noticeOf as NULL (or not at all): only a notice holds a string.
        FilterExpression: 'NOT attribute_type(noticeOf, :string)',
        ExpressionAttributeNames: {
          '#status': index.partitionKey,
          ...(range ? { '#due': index.sortKey } : {}),
        },
        ExpressionAttributeValues: {
          ':status': { S: status },
          ':string': { S: 'S' },
          ...(dueFrom ? { ':from': { S: dueFrom.toISOString() } } : {}),
          ...(before ? { ':before': { S: before } } : {}),
        },
      },
      options.limit ?? 1000,
      dueFrom && before ? (request) => request.dueAt !== before : undefined,
    );
  }

  /**
   * Register entries from an index of the requests table, page by page, up to `limit` (a filter
   * expression or `keep` may leave pages short, so paging goes on while any is left).
   */
  protected async queryRequests(
    query: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    limit: number,
    keep: (request: RegisteredRequest) => boolean = () => true,
  ): Promise<RegisteredRequest[]> {
    const found: RegisteredRequest[] = [];
    let startKey: Item | undefined;
    do {
      const wanted = limit - found.length;
      const page = await this.client.send(
        new QueryCommand({
          ...query,
          TableName: this.tables.requestsTableName,
          Limit: Math.min(wanted, this.options.pageSize ?? wanted),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const request = toRequest(item);
        if (keep(request) && found.length < limit) found.push(request);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < limit);
    return found;
  }

  async putToken(token: StoredToken): Promise<{ readonly expiresAt: Date }> {
    const reference = { pk: { S: `REQ#${token.requestId}` }, sk: { S: `TOKEN#${token.purpose}` } };
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              // One token per request and purpose: a retried send finds this and stores nothing new.
              Put: {
                TableName: this.tables.requestsTableName,
                Item: {
                  ...reference,
                  tokenHash: { S: token.tokenHash },
                  expiresAtIso: { S: token.expiresAt.toISOString() },
                },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tables.requestsTableName,
                Item: {
                  ...tokenKey(token.tokenHash),
                  requestId: { S: token.requestId },
                  purpose: { S: token.purpose },
                  expiresAtIso: { S: token.expiresAt.toISOString() },
                  [TTL]: { N: epochSeconds(token.expiresAt) },
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { expiresAt: token.expiresAt };
    } catch (error) {
      const first = refusedItem(error, 0);
      const firstExpiry = first ? readStr(first, 'expiresAtIso') : null;
      if (firstExpiry) return { expiresAt: new Date(firstExpiry) };
      throw error;
    }
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

  private onOpsQueue(queue: OpsQueue, at: string): Item {
    return { [OPS_QUEUE]: { S: queue }, [OPS_QUEUE_AT]: { S: at } };
  }

  /** Moves the outbound state under a condition and appends the audit event in the same transaction. */
  private async setOutboundState(
    requestId: string,
    from: OutboundState,
    to: OutboundState,
    event: AuditEvent,
    change: StateChange = {},
  ): Promise<void> {
    const names: Record<string, string> = {};
    const values: Item = { ':from': { S: from }, ':to': { S: to } };
    const sets = ['outboundState = :to'];
    Object.entries(change.set ?? {}).forEach(([name, value], index) => {
      names[`#set${index}`] = name;
      values[`:set${index}`] = value;
      sets.push(`#set${index} = :set${index}`);
    });
    const removes = (change.remove ?? []).map((name, index) => {
      names[`#remove${index}`] = name;
      return `#remove${index}`;
    });
    await this.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tables.requestsTableName,
              Key: requestKey(requestId),
              UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
              ConditionExpression: 'outboundState = :from',
              ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: values,
            },
          },
          { Put: this.auditPut(requestId, event) },
          ...(change.alsoWrite ?? []),
        ],
      }),
    );
  }

  /** Audit entries are append-only: the condition refuses to overwrite one. */
  protected auditPut(requestId: string, event: AuditEvent) {
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

  /**
   * Sets the effect's flags. Each flag keeps the time it was first set (the "since when" a regulator
   * asks for) and the set of requests holding it (`<flag>By`): cancelling one request then gives back
   * only what no other request still asks for.
   */
  protected subjectEffectUpdate(
    subjectKey: string,
    requestId: string,
    effect: SubjectEffect,
    at: string,
    disseminationStoppedItems: readonly string[],
  ) {
    const flags = Object.keys(effect) as SubjectFlag[];
    const sets = flags.map((flag) => `${flag} = :true, ${flag}At = if_not_exists(${flag}At, :at)`);
    const adds = flags.map((flag) => `${flag}By :holder`);
    const values: Item = {
      ':true': { BOOL: true },
      ':at': { S: at },
      ':requestId': { S: requestId },
      ':holder': { SS: [requestId] },
    };
    if (disseminationStoppedItems.length > 0) {
      adds.push('disseminationStoppedItems :items');
      values[':items'] = { SS: [...disseminationStoppedItems] };
    }
    return {
      TableName: this.tables.subjectsTableName,
      Key: subjectItemKey(subjectKey, 'PROFILE'),
      UpdateExpression: `SET ${sets.join(', ')}, updatedAt = :at, lastRequestId = :requestId ADD ${adds.join(', ')}`,
      ExpressionAttributeValues: values,
    };
  }

  /** A notice entry is written once: a retried action finds it and writes nothing new. */
  protected noticePut(notice: RegisteredRequest) {
    return {
      TableName: this.tables.requestsTableName,
      Item: { ...requestKey(notice.requestId), ...fromRequest(notice) },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }
}

export function failedCondition(error: unknown, index: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}

/** The item a transaction's `index`-th write found when its condition failed, if it existed. */
export function refusedItem(error: unknown, index: number): Item | undefined {
  if (!failedCondition(error, index)) return undefined;
  return (error as TransactionCanceledException).CancellationReasons?.[index]?.Item;
}

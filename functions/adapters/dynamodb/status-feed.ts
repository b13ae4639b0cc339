/**
 * The change feed in the subjects table (key design: functions/shared/table-design.ts FEED_KEYS):
 *
 *   FEED / HEAD                lastSequence: the sequence of the newest entry
 *   FEED / SEQ#<20 digits>     one change; publishedAt once its event is on the bus
 *   CHANGE#<eventID> / CHANGE  the sequence a stream record got (kept 3 days: stream records live 24 h)
 *
 * Gap-free: an append writes entry n+1 and moves HEAD from n to n+1 in one transaction that holds only
 * while HEAD is still n, so two processors appending at once cannot both take n+1; the loser reads HEAD
 * again and tries n+2. Once per stream record: the same transaction creates the record's marker, and
 * only if it does not exist, so a retried record (a batch delivered again, an SDK retry of a transaction
 * that had in fact gone through) finds the sequence it got instead of appending again.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SubjectStateChange } from '../../domain/subjects/status-change';
import type {
  MarketingState,
  ProcessingState,
  StatusReason,
  SubjectState,
} from '../../domain/subjects/subject-status';
import type { FeedAppend, StatusFeedWriter } from '../../ports/status-events';
import type { StatusChange, StatusFeedPage, StatusFeedReader } from '../../ports/subject-status';
import { FEED_KEYS, feedEntrySortKey, TABLE_KEYS } from '../../shared/table-design';
import type { Item } from './request-items';

/** A marker outlives every retry of its record: the stream keeps records 24 hours. */
export const MARKER_TTL_SECONDS = 3 * 24 * 60 * 60;

export interface AppendRetry {
  /** Appends tried in all when other processors keep taking the next sequence first. */
  readonly maxAttempts: number;
  /** Back-off before attempt k (k ≥ 2) is random in [0, min(maxDelayMs, baseDelayMs × 2^(k-2))]. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Contention comes from the stream's shards processed at once, one writer each. Each round has one
 * winner, and an unlucky writer can lose several in a row: measured on DynamoDB Local with 4 writers,
 * 5 % of appends took 4 or more attempts and the worst 10 (16 writers: 19), so ten attempts were too
 * few. Twenty, with full jitter capped at 0.5 s, wait at most 7.6 s in all, inside one call budget
 * (shared/aws-timeouts.ts); an append that still loses fails its record, which the stream retries.
 */
export const DEFAULT_APPEND_RETRY: AppendRetry = { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 500 };

const HEAD_KEY: Item = { pk: { S: FEED_KEYS.partition }, sk: { S: FEED_KEYS.head } };
const entryKey = (sequence: number): Item => ({
  pk: { S: FEED_KEYS.partition },
  sk: { S: feedEntrySortKey(sequence) },
});
const markerKey = (recordId: string): Item => ({
  pk: { S: `${FEED_KEYS.markerPrefix}${recordId}` },
  sk: { S: FEED_KEYS.marker },
});

/** The transaction's items, in this order: what a cancellation reason's index refers to. */
const HEAD_INDEX = 0;
const ENTRY_INDEX = 1;
const MARKER_INDEX = 2;

export class DynamoDbStatusFeed implements StatusFeedReader, StatusFeedWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly subjectsTableName: string,
    private readonly retry: AppendRetry = DEFAULT_APPEND_RETRY,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async append(recordId: string, change: SubjectStateChange): Promise<FeedAppend> {
    const earlier = await this.appendedBefore(recordId);
    if (earlier) return earlier;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt += 1) {
      if (attempt > 1) await sleep(this.backoffMs(attempt));
      const head = await this.lastSequence();
      const sequence = head + 1;
      try {
        await this.client.send(
          new TransactWriteItemsCommand({ TransactItems: this.appendItems(recordId, change, head) }),
        );
        return { sequence, publishedAt: null, appended: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        if (codes[MARKER_INDEX] === 'ConditionalCheckFailed') {
          // Another delivery of the same record appended it meanwhile.
          const found = await this.appendedBefore(recordId);
          if (found) return found;
        }
        if (
          codes[ENTRY_INDEX] === 'ConditionalCheckFailed' &&
          codes[HEAD_INDEX] !== 'ConditionalCheckFailed'
        ) {
          throw new Error(`feed entry ${sequence} exists while HEAD is ${head}: the feed is inconsistent`);
        }
        if (!codes.some(isContention)) throw error;
      }
    }
    throw new Error(`could not append to the change feed in ${this.retry.maxAttempts} attempts (contention)`);
  }

  async markPublished(sequence: number, at: Date): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.subjectsTableName,
        Key: entryKey(sequence),
        UpdateExpression: 'SET publishedAt = if_not_exists(publishedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': { S: at.toISOString() } },
      }),
    );
  }

  /**
   * Reads up to HEAD as it was before the query, never past it: an entry at or below HEAD is committed
   * with every entry below it (each append waited for the one before), whereas a query running while
   * appends commit could see n+2 land before it reaches n+1's place. Capping at HEAD keeps a page from
   * ever holding a gap; what came after is on the next page.
   */
  async changesAfter(afterSequence: number, limit: number): Promise<StatusFeedPage> {
    if (!Number.isSafeInteger(afterSequence) || afterSequence < 0)
      throw new RangeError('afterSequence must be a whole number, at least 0');
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError('limit must be a whole number, at least 1');
    const head = await this.lastSequence();
    if (head <= afterSequence) return { changes: [], lastSequence: afterSequence, more: false };
    const last = Math.min(head, afterSequence + limit);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.subjectsTableName,
        KeyConditionExpression: 'pk = :feed AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':feed': { S: FEED_KEYS.partition },
          ':first': { S: feedEntrySortKey(afterSequence + 1) },
          ':last': { S: feedEntrySortKey(last) },
        },
        ConsistentRead: true,
      }),
    );
    const changes: StatusChange[] = [];
    for (const item of Items) {
      const change = toChange(item);
      // Contiguous by construction; a page that returned less (the 1 MB cap of one query) stops there.
      if (change.sequence !== afterSequence + changes.length + 1) break;
      changes.push(change);
    }
    const lastSequence = changes.at(-1)?.sequence ?? afterSequence;
    return { changes, lastSequence, more: lastSequence < head };
  }

  /** HEAD's sequence (0 for an empty feed), strongly consistent. */
  async lastSequence(): Promise<number> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.subjectsTableName, Key: HEAD_KEY, ConsistentRead: true }),
    );
    return Number(Item?.lastSequence?.N ?? '0');
  }

  /** What a record's earlier append left: its sequence and whether the event went out. */
  private async appendedBefore(recordId: string): Promise<FeedAppend | null> {
    const { Item: marker } = await this.client.send(
      new GetItemCommand({
        TableName: this.subjectsTableName,
        Key: markerKey(recordId),
        ConsistentRead: true,
      }),
    );
    if (!marker?.sequence?.N) return null;
    const sequence = Number(marker.sequence.N);
    const { Item: entry } = await this.client.send(
      new GetItemCommand({
        TableName: this.subjectsTableName,
        Key: entryKey(sequence),
        ProjectionExpression: 'publishedAt',
        ConsistentRead: true,
      }),
    );
    return { sequence, publishedAt: entry?.publishedAt?.S ?? null, appended: false };
  }

  private appendItems(recordId: string, change: SubjectStateChange, head: number) {
    const sequence = head + 1;
    const now = this.clock();
    return [
      {
        Update: {
          TableName: this.subjectsTableName,
          Key: HEAD_KEY,
          UpdateExpression: 'SET lastSequence = :next',
          ConditionExpression: head === 0 ? 'attribute_not_exists(lastSequence)' : 'lastSequence = :head',
          ExpressionAttributeValues: {
            ':next': { N: String(sequence) },
            ...(head === 0 ? {} : { ':head': { N: String(head) } }),
          },
        },
      },
      {
        Put: {
          TableName: this.subjectsTableName,
          Item: { ...entryKey(sequence), ...fromChange({ ...change, sequence }, recordId, now) },
          // Never true while HEAD holds: a guard against overwriting history if HEAD were ever wrong.
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.subjectsTableName,
          Item: {
            ...markerKey(recordId),
            sequence: { N: String(sequence) },
            [TABLE_KEYS.ttlAttribute]: { N: String(Math.floor(now.getTime() / 1000) + MARKER_TTL_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 2));
    return Math.random() * ceiling;
  }
}

/** A cancellation that another writer caused, which a fresh read of HEAD and a new try resolve. */
function isContention(code: string): boolean {
  return code === 'ConditionalCheckFailed' || code === 'TransactionConflict' || code === 'ThrottlingError';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fromChange(change: StatusChange, recordId: string, appendedAt: Date): Item {
  return {
    sequence: { N: String(change.sequence) },
    sid: { S: change.sid },
    changedAt: { S: change.changedAt },
    previous: { M: fromState(change.previous) },
    current: { M: fromState(change.current) },
    recordId: { S: recordId },
    appendedAt: { S: appendedAt.toISOString() },
  };
}

function fromState(state: SubjectState): Item {
  return {
    marketing: { S: state.marketing },
    processing: { S: state.processing },
    reason: state.reason === null ? { NULL: true } : { S: state.reason },
  };
}

function toChange(item: Item): StatusChange {
  return {
    sequence: Number(item.sequence?.N ?? '0'),
    sid: item.sid?.S ?? '',
    changedAt: item.changedAt?.S ?? '',
    previous: toState(item.previous?.M ?? {}),
    current: toState(item.current?.M ?? {}),
  };
}

function toState(map: Item): SubjectState {
  return {
    marketing: (map.marketing?.S ?? 'allowed') as MarketingState,
    processing: (map.processing?.S ?? 'allowed') as ProcessingState,
    reason: (map.reason?.S ?? null) as StatusReason,
  };
}

/**
 * The status API's reads of subjects' records: one GetItem, or BatchGetItem in chunks of 100 (the
 * service's limit), always strongly consistent, so an opt-out is answered "suppressed" the moment it is
 * recorded. Only the flags and `updatedAt` are read (a projection): the records hold nothing else the
 * status needs.
 *
 * BatchGetItem may leave keys unprocessed (throttling, the 16 MB response limit): they are asked for
 * again with exponential back-off and full jitter, a bounded number of times; whatever is still
 * unprocessed then is answered as unavailable, in place, rather than failing the whole batch.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import type { StatusFlags } from '../../domain/subjects/subject-status';
import { type SubjectStatusReader, type SubjectStatusRecord, UNAVAILABLE } from '../../ports/subject-status';
import { subjectItemKey } from './request-items';

/** BatchGetItem reads at most 100 keys per call. */
export const BATCH_GET_MAX_KEYS = 100;

export interface BatchRetrySettings {
  /** Calls for one chunk in all, the first included. */
  readonly maxAttempts: number;
  /** Back-off base: the wait before attempt n is random in [0, base × 2^(n−2)). */
  readonly baseDelayMs: number;
}

/** About 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s at most: throttling has eased by then, or the caller retries. */
export const BATCH_RETRY: BatchRetrySettings = { maxAttempts: 6, baseDelayMs: 100 };

/** The flags the status depends on (subject-status.ts), read and nothing else. */
const FLAG_NAMES = [
  'marketingOptOut',
  'consentWithdrawn',
  'processingRestricted',
  'erasureRequested',
] as const;
const PROJECTION = ['pk', ...FLAG_NAMES, 'updatedAt'].join(', ');

type Item = Record<string, AttributeValue>;

export class DynamoDbSubjectStatusReader implements SubjectStatusReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly subjectsTableName: string,
    private readonly retry: BatchRetrySettings = BATCH_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async read(sid: string): Promise<SubjectStatusRecord | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.subjectsTableName,
        Key: subjectItemKey(sid, 'PROFILE'),
        ConsistentRead: true,
        ProjectionExpression: PROJECTION,
      }),
    );
    return Item ? recordOf(Item) : null;
  }

  async readMany(
    sids: readonly string[],
  ): Promise<ReadonlyMap<string, SubjectStatusRecord | null | typeof UNAVAILABLE>> {
    const results = new Map<string, SubjectStatusRecord | null | typeof UNAVAILABLE>();
    const distinct = [...new Set(sids)];
    const chunks: string[][] = [];
    for (let start = 0; start < distinct.length; start += BATCH_GET_MAX_KEYS) {
      chunks.push(distinct.slice(start, start + BATCH_GET_MAX_KEYS));
    }
    // The chunks go out together: a 1,000-address batch costs one round trip, not ten.
    await Promise.all(chunks.map((chunk) => this.readChunk(chunk, results)));
    return results;
  }

  private async readChunk(
    sids: readonly string[],
    results: Map<string, SubjectStatusRecord | null | typeof UNAVAILABLE>,
  ): Promise<void> {
    let keys: KeysAndAttributes | undefined = {
      Keys: sids.map((sid) => subjectItemKey(sid, 'PROFILE')),
      ConsistentRead: true,
      ProjectionExpression: PROJECTION,
    };
    for (let attempt = 1; keys?.Keys && keys.Keys.length > 0; attempt += 1) {
      if (attempt > this.retry.maxAttempts) break;
      if (attempt > 1) await this.sleep(Math.random() * this.retry.baseDelayMs * 2 ** (attempt - 2));
      const output: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.subjectsTableName]: keys } }),
      );
      for (const item of output.Responses?.[this.subjectsTableName] ?? []) {
        results.set(sidOf(item), recordOf(item));
      }
      keys = output.UnprocessedKeys?.[this.subjectsTableName];
    }
    const unprocessed = new Set((keys?.Keys ?? []).map(sidOf));
    // Asked for and not returned: no record. Still unprocessed after the attempts: unknown for now.
    for (const sid of sids) {
      if (!results.has(sid)) results.set(sid, unprocessed.has(sid) ? UNAVAILABLE : null);
    }
  }
}

function sidOf(item: Item): string {
  return (item.pk?.S ?? '').slice('SUB#'.length);
}

function recordOf(item: Item): SubjectStatusRecord {
  const flags: Partial<Record<(typeof FLAG_NAMES)[number], boolean>> = {};
  for (const name of FLAG_NAMES) if (item[name]?.BOOL) flags[name] = true;
  return { flags: flags satisfies StatusFlags, updatedAt: item.updatedAt?.S ?? '' };
}

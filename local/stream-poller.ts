/**
 * What Lambda's event source mapping does for a DynamoDB stream, locally: reads the table's stream on
 * DynamoDB Local (DescribeStream, GetShardIterator, GetRecords), hands the records to a handler in the
 * event shape Lambda gives (DynamoDBStreamEvent), and honours partial batch failures the way the
 * mapping does with ReportBatchItemFailures: everything before the first failed record is done, the
 * failed record and everything after it are delivered again. A record that keeps failing is given up
 * after `maxAttempts` deliveries (the mapping's MaximumRetryAttempts, then its on-failure destination),
 * reported, and the stream moves on. A handler that throws fails its whole batch; if it keeps throwing,
 * the batch's first record is the one given up (the mapping would bisect the batch to find the culprit).
 *
 * `drain()` delivers everything written so far (tests call it after acting); `start()` polls in the
 * background (the local stack). Both share one reader, so records are delivered once, in order.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { delay, LOCAL_CREDENTIALS, LOCAL_REGION, type ProgressReporter, printProgress } from './loopback';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint (it serves the streams API on the same port). */
  readonly endpoint: string;
  readonly tableName: string;
  readonly handler: StreamHandler;
  /** Records per handler call, as the mapping's BatchSize. @default 100 */
  readonly batchSize?: number;
  /** Deliveries of one record before it is given up. @default 5 */
  readonly maxAttempts?: number;
  /** Pause before a failed record is delivered again. @default 50 */
  readonly retryDelayMs?: number;
  /** How often `start()` looks for new records. @default 250 */
  readonly pollIntervalMs?: number;
  readonly report?: ProgressReporter;
}

/** GetRecords returns at most 1,000 records a call. */
const GET_RECORDS_LIMIT = 1000;

export class StreamPoller {
  /** Handler calls made, retries included. */
  deliveries = 0;
  /** Sequence numbers of the records given up after `maxAttempts` deliveries. */
  readonly givenUp: string[] = [];

  private readonly dynamodb: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  /** The last record handled in each shard, so the next read starts after it. */
  private readonly positions = new Map<string, string>();
  /** Closed shards read to their end. */
  private readonly finished = new Set<string>();
  private streamArn: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly report: ProgressReporter;

  constructor(private readonly options: StreamPollerOptions) {
    const client = { endpoint: options.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    this.dynamodb = new DynamoDBClient(client);
    this.streams = new DynamoDBStreamsClient(client);
    this.report = options.report ?? printProgress;
  }

  /** Delivers every record written before the call (and those its handling writes), then resolves. */
  async drain(): Promise<void> {
    // One pass at a time, whoever asks: a drain waits for the background pass and then reads on.
    const run = this.queue.then(async () => {
      // The handler's own writes (the feed's items) are records too: read until a pass finds none.
      let delivered: number;
      do delivered = await this.pass();
      while (delivered > 0);
    });
    this.queue = run.catch(() => undefined);
    await run;
  }

  /** Polls in the background until `stop()`. */
  start(): void {
    if (this.timer !== null) return;
    const tick = (): void => {
      this.drain()
        .catch((error: unknown) =>
          // Nothing is lost: the records stay in the shard and the next poll reads them again.
          this.report(
            `stream poller (${this.options.tableName}): ${error instanceof Error ? `${error.name}: ${error.message}` : error}; reading again at the next poll`,
          ),
        )
        .finally(() => {
          if (this.timer !== null) this.timer = setTimeout(tick, this.options.pollIntervalMs ?? 250);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling, waits for the pass under way and closes the clients. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.queue;
    this.dynamodb.destroy();
    this.streams.destroy();
  }

  /** Reads every shard once from where it stopped; returns how many records it delivered. */
  private async pass(): Promise<number> {
    const streamArn = await this.currentStreamArn();
    let delivered = 0;
    for (const shard of await this.shardsParentsFirst(streamArn)) {
      if (this.finished.has(shard)) continue;
      const { records, closed } = await this.readShard(streamArn, shard);
      for (let start = 0; start < records.length; start += this.options.batchSize ?? 100) {
        await this.deliver(streamArn, records.slice(start, start + (this.options.batchSize ?? 100)), shard);
      }
      delivered += records.length;
      if (closed) this.finished.add(shard);
    }
    return delivered;
  }

  private async currentStreamArn(): Promise<string> {
    if (this.streamArn) return this.streamArn;
    const { Table } = await this.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    if (!Table?.LatestStreamArn) throw new Error(`table ${this.options.tableName} has no stream`);
    this.streamArn = Table.LatestStreamArn;
    return this.streamArn;
  }

  /** Shard ids in an order where a parent comes before its children, as the mapping reads them. */
  private async shardsParentsFirst(streamArn: string): Promise<string[]> {
    const shards: { id: string; parent: string | undefined }[] = [];
    let startAfter: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: startAfter }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId) shards.push({ id: shard.ShardId, parent: shard.ParentShardId });
      }
      startAfter = StreamDescription?.LastEvaluatedShardId;
    } while (startAfter);
    const known = new Set(shards.map((shard) => shard.id));
    const ordered: string[] = [];
    const place = (id: string, parent: string | undefined): void => {
      if (ordered.includes(id)) return;
      const parentShard =
        parent && known.has(parent) ? shards.find((shard) => shard.id === parent) : undefined;
      if (parentShard) place(parentShard.id, parentShard.parent);
      ordered.push(id);
    };
    for (const shard of shards) place(shard.id, shard.parent);
    return ordered;
  }

  /** Every record of a shard after its position; `closed` when the shard will get no more. */
  private async readShard(
    streamArn: string,
    shardId: string,
  ): Promise<{ records: StreamRecord[]; closed: boolean }> {
    const after = this.positions.get(shardId);
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const records: StreamRecord[] = [];
    let iterator = ShardIterator;
    while (iterator) {
      const page = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
      );
      records.push(...(page.Records ?? []));
      iterator = page.NextShardIterator;
      // An open shard answers an empty page once it is caught up (DynamoDB Local has no empty pages
      // before the end, unlike DynamoDB, whose reader would keep going).
      if ((page.Records ?? []).length === 0) break;
    }
    return { records, closed: iterator === undefined };
  }

  /** One batch, delivered until every record is done or given up, as the mapping would. */
  private async deliver(streamArn: string, batch: readonly StreamRecord[], shardId: string): Promise<void> {
    let pending = [...batch];
    let attempts = 0;
    while (pending.length > 0) {
      attempts += 1;
      this.deliveries += 1;
      const failedAt = await this.failedIndex(pending, streamArn);
      const done = failedAt === -1 ? pending.length : failedAt;
      const lastDone = pending[done - 1]?.dynamodb?.SequenceNumber;
      if (lastDone) this.positions.set(shardId, lastDone);
      // The record now at the head was in this delivery too: that was its first attempt.
      if (done > 0) attempts = 1;
      pending = pending.slice(done);
      if (pending.length === 0) return;
      if (attempts >= (this.options.maxAttempts ?? 5)) {
        const [head, ...rest] = pending;
        const sequence = head?.dynamodb?.SequenceNumber ?? '';
        this.givenUp.push(sequence);
        if (sequence) this.positions.set(shardId, sequence);
        this.report(`stream poller: record ${sequence} failed ${attempts} times, given up (the DLQ in AWS)`);
        pending = rest;
        attempts = 0;
        continue;
      }
      await delay(this.options.retryDelayMs ?? 50);
    }
  }

  /** Where the batch failed: the first reported record, 0 when the handler threw, -1 when all is done. */
  private async failedIndex(records: readonly StreamRecord[], streamArn: string): Promise<number> {
    let response: DynamoDBBatchResponse | undefined;
    try {
      response = await this.options.handler({
        Records: records.map((record) => lambdaRecord(record, streamArn)),
      });
    } catch (error) {
      this.report(`stream poller: the handler threw: ${error instanceof Error ? error.name : 'error'}`);
      return 0;
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return -1;
    // Lambda retries from the earliest failure reported; an identifier it cannot find fails the batch.
    const indexes = failures.map((failure) =>
      records.findIndex((record) => record.dynamodb?.SequenceNumber === failure.itemIdentifier),
    );
    return indexes.includes(-1) ? 0 : Math.min(...indexes);
  }
}

/** A record as Lambda hands it over: creation time in epoch seconds, binary values in base64. */
export function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const image = (item: Record<string, StreamAttributeValue> | undefined) =>
    item === undefined ? undefined : lambdaImage(item);
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime:
        stream.ApproximateCreationDateTime === undefined
          ? undefined
          : Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000),
      Keys: image(stream.Keys),
      NewImage: image(stream.NewImage),
      OldImage: image(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
}

function lambdaImage(item: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, lambdaValue(value)]));
}

function lambdaValue(value: StreamAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.M !== undefined) return { M: lambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(lambdaValue) };
  return value as AttributeValue;
}

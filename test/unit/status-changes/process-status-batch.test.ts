/**
 * The status-change processor's batch loop and use case with in-memory ports: what is appended,
 * published and synced for each record, and how a failure stops the batch. The DynamoDB, EventBridge
 * and SES adapters run against their local services in test/integration/.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StatusChangeDependencies } from '../../../functions/app/publish-status-change';
import { sealAddress } from '../../../functions/domain/subjects/sealed-address';
import type { SubjectStateChange } from '../../../functions/domain/subjects/status-change';
import { subjectKey } from '../../../functions/domain/subjects/subject-key';
import type { ContactListSync, SealedContactSource } from '../../../functions/ports/contact-list';
import { CountingMetrics } from '../../../functions/ports/metrics';
import type {
  FeedAppend,
  StatusEventPublisher,
  StatusFeedWriter,
} from '../../../functions/ports/status-events';
import type { StatusChange } from '../../../functions/ports/subject-status';
import { createLogger } from '../../../functions/shared/log';
import { processStatusBatch } from '../../../functions/status-changes/handler';
import { sampleProfile } from '../../support/sample-profile';

const KEY = 'unit-test-hmac-key-0123456789abcdef0123456789abcdef';
const ADDRESS = 'aigul@example.kg';
const SID = subjectKey(ADDRESS, KEY);

class MemoryFeed implements StatusFeedWriter {
  readonly entries: (SubjectStateChange & { sequence: number; publishedAt: string | null })[] = [];
  private readonly markers = new Map<string, number>();

  async append(recordId: string, change: SubjectStateChange): Promise<FeedAppend> {
    const known = this.markers.get(recordId);
    if (known !== undefined) {
      return { sequence: known, publishedAt: this.entries[known - 1]?.publishedAt ?? null, appended: false };
    }
    this.entries.push({ ...change, sequence: this.entries.length + 1, publishedAt: null });
    this.markers.set(recordId, this.entries.length);
    return { sequence: this.entries.length, publishedAt: null, appended: true };
  }

  async markPublished(sequence: number, at: Date): Promise<void> {
    const entry = this.entries[sequence - 1];
    if (entry) entry.publishedAt = at.toISOString();
  }
}

class MemoryBus implements StatusEventPublisher {
  readonly published: StatusChange[] = [];
  /** Sequences whose next publish is refused, as EventBridge refuses an entry. */
  readonly refuseOnce = new Set<number>();

  async publish(change: StatusChange): Promise<void> {
    if (this.refuseOnce.delete(change.sequence))
      throw new Error('EventBridge refused the event: InternalFailure');
    this.published.push(change);
  }
}

class MemoryContactList implements ContactListSync {
  readonly optedOut: string[] = [];
  async optOut(address: string) {
    this.optedOut.push(address);
    return 'updated' as const;
  }
}

class MemoryRegister implements SealedContactSource {
  readonly sealed = new Map<string, string>();
  readonly reads: string[] = [];
  readonly synced = new Set<string>();
  /** Requests that are completed with their reply sent (or none to send). */
  readonly replied = new Set<string>();
  async sealedContactOf(requestId: string): Promise<string | null> {
    this.reads.push(requestId);
    return this.sealed.get(requestId) ?? null;
  }
  async markContactListSynced(requestId: string): Promise<void> {
    this.synced.add(requestId);
  }
  async forgetContactIfReplied(requestId: string): Promise<boolean> {
    if (!this.replied.has(requestId)) return false;
    this.sealed.delete(requestId);
    return true;
  }
}

let feed: MemoryFeed;
let bus: MemoryBus;
let contactList: MemoryContactList;
let register: MemoryRegister;
let metrics: CountingMetrics;
let logLines: string[];

beforeEach(() => {
  feed = new MemoryFeed();
  bus = new MemoryBus();
  contactList = new MemoryContactList();
  register = new MemoryRegister();
  metrics = new CountingMetrics();
  logLines = [];
});

function dependencies(options: { sync?: boolean } = {}): StatusChangeDependencies {
  return {
    profile: sampleProfile(),
    feed,
    events: bus,
    contactList: options.sync ? { sync: contactList, contacts: register, hmacKey: KEY } : null,
    metrics,
    now: () => new Date('2026-12-02T10:00:01.000Z'),
    log: createLogger('DEBUG', {}, (line) => logLines.push(line)),
  };
}

let serial = 0;
/** A stream record of a subject's record, from one set of flags to another. */
function profileWrite(
  before: Record<string, boolean> | null,
  after: Record<string, boolean>,
  extra: { holders?: string[]; holdersBefore?: string[]; lastRequestId?: string; sid?: string } = {},
): DynamoDBRecord {
  serial += 1;
  const Keys = { pk: { S: `SUB#${extra.sid ?? SID}` }, sk: { S: 'PROFILE' } };
  const image = (flags: Record<string, boolean>, holders: string[] | undefined) => ({
    ...Keys,
    ...Object.fromEntries(Object.entries(flags).map(([flag, set]) => [flag, { BOOL: set }])),
    updatedAt: { S: '2026-12-02T10:00:00.000Z' },
    ...(holders ? { marketingOptOutBy: { SS: holders } } : {}),
    ...(extra.lastRequestId ? { lastRequestId: { S: extra.lastRequestId } } : {}),
  });
  return {
    eventID: `event-${serial}`,
    eventName: before ? 'MODIFY' : 'INSERT',
    dynamodb: {
      Keys,
      SequenceNumber: String(1000 + serial),
      ApproximateCreationDateTime: 1_796_205_600,
      NewImage: image(after, extra.holders),
      ...(before ? { OldImage: image(before, extra.holdersBefore ?? extra.holders) } : {}),
    },
  };
}

function counterWrite(): DynamoDBRecord {
  serial += 1;
  const Keys = { pk: { S: `SUB#${SID}` }, sk: { S: 'REPLIES#2026-12-02' } };
  return {
    eventID: `event-${serial}`,
    eventName: 'INSERT',
    dynamodb: { Keys, SequenceNumber: String(1000 + serial), NewImage: Keys },
  };
}

describe('a batch of stream records', () => {
  it('appends and publishes each change once, in order, and skips what is not a change', async () => {
    const records = [
      profileWrite(null, { marketingOptOut: true }),
      counterWrite(),
      profileWrite({ marketingOptOut: true }, { marketingOptOut: true }),
      profileWrite({ marketingOptOut: true }, { marketingOptOut: true, consentWithdrawn: true }),
    ];

    expect(await processStatusBatch(records, dependencies())).toEqual({ batchItemFailures: [] });

    expect(feed.entries.map((entry) => [entry.sequence, entry.current.reason])).toEqual([
      [1, 'unsubscribed'],
      [2, 'consent-withdrawn'],
    ]);
    expect(bus.published.map((event) => event.sequence)).toEqual([1, 2]);
    expect(feed.entries.every((entry) => entry.publishedAt === '2026-12-02T10:00:01.000Z')).toBe(true);
    expect(metrics.counts.get('StatusEventsPublished')).toBe(2);
    expect(metrics.counts.get('StatusChanges marketing=suppressed processing=withdrawn')).toBe(1);
  });

  it('stops at the first record that fails and reports it, leaving the records after it for the retry', async () => {
    const records = [
      profileWrite(null, { marketingOptOut: true }),
      profileWrite({ marketingOptOut: true }, { marketingOptOut: true, processingRestricted: true }),
      profileWrite(null, { processingRestricted: true }, { sid: 'c'.repeat(64) }),
    ];
    const failing = records[1]?.dynamodb?.SequenceNumber;
    bus.refuseOnce.add(2);
    const deps = dependencies();

    expect(await processStatusBatch(records, deps)).toEqual({
      batchItemFailures: [{ itemIdentifier: failing }],
    });
    expect(bus.published).toHaveLength(1);
    // The third record was not touched: a later write must not overtake an earlier one.
    expect(feed.entries).toHaveLength(2);

    // Lambda delivers the failed record again with the ones after it.
    expect(await processStatusBatch(records.slice(1), deps)).toEqual({ batchItemFailures: [] });
    expect(feed.entries.map((entry) => entry.sequence)).toEqual([1, 2, 3]);
    expect(bus.published.map((event) => event.sequence)).toEqual([1, 2, 3]);
  });

  it('publishes nothing again when the same batch is delivered twice', async () => {
    const records = [
      profileWrite(null, { marketingOptOut: true }),
      profileWrite(null, { processingRestricted: true }, { sid: 'd'.repeat(64) }),
    ];

    await processStatusBatch(records, dependencies());
    await processStatusBatch(records, dependencies());

    expect(feed.entries).toHaveLength(2);
    expect(bus.published).toHaveLength(2);
    expect(logLines.filter((line) => line.includes('"outcome":"already-published"'))).toHaveLength(2);
  });

  it('publishes a retried record whose first publish failed, once', async () => {
    const records = [profileWrite(null, { marketingOptOut: true })];
    bus.refuseOnce.add(1);

    const first = await processStatusBatch(records, dependencies());
    await processStatusBatch(records, dependencies());

    expect(first.batchItemFailures).toHaveLength(1);
    expect(feed.entries).toHaveLength(1);
    expect(bus.published).toHaveLength(1);
  });

  it('logs sequences and outcomes, never the subject key', async () => {
    await processStatusBatch([profileWrite(null, { marketingOptOut: true })], dependencies());

    expect(logLines.join('\n')).toContain('"sequence":1');
    expect(logLines.join('\n')).not.toContain(SID);
  });
});

describe('the SES contact-list sync', () => {
  it("opts out the subject's address, read from the request that made the change", async () => {
    register.sealed.set('req-2', sealAddress(ADDRESS, KEY, 'req-2'));

    await processStatusBatch(
      [
        profileWrite(
          null,
          { marketingOptOut: true },
          { holders: ['req-1', 'req-2'], lastRequestId: 'req-2' },
        ),
      ],
      dependencies({ sync: true }),
    );

    expect(register.reads).toEqual(['req-2']);
    expect(contactList.optedOut).toEqual([ADDRESS]);
    expect(metrics.counts.get('ContactListSynced outcome=updated')).toBe(1);
    expect(logLines.join('\n')).not.toContain(ADDRESS);
  });

  it('marks the request whose address it used synced, and forgets the address once its reply is sent', async () => {
    register.sealed.set('req-sent', sealAddress(ADDRESS, KEY, 'req-sent'));
    register.replied.add('req-sent');
    register.sealed.set('req-pending', sealAddress(ADDRESS, KEY, 'req-pending'));

    await processStatusBatch(
      [
        profileWrite(null, { marketingOptOut: true }, { holders: ['req-sent'], lastRequestId: 'req-sent' }),
        profileWrite(
          null,
          { marketingOptOut: true },
          { holders: ['req-pending'], lastRequestId: 'req-pending' },
        ),
      ],
      dependencies({ sync: true }),
    );

    expect([...register.synced]).toEqual(['req-sent', 'req-pending']);
    // The sent one is forgotten here; the other waits for its reply's delivery to forget it.
    expect(register.sealed.has('req-sent')).toBe(false);
    expect(register.sealed.has('req-pending')).toBe(true);
    expect(logLines.some((line) => line.includes('"addressForgotten":true'))).toBe(true);
    expect(logLines.some((line) => line.includes('"addressForgotten":false'))).toBe(true);
  });

  it('syncs a second opt-out of a subject already suppressed, which is no change for the feed', async () => {
    register.sealed.set('req-2', sealAddress(ADDRESS, KEY, 'req-2'));
    register.replied.add('req-2');

    await processStatusBatch(
      [
        profileWrite(
          { marketingOptOut: true },
          { marketingOptOut: true },
          { holdersBefore: ['req-1'], holders: ['req-1', 'req-2'], lastRequestId: 'req-2' },
        ),
      ],
      dependencies({ sync: true }),
    );

    expect(feed.entries).toEqual([]);
    expect(bus.published).toEqual([]);
    expect(contactList.optedOut).toEqual([ADDRESS]);
    expect(register.sealed.has('req-2')).toBe(false);
  });

  it('does not sync a write that adds no holder of the opt-out to a suppressed subject', async () => {
    register.sealed.set('req-1', sealAddress(ADDRESS, KEY, 'req-1'));

    await processStatusBatch(
      [
        profileWrite(
          { marketingOptOut: true },
          { marketingOptOut: true, processingRestricted: true },
          { holders: ['req-1'], lastRequestId: 'req-9' },
        ),
      ],
      dependencies({ sync: true }),
    );

    expect(feed.entries).toHaveLength(1);
    expect(register.reads).toEqual([]);
    expect(contactList.optedOut).toEqual([]);
  });

  it('takes an address sealed as the sender wrote it, capitals and all: the key is of the normalised one', async () => {
    const written = 'Aigul@Example.KG';
    register.sealed.set('req-1', sealAddress(written, KEY, 'req-1'));

    await processStatusBatch(
      [profileWrite(null, { marketingOptOut: true }, { holders: ['req-1'], lastRequestId: 'req-1' })],
      dependencies({ sync: true }),
    );

    expect(contactList.optedOut).toEqual([written]);
    expect(register.synced.has('req-1')).toBe(true);
  });

  it('looks further when the last request no longer holds the address', async () => {
    register.sealed.set('req-1', sealAddress(ADDRESS, KEY, 'req-1'));

    await processStatusBatch(
      [
        profileWrite(
          null,
          { marketingOptOut: true },
          { holders: ['req-1', 'req-2'], lastRequestId: 'req-2' },
        ),
      ],
      dependencies({ sync: true }),
    );

    expect(register.reads).toEqual(['req-2', 'req-1']);
    expect(contactList.optedOut).toEqual([ADDRESS]);
  });

  it("never uses an address that is not the subject's, nor one sealed for another request", async () => {
    register.sealed.set('req-1', sealAddress('someone.else@example.kg', KEY, 'req-1'));
    register.sealed.set('req-2', sealAddress(ADDRESS, KEY, 'req-9'));

    const result = await processStatusBatch(
      [profileWrite(null, { marketingOptOut: true }, { holders: ['req-1', 'req-2'] })],
      dependencies({ sync: true }),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(contactList.optedOut).toEqual([]);
    expect(metrics.counts.get('ContactListSynced outcome=no-address')).toBe(1);
    expect(logLines.join('\n')).not.toContain('someone.else');
  });

  it('counts an opt-out whose address is forgotten, without failing the record', async () => {
    const result = await processStatusBatch(
      [profileWrite(null, { marketingOptOut: true }, { holders: ['req-1'], lastRequestId: 'req-1' })],
      dependencies({ sync: true }),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(bus.published).toHaveLength(1);
    expect(metrics.counts.get('ContactListSynced outcome=no-address')).toBe(1);
  });

  it('is not asked for a change that is not an opt-out, nor when the profile names no list', async () => {
    register.sealed.set('req-1', sealAddress(ADDRESS, KEY, 'req-1'));

    await processStatusBatch(
      [profileWrite(null, { processingRestricted: true }, { lastRequestId: 'req-1' })],
      dependencies({ sync: true }),
    );
    await processStatusBatch(
      [profileWrite(null, { marketingOptOut: true }, { holders: ['req-1'] })],
      dependencies({ sync: false }),
    );

    expect(register.reads).toEqual([]);
    expect(contactList.optedOut).toEqual([]);
  });

  it('syncs again, without publishing again, when the sync failed the first time', async () => {
    register.sealed.set('req-1', sealAddress(ADDRESS, KEY, 'req-1'));
    const records = [profileWrite(null, { marketingOptOut: true }, { holders: ['req-1'] })];
    let failNext = true;
    const flaky: ContactListSync = {
      optOut: async (address) => {
        if (failNext) {
          failNext = false;
          throw new Error('TooManyRequestsException');
        }
        return contactList.optOut(address);
      },
    };
    const deps = { ...dependencies(), contactList: { sync: flaky, contacts: register, hmacKey: KEY } };

    expect((await processStatusBatch(records, deps)).batchItemFailures).toHaveLength(1);
    expect((await processStatusBatch(records, deps)).batchItemFailures).toHaveLength(0);

    expect(bus.published).toHaveLength(1);
    expect(contactList.optedOut).toEqual([ADDRESS]);
  });
});

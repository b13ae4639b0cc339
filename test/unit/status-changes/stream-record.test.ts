import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InvalidStreamRecordError, statusRecordOf } from '../../../functions/status-changes/stream-record';

const SID = 'b'.repeat(64);

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  keys: { pk: string; sk: string },
  images: { old?: Record<string, AttributeValue>; new?: Record<string, AttributeValue> },
): DynamoDBRecord {
  const Keys = { pk: { S: keys.pk }, sk: { S: keys.sk } };
  return {
    eventID: `event-${eventName}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys,
      SequenceNumber: '4200000000000000000001',
      ApproximateCreationDateTime: 1_796_205_600,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(images.old ? { OldImage: { ...Keys, ...images.old } } : {}),
      ...(images.new ? { NewImage: { ...Keys, ...images.new } } : {}),
    },
  };
}

const PROFILE = { pk: `SUB#${SID}`, sk: 'PROFILE' };

describe('a subjects-table stream record', () => {
  it("reads a subject's new record: flags, time, and the requests holding the opt-out, the last writer first", () => {
    const read = statusRecordOf(
      record('INSERT', PROFILE, {
        new: {
          marketingOptOut: { BOOL: true },
          marketingOptOutBy: { SS: ['req-c', 'req-a', 'req-b'] },
          lastRequestId: { S: 'req-b' },
          updatedAt: { S: '2026-12-02T10:00:00.000Z' },
          marketingOptOutAt: { S: '2026-12-02T10:00:00.000Z' },
        },
      }),
    );

    expect(read).toEqual({
      recordId: 'event-INSERT',
      write: {
        sid: SID,
        before: null,
        after: { flags: { marketingOptOut: true }, updatedAt: '2026-12-02T10:00:00.000Z' },
        at: new Date(1_796_205_600 * 1000).toISOString(),
      },
      optOutRequestIds: ['req-b', 'req-a', 'req-c'],
      optOutAdded: true,
    });
  });

  it('reads both sides of a modification and only the flags that are set', () => {
    const read = statusRecordOf(
      record('MODIFY', PROFILE, {
        old: { processingRestricted: { BOOL: true }, updatedAt: { S: 'then' } },
        new: { updatedAt: { S: 'now' }, consentWithdrawn: { BOOL: false } },
      }),
    );

    expect(read?.write.before).toEqual({ flags: { processingRestricted: true }, updatedAt: 'then' });
    expect(read?.write.after).toEqual({ flags: {}, updatedAt: 'now' });
    expect(read?.optOutRequestIds).toEqual([]);
    expect(read?.optOutAdded).toBe(false);
  });

  it('tells whether the write added a holder of the opt-out, also to a subject already suppressed', () => {
    const write = (before: string[], after: string[]) =>
      statusRecordOf(
        record('MODIFY', PROFILE, {
          old: { marketingOptOut: { BOOL: true }, marketingOptOutBy: { SS: before } },
          new: { marketingOptOut: { BOOL: true }, marketingOptOutBy: { SS: after } },
        }),
      )?.optOutAdded;

    expect(write(['req-a'], ['req-a', 'req-b'])).toBe(true);
    expect(write(['req-a', 'req-b'], ['req-a', 'req-b'])).toBe(false);
    expect(write(['req-a', 'req-b'], ['req-b'])).toBe(false);
  });

  it('reads a removal as a record gone', () => {
    const read = statusRecordOf(record('REMOVE', PROFILE, { old: { marketingOptOut: { BOOL: true } } }));

    expect(read?.write.before?.flags).toEqual({ marketingOptOut: true });
    expect(read?.write.after).toBeNull();
  });

  it.each([
    ['a reply counter', { pk: `SUB#${SID}`, sk: 'REPLIES#2026-12-02' }],
    ['a page counter', { pk: `SOURCE#${SID}`, sk: 'PAGES#2026-12-02T10' }],
    ["the operator's counter", { pk: 'OPERATOR', sk: 'REPLIES#2026-12-02T10' }],
    ['the feed head', { pk: 'FEED', sk: 'HEAD' }],
    ['a feed entry', { pk: 'FEED', sk: 'SEQ#00000000000000000001' }],
    ['a feed marker', { pk: 'CHANGE#event-1', sk: 'CHANGE' }],
  ])('skips %s', (_, keys) => {
    expect(statusRecordOf(record('INSERT', keys, { new: { marketingOptOut: { BOOL: true } } }))).toBeNull();
  });

  it('refuses a modification without its old image: the stream is not NEW_AND_OLD_IMAGES', () => {
    expect(() => statusRecordOf(record('MODIFY', PROFILE, { new: {} }))).toThrow(InvalidStreamRecordError);
  });

  it('refuses a record without its keys, naming the field and no value', () => {
    const broken = { eventID: 'x', eventName: 'INSERT', dynamodb: { SequenceNumber: '1' } } as DynamoDBRecord;

    expect(() => statusRecordOf(broken)).toThrow(/dynamodb\.Keys/);
  });
});

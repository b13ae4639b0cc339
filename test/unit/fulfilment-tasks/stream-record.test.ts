import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fromRequest } from '../../../functions/adapters/dynamodb/request-items';
import type { RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import {
  fulfilmentRecordOf,
  InvalidStreamRecordError,
} from '../../../functions/fulfilment-tasks/stream-record';
import { sampleRequest } from '../../support/sample-request';

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  keys: { pk: string; sk: string },
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
): DynamoDBRecord {
  const Keys = { pk: { S: keys.pk }, sk: { S: keys.sk } };
  const image = (item: Record<string, unknown>) => ({ ...Keys, ...item }) as Record<string, AttributeValue>;
  return {
    eventID: `event-${eventName}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys,
      SequenceNumber: '4200000000000000000001',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(images.old ? { OldImage: image(images.old) } : {}),
      ...(images.new ? { NewImage: image(images.new) } : {}),
    },
  };
}

const request = (overrides: Partial<RegisteredRequest> = {}) =>
  sampleRequest(1, { kind: 'erasure', status: 'in-progress', closedAt: null, ...overrides });
const entry = (overrides: Partial<RegisteredRequest> = {}): Record<string, SdkAttributeValue> =>
  fromRequest(request(overrides));
const META = { pk: 'REQ#MK-TEST00001', sk: 'META' };

describe('a requests-table stream record', () => {
  it('asks for tasks when a request entry is written in progress with a fulfilment kind', () => {
    expect(fulfilmentRecordOf(record('INSERT', META, { new: entry() }))).toEqual({
      type: 'request-in-progress',
      request: expect.objectContaining({ requestId: 'MK-TEST00001', kind: 'erasure', status: 'in-progress' }),
    });
  });

  it('asks for tasks when a confirmed link moves the entry to in progress', () => {
    const moved = record('MODIFY', META, {
      old: entry({ status: 'awaiting-verification' }),
      new: entry(),
    });
    expect(fulfilmentRecordOf(moved)?.type).toBe('request-in-progress');
  });

  it('skips an entry already in progress, another status, an unsubscribe and a notice entry', () => {
    const skipped = [
      record('MODIFY', META, { old: entry(), new: entry({ outboundState: 'sent' }) }),
      record('INSERT', META, { new: entry({ status: 'awaiting-verification' }) }),
      record('INSERT', META, { new: entry({ kind: 'unsubscribe' }) }),
      record(
        'INSERT',
        { pk: 'REQ#MK-TEST00001.lifted', sk: 'META' },
        {
          new: entry({ noticeOf: 'MK-TEST00001' }),
        },
      ),
      record('REMOVE', META, { old: entry() }),
      record(
        'INSERT',
        { pk: 'REQ#MK-TEST00001', sk: 'AUDIT#2026-12-02T10:00:00.000Z#received' },
        {
          new: { event: { S: 'received' } },
        },
      ),
    ];
    for (const candidate of skipped) expect(fulfilmentRecordOf(candidate)).toBeNull();
  });

  it('asks for an event when a task of a system told by event is inserted, and only then', () => {
    const task = { pk: 'REQ#MK-TEST00001', sk: 'TASK#player-accounts' };
    expect(fulfilmentRecordOf(record('INSERT', task, { new: { toldBy: { S: 'event' } } }))).toEqual({
      type: 'task-created',
      requestId: 'MK-TEST00001',
      systemId: 'player-accounts',
    });
    expect(fulfilmentRecordOf(record('INSERT', task, { new: { toldBy: { S: 'person' } } }))).toBeNull();
    expect(
      fulfilmentRecordOf(
        record('MODIFY', task, { old: { toldBy: { S: 'event' } }, new: { toldBy: { S: 'event' } } }),
      ),
    ).toBeNull();
  });

  it('fails loudly on a record without the images NEW_AND_OLD_IMAGES gives', () => {
    expect(() => fulfilmentRecordOf(record('MODIFY', META, { new: entry() }))).toThrow(
      InvalidStreamRecordError,
    );
    expect(() => fulfilmentRecordOf({ eventName: 'INSERT' } as DynamoDBRecord)).toThrow(
      InvalidStreamRecordError,
    );
  });
});

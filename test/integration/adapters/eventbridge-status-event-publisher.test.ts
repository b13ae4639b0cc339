/**
 * The EventBridge publisher with the real SDK client against the EventBridge stand-in: the entry it
 * puts, and what it does when the bus fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeStatusEventPublisher,
  EventNotPublishedError,
} from '../../../functions/adapters/eventbridge/status-event-publisher';
import { stateOf } from '../../../functions/domain/subjects/subject-status';
import type { StatusChange } from '../../../functions/ports/subject-status';
import { type EventBridgeStandInHandle, startEventBridgeStandIn } from '../../../local/eventbridge-stand-in';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/loopback';
import { schemaProblems } from '../../support/json-schema';
import { PROJECT_ROOT } from '../../support/paths';
import { StatusChangesHarness } from '../../support/status-changes-harness';

let bus: EventBridgeStandInHandle;
let client: EventBridgeClient;
let publisher: EventBridgeStatusEventPublisher;

const SCHEMA = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'docs/events/subject-status-changed.schema.json'), 'utf8'),
) as Record<string, unknown>;

const CHANGE: StatusChange = {
  sequence: 7,
  sid: 'e'.repeat(64),
  changedAt: '2026-12-02T10:15:30.412Z',
  previous: stateOf({ marketingOptOut: true }),
  current: stateOf({ marketingOptOut: true, erasureRequested: true }),
};

beforeAll(async () => {
  bus = await startEventBridgeStandIn({ report: () => undefined });
  client = new EventBridgeClient({
    region: LOCAL_REGION,
    endpoint: bus.endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
  publisher = new EventBridgeStatusEventPublisher(client, 'makul-x2-status', 'x2');
});

afterAll(async () => {
  client?.destroy();
  await bus?.dispose();
});

beforeEach(() => bus.clear());

describe('EventBridgeStatusEventPublisher', () => {
  it('puts one "Subject Status Changed" event on the bus, as the schema describes it', async () => {
    await publisher.publish(CHANGE);

    expect(bus.events).toEqual([
      {
        eventId: expect.any(String),
        eventBusName: 'makul-x2-status',
        source: 'makul.x2',
        detailType: 'Subject Status Changed',
        detail: {
          sequence: 7,
          sid: 'e'.repeat(64),
          changedAt: '2026-12-02T10:15:30.412Z',
          marketing: { previous: 'suppressed', current: 'suppressed' },
          processing: { previous: 'allowed', current: 'withdrawn' },
          reason: 'erasure-requested',
          operator: 'x2',
        },
        time: Date.parse('2026-12-02T10:15:30.412Z') / 1000,
      },
    ]);
    expect(schemaProblems(SCHEMA, StatusChangesHarness.delivered(bus.events[0] as never))).toEqual([]);
  });

  it('fails when the bus refuses the entry, and publishes nothing', async () => {
    bus.failNext(1, 'failed-entry');

    await expect(publisher.publish(CHANGE)).rejects.toThrow(EventNotPublishedError);
    expect(bus.events).toEqual([]);
  });

  it('publishes once when the bus answers 500 and the SDK tries again', async () => {
    bus.failNext(1, 'server-error');

    await publisher.publish(CHANGE);

    expect(bus.calls).toBe(2);
    expect(bus.events).toHaveLength(1);
  });
});

describe('the published schema', () => {
  it('refuses a detail that carries anything more, an address above all', () => {
    const event = {
      ...StatusChangesHarness.delivered({
        eventId: 'x',
        eventBusName: 'b',
        source: 'makul.x2',
        detailType: 'Subject Status Changed',
        time: 1_796_205_600,
        detail: {
          sequence: 1,
          sid: 'e'.repeat(64),
          changedAt: '2026-12-02T10:15:30.412Z',
          marketing: { previous: 'allowed', current: 'suppressed' },
          processing: { previous: 'allowed', current: 'allowed' },
          reason: 'unsubscribed',
          operator: 'x2',
          email: 'aigul@example.kg',
        },
      }),
    };

    expect(schemaProblems(SCHEMA, event)).toEqual(['$.detail: email is not allowed']);
  });

  it('refuses states and reasons it does not name', () => {
    const detail = {
      sequence: 0,
      sid: 'not-a-hash',
      changedAt: 'yesterday',
      marketing: { previous: 'allowed', current: 'maybe' },
      processing: { previous: 'allowed', current: 'allowed' },
      reason: 'other',
      operator: 'x2',
    };
    const problems = schemaProblems(SCHEMA, {
      ...StatusChangesHarness.delivered({
        eventId: 'x',
        eventBusName: 'b',
        source: 'makul.x2',
        detailType: 'Subject Status Changed',
        time: 0,
        detail,
      }),
    });

    expect(problems).toEqual([
      '$.detail.sequence: below 1',
      '$.detail.sid: does not match ^[0-9a-f]{64}$',
      '$.detail.changedAt: not a date-time',
      '$.detail.marketing.current: not one of ["allowed","suppressed"]',
      '$.detail.reason: not one of ["erasure-requested","consent-withdrawn","processing-restricted","unsubscribed","operator-default",null]',
    ]);
  });
});

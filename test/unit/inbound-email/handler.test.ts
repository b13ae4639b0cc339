/**
 * The batch handler at the edge, before any service is touched: a record the function must not act on
 * is reported as a failed record (it goes back to the queue, then to the DLQ) and nothing is read for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { InboundDependencies } from '../../../functions/app/handle-inbound-mail';
import { handleInboundBatch } from '../../../functions/inbound-email/handler';
import { CountingMetrics } from '../../../functions/ports/metrics';
import { createLogger } from '../../../functions/shared/log';
import { FIXTURE_BUCKET } from '../../../local/event-fixtures';
import { EVENT_FIXTURES } from '../../support/paths';
import { sampleProfile } from '../../support/sample-profile';

const FOREIGN_BUCKET = 'someone-elses-bucket';

/** A port that records every use: the test fails if the handler reaches for it at all. */
function untouchable<T extends object>(name: string, touched: string[]): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined;
      return (..._args: unknown[]) => {
        touched.push(`${name}.${String(property)}`);
        throw new Error(`${name}.${String(property)} must not be called`);
      };
    },
  });
}

function isolatedDependencies(touched: string[], logLines: string[]): InboundDependencies {
  return {
    profile: sampleProfile(),
    register: untouchable('register', touched),
    mailSender: untouchable('mailSender', touched),
    rawMailStore: untouchable('rawMailStore', touched),
    hmacKey: 'unit-test-hmac-key-0123456789abcdef0123456789abcdef',
    now: () => new Date('2026-11-02T06:15:05Z'),
    log: createLogger('DEBUG', { fn: 'inbound-email' }, (line) => logLines.push(line)),
    outboundClaimLeaseMs: 5 * 60 * 1000,
    metrics: new CountingMetrics(),
  };
}

const events = readdirSync(EVENT_FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => [name, JSON.parse(readFileSync(join(EVENT_FIXTURES, name), 'utf8')) as SQSEvent] as const);

describe('handleInboundBatch with a notification naming a foreign bucket', () => {
  it('has fixtures to run on', () => {
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it.each(events)('%s: reports the record as failed and reads nothing', async (_name, event) => {
    const [fixture] = event.Records;
    if (!fixture) throw new Error('fixture without records');
    // The same notification, pointing at another bucket (raw delivery and SNS envelope alike).
    const body = fixture.body.replaceAll(FIXTURE_BUCKET, FOREIGN_BUCKET);
    expect(body).toContain(FOREIGN_BUCKET);
    const record = { ...fixture, messageId: 'foreign-bucket-record', body };
    const touched: string[] = [];
    const logLines: string[] = [];

    const response = await handleInboundBatch([record], isolatedDependencies(touched, logLines), {
      maxReceiveCount: 5,
      rawMailBucketName: FIXTURE_BUCKET,
    });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'foreign-bucket-record' }]);
    expect(touched).toEqual([]);
    const failure = logLines.map((line) => JSON.parse(line)).find((line) => line.level === 'ERROR');
    expect(failure).toMatchObject({ errorName: 'InvalidEventError', sqsMessageId: 'foreign-bucket-record' });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  arrivalFromRecord,
  InvalidEventError,
  notificationFromRecord,
  notificationVerdicts,
} from '../../../functions/inbound-email/ses-notification';
import { FIXTURE_BUCKET } from '../../../local/event-fixtures';
import { EVENT_FIXTURES } from '../../support/paths';

const notification = {
  notificationType: 'Received',
  mail: {
    timestamp: '2026-11-16T09:12:03.000Z',
    source: 'ivan@example.ru',
    messageId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
    destination: ['support@x2.kg'],
  },
  receipt: {
    recipients: ['support@x2.kg'],
    spamVerdict: { status: 'PASS' },
    virusVerdict: { status: 'PASS' },
    spfVerdict: { status: 'PASS' },
    dkimVerdict: { status: 'GRAY' },
    dmarcVerdict: { status: 'FAIL' },
    action: {
      type: 'S3',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:mail',
      bucketName: 'raw-mail',
      objectKey: 'inbound/o3vr',
    },
  },
};

function record(body: string): SQSRecord {
  return { messageId: 'sqs-1', body, attributes: { ApproximateReceiveCount: '1' } } as unknown as SQSRecord;
}

describe('notificationFromRecord', () => {
  it('reads SNS raw message delivery, where the body is the notification', () => {
    expect(notificationFromRecord(record(JSON.stringify(notification))).mail.messageId).toBe(
      notification.mail.messageId,
    );
  });

  it('reads an SNS envelope, where the notification is the Message string', () => {
    const envelope = { Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(notification) };
    expect(notificationFromRecord(record(JSON.stringify(envelope))).receipt.action.objectKey).toBe(
      'inbound/o3vr',
    );
  });

  it('refuses a body that is not JSON', () => {
    expect(() => notificationFromRecord(record('not json'))).toThrow(InvalidEventError);
  });

  it('names the missing field and never echoes values, which may hold addresses', () => {
    const broken = {
      ...notification,
      receipt: { ...notification.receipt, action: { type: 'S3', bucketName: 'raw-mail' } },
    };
    let message = '';
    try {
      notificationFromRecord(record(JSON.stringify(broken)));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('receipt.action.objectKey');
    expect(message).not.toContain('ivan@example.ru');
  });

  it('refuses other SES notification types (bounces, complaints) that might reach the queue', () => {
    expect(() =>
      notificationFromRecord(record(JSON.stringify({ ...notification, notificationType: 'Bounce' }))),
    ).toThrow(/notificationType/);
  });
});

describe('notificationVerdicts', () => {
  it('maps SES receipt verdicts', () => {
    const parsed = notificationFromRecord(record(JSON.stringify(notification)));
    expect(notificationVerdicts(parsed)).toEqual({
      spam: 'PASS',
      virus: 'PASS',
      spf: 'PASS',
      dkim: 'GRAY',
      dmarc: 'FAIL',
      dkimPassDomains: [],
    });
  });
});

describe('the committed SQS event fixtures', () => {
  const events = readdirSync(EVENT_FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .map((name) => [name, JSON.parse(readFileSync(join(EVENT_FIXTURES, name), 'utf8')) as SQSEvent] as const);

  it('are all here: both SNS delivery forms and a redelivery', () => {
    expect(events.map(([name]) => name).sort()).toEqual([
      'sqs-raw-delivery-unsubscribe-ru.json',
      'sqs-sns-envelope-unsubscribe-ru.json',
      'sqs-sns-envelope-withdraw-consent-ky-second-receive.json',
    ]);
  });

  it.each(events)('%s becomes the use case’s input, naming its stored message', (_name, event) => {
    expect(event.Records.length).toBeGreaterThan(0);
    for (const record of event.Records) {
      const arrival = arrivalFromRecord(record, FIXTURE_BUCKET);
      expect(arrival.rawMail).toEqual({ bucket: FIXTURE_BUCKET, key: `inbound/${arrival.sesMessageId}` });
      expect(arrival.envelopeRecipients).toHaveLength(1);
      expect(Number.isNaN(arrival.receivedAt.getTime())).toBe(false);
    }
  });

  it.each(events)('%s is refused when it names another bucket', (_name, event) => {
    const [record] = event.Records;
    if (!record) throw new Error('fixture without records');
    expect(() => arrivalFromRecord(record, 'some-other-bucket')).toThrow(InvalidEventError);
  });
});

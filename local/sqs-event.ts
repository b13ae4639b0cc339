/**
 * How an SES receipt notification reaches the inbound handler in production, built as AWS delivers it:
 *
 *   SES receipt rule (S3 action + SNS topic) ─▶ SNS ─▶ SQS ─▶ Lambda (SQSEvent)
 *
 * - `wrapInSnsEnvelope`: the JSON SNS delivers to an SQS queue when raw message delivery is off.
 * - `buildSqsRecord` / `buildSqsEventForNotification`: the Lambda SQS event, with either form of body.
 *
 * The notification itself comes from ses-receipt.ts. Where AWS's exact behaviour is not documented,
 * the choice is named next to the code.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SesReceiptNotification } from './ses-receipt';

/** The JSON body SNS delivers to an SQS subscription without raw message delivery. */
export interface SnsNotificationEnvelope {
  readonly Type: 'Notification';
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject: string;
  /** The SES notification, as a JSON string. */
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: '1';
  readonly Signature: string;
  /** Spelled `URL` in the JSON SNS sends to queues (`Url` only in Lambda's own SNS event). */
  readonly SigningCertURL: string;
  readonly UnsubscribeURL: string;
}

/** How the SQS subscription to the SNS topic is configured. */
export type SnsDeliveryForm = 'sns-envelope' | 'raw-message-delivery';

/** The subject SNS carries for every SES receipt notification. */
export const SES_RECEIPT_SNS_SUBJECT = 'Amazon SES Email Receipt Notification';

/** Account id for local ARNs (the one LocalStack and most emulators use); never a real account. */
export const LOCAL_ACCOUNT_ID = '000000000000';

function regionOfArn(arn: string): string {
  const region = arn.split(':')[3];
  if (region === undefined || region === '') throw new Error(`not an ARN with a region: ${arn}`);
  return region;
}

export interface SnsEnvelopeOptions {
  readonly topicArn: string;
  readonly snsMessageId?: string;
  readonly publishedAt?: Date;
}

/** The SNS notification JSON for an SQS subscription. Locally unsigned: SQS delivery is trusted, not verified. */
export function wrapInSnsEnvelope(
  notification: SesReceiptNotification,
  options: SnsEnvelopeOptions,
): SnsNotificationEnvelope {
  const region = regionOfArn(options.topicArn);
  const snsMessageId = options.snsMessageId ?? randomUUID();
  return {
    Type: 'Notification',
    MessageId: snsMessageId,
    TopicArn: options.topicArn,
    Subject: SES_RECEIPT_SNS_SUBJECT,
    Message: JSON.stringify(notification),
    Timestamp: (options.publishedAt ?? new Date()).toISOString(),
    SignatureVersion: '1',
    Signature: Buffer.from('makul-local: not signed by SNS').toString('base64'),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}:${snsMessageId}`,
  };
}

/** SQS shows this sender id on every message the SNS service delivers to a queue. */
const SNS_SENDER_ID = 'AIDAIT2UOQQY3AUEKVGXU';

export interface SqsRecordOptions {
  readonly body: string;
  readonly queueArn: string;
  readonly messageId?: string;
  /** Opaque per receive; random unless a fixture needs a stable one. */
  readonly receiptHandle?: string;
  /** 1 on first delivery; SQS adds one on every receive, and the redrive policy counts it. */
  readonly receiveCount?: number;
  readonly sentAt?: Date;
  readonly firstReceivedAt?: Date;
}

export function buildSqsRecord(options: SqsRecordOptions): SQSRecord {
  const sentAt = options.sentAt ?? new Date();
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: options.receiptHandle ?? randomBytes(96).toString('base64'),
    body: options.body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(sentAt.getTime()),
      SenderId: SNS_SENDER_ID,
      ApproximateFirstReceiveTimestamp: String((options.firstReceivedAt ?? sentAt).getTime()),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(options.body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: regionOfArn(options.queueArn),
  };
}

/** The same message received again: same id and body, new receipt handle, count set. */
export function redeliveredRecord(record: SQSRecord, receiveCount: number): SQSRecord {
  return {
    ...record,
    receiptHandle: randomBytes(96).toString('base64'),
    attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) },
  };
}

export interface SqsEventForNotificationOptions {
  readonly delivery: SnsDeliveryForm;
  readonly topicArn: string;
  readonly queueArn: string;
  readonly receiveCount?: number;
  readonly sqsMessageId?: string;
  readonly snsMessageId?: string;
  readonly receiptHandle?: string;
  readonly sentAt?: Date;
}

/** SQS body for a notification: the notification itself (raw delivery) or the SNS envelope around it. */
export function sqsBodyForNotification(
  notification: SesReceiptNotification,
  options: Pick<SqsEventForNotificationOptions, 'delivery' | 'topicArn' | 'snsMessageId' | 'sentAt'>,
): string {
  if (options.delivery === 'raw-message-delivery') return JSON.stringify(notification);
  return JSON.stringify(
    wrapInSnsEnvelope(notification, {
      topicArn: options.topicArn,
      ...(options.snsMessageId === undefined ? {} : { snsMessageId: options.snsMessageId }),
      ...(options.sentAt === undefined ? {} : { publishedAt: options.sentAt }),
    }),
  );
}

export function buildSqsEventForNotification(
  notification: SesReceiptNotification,
  options: SqsEventForNotificationOptions,
): SQSEvent {
  const record = buildSqsRecord({
    body: sqsBodyForNotification(notification, options),
    queueArn: options.queueArn,
    ...(options.sqsMessageId === undefined ? {} : { messageId: options.sqsMessageId }),
    ...(options.receiptHandle === undefined ? {} : { receiptHandle: options.receiptHandle }),
    ...(options.receiveCount === undefined ? {} : { receiveCount: options.receiveCount }),
    ...(options.sentAt === undefined ? {} : { sentAt: options.sentAt }),
  });
  return { Records: [record] };
}

/** Local ARNs for the receipt topic and the inbound queue in a region. */
export function localArns(region: string): {
  topicArn: string;
  queueArn: string;
  deadLetterQueueArn: string;
} {
  return {
    topicArn: `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:makul-inbound-mail`,
    queueArn: `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:makul-inbound-mail`,
    deadLetterQueueArn: `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:makul-inbound-mail-dlq`,
  };
}

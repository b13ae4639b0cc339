/**
 * The event at the edge: an SQS record whose body is SES's receipt notification, either as SNS raw
 * message delivery (the body is the notification) or inside an SNS envelope (`Message`). Validated by
 * schema: only the fields makul relies on are required, everything else may change without harm.
 */
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { InboundMailArrival } from '../app/handle-inbound-mail';
import type { DmarcPolicy, SecurityVerdicts, VerdictStatus } from '../domain/mail/inbound-mail';
import { describeSchemaErrors } from '../shared/schema-errors';

const verdictStatus = z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']);
const verdict = z.object({ status: verdictStatus });

export const sesReceiptNotificationSchema = z.object({
  notificationType: z.literal('Received'),
  mail: z.object({
    timestamp: z.iso.datetime(),
    /** Envelope MAIL FROM; SES gives '' or '<>' for the null return path of bounces. */
    source: z.string(),
    messageId: z.string().check(z.minLength(1), z.maxLength(200)),
    destination: z.array(z.string()),
  }),
  receipt: z.object({
    recipients: z.array(z.string()).check(z.minLength(1)),
    spamVerdict: verdict,
    virusVerdict: verdict,
    spfVerdict: verdict,
    dkimVerdict: verdict,
    dmarcVerdict: verdict,
    /** Present only when DMARC failed: the sending domain's policy (none, quarantine, reject). */
    dmarcPolicy: z.optional(z.string()),
    action: z.object({
      type: z.literal('S3'),
      bucketName: z.string().check(z.minLength(3)),
      objectKey: z.string().check(z.minLength(1)),
    }),
  }),
});
export type SesReceiptNotification = z.infer<typeof sesReceiptNotificationSchema>;

const snsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

export function notificationFromRecord(record: SQSRecord): SesReceiptNotification {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidEventError('SQS body is not JSON');
  }
  const envelope = snsEnvelopeSchema.safeParse(body);
  if (envelope.success) {
    try {
      body = JSON.parse(envelope.data.Message);
    } catch {
      throw new InvalidEventError('SNS Message is not JSON');
    }
  }
  const parsed = sesReceiptNotificationSchema.safeParse(body);
  if (!parsed.success) {
    // Paths and messages only: the values may hold addresses.
    throw new InvalidEventError(
      `not an SES receipt notification: ${describeSchemaErrors(parsed.error).replace(/\n/g, '; ')}`,
    );
  }
  return parsed.data;
}

export function notificationVerdicts(notification: SesReceiptNotification): SecurityVerdicts {
  const { receipt } = notification;
  return {
    spam: receipt.spamVerdict.status as VerdictStatus,
    virus: receipt.virusVerdict.status as VerdictStatus,
    spf: receipt.spfVerdict.status as VerdictStatus,
    dkim: receipt.dkimVerdict.status as VerdictStatus,
    dmarc: receipt.dmarcVerdict.status as VerdictStatus,
    dkimPassDomains: [],
    dmarcPolicy: dmarcPolicyOf(receipt.dmarcPolicy),
  };
}

/**
 * The use case's input from one SQS record. Only mail in the raw-mail bucket is read: the queue should
 * carry nothing else, and this makes sure.
 */
export function arrivalFromRecord(record: SQSRecord, rawMailBucketName: string): InboundMailArrival {
  const notification = notificationFromRecord(record);
  const { mail, receipt } = notification;
  if (receipt.action.bucketName !== rawMailBucketName) {
    throw new InvalidEventError('notification names a bucket other than the raw-mail bucket');
  }
  return {
    sesMessageId: mail.messageId,
    receivedAt: new Date(mail.timestamp),
    envelopeSender: mail.source,
    envelopeRecipients: receipt.recipients,
    headerRecipients: mail.destination,
    rawMail: { bucket: receipt.action.bucketName, key: receipt.action.objectKey },
    verdicts: notificationVerdicts(notification),
  };
}

function dmarcPolicyOf(policy: string | undefined): DmarcPolicy | undefined {
  const lower = policy?.trim().toLowerCase();
  return lower === 'none' || lower === 'quarantine' || lower === 'reject' ? lower : undefined;
}

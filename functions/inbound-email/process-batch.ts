/**
 * An SQS batch of SES notifications: each record is handled on its own, and only the records that
 * failed are reported back (ReportBatchItemFailures), so one bad message never holds up the others.
 * A failed record returns to the queue; after the queue's maxReceiveCount it moves to the DLQ, where
 * nothing is lost: the raw mail stays in S3 and the record names it.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { describeError } from '../shared/log';
import type { InboundDependencies } from './process-inbound-message';
import { processInboundNotification } from './process-inbound-message';
import { InvalidEventError, notificationFromRecord } from './ses-notification';

export interface BatchSettings {
  readonly maxReceiveCount: number;
  /** Only mail in this bucket is read: the queue should carry nothing else, and this makes sure. */
  readonly rawMailBucketName: string;
}

export async function processBatch(
  records: readonly SQSRecord[],
  deps: InboundDependencies,
  settings: BatchSettings,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  // One at a time: the function's reserved concurrency already bounds the load on DynamoDB and SES.
  for (const record of records) {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const log = deps.log.child({ sqsMessageId: record.messageId, receiveCount });
    try {
      const notification = notificationFromRecord(record);
      if (notification.receipt.action.bucketName !== settings.rawMailBucketName) {
        throw new InvalidEventError('notification names a bucket other than the raw-mail bucket');
      }
      const outcome = await processInboundNotification(notification, { ...deps, log });
      log.info('message handled', {
        requestId: outcome.requestId,
        action: outcome.action,
        reason: outcome.reason,
        kind: outcome.kind,
        outbound: outcome.outbound,
        outboundResult: outcome.outboundResult,
      });
    } catch (error) {
      const lastAttempt = receiveCount >= settings.maxReceiveCount;
      log.error(
        lastAttempt
          ? 'message failed for the last time: it moves to the DLQ'
          : 'message failed: SQS will retry it',
        {
          ...describeError(error),
          lastAttempt,
        },
      );
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

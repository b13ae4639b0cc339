/**
 * An SQS batch, record by record: only the records that failed are reported back
 * (ReportBatchItemFailures), so one bad message never holds up the others. A failed record returns to
 * the queue; after the queue's maxReceiveCount it moves to the DLQ, where a human picks it up.
 * (@middy/sqs-partial-batch-failure has no release for middy 7, and this also logs the last attempt.)
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { describeError, type LogFields, type Logger } from './log';

export interface SqsBatchSettings {
  /** The queue's maxReceiveCount: the attempt that reaches it is the last before the DLQ. */
  readonly maxReceiveCount: number;
  readonly log: Logger;
}

/**
 * Runs `handleRecord` on each record, one at a time (the function's reserved concurrency already bounds
 * the load on DynamoDB and SES). It returns the fields of its "message handled" log line.
 */
export async function processSqsBatch(
  records: readonly SQSRecord[],
  settings: SqsBatchSettings,
  handleRecord: (record: SQSRecord, log: Logger) => Promise<LogFields>,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const log = settings.log.child({ sqsMessageId: record.messageId, receiveCount });
    try {
      log.info('message handled', await handleRecord(record, log));
    } catch (error) {
      const lastAttempt = receiveCount >= settings.maxReceiveCount;
      log.error(
        lastAttempt
          ? 'message failed for the last time: it moves to the DLQ'
          : 'message failed: SQS will retry it',
        { ...describeError(error), lastAttempt },
      );
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

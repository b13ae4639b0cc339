/**
 * λ status-changes: the subjects table's stream → the change feed, the "Subject Status Changed" event
 * and the optional SES contact-list sync (app/publish-status-change.ts), one record at a time, in the
 * stream's order.
 *
 * Partial batch failures for a stream (ReportBatchItemFailures): the first record that fails is
 * reported and the batch stops there. Lambda delivers that record again with every record after it,
 * so the records after a failure must not be processed now: a subject's later write would reach the
 * feed before its earlier one.
 */
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStatusChange, type StatusChangeDependencies } from '../app/publish-status-change';
import { setUpFunction } from '../shared/function-setup';
import { describeError, type Logger } from '../shared/log';
import { createStatusChangeRuntime } from './runtime';
import { statusRecordOf } from './stream-record';

export type StatusChangesHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

export async function processStatusBatch(
  records: readonly DynamoDBRecord[],
  deps: StatusChangeDependencies,
): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    // Lambda identifies a stream record by its sequence number; an empty one fails the whole batch.
    const position = record.dynamodb?.SequenceNumber ?? '';
    const log = deps.log.child({ streamSequence: position });
    try {
      const statusRecord = statusRecordOf(record);
      if (statusRecord === null) {
        // The table's other items, the feed's own writes among them: one per append, not worth a line.
        log.debug('not a subject record');
        continue;
      }
      log.info('status record handled', await publishStatusChange(statusRecord, { ...deps, log }));
    } catch (error) {
      log.error('status record failed: the stream delivers it again, with the records after it', {
        ...describeError(error),
      });
      return { batchItemFailures: [{ itemIdentifier: position }] };
    }
  }
  return { batchItemFailures: [] };
}

/** Builds the handler from an environment; index.ts (Lambda's entry) passes the process's own. */
export function createStatusChangesHandler(
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
): StatusChangesHandler {
  const setup = setUpFunction('status-changes', environment, createStatusChangeRuntime, logger);
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use([...setup.middleware])
    .handler((event, context) => {
      const { contactList, hmacKey, ...basics } = setup.dependencies(context);
      return processStatusBatch(event.Records, {
        ...basics,
        contactList: contactList ? { ...contactList, hmacKey } : null,
      });
    });
}

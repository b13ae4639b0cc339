/**
 * λ fulfilment-tasks: the requests table's stream → fulfilment tasks for each request that becomes
 * in-progress, and a "Fulfilment Task Created" event for each task of a system told by event
 * (app/make-fulfilment-tasks.ts), one record at a time, in the stream's order.
 *
 * Partial batch failures (ReportBatchItemFailures): the first record that fails is reported and the
 * batch stops there; Lambda delivers it again with every record after it.
 */
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  announceFulfilmentTask,
  type FulfilmentTaskDependencies,
  makeFulfilmentTasks,
} from '../app/make-fulfilment-tasks';
import { setUpFunction } from '../shared/function-setup';
import { describeError, type Logger } from '../shared/log';
import { createFulfilmentTasksRuntime } from './runtime';
import { fulfilmentRecordOf } from './stream-record';

export type FulfilmentTasksHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

export async function processFulfilmentBatch(
  records: readonly DynamoDBRecord[],
  deps: FulfilmentTaskDependencies,
): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    const position = record.dynamodb?.SequenceNumber ?? '';
    const log = deps.log.child({ streamSequence: position });
    try {
      const found = fulfilmentRecordOf(record);
      if (found === null) {
        log.debug('not a fulfilment record');
        continue;
      }
      const fields =
        found.type === 'request-in-progress'
          ? await makeFulfilmentTasks(found.request, { ...deps, log })
          : await announceFulfilmentTask(found.requestId, found.systemId, { ...deps, log });
      log.info('fulfilment record handled', fields);
    } catch (error) {
      log.error('fulfilment record failed: the stream delivers it again, with the records after it', {
        ...describeError(error),
      });
      return { batchItemFailures: [{ itemIdentifier: position }] };
    }
  }
  return { batchItemFailures: [] };
}

/** Builds the handler from an environment; index.ts (Lambda's entry) passes the process's own. */
export function createFulfilmentTasksHandler(
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
): FulfilmentTasksHandler {
  const setup = setUpFunction('fulfilment-tasks', environment, createFulfilmentTasksRuntime, logger);
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use([...setup.middleware])
    .handler((event, context) => {
      const { profile, tasks, events, metrics, now, log } = setup.dependencies(context);
      return processFulfilmentBatch(event.Records, { profile, tasks, events, metrics, now, log });
    });
}

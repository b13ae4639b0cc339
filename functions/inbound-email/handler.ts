/**
 * λ inbound-email: SQS (SES receipt notifications via SNS) → the inbound use case, one record at a time.
 * Configuration, adapters and logger are built once per cold start; the HMAC key on the first call.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleInboundMail, type InboundDependencies } from '../app/handle-inbound-mail';
import type { FunctionConfig } from '../shared/config';
import { setUpFunction } from '../shared/function-setup';
import type { Logger } from '../shared/log';
import { createRuntime } from '../shared/runtime';
import { processSqsBatch } from '../shared/sqs-batch';
import { arrivalFromRecord } from './ses-notification';

export type InboundHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type BatchSettings = Pick<FunctionConfig, 'maxReceiveCount' | 'rawMailBucketName'>;

export const handleInboundBatch = (
  records: SQSRecord[],
  deps: InboundDependencies,
  settings: BatchSettings,
) =>
  processSqsBatch(records, { ...settings, log: deps.log }, async (record, log) => ({
    ...(await handleInboundMail(arrivalFromRecord(record, settings.rawMailBucketName), { ...deps, log })),
  }));

/** Builds the handler from an environment; index.ts (Lambda's entry) passes the process's own. */
export function createInboundHandler(environment: NodeJS.ProcessEnv, logger?: Logger): InboundHandler {
  const setup = setUpFunction('inbound-email', environment, createRuntime, logger);
  return middy<SQSEvent, SQSBatchResponse>()
    .use([...setup.middleware])
    .handler((event, context) =>
      handleInboundBatch(event.Records, setup.dependencies(context), setup.config),
    );
}

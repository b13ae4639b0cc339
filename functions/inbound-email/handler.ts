/**
 * λ inbound-email: SQS (SES receipt notifications via SNS) → the inbound use case, one record at a time.
 * Configuration, adapters and logger are built once per cold start; the HMAC key on the first call.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleInboundMail, type InboundDependencies } from '../app/handle-inbound-mail';
import { type InboundConfig, loadInboundConfig } from '../shared/config';
import { createLogger, type Logger } from '../shared/log';
import { hmacKey, hmacKeyOf } from '../shared/middleware/hmac-key';
import { createRuntime } from '../shared/runtime';
import { processSqsBatch } from '../shared/sqs-batch';
import { arrivalFromRecord } from './ses-notification';

export type InboundHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type BatchSettings = Pick<InboundConfig, 'maxReceiveCount' | 'rawMailBucketName'>;

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
  const config = loadInboundConfig(environment);
  const { profile, outboundClaimLeaseMs } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: 'inbound-email', operator: profile.operator.id });
  const runtime = createRuntime(config, environment);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(hmacKey(runtime.keySource))
    .handler((event, context) => {
      const key = hmacKeyOf(context);
      const invocationLog = log.child({ awsRequestId: context.awsRequestId });
      const deps = { ...runtime, profile, outboundClaimLeaseMs, hmacKey: key, log: invocationLog };
      return handleInboundBatch(event.Records, { ...deps, now: () => new Date() }, config);
    });
}

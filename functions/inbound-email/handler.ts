/**
 * λ inbound-email: SQS (SES receipt notifications via SNS) → the inbound pipeline.
 * Thin wiring only: configuration, clients and the HMAC key are set up once per cold start; the work
 * is in process-batch.ts and process-inbound-message.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbRequestRegister } from '../adapters/dynamodb-request-register';
import { SecretsManagerHmacKey, StaticHmacKey } from '../adapters/hmac-key-source';
import { S3RawMailStore } from '../adapters/s3-raw-mail-store';
import { SesMailSender } from '../adapters/ses-mail-sender';
import type { HmacKeySource } from '../domain/ports';
import { createLogger, type Logger } from '../shared/log';
import { type InboundConfig, loadInboundConfig } from './config';
import { processBatch } from './process-batch';

export type InboundHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Builds the handler from an environment; `handler` below uses the process's own. */
export function createInboundHandler(environment: NodeJS.ProcessEnv, log?: Logger): InboundHandler {
  const config = loadInboundConfig(environment);
  const logger =
    log ?? createLogger(config.logLevel, { fn: 'inbound-email', operator: config.profile.operator.id });
  const dynamodb = new DynamoDBClient({ region: config.region, endpoint: config.endpoints.dynamodb });
  const ses = new SESv2Client({ region: config.region, endpoint: config.endpoints.sesv2 });
  const register = new DynamoDbRequestRegister(dynamodb, {
    requestsTableName: config.requestsTableName,
    subjectsTableName: config.subjectsTableName,
  });
  const rawMailStore = new S3RawMailStore(
    signedFetchClient({ region: config.region, service: 's3', environment }),
    config.region,
    config.endpoints.s3,
  );
  const mailSender = new SesMailSender(ses, config.sesConfigurationSet);
  const keySource = hmacKeySource(config, environment);
  let hmacKey: string | undefined;

  return middy<SQSEvent, SQSBatchResponse>()
    .use({
      // Fetched on the first invocation and kept for the life of the container (as @middy/secrets-manager
      // does); a failure fails the whole batch, which SQS then retries.
      before: async () => {
        hmacKey ??= await keySource.load();
      },
    })
    .handler(async (event, context) =>
      processBatch(
        event.Records,
        {
          profile: config.profile,
          register,
          mailSender,
          rawMailStore,
          hmacKey: hmacKey ?? '',
          now: () => new Date(),
          log: logger.child({ awsRequestId: context.awsRequestId }),
        },
        { maxReceiveCount: config.maxReceiveCount, rawMailBucketName: config.rawMailBucketName },
      ),
    );
}

function hmacKeySource(config: InboundConfig, environment: NodeJS.ProcessEnv): HmacKeySource {
  if ('key' in config.hmac) return new StaticHmacKey(config.hmac.key);
  return new SecretsManagerHmacKey(
    signedFetchClient({ region: config.region, service: 'secretsmanager', environment }),
    config.region,
    config.hmac.secretArn,
    config.endpoints.secretsManager,
  );
}

export const handler: InboundHandler = createInboundHandler(process.env);

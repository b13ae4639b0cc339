/**
 * Wiring of λ inbound-email: configuration, clients and adapters from an environment, and the middy
 * handler around the batch. The work is in process-batch.ts and process-inbound-message.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbRequestRegister } from '../adapters/dynamodb/request-register';
import { S3RawMailStore } from '../adapters/s3/raw-mail-store';
import { SecretsManagerHmacKey, StaticHmacKey } from '../adapters/secrets/hmac-key-source';
import { SesMailSender } from '../adapters/ses/mail-sender';
import type { HmacKeySource, MailSender, RawMailStore, RequestRegister } from '../domain/ports';
import { type InboundConfig, loadInboundConfig } from '../shared/config';
import { createLogger, type Logger } from '../shared/log';
import { processBatch } from './process-batch';

export type InboundHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Configuration, logger and adapters for one environment: built once per cold start. */
export interface InboundRuntime {
  readonly config: InboundConfig;
  readonly logger: Logger;
  readonly register: RequestRegister;
  readonly mailSender: MailSender;
  readonly rawMailStore: RawMailStore;
  readonly keySource: HmacKeySource;
}

export function createInboundRuntime(environment: NodeJS.ProcessEnv, log?: Logger): InboundRuntime {
  const config = loadInboundConfig(environment);
  const logger =
    log ?? createLogger(config.logLevel, { fn: 'inbound-email', operator: config.profile.operator.id });
  // Lambda puts its role's credentials in the environment; reading them from the environment given
  // (not the process's) keeps a runtime built for a test or the local stack self-contained.
  const credentials = environmentCredentials(environment);
  const dynamodb = new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoints.dynamodb,
    credentials,
  });
  const ses = new SESv2Client({ region: config.region, endpoint: config.endpoints.sesv2, credentials });
  return {
    config,
    logger,
    register: new DynamoDbRequestRegister(dynamodb, {
      requestsTableName: config.requestsTableName,
      subjectsTableName: config.subjectsTableName,
    }),
    mailSender: new SesMailSender(ses, config.sesConfigurationSet),
    rawMailStore: new S3RawMailStore(
      signedFetchClient({ region: config.region, service: 's3', environment }),
      config.region,
      config.endpoints.s3,
    ),
    keySource: hmacKeySource(config, environment),
  };
}

/** Builds the handler from an environment; `handler` below uses the process's own. */
export function createInboundHandler(environment: NodeJS.ProcessEnv, log?: Logger): InboundHandler {
  const runtime = createInboundRuntime(environment, log);
  const { config } = runtime;
  let hmacKey: string | undefined;

  return middy<SQSEvent, SQSBatchResponse>()
    .use({
      // Fetched on the first invocation and kept for the life of the container (as @middy/secrets-manager
      // does); a failure fails the whole batch, which SQS then retries.
      before: async () => {
        hmacKey ??= await runtime.keySource.load();
      },
    })
    .handler(async (event, context) =>
      processBatch(
        event.Records,
        {
          profile: config.profile,
          register: runtime.register,
          mailSender: runtime.mailSender,
          rawMailStore: runtime.rawMailStore,
          hmacKey: hmacKey ?? '',
          now: () => new Date(),
          outboundClaimLeaseMs: config.outboundClaimLeaseMs,
          log: runtime.logger.child({ awsRequestId: context.awsRequestId }),
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

function environmentCredentials(environment: NodeJS.ProcessEnv) {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = environment;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN,
  };
}

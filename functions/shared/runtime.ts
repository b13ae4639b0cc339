/**
 * The adapters a function talks to the outside world through, built once per cold start from its
 * configuration: AWS SDK clients for DynamoDB and SES v2, a signed fetch for S3 and Secrets Manager
 * (a full SDK client each would double the bundle for one call), and the HMAC key source. Every one of
 * them has connection and request timeouts and bounded attempts (aws-timeouts.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type SignedFetch, signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbRequestRegister } from '../adapters/dynamodb/request-register';
import { S3RawMailStore } from '../adapters/s3/raw-mail-store';
import { SecretsManagerHmacKey, StaticHmacKey } from '../adapters/secrets/hmac-key-source';
import { SesMailSender } from '../adapters/ses/mail-sender';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { MailSender } from '../ports/mail-sender';
import type { RawMailStore } from '../ports/raw-mail-store';
import type { RequestRegister } from '../ports/request-register';
import { AWS_CALL_TIMEOUTS, type AwsCallTimeouts, sdkClientTimeouts, sesRetryStrategy } from './aws-timeouts';
import type { FunctionConfig } from './config';

export type RuntimeConfig = Pick<
  FunctionConfig,
  'region' | 'requestsTableName' | 'subjectsTableName' | 'hmac' | 'sesConfigurationSet' | 'endpoints'
>;

export interface Runtime {
  readonly register: RequestRegister;
  readonly mailSender: MailSender;
  readonly rawMailStore: RawMailStore;
  readonly keySource: HmacKeySource;
}

/** The AWS clients under the adapters. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly ses: SESv2Client;
  readonly s3: SignedFetch;
  readonly secretsManager: SignedFetch;
}

/**
 * Credentials come from the environment given, not the process's: Lambda puts its role's credentials
 * there, and a runtime built for a test or the local stack stays self-contained. `timeouts` is for tests
 * that need a hung call to fail quickly; the functions use the default.
 */
export function createRuntime(
  config: RuntimeConfig,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts = AWS_CALL_TIMEOUTS,
): Runtime {
  const { region, endpoints } = config;
  const clients = createAwsClients(config, environment, timeouts);
  return {
    register: new DynamoDbRequestRegister(clients.dynamodb, {
      requestsTableName: config.requestsTableName,
      subjectsTableName: config.subjectsTableName,
    }),
    mailSender: new SesMailSender(clients.ses, config.sesConfigurationSet),
    rawMailStore: new S3RawMailStore(clients.s3, region, endpoints.s3),
    keySource:
      'key' in config.hmac
        ? new StaticHmacKey(config.hmac.key)
        : new SecretsManagerHmacKey(
            clients.secretsManager,
            region,
            config.hmac.secretArn,
            endpoints.secretsManager,
          ),
  };
}

/**
 * The clients createRuntime builds on: each with the connection and request timeouts and the attempts of
 * `timeouts` (AWS_CALL_TIMEOUTS in the functions and the local stack).
 */
export function createAwsClients(
  config: RuntimeConfig,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts = AWS_CALL_TIMEOUTS,
): AwsClients {
  const { region, endpoints } = config;
  const credentials = environmentCredentials(environment);
  const dynamodb = new DynamoDBClient({
    region,
    endpoint: endpoints.dynamodb,
    credentials,
    ...sdkClientTimeouts(timeouts.dynamodb),
  });
  const sesLimits = sdkClientTimeouts(timeouts.ses);
  const ses = new SESv2Client({
    region,
    endpoint: endpoints.sesv2,
    credentials,
    maxAttempts: sesLimits.maxAttempts,
    retryStrategy: sesRetryStrategy(sesLimits.maxAttempts),
    requestHandler: {
      ...sesLimits.requestHandler,
      // A new connection per send (one TLS handshake, tens of ms): a pooled connection that SES closed
      // while the function was frozen fails with a reset, which is not retried (sesRetryStrategy).
      httpsAgent: { keepAlive: false },
      httpAgent: { keepAlive: false },
    },
  });
  return {
    dynamodb,
    ses,
    s3: signedFetchClient({ region, service: 's3', environment, timeouts: timeouts.s3 }),
    secretsManager: signedFetchClient({
      region,
      service: 'secretsmanager',
      environment,
      timeouts: timeouts.secretsManager,
    }),
  };
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

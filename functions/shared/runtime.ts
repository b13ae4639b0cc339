/**
 * The adapters a function talks to the outside world through, built once per cold start from its
 * configuration: AWS SDK clients for DynamoDB and SES v2, a signed fetch for S3 and Secrets Manager
 * (a full SDK client each would double the bundle for one call), and the HMAC key source. Every one of
 * them has connection and request timeouts and bounded attempts (aws-timeouts.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type SignedFetch, signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbRequestRegister } from '../adapters/dynamodb/request-register';
import { S3RawMailStore } from '../adapters/s3/raw-mail-store';
import { SesMailSender } from '../adapters/ses/mail-sender';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { MailSender } from '../ports/mail-sender';
import type { RawMailStore } from '../ports/raw-mail-store';
import type { RequestRegister } from '../ports/request-register';
import { AWS_CALL_TIMEOUTS, type AwsCallTimeouts, sdkClientTimeouts, sesRetryStrategy } from './aws-timeouts';
import {
  dynamoDbClient,
  environmentCredentials,
  keySourceFor,
  type RuntimeConfig,
  signedSecretsManager,
} from './register-runtime';

export type { RuntimeConfig };

/** The register the inbound function writes: requests, their outbound message, the subject's flags. */
export function registerOn(dynamodb: DynamoDBClient, config: RuntimeConfig): RequestRegister {
  return new DynamoDbRequestRegister(dynamodb, {
    requestsTableName: config.requestsTableName,
    subjectsTableName: config.subjectsTableName,
  });
}

export interface Runtime<TRegister extends RequestRegister = RequestRegister> {
  readonly register: TRegister;
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
  timeouts?: AwsCallTimeouts,
): Runtime;
/**
 * `makeRegister` gives a function a wider register than the inbound one (the deferred-outbound job
 * reads subjects for access reports: register-runtime.ts linkRegisterOn); passed in, so that bundles
 * that do not need it do not carry it.
 */
export function createRuntime<TRegister extends RequestRegister>(
  config: RuntimeConfig,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts,
  makeRegister: (dynamodb: DynamoDBClient, config: RuntimeConfig) => TRegister,
): Runtime<TRegister>;
export function createRuntime(
  config: RuntimeConfig,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts = AWS_CALL_TIMEOUTS,
  makeRegister: (dynamodb: DynamoDBClient, config: RuntimeConfig) => RequestRegister = registerOn,
): Runtime {
  const { region, endpoints } = config;
  const clients = createAwsClients(config, environment, timeouts);
  return {
    register: makeRegister(clients.dynamodb, config),
    mailSender: new SesMailSender(clients.ses, config.sesConfigurationSet),
    rawMailStore: new S3RawMailStore(clients.s3, region, endpoints.s3),
    keySource: keySourceFor(config, clients.secretsManager),
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
  const dynamodb = dynamoDbClient(config, environment, timeouts);
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
    secretsManager: signedSecretsManager({ region }, environment, timeouts),
  };
}

/**
 * The smallest runtime: the request register (DynamoDB) and the HMAC key source, without the mail
 * client or the raw mail store. The public pages run on it: they record what the subject did and the
 * notices owed, and the deferred-outbound job sends those, so a function that answers the internet
 * carries no mail client in its bundle and no permission to send mail.
 * runtime.ts builds the full runtime on the same pieces.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type SignedFetch, signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbLinkRegister } from '../adapters/dynamodb/link-register';
import { SecretsManagerHmacKey, StaticHmacKey } from '../adapters/secrets/hmac-key-source';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { LinkRegister } from '../ports/request-register';
import { AWS_CALL_TIMEOUTS, type AwsCallTimeouts, sdkClientTimeouts } from './aws-timeouts';
import type { FunctionConfig } from './config';

export type RuntimeConfig = Pick<
  FunctionConfig,
  'region' | 'requestsTableName' | 'subjectsTableName' | 'hmac' | 'sesConfigurationSet' | 'endpoints'
>;

export interface RegisterRuntime {
  readonly register: LinkRegister;
  readonly keySource: HmacKeySource;
}

export function createRegisterRuntime(
  config: RuntimeConfig,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts = AWS_CALL_TIMEOUTS,
): RegisterRuntime {
  const dynamodb = dynamoDbClient(config, environment, timeouts);
  const secretsManager = signedSecretsManager(config, environment, timeouts);
  return { register: linkRegisterOn(dynamodb, config), keySource: keySourceFor(config, secretsManager) };
}

/** Secrets Manager through a signed fetch (the HMAC key is the only secret makul reads). */
export function signedSecretsManager(
  config: Pick<RuntimeConfig, 'region'>,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts,
): SignedFetch {
  return signedFetchClient({
    region: config.region,
    service: 'secretsmanager',
    environment,
    timeouts: timeouts.secretsManager,
  });
}

export function dynamoDbClient(
  config: RuntimeConfig,
  environment: NodeJS.ProcessEnv,
  timeouts: AwsCallTimeouts,
): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoints.dynamodb,
    credentials: environmentCredentials(environment),
    ...sdkClientTimeouts(timeouts.dynamodb),
  });
}

/** The register with the link and subject reads (pages, notices): see adapters/dynamodb/link-register.ts. */
export function linkRegisterOn(dynamodb: DynamoDBClient, config: RuntimeConfig): LinkRegister {
  return new DynamoDbLinkRegister(dynamodb, {
    requestsTableName: config.requestsTableName,
    subjectsTableName: config.subjectsTableName,
  });
}

export function keySourceFor(config: RuntimeConfig, secretsManager: SignedFetch): HmacKeySource {
  return 'key' in config.hmac
    ? new StaticHmacKey(config.hmac.key)
    : new SecretsManagerHmacKey(
        secretsManager,
        config.region,
        config.hmac.secretArn,
        config.endpoints.secretsManager,
      );
}

/**
 * Credentials come from the environment given, not the process's: Lambda puts its role's credentials
 * there, and a runtime built for a test or the local stack stays self-contained.
 */
export function environmentCredentials(environment: NodeJS.ProcessEnv) {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = environment;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN,
  };
}

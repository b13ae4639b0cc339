/**
 * The adapters a function talks to the outside world through, built once per cold start from its
 * configuration: AWS SDK clients for DynamoDB and SES v2, a signed fetch for S3 and Secrets Manager
 * (a full SDK client each would double the bundle for one call), and the HMAC key source.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbRequestRegister } from '../adapters/dynamodb/request-register';
import { S3RawMailStore } from '../adapters/s3/raw-mail-store';
import { SecretsManagerHmacKey, StaticHmacKey } from '../adapters/secrets/hmac-key-source';
import { SesMailSender } from '../adapters/ses/mail-sender';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { MailSender } from '../ports/mail-sender';
import type { RawMailStore } from '../ports/raw-mail-store';
import type { RequestRegister } from '../ports/request-register';
import type { InboundConfig } from './config';

export type RuntimeConfig = Pick<
  InboundConfig,
  'region' | 'requestsTableName' | 'subjectsTableName' | 'hmac' | 'sesConfigurationSet' | 'endpoints'
>;

export interface Runtime {
  readonly register: RequestRegister;
  readonly mailSender: MailSender;
  readonly rawMailStore: RawMailStore;
  readonly keySource: HmacKeySource;
}

/**
 * Credentials come from the environment given, not the process's: Lambda puts its role's credentials
 * there, and a runtime built for a test or the local stack stays self-contained.
 */
export function createRuntime(config: RuntimeConfig, environment: NodeJS.ProcessEnv): Runtime {
  const { region, endpoints } = config;
  const credentials = environmentCredentials(environment);
  const dynamodb = new DynamoDBClient({ region, endpoint: endpoints.dynamodb, credentials });
  const ses = new SESv2Client({ region, endpoint: endpoints.sesv2, credentials });
  const keySource =
    'key' in config.hmac
      ? new StaticHmacKey(config.hmac.key)
      : new SecretsManagerHmacKey(
          signedFetchClient({ region, service: 'secretsmanager', environment }),
          region,
          config.hmac.secretArn,
          endpoints.secretsManager,
        );
  return {
    register: new DynamoDbRequestRegister(dynamodb, {
      requestsTableName: config.requestsTableName,
      subjectsTableName: config.subjectsTableName,
    }),
    mailSender: new SesMailSender(ses, config.sesConfigurationSet),
    rawMailStore: new S3RawMailStore(
      signedFetchClient({ region, service: 's3', environment }),
      region,
      endpoints.s3,
    ),
    keySource,
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

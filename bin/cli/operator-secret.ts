/**
 * The operator's HMAC secret, for commands that must seal or derive with it (the unsubscribe link key,
 * an address re-sealed for a notice): the local stack's key file in its data folder (`--local`; the
 * stack need not be running), or the stack's secret in Secrets Manager (`--hmac-secret-arn ARN`), read
 * through the functions' own adapter. The secret itself is never printed.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { signedFetchClient } from '../../functions/adapters/aws-signed-fetch';
import { SecretsManagerHmacKey } from '../../functions/adapters/secrets/hmac-key-source';
import { DEFAULT_DATA_FOLDER, runningLocalStack } from '../../local/local-stack-state';
import { type GlobalOptions, UsageError } from './command';
import { CommandFailure, NO_CREDENTIALS } from './ops-failure';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The file in the local stack's data folder that holds its HMAC key (bin/local-stack.ts writes it). */
export const LOCAL_HMAC_KEY_FILE = 'hmac-key';
const SECRETS_MANAGER_ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_SECRETS_MANAGER';
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;

export interface LocalSecret {
  readonly secret: string;
  /** Where it was read, for messages. */
  readonly path: string;
  /** The operator of the stack running on that folder, if one is. */
  readonly localOperator: string | undefined;
}

/** The local stack's key, from --data-dir or the project's .local-stack. */
export function readLocalSecret(global: GlobalOptions): LocalSecret {
  const dataDirectory = resolve(global.dataDir ?? resolve(PROJECT_ROOT, DEFAULT_DATA_FOLDER));
  const path = join(dataDirectory, LOCAL_HMAC_KEY_FILE);
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CommandFailure(`no local HMAC key at ${path}: start the local stack once (npm start)`);
    throw new CommandFailure(`cannot read ${path}: ${code ?? 'error'}`);
  }
  let localOperator: string | undefined;
  try {
    localOperator = runningLocalStack(dataDirectory).operator;
  } catch {
    // Not running (or starting): the key is still the folder's; the operator comes from --operator.
  }
  return { secret, path, localOperator };
}

/**
 * The operator's secret from Secrets Manager. The credentials are the SDK's standard chain
 * (environment, AWS_PROFILE and ~/.aws, SSO, …), resolved by an SDK client's own provider, then handed
 * to the signed fetch the adapter uses.
 */
export async function readSecretsManagerSecret(secretArn: string): Promise<string> {
  const region = SECRET_ARN.exec(secretArn)?.[1];
  if (region === undefined)
    throw new UsageError(
      '--hmac-secret-arn takes a Secrets Manager secret ARN (the stack output HmacSecretArn)',
    );
  const client = new DynamoDBClient({ region });
  try {
    let credentials: Awaited<ReturnType<typeof client.config.credentials>>;
    try {
      credentials = await client.config.credentials();
    } catch {
      throw new CommandFailure(NO_CREDENTIALS);
    }
    const fetcher = signedFetchClient({
      region,
      service: 'secretsmanager',
      environment: {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
      },
    });
    const endpoint = process.env[SECRETS_MANAGER_ENDPOINT_VARIABLE] || undefined;
    try {
      return await new SecretsManagerHmacKey(fetcher, region, secretArn, endpoint).load();
    } catch (error) {
      throw new CommandFailure(`cannot read the secret in ${region}: ${(error as Error).message}`);
    }
  } finally {
    client.destroy();
  }
}

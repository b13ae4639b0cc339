/**
 * The register an ops command reads: the running local stack's (`--local`, found through the state
 * file in its data folder, local/local-stack-state.ts) or the one in AWS (`--requests-table NAME`, in
 * the operator's region, with the standard AWS credential chain: environment, AWS_PROFILE, SSO, …).
 * Either way through the functions' own adapter, DynamoDbRequestRegister, so a command reads exactly
 * what the functions write.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import type { LinkRegister } from '../../functions/ports/request-register';
import { AWS_CALL_TIMEOUTS, sdkClientTimeouts } from '../../functions/shared/aws-timeouts';
import { DEFAULT_DATA_FOLDER, runningLocalStack } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS } from '../../local/loopback';
import { type GlobalOptions, UsageError } from './command';
import { chosenProfile } from './operator-choice';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A failure to report in one line and exit 1 (not a usage mistake). */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

export interface OpsRegister {
  readonly register: LinkRegister;
  readonly operator: string;
  /** Where it reads, for people: "local stack on …" or "AWS eu-west-1, table …". */
  readonly where: string;
  /** The same, for --json. */
  readonly source:
    | { readonly local: true; readonly dataDirectory: string; readonly dynamodbEndpoint: string }
    | { readonly local: false; readonly region: string; readonly requestsTable: string };
  /** Says what went wrong with a call to the register, in one line a person can act on. */
  explain(error: unknown): string;
  close(): void;
}

/**
 * The register to read. Listing an ops queue reads only the requests table; the adapter also takes
 * the subjects table's name, for the writes it makes there, which a read-only command never makes.
 */
const SUBJECTS_TABLE_NOT_USED = 'not-used-by-read-only-commands';

/**
 * `subjectsTable`: commands that change a subject's record name the subjects table in AWS (the stack
 * output SubjectsTable); the local stack names its own.
 */
export function openOpsRegister(global: GlobalOptions, subjectsTable?: string): OpsRegister {
  return global.local ? openLocalRegister(global) : openAwsRegister(global, subjectsTable);
}

function openLocalRegister(global: GlobalOptions): OpsRegister {
  if (global.requestsTable !== undefined)
    throw new UsageError('--requests-table names a table in AWS; with --local the local stack names its own');
  const dataDirectory = resolve(global.dataDir ?? resolve(PROJECT_ROOT, DEFAULT_DATA_FOLDER));
  let stack: ReturnType<typeof runningLocalStack>;
  try {
    stack = runningLocalStack(dataDirectory);
  } catch (error) {
    throw new CommandFailure((error as Error).message);
  }
  if (global.operator !== undefined && global.operator !== stack.operator) {
    throw new CommandFailure(
      `the local stack on ${dataDirectory} runs operator ${stack.operator}, not ${global.operator} ` +
        `(start one for it with npm start -- --operator ${global.operator} --data-dir OTHER_FOLDER)`,
    );
  }
  const client = new DynamoDBClient({
    region: stack.region,
    endpoint: stack.dynamodbEndpoint,
    credentials: LOCAL_CREDENTIALS,
    // DynamoDB Local answers at once or not at all: one attempt, a short wait.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  return {
    register: new DynamoDbLinkRegister(client, {
      requestsTableName: stack.requestsTableName,
      subjectsTableName: stack.subjectsTableName,
    }),
    operator: stack.operator,
    where: `local stack on ${dataDirectory}`,
    source: { local: true, dataDirectory, dynamodbEndpoint: stack.dynamodbEndpoint },
    explain: (error) => {
      if (isConnectionError(error))
        return `cannot reach DynamoDB Local at ${stack.dynamodbEndpoint}: is the local stack on ${dataDirectory} still running?`;
      return describeAwsError(error);
    },
    close: () => client.destroy(),
  };
}

function openAwsRegister(global: GlobalOptions, subjectsTable?: string): OpsRegister {
  if (global.dataDir !== undefined) throw new UsageError('--data-dir goes with --local');
  const requestsTable = global.requestsTable;
  if (requestsTable === undefined || requestsTable === '') {
    throw new UsageError(
      'name the requests table with --requests-table NAME (the stack output RequestsTable), or use --local for the local stack',
    );
  }
  const profile = chosenProfile(global);
  if (profile === null)
    throw new UsageError('no operators file (config/operators.json): name one with --config PATH');
  const { region } = profile.operator.env;
  // No credentials given: the SDK's standard chain (environment, AWS_PROFILE and ~/.aws, SSO, …).
  const client = new DynamoDBClient({ region, ...sdkClientTimeouts(AWS_CALL_TIMEOUTS.dynamodb) });
  const where = `AWS ${region}, table ${requestsTable}`;
  return {
    register: new DynamoDbLinkRegister(client, {
      requestsTableName: requestsTable,
      subjectsTableName: subjectsTable ?? SUBJECTS_TABLE_NOT_USED,
    }),
    operator: profile.operator.id,
    where,
    source: { local: false, region, requestsTable },
    explain: (error) => {
      const name = (error as { name?: string }).name;
      if (name === 'CredentialsProviderError')
        return (
          'no AWS credentials found: set AWS_PROFILE (after aws sso login or aws configure), or ' +
          'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
        );
      if (name === 'ResourceNotFoundException')
        return `table ${requestsTable} (or its ops-queue index) not found in ${region}: check --requests-table against the stack output RequestsTable, and --operator`;
      if (isConnectionError(error)) return `cannot reach DynamoDB in ${region}: ${describeAwsError(error)}`;
      return describeAwsError(error);
    },
    close: () => client.destroy(),
  };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' &&
      ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) ||
    (error as { name?: string }).name === 'TimeoutError'
  );
}

/** An AWS error as its name and message: they name services, tables and permissions, never a person. */
function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message ? `${error.name}: ${error.message}` : error.name;
}

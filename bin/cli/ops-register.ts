/**
 * The register an ops command works on: the running local stack's (`--local`, found through the state
 * file in its data folder, local/local-stack-state.ts) or the operator's deployment in AWS, found from
 * `--operator ID` through its CloudFormation stack's outputs (stack-outputs.ts), in the operator's
 * region, with the standard AWS credential chain (environment, AWS_PROFILE, SSO, …);
 * `--requests-table`, `--subjects-table` and `--hmac-secret-arn` override the outputs. Either way
 * through the functions' own adapter, DynamoDbLinkRegister, so a command reads exactly what the
 * functions write, and changes state only through the functions' use cases.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import type { DeploymentProfile, Jurisdiction } from '../../functions/domain/operators/operator-profile';
import type { LinkRegister, RequestListing } from '../../functions/ports/request-register';
import { AWS_CALL_TIMEOUTS, sdkClientTimeouts } from '../../functions/shared/aws-timeouts';
import { loadJurisdictions } from '../../functions/shared/jurisdiction-files';
import { DEFAULT_DATA_FOLDER, runningLocalStack } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS } from '../../local/loopback';
import { type CommandInput, type ExitCode, type GlobalOptions, UsageError } from './command';
import { chosenProfile } from './operator-choice';
import { readLocalSecret, readSecretsManagerSecret } from './operator-secret';
import { CommandFailure, describeAwsError, isConnectionError, NO_CREDENTIALS } from './ops-failure';
import { readStackOutputs, type StackOutputs, stackNameOf } from './stack-outputs';

export { CommandFailure } from './ops-failure';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface OpsRegister {
  readonly register: LinkRegister & RequestListing;
  readonly operator: string;
  /** The deployment's jurisdiction profile, with its calendar: what its due dates are counted under. */
  readonly jurisdiction: Jurisdiction;
  /** Where it reads, for people: "local stack on …" or "AWS eu-west-1, table …". */
  readonly where: string;
  /**
   * The client and requests table the register uses, for the functions' other adapters on the same
   * table (the register export, fulfilment tasks); page reads through it count for onItemsRead too.
   */
  readonly requestsTable: { readonly client: DynamoDBClient; readonly name: string };
  /** The same, for --json. */
  readonly source:
    | { readonly local: true; readonly dataDirectory: string; readonly dynamodbEndpoint: string }
    | {
        readonly local: false;
        readonly region: string;
        readonly requestsTable: string;
        /** The stack whose outputs named what was not given; null when the options named everything. */
        readonly stack: string | null;
      };
  /**
   * The operator's HMAC key (never printed): the local stack's key file, or the Secrets Manager secret
   * (`--hmac-secret-arn`, else the stack output HmacSecretArn). Failures are CommandFailures.
   */
  hmacKey(): Promise<string>;
  /** Called with the number of register entries each page read brings (progress on long listings). */
  onItemsRead(listener: ((count: number) => void) | null): void;
  /** Says what went wrong with a call to the register, in one line a person can act on. */
  explain(error: unknown): string;
  close(): void;
}

export interface OpsRegisterNeeds {
  /**
   * The command reads or changes subjects' records (the subjects table); a read-only listing of
   * requests does not, and in AWS then needs no stack output for it.
   */
  readonly subjectsTable?: boolean;
}

/** A table name the adapter is given for the subjects table when the command never touches it. */
const SUBJECTS_TABLE_NOT_USED = 'not-used-by-this-command';

/**
 * The register to work on. Failures a person fixes by starting or deploying something, or by
 * credentials, are CommandFailures (exit 1); a wrong combination of options is a UsageError (exit 2).
 */
export async function openOpsRegister(
  global: GlobalOptions,
  needs: OpsRegisterNeeds = {},
): Promise<OpsRegister> {
  return global.local ? openLocalRegister(global) : openAwsRegister(global, needs);
}

function openLocalRegister(global: GlobalOptions): OpsRegister {
  for (const [given, option] of [
    [global.requestsTable, '--requests-table'],
    [global.subjectsTable, '--subjects-table'],
    [global.hmacSecretArn, '--hmac-secret-arn'],
  ] as const) {
    if (given !== undefined)
      throw new UsageError(`${option} names a resource in AWS; with --local the local stack names its own`);
  }
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
  const jurisdiction = localJurisdiction(global, stack.operator, stack.jurisdiction);
  const client = new DynamoDBClient({
    region: stack.region,
    endpoint: stack.dynamodbEndpoint,
    credentials: LOCAL_CREDENTIALS,
    // DynamoDB Local answers at once or not at all: one attempt, a short wait.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  const progress = countItemsRead(client);
  return {
    register: new DynamoDbLinkRegister(client, {
      requestsTableName: stack.requestsTableName,
      subjectsTableName: stack.subjectsTableName,
    }),
    operator: stack.operator,
    jurisdiction,
    where: `local stack on ${dataDirectory}`,
    requestsTable: { client, name: stack.requestsTableName },
    source: { local: true, dataDirectory, dynamodbEndpoint: stack.dynamodbEndpoint },
    hmacKey: async () => readLocalSecret({ ...global, dataDir: dataDirectory }).secret,
    onItemsRead: progress,
    explain: (error) => {
      if (error instanceof CommandFailure) return error.message;
      if (isConnectionError(error))
        return `cannot reach DynamoDB Local at ${stack.dynamodbEndpoint}: is the local stack on ${dataDirectory} still running?`;
      return describeAwsError(error);
    },
    close: () => client.destroy(),
  };
}

/**
 * The local stack's jurisdiction: the operator's profile from the operators file when it names the
 * same one, else makul's profile of that id (a stack started with another operators file).
 */
function localJurisdiction(global: GlobalOptions, operator: string, jurisdictionId: string): Jurisdiction {
  let profile: DeploymentProfile | null = null;
  try {
    profile = chosenProfile({ ...global, operator });
  } catch {
    // The stack's operator is not in this operators file: makul's own profiles below.
  }
  if (profile?.jurisdiction.id === jurisdictionId) return profile.jurisdiction;
  const known = loadJurisdictions().find((jurisdiction) => jurisdiction.id === jurisdictionId);
  if (known === undefined)
    throw new CommandFailure(
      `the local stack runs jurisdiction ${jurisdictionId}, which neither the operators file nor config/jurisdictions defines: name its operators file with --config PATH`,
    );
  return known;
}

async function openAwsRegister(global: GlobalOptions, needs: OpsRegisterNeeds): Promise<OpsRegister> {
  if (global.dataDir !== undefined) throw new UsageError('--data-dir goes with --local');
  const profile = chosenProfile(global);
  if (profile === null)
    throw new UsageError(
      'no operators file (config/operators.json): name one with --config PATH, or use --local for the local stack',
    );
  const operator = profile.operator.id;
  const { region } = profile.operator.env;
  // The stack is read once, and only when an option does not name what the command needs.
  let outputs: Promise<StackOutputs> | undefined;
  const stackOutputs = () => {
    outputs ??= readStackOutputs(operator, region);
    return outputs;
  };
  const requestsTable = global.requestsTable ?? (await stackOutputs()).value('RequestsTable');
  const subjectsTable = needs.subjectsTable
    ? (global.subjectsTable ?? (await stackOutputs()).value('SubjectsTable'))
    : (global.subjectsTable ?? SUBJECTS_TABLE_NOT_USED);
  const stack = outputs === undefined ? null : stackNameOf(operator);

  // No credentials given: the SDK's standard chain (environment, AWS_PROFILE and ~/.aws, SSO, …).
  const client = new DynamoDBClient({ region, ...sdkClientTimeouts(AWS_CALL_TIMEOUTS.dynamodb) });
  const progress = countItemsRead(client);
  return {
    register: new DynamoDbLinkRegister(client, {
      requestsTableName: requestsTable,
      subjectsTableName: subjectsTable,
    }),
    operator,
    jurisdiction: profile.jurisdiction,
    where: stack ? `AWS ${region}, stack ${stack}` : `AWS ${region}, table ${requestsTable}`,
    requestsTable: { client, name: requestsTable },
    source: { local: false, region, requestsTable, stack },
    hmacKey: async () =>
      readSecretsManagerSecret(global.hmacSecretArn ?? (await stackOutputs()).value('HmacSecretArn')),
    onItemsRead: progress,
    explain: (error) => {
      if (error instanceof CommandFailure) return error.message;
      const name = (error as { name?: string }).name;
      if (name === 'CredentialsProviderError') return NO_CREDENTIALS;
      if (name === 'ResourceNotFoundException') {
        const tables =
          subjectsTable === SUBJECTS_TABLE_NOT_USED
            ? `table ${requestsTable} (or one of its indexes)`
            : `table ${requestsTable} or ${subjectsTable} (or one of their indexes)`;
        return (
          `${tables} not found in ${region}: check --operator, and the table options against the stack ` +
          `outputs RequestsTable and SubjectsTable (or deploy the current version)`
        );
      }
      if (isConnectionError(error)) return `cannot reach DynamoDB in ${region}: ${describeAwsError(error)}`;
      return describeAwsError(error);
    },
    close: () => client.destroy(),
  };
}

/**
 * Counts the register entries each Query and Scan page brings, for progress on long listings: the
 * adapter pages internally, so the client is where pages are seen.
 */
function countItemsRead(client: DynamoDBClient): (listener: ((count: number) => void) | null) => void {
  let listener: ((count: number) => void) | null = null;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const items = (result.output as { Items?: unknown }).Items;
      if (listener && Array.isArray(items)) listener(items.length);
      return result;
    },
    { step: 'initialize', name: 'makulCliItemsRead' },
  );
  return (next) => {
    listener = next;
  };
}

/**
 * Runs a command's work on the register, and says in one line on stderr (exit 1) why not when the
 * register cannot be opened or a call to it fails. Usage mistakes pass through (exit 2).
 */
export async function withOpsRegister(
  commandName: string,
  input: Pick<CommandInput, 'global' | 'output'>,
  needs: OpsRegisterNeeds,
  work: (target: OpsRegister) => Promise<ExitCode>,
): Promise<ExitCode> {
  let target: OpsRegister;
  try {
    target = await openOpsRegister(input.global, needs);
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    input.output.err(`makul ${commandName}: ${error.message}\n`);
    return 1;
  }
  try {
    return await work(target);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    input.output.err(`makul ${commandName}: ${target.explain(error)}\n`);
    return 1;
  } finally {
    target.close();
  }
}

/** The operator's profile for the register opened: its operator from the operators file, its jurisdiction as opened. */
export function opsProfile(global: GlobalOptions, target: OpsRegister): DeploymentProfile {
  let profile: DeploymentProfile | null;
  try {
    profile = chosenProfile({ ...global, operator: target.operator });
  } catch (error) {
    throw new CommandFailure(
      `operator ${target.operator} is not in the operators file (${(error as Error).message}): name its file with --config PATH`,
    );
  }
  if (profile === null)
    throw new CommandFailure('no operators file (config/operators.json): name one with --config PATH');
  return { operator: profile.operator, jurisdiction: target.jurisdiction };
}

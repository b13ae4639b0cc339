/** What every `makul` command is: a name, a synopsis for the usage text, its options, and a run function. */
import type { ParseArgsConfig } from 'node:util';

/** Options every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS = {
  operator: { type: 'string' },
  config: { type: 'string' },
  local: { type: 'boolean' },
  'data-dir': { type: 'string' },
  'requests-table': { type: 'string' },
  'subjects-table': { type: 'string' },
  'hmac-secret-arn': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The global options, one line each, for the usage text. */
export const GLOBAL_OPTIONS_HELP = `Options of every command (before or after its name):
  --operator ID          operator from the operators file (default: the first one); in AWS its
                         stack Makul-ID (read in the operator's region with the standard AWS
                         credentials: environment, AWS_PROFILE, SSO, …) names its tables and secret
  --config PATH          operators file (default: config/operators.json)
  --local                work on the running local stack (npm start), not on AWS
  --data-dir DIR         the local stack's data folder, with --local (default: .local-stack)
  --requests-table NAME  in AWS: this requests table instead of the stack output RequestsTable
  --subjects-table NAME  in AWS: this subjects table instead of the stack output SubjectsTable
  --hmac-secret-arn ARN  in AWS: this secret instead of the stack output HmacSecretArn
  --json                 print one JSON document instead of text`;

export interface GlobalOptions {
  /** Operator id from the operators file (default: the first operator). */
  readonly operator: string | undefined;
  /** Operators file (default: config/operators.json, when present). */
  readonly config: string | undefined;
  /** Work on the running local stack (its state file in the data folder) instead of AWS. */
  readonly local: boolean;
  /** The local stack's data folder (default: the project's .local-stack). */
  readonly dataDir: string | undefined;
  /** The requests table in AWS, instead of the stack output RequestsTable. */
  readonly requestsTable: string | undefined;
  /** The subjects table in AWS, instead of the stack output SubjectsTable. */
  readonly subjectsTable: string | undefined;
  /** The HMAC secret in AWS, instead of the stack output HmacSecretArn. */
  readonly hmacSecretArn: string | undefined;
  /** Print one JSON document instead of text. */
  readonly json: boolean;
}

/** Where a command writes: stdout for results, stderr for problems (tests capture both). */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandInput {
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly global: GlobalOptions;
  readonly output: CommandOutput;
}

/** Exit codes: 0 done, 1 failed, 2 usage. */
export type ExitCode = 0 | 1 | 2;

export interface CliCommand {
  readonly name: string;
  /** One line: the command and its arguments, as the usage text shows it. */
  readonly synopsis: string;
  /** What it does and what it prints, shown by `makul COMMAND --help`. */
  readonly help: string;
  /** The command's own options; the global ones are added by the dispatcher. */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(input: CommandInput): Promise<ExitCode>;
}

/** A usage mistake: the dispatcher prints it with the command's help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

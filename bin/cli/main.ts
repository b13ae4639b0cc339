/**
 * `makul` — the operator's command line: a table of commands, one file each in this folder. Global
 * options are accepted before or after the command name; exit codes are 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import {
  type CliCommand,
  type CommandOutput,
  type ExitCode,
  GLOBAL_OPTIONS,
  GLOBAL_OPTIONS_HELP,
  UsageError,
} from './command';
import { inspectCommand } from './inspect';
import { queueCommand } from './queue';
import { restrictionCommand } from './restriction';
import { unsubscribeHeadersCommand } from './unsubscribe-headers';

/** Every command, by name. A new command is a new file and one line here. */
export const COMMANDS: ReadonlyMap<string, CliCommand> = new Map(
  [inspectCommand, queueCommand, restrictionCommand, unsubscribeHeadersCommand].map((command) => [
    command.name,
    command,
  ]),
);

function usage(): string {
  const lines = [...COMMANDS.values()].map(
    (command, index) => `${index === 0 ? 'Usage: ' : '       '}${command.synopsis}`,
  );
  return `${lines.join('\n')}\n\n${GLOBAL_OPTIONS_HELP}\n\n'makul COMMAND --help' explains a command.`;
}

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Where the command name is: the first argument that is neither an option nor the value of a global
 * option that takes one (`--operator x2`; `--operator=x2` is one argument). After `--`, none.
 */
function commandIndex(argv: readonly string[]): number | undefined {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, option]) => option.type === 'string')
      .map(([optionName]) => `--${optionName}`),
  );
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--') return undefined;
    if (takesValue.has(argument)) index += 1;
    else if (!argument.startsWith('-')) return index;
  }
  return undefined;
}

export async function main(
  argv: readonly string[],
  output: CommandOutput = processOutput,
): Promise<ExitCode> {
  const nameAt = commandIndex(argv);
  const name = nameAt === undefined ? undefined : argv[nameAt];
  const command = name === undefined ? undefined : COMMANDS.get(name);
  if (command === undefined) {
    const asksForHelp = argv.includes('--help') || argv.includes('-h');
    if (name !== undefined) output.err(`makul: unknown command "${name}"\n\n${usage()}\n`);
    else if (asksForHelp) output.out(`${usage()}\n`);
    else output.err(`${usage()}\n`);
    return name === undefined && asksForHelp ? 0 : 2;
  }
  try {
    const { values, positionals } = parseArgs({
      // The command's name out, the rest (global options included, wherever they are) parsed together.
      args: argv.filter((_, index) => index !== nameAt),
      allowPositionals: true,
      options: { ...GLOBAL_OPTIONS, ...command.options },
    });
    if (values.help) {
      output.out(`Usage: ${command.synopsis}\n\n${command.help}\n`);
      return 0;
    }
    const global = {
      operator: values.operator as string | undefined,
      config: values.config as string | undefined,
      local: values.local === true,
      dataDir: values['data-dir'] as string | undefined,
      requestsTable: values['requests-table'] as string | undefined,
      json: values.json === true,
    };
    return await command.run({ positionals, options: values, global, output });
  } catch (error) {
    const isUsage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!isUsage) throw error;
    output.err(`makul ${command.name}: ${(error as Error).message}\n\nUsage: ${command.synopsis}\n`);
    return 2;
  }
}

/**
 * `makul` — the operator's command line: a table of commands, one file each in this folder. Global
 * options are accepted before or after the command name; exit codes are 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { type CliCommand, type CommandOutput, type ExitCode, GLOBAL_OPTIONS, UsageError } from './command';
import { inspectCommand } from './inspect';

/** Every command, by name. A new command is a new file and one line here. */
export const COMMANDS: ReadonlyMap<string, CliCommand> = new Map(
  [inspectCommand].map((command) => [command.name, command]),
);

function usage(): string {
  const lines = [...COMMANDS.values()].map(
    (command, index) => `${index === 0 ? 'Usage: ' : '       '}${command.synopsis}`,
  );
  return `${lines.join('\n')}\n\n'makul COMMAND --help' explains a command.`;
}

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The first argument that is neither an option nor the value of a global option that takes one. */
function commandName(argv: readonly string[]): string | undefined {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, option]) => option.type === 'string')
      .map(([optionName]) => `--${optionName}`),
  );
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (takesValue.has(argument)) index += 1;
    else if (!argument.startsWith('-')) return argument;
  }
  return undefined;
}

export async function main(
  argv: readonly string[],
  output: CommandOutput = processOutput,
): Promise<ExitCode> {
  const name = commandName(argv);
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
      args: withoutFirst(argv, command.name),
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

function withoutFirst(argv: readonly string[], value: string): string[] {
  const index = argv.indexOf(value);
  return [...argv.slice(0, index), ...argv.slice(index + 1)];
}

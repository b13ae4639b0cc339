/**
 * `makul` — the operator's command line: a table of commands, one file each in this folder. Global
 * options are accepted before or after the command name; exit codes are 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { actsShowCommand } from './acts-show';
import { calendarCheckCommand } from './calendar-check';
import {
  type CliCommand,
  type CommandOutput,
  type ExitCode,
  GLOBAL_OPTIONS,
  GLOBAL_OPTIONS_HELP,
  UsageError,
} from './command';
import { deadlineCommand } from './deadline';
import { erasureRunCommand } from './erasure-run';
import { inspectCommand } from './inspect';
import { monitorCommand } from './monitor';
import { queueCommand } from './queue';
import { registerExportCommand } from './register-export';
import { requestsCompleteCommand } from './requests-complete';
import { requestsExtendCommand } from './requests-extend';
import { requestsListCommand } from './requests-list';
import { requestsRejectCommand } from './requests-reject';
import { requestsShowCommand } from './requests-show';
import { restrictionCommand } from './restriction';
import { subjectShowCommand } from './subject-show';
import { tasksCompleteCommand } from './tasks-complete';
import { tasksRefuseCommand } from './tasks-refuse';
import { unsubscribeHeadersCommand } from './unsubscribe-headers';

/**
 * Every command, by name. A new command is a new file and one line here. A name of two words
 * (`requests list`) is a command of a group: `makul requests` alone lists the group's commands.
 */
export const COMMANDS: ReadonlyMap<string, CliCommand> = new Map(
  [
    inspectCommand,
    queueCommand,
    requestsListCommand,
    requestsShowCommand,
    requestsExtendCommand,
    requestsCompleteCommand,
    requestsRejectCommand,
    tasksCompleteCommand,
    tasksRefuseCommand,
    subjectShowCommand,
    deadlineCommand,
    calendarCheckCommand,
    monitorCommand,
    erasureRunCommand,
    actsShowCommand,
    registerExportCommand,
    restrictionCommand,
    unsubscribeHeadersCommand,
  ].map((command) => [command.name, command]),
);

/** The commands of a group (`requests` → requests list, show, …); none for a plain command. */
function groupOf(name: string): CliCommand[] {
  return [...COMMANDS.values()].filter((command) => command.name.startsWith(`${name} `));
}

function usage(commands: readonly CliCommand[] = [...COMMANDS.values()]): string {
  const lines = commands.map((command, index) => `${index === 0 ? 'Usage: ' : '       '}${command.synopsis}`);
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
function commandIndex(argv: readonly string[], from = 0): number | undefined {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, option]) => option.type === 'string')
      .map(([optionName]) => `--${optionName}`),
  );
  for (let index = from; index < argv.length; index += 1) {
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
  const asksForHelp = argv.includes('--help') || argv.includes('-h');
  const nameAt = commandIndex(argv);
  const name = nameAt === undefined ? undefined : argv[nameAt];
  let command = name === undefined ? undefined : COMMANDS.get(name);
  const nameIndexes = new Set(nameAt === undefined ? [] : [nameAt]);
  const group = name === undefined || command !== undefined ? [] : groupOf(name);
  if (nameAt !== undefined && group.length > 0) {
    // A group's command is named by the next word (`requests list`); global options may come between.
    const subAt = commandIndex(argv, nameAt + 1);
    const sub = subAt === undefined ? undefined : argv[subAt];
    command = sub === undefined ? undefined : COMMANDS.get(`${name} ${sub}`);
    if (command === undefined) {
      if (sub !== undefined) output.err(`makul ${name}: unknown command "${sub}"\n\n${usage(group)}\n`);
      else if (asksForHelp) output.out(`${usage(group)}\n`);
      else output.err(`makul ${name}: name one of its commands\n\n${usage(group)}\n`);
      return sub === undefined && asksForHelp ? 0 : 2;
    }
    if (subAt !== undefined) nameIndexes.add(subAt);
  }
  if (command === undefined) {
    if (name !== undefined) output.err(`makul: unknown command "${name}"\n\n${usage()}\n`);
    else if (asksForHelp) output.out(`${usage()}\n`);
    else output.err(`${usage()}\n`);
    return name === undefined && asksForHelp ? 0 : 2;
  }
  try {
    const { values, positionals } = parseArgs({
      // The command's name out, the rest (global options included, wherever they are) parsed together.
      args: argv.filter((_, index) => !nameIndexes.has(index)),
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
      subjectsTable: values['subjects-table'] as string | undefined,
      hmacSecretArn: values['hmac-secret-arn'] as string | undefined,
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

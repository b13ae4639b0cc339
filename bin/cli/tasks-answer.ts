/**
 * What `makul tasks complete` and `makul tasks refuse` share: a person answers a data system's task for
 * it, through the use case the systems API uses (functions/app/answer-task.ts), so the answer is
 * checked, stored once, audited and followed up (completion, the access report, the refused list)
 * exactly as when a system answers by itself.
 */
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { type AnswerTaskOutcome, answerTask } from '../../functions/app/answer-task';
import type { TaskReport } from '../../functions/domain/fulfilment/tasks';
import { type CommandInput, type ExitCode, UsageError } from './command';
import { chosenProfile } from './operator-choice';
import { CommandFailure } from './ops-failure';
import { withOpsRegister } from './ops-register';
import { REQUEST_ID } from './ops-text';

/** A person's name, as the destruction act and the audit trail give it: a name, not a document. */
const MAX_NAME_CHARS = 100;
const SYSTEM_ID = /^[a-z][a-z0-9-]{1,40}$/;

/** The ID and SYSTEM a tasks command takes, checked. */
export function taskOf(
  positionals: readonly string[],
  usage: string,
): { requestId: string; systemId: string } {
  const [requestId, systemId, ...rest] = positionals;
  if (requestId === undefined || systemId === undefined || rest.length > 0)
    throw new UsageError(`usage: ${usage}`);
  if (!REQUEST_ID.test(requestId))
    throw new UsageError(`not a request id: ${requestId} (they look like MK-…)`);
  if (!SYSTEM_ID.test(systemId))
    throw new UsageError(`not a data system id: ${systemId} (as the operator profile names them)`);
  return { requestId, systemId };
}

/** `--by NAME`: who answers, required (the regulator asks who destroyed the data). */
export function personOf(value: string | boolean | undefined): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError('--by NAME is required: the person who answers for the system');
  const name = value.trim().replace(/\s+/g, ' ');
  if (name.length > MAX_NAME_CHARS) throw new UsageError(`--by is at most ${MAX_NAME_CHARS} characters`);
  if (name.includes('@')) throw new UsageError('--by takes a name, not an address');
  return name;
}

export async function runTaskAnswer(
  commandName: 'tasks complete' | 'tasks refuse',
  input: Pick<CommandInput, 'global' | 'output'>,
  task: { requestId: string; systemId: string },
  report: TaskReport,
  person: string,
): Promise<ExitCode> {
  const { global, output } = input;
  return withOpsRegister(commandName, input, { subjectsTable: true }, async (target) => {
    const profile = chosenProfile({ ...global, operator: target.operator });
    if (profile === null || profile.operator.id !== target.operator)
      throw new CommandFailure(
        `the operators file does not name operator ${target.operator}, whose data systems the task belongs to: name it with --config PATH`,
      );
    const result = await answerTask(
      task.requestId,
      task.systemId,
      report,
      { via: 'cli', person },
      {
        register: target.register,
        fulfilment: new DynamoDbFulfilmentRegister(target.requestsTable.client, target.requestsTable.name),
        profile,
        hmacKey: await target.hmacKey(),
        now: () => new Date(),
      },
    );
    if (global.json) output.out(`${JSON.stringify(jsonOf(task, result), null, 2)}\n`);
    const refuse = (why: string) => {
      output.err(`makul ${commandName}: ${task.requestId} ${task.systemId} not answered: ${why}\n`);
      return 1 as const;
    };
    switch (result.outcome) {
      case 'answered':
      case 'same':
        if (!global.json)
          output.out(
            `${task.requestId} ${task.systemId}: ${result.task.state}${result.task.outcome ? ` (${result.task.outcome})` : ''}` +
              `${result.outcome === 'same' ? ', as answered before' : ''}, by ${person}; ${SETTLEMENT_TEXT[result.settlement]}\n`,
          );
        return 0;
      case 'unknown-request':
        return refuse(`no such request in the register (${target.where})`);
      case 'unknown-system':
        return refuse(
          `operator ${target.operator} names no data system ${task.systemId} (${profile.operator.dataSystems.map((system) => system.id).join(', ') || 'it names none'})`,
        );
      case 'unknown-task':
        return refuse(`the request has no task for ${task.systemId}`);
      case 'forbidden':
        return refuse('not allowed');
      case 'invalid':
        return refuse(result.reason);
      case 'closed':
        return refuse(`the request is ${result.status}: its tasks take no answers`);
      case 'conflict':
        return refuse(
          `it was answered ${result.task.state}${result.task.outcome ? ` (${result.task.outcome})` : ''} before; the first answer stands`,
        );
    }
  });
}

const SETTLEMENT_TEXT = {
  waiting: 'other systems have not answered yet',
  refused: 'the request is on the refused list for ops (makul queue refused)',
  completed: 'every system is done: the request is completed',
  'awaiting-erasure': 'every system is done: the erasure executor destroys makul’s own data next',
  'request-moved':
    'every system is done, but the request had moved meanwhile (look at it: makul requests show)',
} as const;

function jsonOf(task: { requestId: string; systemId: string }, result: AnswerTaskOutcome) {
  switch (result.outcome) {
    case 'answered':
    case 'same':
      return {
        requestId: task.requestId,
        system: task.systemId,
        outcome: result.outcome,
        state: result.task.state,
        taskOutcome: result.task.outcome,
        settlement: result.settlement,
      };
    case 'conflict':
      return {
        requestId: task.requestId,
        system: task.systemId,
        outcome: 'conflict',
        state: result.task.state,
      };
    default:
      return { requestId: task.requestId, system: task.systemId, ...result };
  }
}

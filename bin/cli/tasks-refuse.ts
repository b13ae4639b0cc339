/**
 * `makul tasks refuse ID SYSTEM --reason TEXT --by NAME`: a person reports that a data system cannot
 * carry the request out (a legal hold, an open contract …): the request goes to ops' refused list and
 * does not complete (bin/cli/tasks-answer.ts, functions/app/answer-task.ts).
 */
import { type CliCommand, UsageError } from './command';
import { opsText } from './ops-text';
import { personOf, runTaskAnswer, taskOf } from './tasks-answer';

const USAGE = 'makul tasks refuse ID SYSTEM --reason TEXT --by NAME';

export const tasksRefuseCommand: CliCommand = {
  name: 'tasks refuse',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Reports that a data system refuses its task, with the reason: the request does not complete;
it goes on ops' refused list (makul queue refused), where ops decide what follows (reject it with a
reason to the subject, or have the system carry it out after all).

  ID             the request id (MK-…)
  SYSTEM         the data system's id, as the operator profile names it
  --reason TEXT  why the system cannot carry it out, for the register (stored as written: no
                 personal data; text with '@' or a long number is refused)
  --by NAME      who answers for the system. The name is kept in the request's audit trail (and in
                 a destruction act, should the request be carried out later)
  --local        the running local stack (npm start); otherwise the operator's deployment in AWS
  --json         one JSON document: {requestId, system, outcome, …}

The same refusal twice is taken once (exit 0); a different answer to a task already answered is
refused, and the first answer stands.

Exit codes: 0 refused (or refused the same before), 1 not answered (unknown request, system or
task, answered differently before, the request closed) or the register could not be reached,
2 usage.`,
  options: { reason: { type: 'string' }, by: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const task = taskOf(positionals, USAGE);
    const reason = opsText(options.reason, '--reason');
    if (reason === null) throw new UsageError('--reason TEXT is required: why the system refuses');
    const person = personOf(options.by);
    return runTaskAnswer('tasks refuse', { global, output }, task, { state: 'refused', reason }, person);
  },
};

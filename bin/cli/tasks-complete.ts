/**
 * `makul tasks complete ID SYSTEM --outcome … --by NAME`: a person reports that a data system told by a
 * person (or one that cannot call the systems API) did what the request asked, through the use case
 * the API uses (bin/cli/tasks-answer.ts, functions/app/answer-task.ts).
 */
import { TASK_OUTCOMES, type TaskOutcome } from '../../functions/domain/fulfilment/tasks';
import { type CliCommand, UsageError } from './command';
import { personOf, runTaskAnswer, taskOf } from './tasks-answer';

const USAGE = `makul tasks complete ID SYSTEM --outcome ${TASK_OUTCOMES.join('|')} --by NAME`;

export const tasksCompleteCommand: CliCommand = {
  name: 'tasks complete',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Reports a data system's task done: the system did what the request asked. When every system
of the request is done, makul goes on as when the systems answer through the API: update-data,
restrict and stop-dissemination complete; an access request completes and its report goes to the
subject's verified address; an erasure or a withdrawal waits for the erasure executor.

  ID             the request id (MK-…)
  SYSTEM         the data system's id, as the operator profile names it
  --outcome O    what was done: erased, corrected, restricted, provided or not-held (the system has
                 nothing of theirs); it must answer the request's kind (erasure: erased or not-held …).
                 provided (access) lists data, which only the systems API takes: use not-held here, or
                 the API
  --by NAME      who did it. The name is kept in the request's audit trail and, for an erasure, in
                 the destruction act given to the regulator (Roskomnadzor order No. 179 names who
                 destroyed the data)
  --local        the running local stack (npm start); otherwise the operator's deployment in AWS
  --json         one JSON document: {requestId, system, outcome, …}

The same answer twice is taken once (exit 0); a different answer to a task already answered is
refused, and the first answer stands.

Exit codes: 0 answered (or answered the same before), 1 not answered (unknown request, system or
task, an outcome that does not answer the kind, answered differently before, the request closed)
or the register could not be reached, 2 usage.`,
  options: { outcome: { type: 'string' }, by: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const task = taskOf(positionals, USAGE);
    const outcome = options.outcome;
    if (typeof outcome !== 'string' || !(TASK_OUTCOMES as readonly string[]).includes(outcome))
      throw new UsageError(`--outcome is one of ${TASK_OUTCOMES.join(', ')}`);
    const person = personOf(options.by);
    return runTaskAnswer(
      'tasks complete',
      { global, output },
      task,
      { state: 'done', outcome: outcome as TaskOutcome },
      person,
    );
  },
};

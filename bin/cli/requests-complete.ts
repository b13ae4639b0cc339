/**
 * `makul requests complete ID [--note TEXT]`: ops mark an open request done (the operator's systems did
 * what it asked), through the functions' use case (functions/app/complete-request.ts): completed,
 * stamped, off the held list, and "completed-by-ops" in the audit trail with the note. Nothing is mailed.
 */
import { completeRequestByOps } from '../../functions/app/complete-request';
import type { CliCommand } from './command';
import { withOpsRegister } from './ops-register';
import { opsText, requestIdOf } from './ops-text';

const USAGE = 'makul requests complete ID [--note TEXT]';

export const requestsCompleteCommand: CliCommand = {
  name: 'requests complete',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Marks an open request done: the operator's systems did what it asked (the data corrected, the
report sent, the published data removed). The audit trail records it as done by ops, with the
note. The subject's flags stay as they are, and nothing is mailed (the subject was told what would
happen when the request was accepted). A request awaiting verification cannot be completed: nobody
has shown it is theirs yet (reject it, or wait for the link).

  ID           the request id (MK-…)
  --note TEXT  what was done, for the audit trail (stored as written: no personal data; text with
               '@' or a long number is refused)
  --local      the running local stack (npm start); otherwise the operator's deployment in AWS
  --json       one JSON document: {requestId, outcome, …}

Exit codes: 0 completed, 1 not completed (unknown request, not verified, closed, changed meanwhile)
or the register could not be reached, 2 usage.`,
  options: { note: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const requestId = requestIdOf(positionals, USAGE);
    const note = opsText(options.note, '--note') ?? '';
    return withOpsRegister(
      'requests complete',
      { global, output },
      { subjectsTable: true },
      async (target) => {
        const result = await completeRequestByOps(requestId, note, {
          register: target.register,
          now: () => new Date(),
        });
        if (global.json) output.out(`${JSON.stringify({ requestId, ...result }, null, 2)}\n`);
        const refuse = (why: string) => {
          output.err(`makul requests complete: ${requestId} not completed: ${why}\n`);
          return 1 as const;
        };
        switch (result.outcome) {
          case 'completed':
            if (!global.json)
              output.out(
                `${requestId} completed (by ops${note ? ', with the note' : ''}); nothing is mailed\n`,
              );
            return 0;
          case 'unknown-request':
            return refuse(`no such request in the register (${target.where})`);
          case 'not-verified':
            return refuse(
              'it awaits verification: nobody has shown it is theirs, so there is nothing to have done (reject it, or wait for the link)',
            );
          case 'not-open':
            return refuse(`it is closed already (status ${result.status})`);
          case 'concurrent-change':
            return refuse(`it changed while this ran: look again (makul requests show ${requestId})`);
        }
      },
    );
  },
};

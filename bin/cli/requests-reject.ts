/**
 * `makul requests reject ID --reason TEXT`: ops refuse an open request with a reason (RU 152-FZ
 * art. 20, KG No. 58 art. 17 allow a reasoned refusal), through the functions' use case
 * (functions/app/reject-request.ts): rejected, the flags it set given back (never the marketing
 * opt-out), "rejected-by-ops" in the audit trail, and a "rejected" notice quoting the reason recorded
 * for the deferred-outbound job to mail.
 */
import { rejectRequestByOps } from '../../functions/app/reject-request';
import { type CliCommand, UsageError } from './command';
import { withOpsRegister } from './ops-register';
import { opsText, requestIdOf } from './ops-text';

const USAGE = 'makul requests reject ID --reason TEXT';

export const requestsRejectCommand: CliCommand = {
  name: 'requests reject',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Refuses an open request, with a reason. The flags it set on the subject's record are given back
(a flag another request also holds stays; a marketing opt-out always stays), the audit trail
records it as done by ops with the reason, and the subject is mailed the refusal with the reason
(by the deferred-outbound job), unless makul keeps no address for the request or it is held (its
sender may be forged).

  ID             the request id (MK-…)
  --reason TEXT  why it is refused (required). It goes into the audit trail AND into the subject's
                 mail as written, so it must carry no personal data: no names, no addresses, no
                 phone or document numbers (text with '@' or a long number is refused)
  --local        the running local stack (npm start); otherwise the operator's deployment in AWS
  --json         one JSON document: {requestId, outcome, …} (outcome rejected: released, subjectTold)

Exit codes: 0 rejected, 1 not rejected (unknown request, closed, changed meanwhile) or the register
could not be reached, 2 usage.`,
  options: { reason: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const requestId = requestIdOf(positionals, USAGE);
    const reason = opsText(options.reason, '--reason');
    if (reason === null)
      throw new UsageError('say why with --reason TEXT: it goes into the audit trail and the subject’s mail');
    return withOpsRegister('requests reject', { global, output }, { subjectsTable: true }, async (target) => {
      const result = await rejectRequestByOps(requestId, reason, {
        register: target.register,
        now: () => new Date(),
        hmacKey: await target.hmacKey(),
      });
      if (global.json) output.out(`${JSON.stringify({ requestId, ...result }, null, 2)}\n`);
      const refuse = (why: string) => {
        output.err(`makul requests reject: ${requestId} not rejected: ${why}\n`);
        return 1 as const;
      };
      switch (result.outcome) {
        case 'rejected':
          if (!global.json)
            output.out(
              `${requestId} rejected; ` +
                (result.released.length > 0
                  ? `given back on the subject's record: ${result.released.join(', ')}; `
                  : '') +
                (result.subjectTold
                  ? 'the subject is told by mail, with the reason (sent by the deferred-outbound job within a minute)\n'
                  : 'nobody is told (makul keeps no address for this request, or it was held)\n'),
            );
          return 0;
        case 'unknown-request':
          return refuse(`no such request in the register (${target.where})`);
        case 'not-open':
          return refuse(`it is closed already (status ${result.status})`);
        case 'concurrent-change':
          return refuse(`it changed while this ran: look again (makul requests show ${requestId})`);
      }
    });
  },
};

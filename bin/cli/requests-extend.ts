/**
 * `makul requests extend ID --reason TEXT`: ops extend an open request's term, once and as far as the
 * law allows (RU 152-FZ: access, 5 more working days), through the functions' use case
 * (functions/app/extend-request.ts): the due date moves, the audit trail records
 * "deadline-extended-by-ops" with the reason, and the reasoned notice the law requires is recorded for
 * the deferred-outbound job to mail. The notice quotes the reason as written.
 */
import { extendRequestByOps } from '../../functions/app/extend-request';
import { type CliCommand, UsageError } from './command';
import { withOpsRegister } from './ops-register';
import { opsText, requestIdOf, zonedDay } from './ops-text';

const USAGE = 'makul requests extend ID --reason TEXT';

export const requestsExtendCommand: CliCommand = {
  name: 'requests extend',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Extends an open request's term once, by what the jurisdiction allows for its kind (RU 152-FZ
art. 14 part 3 / art. 20: access, 5 more working days, with a reasoned notice to the subject). The
due date moves, the audit trail records it as done by ops with the reason, and the subject is
mailed the reasoned notice (by the deferred-outbound job). Without a way to mail the subject (makul
keeps no address for the request, or it is held) nothing is extended: the notice is the law's
condition.

  ID             the request id (MK-…)
  --reason TEXT  why the term is extended (required). It goes into the audit trail AND into the
                 subject's mail as written, so it must carry no personal data: no names, no
                 addresses, no phone or document numbers (text with '@' or a long number is refused)
  --local        the running local stack (npm start); otherwise the operator's deployment in AWS
  --json         one JSON document: {requestId, outcome, …} (outcome extended: from, to, statute)

Exit codes: 0 extended, 1 not extended (unknown request, closed, extended already, no extension in
law, the subject cannot be told, changed meanwhile) or the register could not be reached, 2 usage.`,
  options: { reason: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const requestId = requestIdOf(positionals, USAGE);
    const reason = opsText(options.reason, '--reason');
    if (reason === null)
      throw new UsageError('say why with --reason TEXT: it goes into the audit trail and the subject’s mail');
    return withOpsRegister('requests extend', { global, output }, { subjectsTable: true }, async (target) => {
      const zone = target.jurisdiction.timeZone;
      const result = await extendRequestByOps(requestId, reason, {
        register: target.register,
        jurisdiction: target.jurisdiction,
        now: () => new Date(),
        hmacKey: await target.hmacKey(),
      });
      if (global.json) output.out(`${JSON.stringify({ requestId, ...result }, null, 2)}\n`);
      const refuse = (why: string) => {
        output.err(`makul requests extend: ${requestId} not extended: ${why}\n`);
        return 1 as const;
      };
      switch (result.outcome) {
        case 'extended':
          if (!global.json)
            output.out(
              `${requestId} due date moved from ${zonedDay(result.from, zone)} to ${zonedDay(result.to, zone)} ` +
                `(${result.statute}); the subject is told by mail (sent by the deferred-outbound job within a minute)\n`,
            );
          return 0;
        case 'unknown-request':
          return refuse(`no such request in the register (${target.where})`);
        case 'not-open':
          return refuse(`it is closed (status ${result.status}): there is no term left to extend`);
        case 'term-passed':
          return refuse(
            `its term ran out on ${zonedDay(result.dueAt, zone)}: the law extends a term only by a notice sent within it`,
          );
        case 'already-extended':
          return refuse(
            `the law allows one extension, and it had it (from ${zonedDay(result.originalDueAt, zone)} to ${zonedDay(result.dueAt, zone)})`,
          );
        case 'no-extension-in-law':
          return refuse(
            `${result.jurisdiction} allows no extension for ${result.kind ? `kind ${result.kind}` : 'a request of no kind'}`,
          );
        case 'cannot-tell-subject':
          return refuse(
            'the law makes a reasoned notice to the subject its condition, and makul cannot send one ' +
              '(it keeps no address for this request, or the request is held)',
          );
        case 'concurrent-change':
          return refuse(`it changed while this ran: look again (makul requests show ${requestId})`);
      }
    });
  },
};

/**
 * `makul restriction lift REQUEST-ID --note TEXT`: ops lifts a subject's restriction of processing
 * (the subject can lift it with the link in the mail that confirmed it). The note says why, for the
 * audit trail; it must not carry personal data (it is stored as written).
 */
import { liftRestrictionByOps } from '../../functions/app/lift-restriction';
import { type CliCommand, UsageError } from './command';
import { withOpsRegister } from './ops-register';
import { opsText, requestIdOf } from './ops-text';

const USAGE = 'makul restriction lift REQUEST-ID --note TEXT';

export const restrictionCommand: CliCommand = {
  name: 'restriction',
  synopsis:
    'makul restriction lift REQUEST-ID --note TEXT [--local [--data-dir DIR] | --operator ID] [--json]',
  help: `Lifts the restriction of processing that a restrict request set, as the subject's own link
would: the flag leaves the subject's record (whichever requests held it), the request is stamped
restrictionLiftedAt, the audit trail records "restriction-lifted-by-ops" with the note, and the
subject gets a "restriction lifted" mail (sent by the deferred-outbound job) when makul still keeps
their address.

  REQUEST-ID             the restrict request (MK-…), as in the reply, the forward or makul queue
  --note TEXT            why, for the audit trail (required; stored as written, so no names,
                         addresses or phone numbers: text with '@' or a long number is refused)
  --local                the running local stack (npm start); its HMAC key (to address the
                         subject's mail) is read from its data folder
  --operator ID          otherwise the operator's deployment in AWS: its stack Makul-ID names the
                         tables and the HMAC secret (--requests-table, --subjects-table and
                         --hmac-secret-arn override them)
  --json                 one JSON document: {requestId, outcome}

Prints "restriction lifted: MK-…" or why not. Exit codes: 0 lifted, 1 not lifted (unknown request,
not a standing restrict request, or nothing restricted) or the register could not be reached, 2 usage.`,
  options: { note: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const [action, ...rest] = positionals;
    if (action !== 'lift') throw new UsageError(`usage: ${USAGE}`);
    const requestId = requestIdOf(rest, USAGE);
    const note = opsText(options.note, '--note');
    if (note === null) throw new UsageError('say why with --note TEXT: it goes into the audit trail');
    return withOpsRegister('restriction', { global, output }, { subjectsTable: true }, async (target) => {
      const hmacKey = await target.hmacKey();
      const result = await liftRestrictionByOps(requestId, note, {
        register: target.register,
        now: () => new Date(),
        hmacKey,
      });
      if (global.json) output.out(`${JSON.stringify({ requestId, ...result })}\n`);
      switch (result.outcome) {
        case 'lifted':
          if (!global.json) {
            output.out(`restriction lifted: ${requestId} (${target.where})\n`);
            output.out(
              result.subjectTold
                ? 'the subject is told by mail (sent by the deferred-outbound job within a minute)\n'
                : 'the subject is not told: makul keeps no address for this request\n',
            );
          }
          return 0;
        case 'unknown-request':
          output.err(`makul restriction: no request ${requestId} in the register (${target.where})\n`);
          return 1;
        case 'not-a-restriction':
          output.err(
            `makul restriction: ${requestId} is not a standing restrict request (kind ${result.kind ?? 'none'}, status ${result.status})\n`,
          );
          return 1;
        case 'not-restricted':
          output.err(`makul restriction: the subject of ${requestId} has no restriction to lift\n`);
          return 1;
      }
    });
  },
};

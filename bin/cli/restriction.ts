/**
 * `makul restriction lift REQUEST-ID --note TEXT`: ops lifts a subject's restriction of processing
 * (the subject can lift it with the link in the mail that confirmed it). The note says why, for the
 * audit trail; it must not carry personal data (it is stored as written).
 */
import { liftRestrictionByOps } from '../../functions/app/lift-restriction';
import { type CliCommand, type GlobalOptions, UsageError } from './command';
import { readLocalSecret, readSecretsManagerSecret } from './operator-secret';
import { CommandFailure, type OpsRegister, openOpsRegister } from './ops-register';

/** The secret that addresses the subject's mail: the local stack's, or the stack's in AWS if named. */
async function operatorSecret(
  global: GlobalOptions,
  secretArn: string | boolean | undefined,
): Promise<string | undefined> {
  if (global.local) return readLocalSecret(global).secret;
  return typeof secretArn === 'string' ? readSecretsManagerSecret(secretArn) : undefined;
}

/** A request id as makul writes it (MK- and letters or digits); anything else is a typo. */
const REQUEST_ID = /^MK-[A-Z0-9]{4,32}$/;
const MAX_NOTE_CHARS = 300;

export const restrictionCommand: CliCommand = {
  name: 'restriction',
  synopsis:
    'makul restriction lift REQUEST-ID --note TEXT [--local [--data-dir DIR] | --requests-table NAME --subjects-table NAME] [--json]',
  help: `Lifts the restriction of processing that a restrict request set, as the subject's own link
would: the flag leaves the subject's record (whichever requests held it), the request is stamped
restrictionLiftedAt, the audit trail records "restriction-lifted-by-ops" with the note, and the
subject gets a "restriction lifted" mail (sent by the deferred-outbound job) when makul still keeps
their address.

  REQUEST-ID             the restrict request (MK-…), as in the reply, the forward or makul queue
  --note TEXT            why, for the audit trail (required; no names, addresses or phone numbers)
  --local                the running local stack (npm start)
  --requests-table NAME  in AWS: the stack output RequestsTable
  --subjects-table NAME  in AWS: the stack output SubjectsTable
  --hmac-secret-arn ARN  in AWS: the stack output HmacSecretArn, to tell the subject by mail (the local
                         stack's key is read from its data folder)
  --json                 one JSON document: {requestId, outcome}

Prints "restriction lifted: MK-…" or why not. Exit codes: 0 lifted, 1 not lifted (unknown request,
not a standing restrict request, or nothing restricted) or the register could not be reached, 2 usage.`,
  options: {
    note: { type: 'string' },
    'subjects-table': { type: 'string' },
    'hmac-secret-arn': { type: 'string' },
  },
  async run({ positionals, options, global, output }) {
    const [action, requestId, ...rest] = positionals;
    if (action !== 'lift' || requestId === undefined || rest.length > 0)
      throw new UsageError('usage: makul restriction lift REQUEST-ID --note TEXT');
    if (!REQUEST_ID.test(requestId))
      throw new UsageError(`not a request id: ${requestId} (they look like MK-…)`);
    const note = typeof options.note === 'string' ? options.note.trim() : '';
    if (note === '') throw new UsageError('say why with --note TEXT: it goes into the audit trail');
    if (note.length > MAX_NOTE_CHARS) throw new UsageError(`--note is at most ${MAX_NOTE_CHARS} characters`);
    const subjectsTable =
      typeof options['subjects-table'] === 'string' ? options['subjects-table'] : undefined;
    if (!global.local && subjectsTable === undefined)
      throw new UsageError(
        'in AWS, name the subjects table with --subjects-table NAME (the stack output SubjectsTable)',
      );

    let target: OpsRegister;
    try {
      target = openOpsRegister(global, subjectsTable);
    } catch (error) {
      if (!(error instanceof CommandFailure)) throw error;
      output.err(`makul restriction: ${error.message}\n`);
      return 1;
    }
    try {
      const hmacKey = await operatorSecret(global, options['hmac-secret-arn']);
      const result = await liftRestrictionByOps(requestId, note, {
        register: target.register,
        now: () => new Date(),
        ...(hmacKey ? { hmacKey } : {}),
      });
      if (global.json) output.out(`${JSON.stringify({ requestId, ...result })}\n`);
      switch (result.outcome) {
        case 'lifted':
          if (!global.json) {
            output.out(`restriction lifted: ${requestId} (${target.where})\n`);
            output.out(
              result.subjectTold
                ? 'the subject is told by mail (sent by the deferred-outbound job within a minute)\n'
                : 'the subject is not told: makul keeps no address for this request' +
                    (hmacKey ? '' : ', or give --hmac-secret-arn ARN to seal one') +
                    '\n',
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
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const message = error instanceof CommandFailure ? error.message : target.explain(error);
      output.err(`makul restriction: ${message}\n`);
      return 1;
    } finally {
      target.close();
    }
  },
};

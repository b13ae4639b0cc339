/**
 * `makul subject show EMAIL`: what makul holds about an address, the same data an access report gives
 * (functions/app/prepare-notice.ts): the subject record's flags with since when and the requests that
 * hold them, the categories whose dissemination stopped, and the subject's requests. The address is
 * checked and normalised as the functions do, and looked up by its subject key (HMAC under the
 * operator's secret): makul keeps no address to search by. The address is printed once, as typed, in
 * the header line, and nowhere else (not in --json).
 */
import { checkSender, normaliseAddress } from '../../functions/domain/mail/sender-address';
import { SUBJECT_FLAGS } from '../../functions/domain/requests/request-policies';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import type { SubjectFlag } from '../../functions/ports/request-register';
import { type CliCommand, UsageError } from './command';
import { withOpsRegister } from './ops-register';
import { textTable, zonedMinute } from './ops-text';

const USAGE = 'makul subject show EMAIL';

const FLAG_WORDS: Readonly<Record<SubjectFlag, string>> = {
  marketingOptOut: 'marketing opt-out',
  consentWithdrawn: 'consent withdrawn',
  processingRestricted: 'processing restricted',
  disseminationStopped: 'dissemination stopped',
  erasureRequested: 'erasure requested',
};

/** The address as the functions key it, or a usage error that does not repeat it. */
function normalisedAddress(typed: string): string {
  if (typed.includes('<') || /\s/.test(typed.trim()))
    throw new UsageError('give the bare address (no display name, no angle brackets)');
  const checked = checkSender([typed]);
  if (!checked.ok) throw new UsageError(`not an address makul could have recorded (${checked.reason})`);
  return normaliseAddress(checked.address);
}

export const subjectShowCommand: CliCommand = {
  name: 'subject show',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Shows what makul holds about an address: the same data the access report gives the subject.
The address is normalised as makul does (case, Unicode, IDN domain) and looked up by its subject
key, the HMAC of the address under the operator's secret (the local stack's key file; in AWS the
secret of the stack output HmacSecretArn): makul keeps no address to search by.

Prints the subject record's flags (marketing opt-out, consent withdrawn, processing restricted,
dissemination stopped, erasure requested), each with since when and the requests holding it, the
categories of data no longer disseminated, and the subject's requests (id, kind, status, received,
due, closed). The address appears only in the header line, as typed.

  EMAIL    the address, bare (no display name)
  --local  the running local stack (npm start); otherwise the operator's deployment in AWS
  --json   one JSON document (without the address): {subjectKey, known, flags: {FLAG: {since,
           heldBy} | null}, disseminationStoppedItems, requests: [{requestId, kind, status,
           receivedAt, dueAt, closedAt}]}

Exit codes: 0 shown (also when makul holds nothing), 1 the register or the key could not be read,
2 usage.`,
  options: {},
  async run({ positionals, global, output }) {
    const [typed, ...rest] = positionals;
    if (typed === undefined || rest.length > 0) throw new UsageError(`usage: ${USAGE}`);
    const address = normalisedAddress(typed);
    return withOpsRegister('subject show', { global, output }, { subjectsTable: true }, async (target) => {
      const key = subjectKey(address, await target.hmacKey());
      const [record, requests] = await Promise.all([
        target.register.subjectRecord(key),
        target.register.requestsOfSubject(key),
      ]);
      const own = requests.filter((request) => request.noticeOf === null);
      const flags = Object.fromEntries(
        SUBJECT_FLAGS.map((flag) => {
          const held = record?.flags[flag];
          return [flag, held ? { since: held.since, heldBy: [...held.heldBy] } : null];
        }),
      );
      const document = {
        subjectKey: key,
        known: record !== null || own.length > 0,
        flags,
        disseminationStoppedItems: record?.disseminationStoppedItems ?? [],
        requests: own.map((request) => ({
          requestId: request.requestId,
          kind: request.kind,
          status: request.status,
          receivedAt: request.receivedAt,
          dueAt: request.dueAt,
          closedAt: request.closedAt,
        })),
      };
      if (global.json) {
        output.out(`${JSON.stringify(document, null, 2)}\n`);
        return 0;
      }
      const zone = target.jurisdiction.timeZone;
      const header =
        `subject ${typed}\n(operator ${target.operator}, ${target.where}; times ${zone})\n` +
        `  subject key  ${key}\n`;
      if (!document.known) {
        output.out(`${header}\nmakul holds nothing about this address: no subject record and no requests.\n`);
        return 0;
      }
      const flagLines = SUBJECT_FLAGS.map((flag) => {
        const held = flags[flag];
        const words = FLAG_WORDS[flag].padEnd(22);
        return held
          ? `  ${words}  since ${zonedMinute(held.since, zone)}, held by ${held.heldBy.join(', ') || '-'}`
          : `  ${words}  no`;
      }).join('\n');
      const items =
        document.disseminationStoppedItems.length > 0
          ? `\n\nData no longer disseminated: ${document.disseminationStoppedItems.join(', ')}`
          : '';
      const table =
        document.requests.length === 0
          ? '  (none)'
          : textTable(
              ['ID', 'KIND', 'STATUS', 'RECEIVED', 'DUE', 'CLOSED'],
              document.requests.map((request) => [
                request.requestId,
                request.kind ?? '-',
                request.status,
                zonedMinute(request.receivedAt, zone),
                zonedMinute(request.dueAt, zone),
                zonedMinute(request.closedAt, zone),
              ]),
            );
      output.out(`${header}\nFlags:\n${flagLines}${items}\n\nRequests, oldest first:\n${table}\n`);
      return 0;
    });
  },
};

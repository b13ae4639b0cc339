/**
 * `makul acts show ID [--json]`: the destruction act of an executed erasure or withdrawal and its
 * audit-log extract (Roskomnadzor order No. 179), as the executor wrote it: plain text in Russian and
 * English for printing and for the regulator, or the act as JSON. The act names the subject by the
 * keyed hash; the address only when the operator's profile asked for it when the act was written.
 */
import { DynamoDbErasureRegister } from '../../functions/adapters/dynamodb/erasure-register';
import { renderDestructionAct } from '../../functions/domain/fulfilment/destruction-act';
import type { CliCommand } from './command';
import { withOpsRegister } from './ops-register';
import { requestIdOf } from './ops-text';

const USAGE = 'makul acts show ID (the request id, or the act id DA-MK-…)';

export const actsShowCommand: CliCommand = {
  name: 'acts show',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Prints the destruction act of request ID (an executed erasure or consent withdrawal) and the
extract of its audit log: the operator, who destroyed what in which information system, the method,
the ground (the request and the statute) and the date. Acts are kept 3 years.

  --json   the act as one JSON document

Exit codes: 0 printed, 1 no act (the request is not executed, or the act has expired) or the register
could not be read, 2 usage.`,
  options: {},
  async run({ positionals, global, output }) {
    // An act's id is its request's id with DA- in front (what `erasure run` prints): either is taken.
    const requestId = requestIdOf(
      positionals.map((given) => (given.startsWith('DA-') ? given.slice(3) : given)),
      USAGE,
    );
    return withOpsRegister('acts show', { global, output }, {}, async (target) => {
      const acts = new DynamoDbErasureRegister(target.requestsTable.client, target.requestsTable.name);
      const act = await acts.actOf(requestId);
      if (act === null) {
        output.err(
          `makul acts show: no destruction act for ${requestId} (${target.where}): not executed yet (makul erasure run --dry-run says why), or kept longer than 3 years\n`,
        );
        return 1;
      }
      output.out(global.json ? `${JSON.stringify(act, null, 2)}\n` : renderDestructionAct(act));
      return 0;
    });
  },
};

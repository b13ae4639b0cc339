/**
 * `makul inspect FILE.eml …`: runs the pure part of the inbound pipeline (parse, sender, guard,
 * classify) on raw messages, with no AWS service, and prints one JSON object per line: why did this
 * mail do that?
 */
import { readFileSync } from 'node:fs';
import { decideInbound, type InboundDecision } from '../../functions/domain/mail/decide-inbound';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { type CliCommand, UsageError } from './command';
import { chosenProfile } from './operator-choice';

/** The operators schema's default size cap, for files inspected without an operators file. */
const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface InspectLine {
  readonly file: string;
  readonly action: InboundDecision['action'];
  readonly kind: InboundDecision['kind'];
  readonly language: InboundDecision['language'];
  readonly sender: string | null;
  readonly reason: string | null;
}

export async function inspectMessage(
  file: string,
  raw: Uint8Array,
  profile: DeploymentProfile | null,
): Promise<InspectLine> {
  const operator = profile?.operator;
  // The loop guard's rule, as in the Lambda: the operator's configured addresses and the address the
  // mail was delivered to (here from Delivered-To / X-Original-To), never the header's To or Cc.
  const configured = operator
    ? [...operator.supportAddresses, ...operator.ownAddresses, operator.humanSupportInbox]
    : [];
  const decision = await decideInbound(raw, {
    operatorAddresses: [...configured, ...envelopeRecipientsOf(raw)],
    maxMessageBytes: operator?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ownDataFields: operator?.ownDataFields ?? [],
  });
  return {
    file,
    action: decision.action,
    kind: decision.kind,
    language: decision.language,
    sender: decision.sender,
    reason: decision.reason,
  };
}

/** Headers a delivering server adds with the envelope recipient (RFC 9228 Delivered-To; Postfix). */
const ENVELOPE_RECIPIENT_HEADER = /^(?:delivered-to|x-original-to):[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t]*$/gim;
/** Trace headers sit at the top: a bounded look keeps a huge message cheap. */
const HEADER_SCAN_BYTES = 64 * 1024;

export function envelopeRecipientsOf(raw: Uint8Array): string[] {
  const head = new TextDecoder('latin1').decode(raw.subarray(0, HEADER_SCAN_BYTES));
  const headerEnd = head.search(/\r?\n\r?\n/);
  const headers = headerEnd < 0 ? head : head.slice(0, headerEnd);
  return [...headers.matchAll(ENVELOPE_RECIPIENT_HEADER)].map((match) => (match[1] ?? '').toLowerCase());
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  synopsis: 'makul inspect FILE.eml [FILE.eml …] [--operator ID] [--config PATH]',
  help: `Decides, without any AWS service, what makul would do with each raw message,
and prints one JSON object per line:
  {"file", "action": "process"|"review"|"drop", "kind", "language", "sender", "reason"}

  --operator ID   use this operator's addresses (loop guard) and size cap
                  (default: the first operator in the config file)
  --config PATH   operators file (default: config/operators.json, when present)`,
  options: {},
  async run({ positionals, global, output }) {
    if (positionals.length === 0) throw new UsageError('name at least one .eml file');
    if (
      global.local ||
      global.dataDir !== undefined ||
      global.requestsTable !== undefined ||
      global.subjectsTable !== undefined
    )
      throw new UsageError(
        'inspect reads files, not a register: --local, --data-dir and the table options do not apply',
      );
    const profile = chosenProfile(global);
    let exitCode: 0 | 1 = 0;
    for (const file of positionals) {
      let raw: Uint8Array;
      try {
        raw = readFileSync(file);
      } catch (error) {
        output.err(
          `makul inspect: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`,
        );
        exitCode = 1;
        continue;
      }
      output.out(`${JSON.stringify(await inspectMessage(file, raw, profile))}\n`);
    }
    return exitCode;
  },
};

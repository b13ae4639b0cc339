/**
 * `makul` — the operator's command line.
 *
 *   makul inspect FILE.eml [FILE.eml …] [--operator ID] [--config PATH]
 *
 * Runs the pure part of the inbound pipeline (parse, sender, guard, classify) on raw messages, with
 * no AWS service, and prints one JSON object per line: why did this mail do that?
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decideInbound, type InboundDecision } from '../functions/domain/mail/decide-inbound';
import {
  type DeploymentProfile,
  deploymentProfiles,
  parseOperatorsFile,
} from '../functions/domain/operators/operator-profile';

const USAGE = `Usage: makul inspect FILE.eml [FILE.eml …] [--operator ID] [--config PATH]

Decides, without any AWS service, what makul would do with each raw message,
and prints one JSON object per line:
  {"file", "action": "process"|"review"|"drop", "kind", "language", "sender", "reason"}

  --operator ID   use this operator's addresses (loop guard) and size cap
                  (default: the first operator in the config file)
  --config PATH   operators file (default: config/operators.json, when present)`;

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
  const decision = await decideInbound(raw, {
    operatorAddresses: operator
      ? [...operator.supportAddresses, ...operator.ownAddresses, operator.humanSupportInbox]
      : [],
    maxMessageBytes: operator?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
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

function loadProfile(
  configPath: string | undefined,
  operatorId: string | undefined,
): DeploymentProfile | null {
  const path = configPath ?? 'config/operators.json';
  if (!existsSync(path)) {
    if (configPath || operatorId) throw new Error(`operators file not found: ${path}`);
    return null;
  }
  const profiles = deploymentProfiles(parseOperatorsFile(JSON.parse(readFileSync(path, 'utf8')), path));
  if (!operatorId) return profiles[0] ?? null;
  const profile = profiles.find((candidate) => candidate.operator.id === operatorId);
  if (!profile) {
    throw new Error(
      `no operator "${operatorId}" in ${path}; known: ${profiles.map((p) => p.operator.id).join(', ')}`,
    );
  }
  return profile;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`makul: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...files] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  if (command !== 'inspect') {
    process.stderr.write(`makul: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`makul inspect: name at least one .eml file\n\n${USAGE}\n`);
    return 2;
  }
  let profile: DeploymentProfile | null;
  try {
    profile = loadProfile(values.config, values.operator);
  } catch (error) {
    process.stderr.write(`makul inspect: ${(error as Error).message}\n`);
    return 2;
  }
  let exitCode = 0;
  for (const file of files) {
    let raw: Uint8Array;
    try {
      raw = readFileSync(file);
    } catch (error) {
      process.stderr.write(
        `makul inspect: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`,
      );
      exitCode = 1;
      continue;
    }
    process.stdout.write(`${JSON.stringify(await inspectMessage(file, raw, profile))}\n`);
  }
  return exitCode;
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      operator: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * `npm run demo`: sends every sample request in examples/ through the running local stack's SMTP
 * listener, one at a time, and prints what makul did with each: its request id, kind and language,
 * the decision and its reason, and what was sent (the reply's subject, "forwarded to humans" or
 * "nothing sent"). Start the stack first with `npm start`.
 *
 * How it follows a message: the listener answers DATA with "queued as <SES message id>", the
 * register's id is derived from that id (functions/domain/requests/request-id.ts), the entry is read
 * from DynamoDB Local with the CLI's reader (bin/cli/ops-register.ts) until its outbound message is
 * settled, and a reply is found in the SES emulator's store by the request id in its subject.
 *
 * It never prints a sender's address: lines name files, ids, kinds, decisions and the reply's subject.
 * The subject, not the body's first line: that is the greeting ("Hello,", «Здравствуйте!»), the same
 * for every reply in a language, while the subject says what was done; it is built from the kind's
 * name and the request id only (functions/domain/replies/reply-templates.ts), never from the mail, so
 * it carries no address (a line with an "@" would be hidden all the same).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RegisteredRequest } from '../functions/domain/requests/registered-request';
import { requestIdFor } from '../functions/domain/requests/request-id';
import {
  chooseOperator,
  DEFAULT_OPERATORS_FILE,
  loadOperatorProfiles,
} from '../functions/shared/operators-file';
import { asSentNow, type ExampleFile, exampleFiles, fromAddressOf, readExample } from '../local/examples';
import {
  DEFAULT_DATA_FOLDER,
  LocalStackNotReadyError,
  type LocalStackState,
  NoLocalStackError,
  runningLocalStack,
} from '../local/local-stack-state';
import { sendMail } from '../local/smtp-client';
import { type OpsRegister, openOpsRegister } from './cli/ops-register';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `npm run demo -- [options]

Sends the sample requests in examples/ (one per request kind and language) to the running local
stack (npm start) and prints, for each, the request id, kind, decision and what was sent.

  --data-dir DIR    the local stack's data folder (default ${DEFAULT_DATA_FOLDER})
  --timeout N       seconds to wait for each message's decision (default 30)
  --help            this text

Exit status: 0 when every example was decided as its file name says within the timeout, 1 otherwise
(or when no local stack runs), 2 for a usage mistake.
`;

interface DemoOptions {
  readonly dataDirectory: string;
  readonly timeoutMs: number;
}

function readOptions(argv: readonly string[]): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'data-dir': { type: 'string', default: DEFAULT_DATA_FOLDER },
      timeout: { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600)
    throw new UsageError(`--timeout must be a number of seconds (at most 600), got "${values.timeout}"`);
  return { dataDirectory: resolve(REPOSITORY_ROOT, values['data-dir']), timeoutMs: timeout * 1000 };
}

class UsageError extends Error {}

/** What happened to one example, for its line and the summary. */
interface Outcome {
  readonly line: string;
  /** The SMTP listener took the message. */
  readonly accepted: boolean;
  /** The register has its entry, with the outbound message settled. */
  readonly decided: boolean;
  /** Decided with the kind and language its file name says. */
  readonly asNamed: boolean;
  /** What went out: a reply, a forward to humans, nothing owed, or something still waiting or unknown. */
  readonly sent: 'reply' | 'forward' | 'none' | 'waiting';
}

const failed = (line: string, accepted = false): Outcome => ({
  line,
  accepted,
  decided: false,
  asNamed: false,
  sent: 'waiting',
});

/** The register entry as its line shows it: ids, kind, language, decision and status, never an address. */
function decisionText(entry: RegisteredRequest): string {
  const kind = entry.kind === null ? 'no kind' : `${entry.kind} (${entry.language ?? '?'})`;
  return `${entry.requestId}: ${kind}, ${entry.action} (${hideAddress(entry.reason)}), status ${entry.status}`;
}

function hideAddress(text: string): string {
  return text.includes('@') ? '[hidden]' : text;
}

/** The outbound message is settled: sent, deferred, in doubt or not owed. */
function settled(entry: RegisteredRequest): boolean {
  return entry.outboundState !== 'pending' && entry.outboundState !== 'sending';
}

interface SentEmail {
  readonly subject?: string;
}

/** The first message the SES emulator recorded whose subject names the request (the reply comes first). */
async function sentSubjectFor(sesEndpoint: string, requestId: string): Promise<string | null> {
  const response = await fetch(`${sesEndpoint}/store`);
  if (!response.ok) throw new Error(`the SES emulator's GET /store answered ${response.status}`);
  const store = (await response.json()) as { emails?: SentEmail[] };
  const found = (store.emails ?? []).find((email) => email.subject?.includes(requestId) === true);
  return found?.subject ?? null;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForDecision(
  register: OpsRegister,
  requestId: string,
  timeoutMs: number,
): Promise<RegisteredRequest | null> {
  const deadline = Date.now() + timeoutMs;
  let last: RegisteredRequest | null = null;
  for (;;) {
    last = await register.register.get(requestId);
    if (last !== null && settled(last)) return last;
    if (Date.now() >= deadline) return last;
    await delay(150);
  }
}

/** What was sent for a settled entry, as its line ends. */
async function sentText(entry: RegisteredRequest, state: LocalStackState): Promise<string> {
  if (entry.outbound === 'none') return 'nothing sent';
  const what = entry.outbound === 'reply' ? 'reply' : 'forward to humans';
  switch (entry.outboundState) {
    case 'deferred':
      return `${what} deferred: a rate limit is reached (the deferred-outbound job sends it later)`;
    case 'in-doubt':
      return `${what} in doubt after an interrupted send, not sent again`;
    case 'skipped':
      return 'nothing sent';
    default:
      break;
  }
  if (entry.outbound === 'forward') return 'forwarded to humans';
  // The reply is recorded as sent once SES took it: it is in the store by now (a moment's grace).
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const subject = await sentSubjectFor(state.sesEndpoint, entry.requestId);
    if (subject !== null) return `reply: “${hideAddress(subject)}”`;
    await delay(100);
  }
  return 'reply sent, but not found in the SES emulator (was its store cleared?)';
}

async function demoOne(
  example: ExampleFile,
  index: number,
  state: LocalStackState,
  supportAddress: string,
  register: OpsRegister,
  timeoutMs: number,
): Promise<Outcome> {
  const original = readExample(example);
  const sender = fromAddressOf(original);
  if (sender === null) return failed('no From address to send from');
  const messageId = `<demo-${Date.now()}-${index}-${randomBytes(4).toString('hex')}@example.com>`;
  const [host = '127.0.0.1', port = ''] = state.smtp.split(/:(?=\d+$)/);
  const { rcptReplies, dataReply } = await sendMail(
    Number(port),
    { from: sender, to: [supportAddress], message: asSentNow(original, messageId, new Date()) },
    host,
  );
  if (dataReply === null || !dataReply.startsWith('250')) {
    // SMTP replies may echo what was sent: only the code is shown.
    const reply = dataReply ?? rcptReplies[0] ?? '';
    return failed(`not accepted by the SMTP listener (${reply.slice(0, 3) || 'no reply'})`);
  }
  const sesMessageId = /queued as (\S+)/.exec(dataReply)?.[1];
  if (sesMessageId === undefined)
    return failed('accepted, but the listener did not say what it queued the message as', true);
  const requestId = requestIdFor(sesMessageId);
  const entry = await waitForDecision(register, requestId, timeoutMs);
  const seconds = Math.round(timeoutMs / 1000);
  if (entry === null)
    return failed(`${requestId}: no decision within ${seconds} s (see the stack's output)`, true);
  if (!settled(entry))
    return failed(
      `${decisionText(entry)} → its outbound message is still ${entry.outboundState} after ${seconds} s`,
      true,
    );
  const asNamed = entry.kind === example.kind && entry.language === example.language;
  const mismatch = asNamed ? '' : ` [expected ${example.kind} (${example.language})]`;
  return {
    line: `${decisionText(entry)}${mismatch} → ${await sentText(entry, state)}`,
    accepted: true,
    decided: true,
    asNamed,
    sent:
      entry.outbound === 'none' || entry.outboundState === 'skipped'
        ? 'none'
        : entry.outboundState === 'sent'
          ? entry.outbound
          : 'waiting',
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let options: DemoOptions | 'help';
  try {
    options = readOptions(argv);
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let state: LocalStackState;
  try {
    state = runningLocalStack(options.dataDirectory);
  } catch (error) {
    if (error instanceof NoLocalStackError) {
      const option =
        options.dataDirectory === resolve(REPOSITORY_ROOT, DEFAULT_DATA_FOLDER)
          ? ''
          : ` -- --data-dir ${options.dataDirectory}`;
      process.stderr.write(
        `demo: no local stack is running on ${options.dataDirectory}: start it with npm start${option}, then run the demo again\n`,
      );
      return 1;
    }
    if (error instanceof LocalStackNotReadyError) {
      process.stderr.write(`demo: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // The stack runs an operator of the project's operators file (bin/local-stack.ts); its first
  // support address is the one the stack prints and accepts.
  const profile = chooseOperator(
    loadOperatorProfiles(resolve(REPOSITORY_ROOT, DEFAULT_OPERATORS_FILE)),
    state.operator,
    DEFAULT_OPERATORS_FILE,
  );
  const supportAddress = profile.operator.supportAddresses[0] ?? profile.operator.humanSupportInbox;
  const register = await openOpsRegister({
    operator: undefined,
    config: undefined,
    local: true,
    dataDir: options.dataDirectory,
    requestsTable: undefined,
    subjectsTable: undefined,
    hmacSecretArn: undefined,
    json: false,
  });
  const examples = exampleFiles();
  process.stdout.write(
    `demo: ${examples.length} sample requests from examples/ to ${supportAddress} ` +
      `(operator ${state.operator}, SMTP ${state.smtp}); local mail has GRAY verdicts, so kinds that ` +
      'need proof of sender get a confirmation link\n',
  );
  const outcomes: Outcome[] = [];
  const width = examples.reduce((widest, example) => Math.max(widest, example.fileName.length), 0);
  try {
    for (const [index, example] of examples.entries()) {
      let outcome: Outcome;
      try {
        outcome = await demoOne(example, index, state, supportAddress, register, options.timeoutMs);
      } catch (error) {
        const reason =
          (error as NodeJS.ErrnoException).code === 'ECONNREFUSED'
            ? `cannot reach the local stack (SMTP ${state.smtp}): is it still running?`
            : hideAddress(register.explain(error));
        outcome = failed(`failed: ${reason}`);
      }
      outcomes.push(outcome);
      const position = `[${String(index + 1).padStart(2)}/${examples.length}]`;
      process.stdout.write(`${position} ${example.fileName.padEnd(width)} → ${outcome.line}\n`);
    }
  } finally {
    register.close();
  }
  const count = (test: (outcome: Outcome) => boolean) => outcomes.filter(test).length;
  const decided = count((outcome) => outcome.decided);
  const notAsNamed = count((outcome) => outcome.decided && !outcome.asNamed);
  const waiting = count((outcome) => outcome.decided && outcome.sent === 'waiting');
  const summary = [
    `${count((outcome) => outcome.accepted)} sent`,
    `${decided} decided`,
    `${count((outcome) => outcome.sent === 'reply')} replies`,
    `${count((outcome) => outcome.sent === 'forward')} forwarded`,
    `${count((outcome) => outcome.sent === 'none')} nothing sent`,
    ...(waiting > 0 ? [`${waiting} deferred or in doubt`] : []),
    ...(notAsNamed > 0 ? [`${notAsNamed} not decided as named`] : []),
  ];
  process.stdout.write(`demo: ${summary.join(', ')}\n`);
  process.stdout.write(`Replies and forwards: ${state.sesWebPage}\n`);
  return decided === examples.length && notAsNamed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${hideAddress(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  },
);

/**
 * `npm start`: the whole product on this machine, every function through its real handler, with real
 * parts where it matters.
 *
 *   curl smtp:// ─▶ SMTP listener ─▶ S3 emulator (raw mail) ─▶ SQS-shaped event ─▶ λ inbound-email
 *                                                                   ├─▶ DynamoDB Local (register)
 *                                                                   └─▶ SES v2 emulator (replies, web page)
 *   browser ─▶ local HTTP API (payload 2.0 events, local/http-pages.ts) ─▶ λ pages
 *   curl ─────▶ the same server, /v1/subjects…, /v1/suppressions… (no SigV4) ─▶ λ status-api
 *   curl ─────▶ the same server, /v1/requests/… (no SigV4) ──────────────▶ λ systems-api
 *   DynamoDB Local streams (local/stream-poller.ts) ─▶ λ status-changes, λ fulfilment-tasks
 *   timers and keys typed here (local/scheduled-jobs.ts) ─▶ λ deferred-outbound, deadline-monitor,
 *                                                           erasure-executor
 *
 * Links in replies point at the local HTTP API: the profile's confirmBaseUrl is replaced with
 * http://127.0.0.1:<--http-port> for every function the stack runs.
 * Everything listens on 127.0.0.1. Data lives in .local-stack/ (git-ignored): the database, the raw
 * mail, the sent mail the SES emulator shows, the dead-letter folder and the local HMAC key; --fresh
 * starts from nothing and keeps the database in memory. One stack at a time per data folder
 * (local/data-folder-lock.ts). Ctrl-C stops it all after the messages in progress, however many times
 * npm and tsx pass the signal on (local/signal-presses.ts). While it runs, local-stack.json in the
 * data folder says where its services listen, for `makul … --local` (local/local-stack-state.ts).
 * What it prints names requests by id and decision, never by address.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDeadlineMonitorHandler } from '../functions/deadline-monitor/handler';
import { createDeferredOutboundHandler } from '../functions/deferred-outbound/handler';
import type { DeploymentProfile } from '../functions/domain/operators/operator-profile';
import { createErasureExecutorHandler } from '../functions/erasure-executor/handler';
import { createFulfilmentTasksHandler } from '../functions/fulfilment-tasks/handler';
import { createInboundHandler } from '../functions/inbound-email/handler';
import { createPagesHandler } from '../functions/pages/handler';
import { MAX_RECEIVE_COUNT } from '../functions/shared/config';
import { functionEnvironment } from '../functions/shared/function-environment';
import type { LogFields, Logger } from '../functions/shared/log';
import {
  chooseOperator,
  DEFAULT_OPERATORS_FILE,
  loadOperatorProfiles,
} from '../functions/shared/operators-file';
import { createStatusApiHandler } from '../functions/status-api/handler';
import { createStatusChangesHandler } from '../functions/status-changes/handler';
import { createSystemsApiHandler } from '../functions/systems-api/handler';
import { LOCK_FILE_NAME, lockDataFolder } from '../local/data-folder-lock';
import { decisionLine, eventLine } from '../local/decision-line';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { startEventBridgeStandIn } from '../local/eventbridge-stand-in';
import { asSentNow, exampleFiles, fromAddressOf, readExample } from '../local/examples';
import { DEFAULT_HTTP_PAGES_PORT, type PagesHttpHandler, startHttpPages } from '../local/http-pages';
import {
  DEFAULT_DEFERRED_EVERY_SECONDS,
  DEFAULT_JOBS_EVERY_SECONDS,
  deferredRunLine,
  erasureRunLine,
  monitorRunLine,
  onlyWhenChanged,
} from '../local/job-lines';
import { localLambdaContext } from '../local/lambda-context';
import {
  DEFAULT_DATA_FOLDER,
  removeLocalStackState,
  stateFilePath,
  writeLocalStackState,
} from '../local/local-stack-state';
import { endpointFor, LOCAL_CREDENTIALS, type LocalServiceHandle, portInUse } from '../local/loopback';
import { createMakulTables } from '../local/makul-tables';
import { startS3Emulator } from '../local/s3-emulator';
import { type ScheduledJob, startScheduledJob } from '../local/scheduled-jobs';
import { startSesEmulator } from '../local/ses-emulator';
import { createSignalPresses } from '../local/signal-presses';
import { startSmtpInbound } from '../local/smtp-inbound';
import { StreamPoller } from '../local/stream-poller';
import { ensureSystemRequirements } from '../local/system-requirements';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPERATORS_FILE = join(REPOSITORY_ROOT, DEFAULT_OPERATORS_FILE);

const DEFAULT_DYNAMODB_PORT = 8000;

const USAGE = `npm start -- [options]

  --operator ID     operator from config/operators.json (default: the first one)
  --smtp-port N     port of the SMTP listener (default 2525)
  --ses-port N      port of the SES emulator and its web page (default 8005)
  --http-port N     port of the local HTTP API: pages, status API, systems API (default ${DEFAULT_HTTP_PAGES_PORT})
  --dynamodb-port N port of DynamoDB Local (default ${DEFAULT_DYNAMODB_PORT})
  --data-dir DIR    local data folder (default .local-stack)
  --fresh           start from nothing: delete the local data (database, raw mail, sent mail,
                    dead letters, HMAC key) and keep the database in memory only
  --deferred-every N
                    run the deferred-outbound job every N seconds (default ${DEFAULT_DEFERRED_EVERY_SECONDS};
                    production runs it every minute)
  --jobs-every N    run the deadline monitor and the erasure executor every N seconds (default
                    ${DEFAULT_JOBS_EVERY_SECONDS}; production: hourly and every 15 minutes)
  --verbose         also print the handlers' own JSON log lines
  --help            this text
`;

interface StackOptions {
  readonly operatorId: string | undefined;
  readonly smtpPort: number;
  readonly sesPort: number;
  readonly httpPort: number;
  readonly dynamodbPort: number;
  readonly dataDirectory: string;
  readonly fresh: boolean;
  readonly verbose: boolean;
  readonly deferredEverySeconds: number;
  readonly jobsEverySeconds: number;
}

function portNumber(text: string, option: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${option} must be a port number, got "${text}"`);
  return port;
}

function readOptions(argv: readonly string[]): StackOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      operator: { type: 'string' },
      'smtp-port': { type: 'string', default: '2525' },
      'ses-port': { type: 'string', default: '8005' },
      'http-port': { type: 'string', default: String(DEFAULT_HTTP_PAGES_PORT) },
      'dynamodb-port': { type: 'string', default: String(DEFAULT_DYNAMODB_PORT) },
      'data-dir': { type: 'string', default: DEFAULT_DATA_FOLDER },
      fresh: { type: 'boolean', default: false },
      'deferred-every': { type: 'string', default: String(DEFAULT_DEFERRED_EVERY_SECONDS) },
      'jobs-every': { type: 'string', default: String(DEFAULT_JOBS_EVERY_SECONDS) },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    operatorId: values.operator,
    smtpPort: portNumber(values['smtp-port'], '--smtp-port'),
    sesPort: portNumber(values['ses-port'], '--ses-port'),
    httpPort: portNumber(values['http-port'], '--http-port'),
    dynamodbPort: portNumber(values['dynamodb-port'], '--dynamodb-port'),
    dataDirectory: resolve(REPOSITORY_ROOT, values['data-dir']),
    fresh: values.fresh,
    verbose: values.verbose,
    deferredEverySeconds: everySeconds(values['deferred-every'], '--deferred-every'),
    jobsEverySeconds: everySeconds(values['jobs-every'], '--jobs-every'),
  };
}

function everySeconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 3600)
    throw new Error(`${option} must be a whole number of seconds (1–3600), got "${text}"`);
  return value;
}

/**
 * Every port the stack listens on, checked before anything starts: a port in use fails at once, naming
 * the service and the option that moves it, instead of half a stack starting (or, for DynamoDB Local,
 * another process's database answering in its place).
 */
async function checkPortsFree(options: StackOptions): Promise<void> {
  const wanted = [
    { port: options.smtpPort, service: 'the SMTP listener', option: '--smtp-port' },
    { port: options.sesPort, service: 'the SES v2 emulator', option: '--ses-port' },
    { port: options.httpPort, service: 'the HTTP API', option: '--http-port' },
    { port: options.dynamodbPort, service: 'DynamoDB Local', option: '--dynamodb-port' },
  ];
  const seen = new Map<number, string>();
  for (const { port, option } of wanted) {
    const other = seen.get(port);
    if (other !== undefined)
      throw new Error(`${other} and ${option} both name port ${port}: give each its own`);
    seen.set(port, option);
  }
  const taken: string[] = [];
  for (const { port, service, option } of wanted)
    if (await portInUse(port))
      taken.push(`port ${port} (${service}) is already in use on 127.0.0.1: choose another with ${option} N`);
  if (taken.length > 0) throw new Error(taken.join('\n'));
}

function loadProfile(operatorId: string | undefined): DeploymentProfile {
  if (!existsSync(OPERATORS_FILE))
    throw new Error(`${OPERATORS_FILE} not found: the local stack runs one of its operators`);
  return chooseOperator(loadOperatorProfiles(OPERATORS_FILE), operatorId, DEFAULT_OPERATORS_FILE);
}

/**
 * The profile every local function gets: links in replies point at the local HTTP API, not at the
 * operator's public domain (the profile schema accepts http on 127.0.0.1 for this).
 */
function localProfile(profile: DeploymentProfile, pagesUrl: string): DeploymentProfile {
  return { ...profile, operator: { ...profile.operator, confirmBaseUrl: pagesUrl } };
}

/** One line per status change the processor published: sequence and states, the sid shortened. */
function statusChangeLine(detail: unknown): string {
  const change = detail as {
    sequence: number;
    sid: string;
    marketing: { previous: string; current: string };
    processing: { previous: string; current: string };
    reason: string | null;
  };
  const states = (name: string, state: { previous: string; current: string }) =>
    state.previous === state.current
      ? `${name} ${state.current}`
      : `${name} ${state.previous} → ${state.current}`;
  return `  status change #${change.sequence} (sid ${change.sid.slice(0, 8)}…): ${states('marketing', change.marketing)}, ${states('processing', change.processing)}${change.reason ? ` (${change.reason})` : ''}`;
}

/** The SES emulator's sent mail, kept in the data folder so its page shows it after a restart. */
const SENT_MAIL_FILE = 'sent-mail.jsonl';

/** The IAM identity local calls to the systems API are made as (no SigV4 on 127.0.0.1). */
const LOCAL_SYSTEM_CALLER = 'arn:aws:sts::000000000000:assumed-role/makul-local-system/local';

/**
 * One local HTTP API for both HTTP functions, as two API Gateway APIs are in AWS: the status API under
 * /v1/ (in AWS a private API, signed with SigV4; here unsigned, on 127.0.0.1 only), the pages below
 * everything else.
 */
function httpFunctions(status: PagesHttpHandler, pages: PagesHttpHandler): PagesHttpHandler {
  return (event, context) =>
    event.rawPath.startsWith('/v1/') ? status(event, context) : pages(event, context);
}

/**
 * One HMAC key per local data folder, kept with the data: subjects' keys in DynamoDB Local stay valid
 * across restarts, and --fresh forgets both together. Never used outside this machine.
 */
async function localHmacKey(dataDirectory: string): Promise<string> {
  const path = join(dataDirectory, 'hmac-key');
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim();
  const key = randomBytes(32).toString('hex');
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return key;
}

/** Both functions have a 60 s timeout in production (lib/makul-stack.ts); a handler may read what is left. */
const FUNCTION_TIMEOUT_MS = 60_000;

function lambdaContext(region: string, functionName: string): Context {
  return localLambdaContext({ functionName, region, timeoutMs: FUNCTION_TIMEOUT_MS, memoryMb: 512 });
}

interface HandlerPrinting {
  /** Names the function in its warnings. */
  readonly label: string;
  /** Print the handler's own JSON log lines instead. */
  readonly verbose: boolean;
  /** The inbound handler's 'message handled' fields, per SQS message id: one summary line per mail. */
  readonly handled?: Map<string, LogFields>;
  /**
   * A scheduled function repeats its warnings every run (a calendar year missing): given a set, each
   * warning is printed once per stack.
   */
  readonly warnOnce?: Set<string>;
}

/** Handler warnings about the deployment rather than one message: printed once per stack. */
const ONCE_PER_STACK: ReadonlySet<string> = new Set(['due date counted without the official calendar']);

/**
 * A handler's logger, turned into lines a person follows. Its fields are ids, reasons and keyed
 * hashes by design (functions/shared/log.ts), so they may be printed.
 */
function localHandlerLogger(printing: HandlerPrinting, base: LogFields = {}): Logger {
  const { label, verbose, handled, warnOnce } = printing;
  const emit = (level: string, message: string, fields: LogFields = {}): void => {
    const all = { ...base, ...fields };
    if (message === 'message handled' && typeof all.sqsMessageId === 'string')
      handled?.set(all.sqsMessageId, all);
    const event = level === 'INFO' ? eventLine(message, all) : null;
    if (verbose) process.stdout.write(`    ${JSON.stringify({ level, message, ...all })}\n`);
    else if (event !== null) process.stdout.write(`  ${event}\n`);
    else if (level === 'WARN' || level === 'ERROR') {
      const { awsRequestId: _request, fn: _fn, operator: _operator, ...rest } = all;
      const line = `    ${label} ${level.toLowerCase()}: ${message} ${JSON.stringify(rest)}\n`;
      // A warning about the configuration, not the message, would repeat for every mail: once is enough.
      const once = ONCE_PER_STACK.has(message) ? `${label} ${message}` : line;
      if (warnOnce?.has(once)) return;
      warnOnce?.add(once);
      process.stdout.write(
        ONCE_PER_STACK.has(message) ? `${line.trimEnd()} (said once; it holds for every request)\n` : line,
      );
    }
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    child: (fields) => localHandlerLogger(printing, { ...base, ...fields }),
  };
}

/**
 * The commands the ready block offers to try, each one true for this stack's ports and data folder.
 * The mail files are copies of examples/ written at this start with a fresh Message-ID and Date, as a
 * client sends a new mail: the same message sent twice is a duplicate (dropped, not answered again),
 * so the files in examples/ themselves would work only once per data folder.
 */
async function sampleCommands(stack: {
  readonly smtp: string;
  readonly supportAddress: string;
  readonly httpUrl: string;
  readonly cliTarget: string;
  readonly samplesDirectory: string;
  readonly shown: (path: string) => string;
}): Promise<string[]> {
  await mkdir(stack.samplesDirectory, { recursive: true });
  const now = new Date();
  const sends: { path: string; from: string }[] = [];
  for (const name of ['unsubscribe-ru.eml', 'erasure-ky.eml', 'update-data-en.eml']) {
    const file = exampleFiles().find((candidate) => candidate.fileName === name);
    if (file === undefined) throw new Error(`examples/${name} is missing`);
    const original = readExample(file);
    const path = join(stack.samplesDirectory, name);
    const messageId = `<local-sample-${now.getTime()}-${sends.length}@example.com>`;
    await writeFile(path, asSentNow(original, messageId, now));
    sends.push({ path: stack.shown(path), from: fromAddressOf(original) ?? 'you@example.com' });
  }
  const asked = sends[0]?.from ?? 'you@example.com';
  return [
    'Send a request (curl speaks SMTP; fresh copies of examples/, which has one per kind and language;',
    'npm run demo sends them all):',
    ...sends.map(
      ({ path, from }) =>
        `  curl -sS smtp://${stack.smtp} --mail-from ${from} --mail-rcpt ${stack.supportAddress} -T ${path}`,
    ),
    'Ask the status API, as a marketing system would:',
    `  curl -sS '${stack.httpUrl}/v1/subjects/status?email=${asked}'`,
    `  curl -sS '${stack.httpUrl}/v1/suppressions/changes?limit=10'`,
    'Operate, as ops would:',
    `  npx makul ${stack.cliTarget} requests list`,
    `  npx makul ${stack.cliTarget} requests show MK-…   (an id from the lines below)`,
    `  npx makul ${stack.cliTarget} erasure run`,
  ];
}

/**
 * On demand: a line typed into the terminal that runs the stack (`m`, `e` or `d`, then Enter) runs that
 * job now, after a run in progress, as invoking the function by hand does in AWS. The same runs are
 * open to scripts as `makul monitor --local` and `makul erasure run --local`.
 */
function runJobsOnDemand(
  jobs: Record<string, ScheduledJob>,
  report: (line: string) => void,
): { close(): void } {
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on('line', (line) => {
    const key = line.trim().toLowerCase();
    if (key === '') return;
    const job = jobs[key];
    if (job === undefined) {
      report(
        `type ${Object.entries(jobs)
          .map(([k, j]) => `${k} (${j.name})`)
          .join(', ')} and Enter to run a job now`,
      );
      return;
    }
    report(`${job.name}: run now, as asked`);
    void job.runNow();
  });
  // Standard input closed (a script, or no terminal): jobs still run on their timers.
  lines.on('error', () => undefined);
  return { close: () => lines.close() };
}

/** --fresh: everything in the data folder goes, except the lock this process holds (and others' attempts at it). */
async function clearDataFolder(dataDirectory: string): Promise<void> {
  for (const entry of await readdir(dataDirectory)) {
    if (!entry.startsWith(LOCK_FILE_NAME))
      await rm(join(dataDirectory, entry), { recursive: true, force: true });
  }
}

/**
 * Ctrl-C. One press can reach this process several times (the terminal signals npm, tsx and node, and
 * npm and tsx pass it on): copies within a moment of the first are ignored. Until the stack is ready
 * there is nothing to drain and a signal ends it at once; after that the first one stops it cleanly
 * (stopCleanly, set once ready) and only a later, second press quits at once.
 */
function handleStopSignals(): { stopCleanlyWith(stop: (signal: NodeJS.Signals) => void): void } {
  const press = createSignalPresses();
  let stopCleanly: ((signal: NodeJS.Signals) => void) | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    const which = press();
    if (which === 'same-press') return;
    if (stopCleanly === null) {
      process.stdout.write(`\n${signal} while starting: quitting\n`);
      process.exit(130);
    }
    if (which === 'again') {
      // DynamoDB Local is killed by the exit hook in local/dynamodb-local.ts; the lock is released by ours.
      process.stdout.write(
        `\n${signal} again: quitting at once (messages in progress are left unfinished)\n`,
      );
      process.exit(130);
    }
    stopCleanly(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopCleanlyWith: (stop) => {
      stopCleanly = stop;
    },
  };
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // Before any service starts: a Java 17+ JDK with javac (installed with apt-get when root on Debian),
  // else an error saying exactly what to install, which main().catch prints before exiting 1.
  await ensureSystemRequirements({ for: 'stack', report: (line) => process.stdout.write(`${line}\n`) });
  const startedAt = Date.now();
  const signals = handleStopSignals();
  const pagesUrl = endpointFor(options.httpPort);
  const profile = localProfile(loadProfile(options.operatorId), pagesUrl);
  const { operator } = profile;
  const region = operator.env.region;
  const data = options.dataDirectory;
  await mkdir(data, { recursive: true });
  // Before anything touches the folder, --fresh included: another stack may be using it.
  const lock = lockDataFolder(data);
  process.once('exit', () => {
    removeLocalStackState(data);
    lock.release();
  });
  await checkPortsFree(options);
  if (options.fresh) await clearDataFolder(data);
  const hmacKey = await localHmacKey(data);
  const report = (line: string): void => {
    process.stdout.write(`  ${line}\n`);
  };

  process.stdout.write(
    `makul local stack: operator ${operator.id} (${profile.jurisdiction.id}), data in ${data}\n`,
  );
  if (lock.staleLock !== null) {
    const holder = lock.staleLock.pid === null ? 'a lock naming no process' : `PID ${lock.staleLock.pid}`;
    report(`data folder: took over the lock left by ${holder}, which is no longer running`);
  }
  const running: LocalServiceHandle[] = [];
  const tables = {
    requestsTableName: `makul-${operator.id}-requests`,
    subjectsTableName: `makul-${operator.id}-subjects`,
  };
  const bucketName = `makul-${operator.id}-raw-mail-local`;

  // DynamoDB Local's JVM is the slow part: start the three services side by side. With --fresh the
  // database lives in memory: nothing of this run is kept.
  const track = <T extends LocalServiceHandle>(service: T): T => {
    running.push(service);
    return service;
  };
  const [dynamo, ses, s3] = await Promise.all([
    startDynamoDbLocal({
      port: options.dynamodbPort,
      ...(options.fresh ? { inMemory: true } : { dataDirectory: join(data, 'dynamodb') }),
      report,
    }).then(track),
    startSesEmulator({ port: options.sesPort, sentMailFile: join(data, SENT_MAIL_FILE), report }).then(track),
    startS3Emulator({ bucketName, dataDirectory: join(data, 's3'), report }).then(track),
  ]).catch(async (error: unknown) => {
    await Promise.all(running.map((service) => service.stop()));
    throw error;
  });
  await createMakulTables(dynamo.endpoint, tables);
  // The status-change processor publishes each change to EventBridge: locally a stand-in on 127.0.0.1
  // takes the events (local/eventbridge-stand-in.ts), and the stack prints one line for each.
  const eventBridge = track(await startEventBridgeStandIn({ report }));

  // The settings the handler reads (functions/shared/config.ts), pointed at the local services.
  // Given to the handler as its environment rather than written into this process's: real AWS
  // settings from the shell (a profile, a session token, HMAC_SECRET_ARN) cannot leak in.
  const environment: NodeJS.ProcessEnv = {
    ...functionEnvironment({
      profile,
      ...tables,
      rawMailBucketName: bucketName,
      hmac: { key: hmacKey },
      region,
      endpoints: {
        dynamodb: dynamo.endpoint,
        sesv2: ses.endpoint,
        s3: s3.endpoint,
        eventBridge: eventBridge.endpoint,
      },
      eventBusName: `makul-${operator.id}-status`,
    }),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  // The same wiring as functions/inbound-email/index.ts (which builds it from process.env), with a
  // logger that prints for a person.
  const handled = new Map<string, LogFields>();
  const inboundHandler = createInboundHandler(
    environment,
    localHandlerLogger({ label: 'handler', verbose: options.verbose, handled, warnOnce: new Set() }),
  );
  // The scheduled job's handler, as functions/deferred-outbound/index.ts builds it.
  const deferredHandler = createDeferredOutboundHandler(
    environment,
    localHandlerLogger({ label: 'deferred-outbound', verbose: options.verbose }),
  );
  // The public pages' and the status API's handlers, behind the local HTTP API started below.
  const pagesFunction = createPagesHandler(
    environment,
    localHandlerLogger({ label: 'pages', verbose: options.verbose }),
  );
  const statusApiFunction = createStatusApiHandler(
    environment,
    localHandlerLogger({ label: 'status-api', verbose: options.verbose }),
  );
  // The systems API (in AWS an API of its own, SigV4) shares /v1/ here: /v1/requests/… goes to it, as
  // a caller that names no system's role (a system with callerRoleArn is answered 403 locally).
  const systemsFunction = createSystemsApiHandler(
    environment,
    localHandlerLogger({ label: 'systems-api', verbose: options.verbose }),
  );
  const statusFunction: typeof statusApiFunction = (event, context) =>
    event.rawPath.startsWith('/v1/requests/')
      ? systemsFunction(
          {
            ...event,
            requestContext: {
              ...event.requestContext,
              authorizer: { iam: { userArn: LOCAL_SYSTEM_CALLER } },
            } as typeof event.requestContext,
          },
          context,
        )
      : statusApiFunction(event, context);

  const deliver = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const sentBefore = (await ses.sentEmails()).length;
    const response = await inboundHandler(event, lambdaContext(region, 'makul-inbound-email-local'));
    const sentAfter = (await ses.sentEmails()).length;
    for (const record of event.Records) {
      const failed = response.batchItemFailures.some((item) => item.itemIdentifier === record.messageId);
      const attempt = `receive ${record.attributes.ApproximateReceiveCount}`;
      report(
        failed
          ? `  handler: failed (${attempt}); see the handler lines above`
          : `  handler: ${decisionLine(handled.get(record.messageId))}; SES emulator: +${sentAfter - sentBefore} message(s) (${attempt})`,
      );
      handled.delete(record.messageId);
    }
    return response;
  };

  const smtp = await startSmtpInbound({
    supportAddresses: operator.supportAddresses,
    rawMailStore: s3,
    deliver,
    deadLetterDirectory: join(data, 'dead-letters'),
    port: options.smtpPort,
    region,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    report,
  });
  // The subjects table's stream, read as Lambda's event source mapping reads it, into the real
  // status-change processor: the change feed and the events of the status API.
  const statusChangesHandler = createStatusChangesHandler(
    environment,
    localHandlerLogger({ label: 'status-changes', verbose: options.verbose }),
  );
  const streamPoller = new StreamPoller({
    endpoint: dynamo.endpoint,
    tableName: tables.subjectsTableName,
    report,
    handler: async (event) => {
      const published = eventBridge.events.length;
      const response = await statusChangesHandler(event, lambdaContext(region, 'makul-status-changes-local'));
      for (const change of eventBridge.events.slice(published)) report(statusChangeLine(change.detail));
      return response;
    },
  });
  streamPoller.start();
  // The requests table's stream into the real fulfilment-task processor: tasks for requests that become
  // in progress, and their events (docs/events/fulfilment-task-created.md) on the EventBridge stand-in.
  const fulfilmentTasksHandler = createFulfilmentTasksHandler(
    environment,
    localHandlerLogger({ label: 'fulfilment-tasks', verbose: options.verbose }),
  );
  const tasksPoller = new StreamPoller({
    endpoint: dynamo.endpoint,
    tableName: tables.requestsTableName,
    report,
    handler: (event) => fulfilmentTasksHandler(event, lambdaContext(region, 'makul-fulfilment-tasks-local')),
  });
  tasksPoller.start();
  // Last: the pages act on the register, so everything they call is up before a link can be opened.
  const http = await startHttpPages({
    handler: httpFunctions(statusFunction, pagesFunction),
    port: options.httpPort,
    region,
    log: report,
  });

  const supportAddress = operator.supportAddresses[0] ?? '';
  // Paths as a person would type them from here: relative inside the current folder, else absolute.
  const shown = (path: string): string => {
    const fromHere = relative(process.cwd(), path);
    return fromHere.startsWith('..') ? path : fromHere;
  };

  // Where it all listens, for `makul … --local`; written once everything answers, removed on stop.
  writeLocalStackState({
    pid: process.pid,
    startedAt: new Date(startedAt).toISOString(),
    dataDirectory: data,
    operator: operator.id,
    jurisdiction: profile.jurisdiction.id,
    region,
    dynamodbEndpoint: dynamo.endpoint,
    ...tables,
    sesEndpoint: ses.endpoint,
    sesWebPage: ses.webPageUrl,
    s3Endpoint: s3.endpoint,
    rawMailBucketName: bucketName,
    smtp: `${smtp.host}:${smtp.port}`,
    pagesUrl: http.url,
    deferredOutboundEverySeconds: options.deferredEverySeconds,
  });
  const dataDirOption =
    data === resolve(REPOSITORY_ROOT, DEFAULT_DATA_FOLDER) ? '' : ` --data-dir ${shown(data)}`;

  const smtpAddress = `${smtp.host}:${smtp.port}`;
  const tryIt = await sampleCommands({
    samplesDirectory: join(data, 'samples'),
    smtp: smtpAddress,
    supportAddress,
    httpUrl: http.url,
    cliTarget: `--local${dataDirOption}`,
    shown,
  });
  process.stdout.write(
    [
      '',
      `makul local stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (operator ${operator.id}, ${profile.jurisdiction.id})`,
      `support address: ${supportAddress}`,
      `  SMTP (inbound mail)  ${smtpAddress}  plays SES receiving for ${operator.supportAddresses.join(', ')}`,
      `  SES v2 emulator      ${ses.webPageUrl}  ← every mail makul sent, kept across restarts (JSON: ${ses.endpoint}/store)`,
      `  pages                ${http.url}/  ← links in replies (confirm, "not me", one-click unsubscribe) open here`,
      `  status API           ${http.url}/v1/subjects/…, /v1/suppressions/…  ← marketing systems ask here`,
      `  systems API          ${http.url}/v1/requests/…  ← the operator's systems read requests and answer tasks`,
      '                       (both APIs without SigV4 here, on 127.0.0.1 only; in AWS private and signed)',
      `  DynamoDB Local       ${dynamo.endpoint}  tables ${tables.requestsTableName}, ${tables.subjectsTableName}${options.fresh ? ' (in memory: --fresh)' : ''}`,
      `  S3 emulator          ${s3.endpoint}  bucket ${bucketName} (raw mail)`,
      `  streams              status-changes (events on the EventBridge stand-in ${eventBridge.endpoint}), fulfilment-tasks`,
      `  scheduled jobs       deferred-outbound every ${options.deferredEverySeconds} s; deadline-monitor and erasure-executor every ${options.jobsEverySeconds} s`,
      '                       (production: every minute, hourly, every 15 min); type d, m or e and Enter to run one now',
      `  state file           ${shown(stateFilePath(data))}  ← where npx makul … --local finds this stack`,
      '',
      ...tryIt,
      '',
      'Local mail is not scanned or authenticated: its verdicts are GRAY unless the message carries an',
      'X-Makul-Local-Verdicts header (docs/local-stack.md), so kinds that need proof of sender ask for a',
      `confirmed link instead of acting. Messages that fail ${MAX_RECEIVE_COUNT} times go to ${shown(join(data, 'dead-letters'))}.`,
      'One line per event follows (message decided, page acted on, job run), with ids, never addresses. Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  // The scheduled functions, through their real handlers, as their schedules invoke them.
  const monitorHandler = createDeadlineMonitorHandler(
    environment,
    localHandlerLogger({ label: 'deadline-monitor', verbose: options.verbose, warnOnce: new Set() }),
  );
  const erasureHandler = createErasureExecutorHandler(
    environment,
    localHandlerLogger({ label: 'erasure-executor', verbose: options.verbose, warnOnce: new Set() }),
  );
  // Each as its schedule invokes it: an empty event, and the function's own name in the context.
  const scheduled = <T>(
    name: string,
    everySeconds: number,
    handler: (event: unknown, context: Context) => Promise<T>,
    line: (report: T) => string | null,
  ): ScheduledJob =>
    startScheduledJob({
      name,
      everyMs: everySeconds * 1000,
      report,
      run: async () => line(await handler({}, lambdaContext(region, `makul-${name}-local`))),
    });
  const jobs: Record<string, ScheduledJob> = {
    d: scheduled('deferred-outbound', options.deferredEverySeconds, deferredHandler, deferredRunLine),
    m: scheduled(
      'deadline-monitor',
      options.jobsEverySeconds,
      monitorHandler,
      onlyWhenChanged(monitorRunLine),
    ),
    e: scheduled(
      'erasure-executor',
      options.jobsEverySeconds,
      erasureHandler,
      onlyWhenChanged(erasureRunLine),
    ),
  };
  const typed = runJobsOnDemand(jobs, report);

  signals.stopCleanlyWith((signal) => {
    process.stdout.write(
      `\n${signal}: stopping (messages in progress finish first; Ctrl-C again to quit at once)\n`,
    );
    // Commands stop finding the stack at once. Then the SMTP listener stops taking mail and waits for
    // the messages it accepted, the HTTP API for the pages it is answering, and each scheduled job for
    // a run in progress: all still need DynamoDB Local, the SES emulator and the S3 emulator,
    // which stop last.
    removeLocalStackState(data);
    typed.close();
    void Promise.all([
      smtp.stop(),
      http.stop(),
      ...Object.values(jobs).map((job) => job.stop().then(() => report(`${job.name}: stopped`))),
    ])
      // After the handlers that write subjects' records: their last changes still reach the feed.
      .then(() => streamPoller.stop().then(() => report('status-changes: stopped')))
      .then(() => tasksPoller.stop().then(() => report('fulfilment-tasks: stopped')))
      .then(() => Promise.all([dynamo.stop(), ses.dispose(), s3.stop(), eventBridge.stop()]))
      .then(
        () => {
          lock.release();
          process.stdout.write('Stopped.\n');
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`could not stop cleanly: ${String(error)}\n`);
          process.exit(1);
        },
      );
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const hint = message.includes('already in use') ? '\n(choose other ports: npm start -- --help)' : '';
  process.stderr.write(`makul local stack: ${message}${hint}\n`);
  process.exit(1);
});

/**
 * `npm start`: the whole inbound path on this machine, with real parts where it matters.
 *
 *   curl smtp:// ─▶ SMTP listener ─▶ S3 emulator (raw mail) ─▶ SQS-shaped event ─▶ real inbound handler
 *                                                                   ├─▶ DynamoDB Local (register)
 *                                                                   └─▶ SES v2 emulator (replies, web page)
 *   browser ─▶ local HTTP API (payload 2.0 events, local/http-pages.ts) ─▶ real pages handler
 *   curl ─────▶ the same server, /v1/… (without SigV4) ───────────────────▶ real status API handler
 *
 * Links in replies point at the local HTTP API: the profile's confirmBaseUrl is replaced with
 * http://127.0.0.1:<--http-port> for every function the stack runs.
 * Everything listens on 127.0.0.1. Data lives in .local-stack/ (git-ignored): the databases, the raw
 * mail, the dead-letter folder, sample messages and the local HMAC key; one stack at a time per data
 * folder (local/data-folder-lock.ts). Ctrl-C stops it all after the messages in progress, however
 * many times npm and tsx pass the signal on (local/signal-presses.ts).
 * The deferred-outbound job runs as production's schedule runs it, every few seconds instead of every minute
 * (local/deferred-outbound-job.ts). While it runs, local-stack.json in the data folder says where its
 * services listen, for `makul … --local` (local/local-stack-state.ts).
 * What it prints names requests by id and decision, never by address.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeferredRunReport } from '../functions/app/send-deferred-outbound';
import { createDeferredOutboundHandler } from '../functions/deferred-outbound/handler';
import type { DeploymentProfile } from '../functions/domain/operators/operator-profile';
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
import { decisionLine } from '../local/decision-line';
import { DEFAULT_DEFERRED_EVERY_SECONDS, startDeferredOutboundJob } from '../local/deferred-outbound-job';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { startEventBridgeStandIn } from '../local/eventbridge-stand-in';
import { DEFAULT_HTTP_PAGES_PORT, type PagesHttpHandler, startHttpPages } from '../local/http-pages';
import { localLambdaContext } from '../local/lambda-context';
import {
  DEFAULT_DATA_FOLDER,
  removeLocalStackState,
  stateFilePath,
  writeLocalStackState,
} from '../local/local-stack-state';
import { endpointFor, LOCAL_CREDENTIALS, type LocalServiceHandle } from '../local/loopback';
import { createMakulTables } from '../local/makul-tables';
import { startS3Emulator } from '../local/s3-emulator';
import { SAMPLE_SENDER, sampleMails } from '../local/sample-mail';
import { startSesEmulator } from '../local/ses-emulator';
import { createSignalPresses } from '../local/signal-presses';
import { startSmtpInbound } from '../local/smtp-inbound';
import { StreamPoller } from '../local/stream-poller';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPERATORS_FILE = join(REPOSITORY_ROOT, DEFAULT_OPERATORS_FILE);

const USAGE = `npm start -- [options]

  --operator ID     operator from config/operators.json (default: the first one)
  --smtp-port N     port of the SMTP listener (default 2525)
  --ses-port N      port of the SES emulator and its web page (default 8005)
  --http-port N     port of the local HTTP API for the pages that links in replies open
                    (default ${DEFAULT_HTTP_PAGES_PORT})
  --data-dir DIR    local data folder (default .local-stack)
  --fresh           delete the local data first (databases, raw mail, dead letters, HMAC key)
  --deferred-every N
                    run the deferred-outbound job every N seconds (default ${DEFAULT_DEFERRED_EVERY_SECONDS};
                    production runs it every minute)
  --verbose         also print the handlers' own JSON log lines
  --help            this text
`;

interface StackOptions {
  readonly operatorId: string | undefined;
  readonly smtpPort: number;
  readonly sesPort: number;
  readonly httpPort: number;
  readonly dataDirectory: string;
  readonly fresh: boolean;
  readonly verbose: boolean;
  readonly deferredEverySeconds: number;
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
      'data-dir': { type: 'string', default: DEFAULT_DATA_FOLDER },
      fresh: { type: 'boolean', default: false },
      'deferred-every': { type: 'string', default: String(DEFAULT_DEFERRED_EVERY_SECONDS) },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const deferredEverySeconds = Number(values['deferred-every']);
  if (!Number.isInteger(deferredEverySeconds) || deferredEverySeconds < 1 || deferredEverySeconds > 3600)
    throw new Error(
      `--deferred-every must be a whole number of seconds (1–3600), got "${values['deferred-every']}"`,
    );
  return {
    operatorId: values.operator,
    smtpPort: portNumber(values['smtp-port'], '--smtp-port'),
    sesPort: portNumber(values['ses-port'], '--ses-port'),
    httpPort: portNumber(values['http-port'], '--http-port'),
    dataDirectory: resolve(REPOSITORY_ROOT, values['data-dir']),
    fresh: values.fresh,
    verbose: values.verbose,
    deferredEverySeconds,
  };
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

/**
 * A handler's logger, turned into lines a person follows. Its fields are ids, reasons and keyed
 * hashes by design (functions/shared/log.ts), so they may be printed; 'message handled' is kept per
 * SQS message id to print one summary line per mail. `label` names the function in its warnings.
 */
function localHandlerLogger(
  label: string,
  verbose: boolean,
  handled: Map<string, LogFields>,
  base: LogFields = {},
): Logger {
  const emit = (level: string, message: string, fields: LogFields = {}): void => {
    const all = { ...base, ...fields };
    if (message === 'message handled' && typeof all.sqsMessageId === 'string')
      handled.set(all.sqsMessageId, all);
    if (verbose) process.stdout.write(`    ${JSON.stringify({ level, message, ...all })}\n`);
    else if (level === 'WARN' || level === 'ERROR') {
      const { awsRequestId: _request, fn: _fn, operator: _operator, ...rest } = all;
      process.stdout.write(`    ${label} ${level.toLowerCase()}: ${message} ${JSON.stringify(rest)}\n`);
    }
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    child: (fields) => localHandlerLogger(label, verbose, handled, { ...base, ...fields }),
  };
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

  // DynamoDB Local's JVM is the slow part: start the three services side by side.
  const track = <T extends LocalServiceHandle>(service: T): T => {
    running.push(service);
    return service;
  };
  const [dynamo, ses, s3] = await Promise.all([
    startDynamoDbLocal({ dataDirectory: join(data, 'dynamodb'), report }).then(track),
    startSesEmulator({ port: options.sesPort, report }).then(track),
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
    localHandlerLogger('handler', options.verbose, handled),
  );
  // The scheduled job's handler, as functions/deferred-outbound/index.ts builds it.
  const deferredHandler = createDeferredOutboundHandler(
    environment,
    localHandlerLogger('deferred-outbound', options.verbose, new Map()),
  );
  // The public pages' and the status API's handlers, behind the local HTTP API started below.
  const pagesFunction = createPagesHandler(
    environment,
    localHandlerLogger('pages', options.verbose, new Map()),
  );
  const statusApiFunction = createStatusApiHandler(
    environment,
    localHandlerLogger('status-api', options.verbose, new Map()),
  );
  // The systems API (in AWS an API of its own, SigV4) shares /v1/ here: /v1/requests/… goes to it, as
  // a caller that names no system's role (a system with callerRoleArn is answered 403 locally).
  const systemsFunction = createSystemsApiHandler(
    environment,
    localHandlerLogger('systems-api', options.verbose, new Map()),
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
    localHandlerLogger('status-changes', options.verbose, new Map()),
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
    localHandlerLogger('fulfilment-tasks', options.verbose, new Map()),
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

  const samplesDirectory = join(data, 'samples');
  await mkdir(samplesDirectory, { recursive: true });
  const supportAddress = operator.supportAddresses[0] ?? '';
  const samples = sampleMails(supportAddress);
  for (const sample of samples) await writeFile(join(samplesDirectory, sample.fileName), sample.bytes);
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

  process.stdout.write(
    [
      '',
      `Ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s:`,
      `  SMTP (inbound mail)  ${smtp.host}:${smtp.port}  accepts mail for ${operator.supportAddresses.join(', ')}`,
      `  SES v2 emulator      ${ses.webPageUrl}  ← replies and forwards appear on this page (JSON: ${ses.endpoint}/store)`,
      `  DynamoDB Local       ${dynamo.endpoint}  tables ${tables.requestsTableName}, ${tables.subjectsTableName}`,
      `  S3 emulator          ${s3.endpoint}  bucket ${bucketName}`,
      `  pages (HTTP API)     ${http.url}/  ← links in replies (confirm, unsubscribe) open here`,
      `  status API           ${http.url}/v1/  ← marketing systems ask here (without SigV4 locally; signed in AWS)`,
      `  status changes       the subjects table's stream → change feed and events (EventBridge stand-in ${eventBridge.endpoint})`,
      `  deferred-outbound    every ${options.deferredEverySeconds} s (production: every minute), sends the replies and forwards a rate limit deferred`,
      `  state file           ${shown(stateFilePath(data))}  ← where makul … --local finds this stack`,
      '',
      'Send a sample request (curl speaks SMTP):',
      ...samples.map(
        (sample) =>
          `  curl -sS smtp://${smtp.host}:${smtp.port} --mail-from ${SAMPLE_SENDER} --mail-rcpt ${supportAddress} -T ${shown(join(samplesDirectory, sample.fileName))}`,
      ),
      '',
      'Local mail is not scanned or authenticated: its verdicts are all GRAY, so kinds that need proof of',
      'sender ask for a confirmed link instead of acting. Each message prints one line: received → decision → reply.',
      `Messages that fail ${MAX_RECEIVE_COUNT} times go to ${shown(join(data, 'dead-letters'))}. Ctrl-C stops everything.`,
      'Ask the status API, as a marketing system would:',
      `  curl -sS '${http.url}/v1/subjects/status?email=${SAMPLE_SENDER}'`,
      `  curl -sS -X POST ${http.url}/v1/subjects/status:batch -H 'Content-Type: application/json' -d '{"emails":["${SAMPLE_SENDER}"]}'`,
      `  curl -sS '${http.url}/v1/suppressions/changes?limit=10'`,
      `Ops lists: npx makul queue deferred|held|in-doubt --local${dataDirOption}`,
      '',
    ].join('\n'),
  );

  const deferredJob = startDeferredOutboundJob({
    everyMs: options.deferredEverySeconds * 1000,
    report,
    run: async (): Promise<DeferredRunReport> =>
      await deferredHandler({}, lambdaContext(region, 'makul-deferred-outbound-local')),
  });

  signals.stopCleanlyWith((signal) => {
    process.stdout.write(
      `\n${signal}: stopping (messages in progress finish first; Ctrl-C again to quit at once)\n`,
    );
    // Commands stop finding the stack at once. Then the SMTP listener stops taking mail and waits for
    // the messages it accepted, the HTTP API for the pages it is answering, and the deferred-outbound
    // job for a run in progress: all still need DynamoDB Local, the SES emulator and the S3 emulator,
    // which stop last.
    removeLocalStackState(data);
    void Promise.all([
      smtp.stop(),
      http.stop(),
      deferredJob.stop().then(() => report('deferred-outbound: stopped')),
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

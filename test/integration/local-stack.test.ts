/**
 * `npm start` as a person runs it: the real local stack in a process group of its own, as a terminal
 * runs a foreground job, stopped the way a terminal stops it: SIGINT to the whole group, and a copy a
 * moment later, as npm and tsx pass it on. It runs under Node with tsx's loader (`node --import tsx`),
 * in one process: the tsx command-line wrapper adds a process that SIGKILLs its child when the child
 * has not acknowledged a signal within 60 ms, which a busy machine running the whole suite can cause,
 * and that would make this test fail for a reason that is not the stack's.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../local/data-folder-lock';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { type LocalStackState, STATE_FILE_NAME } from '../../local/local-stack-state';
import { findFreePort, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { PROJECT_ROOT } from '../support/paths';
import { sendMail } from '../support/smtp-client';

const quiet = (): void => {};

interface RunningStack {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together, in order. */
  output(): string;
  /** Resolves once the output matches, or rejects when it exits first or the time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** The exit code (or signal) once it has exited and closed its output. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

const started: RunningStack[] = [];

async function startStack(dataDirectory: string, options: readonly string[] = []): Promise<RunningStack> {
  const [smtpPort, sesPort, httpPort] = await distinctFreePorts(3);
  const args = [
    'bin/local-stack.ts',
    '--data-dir',
    dataDirectory,
    '--smtp-port',
    String(smtpPort),
    '--http-port',
    String(httpPort),
    ...options,
  ];
  // detached: a process group of its own, like a foreground job in a terminal.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args, '--ses-port', String(sesPort)], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal ?? -1));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const listener of listeners) listener();
  });
  const stack: RunningStack = {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(text);
          if (match === null && !hasExited) return;
          listeners.delete(check);
          clearTimeout(timer);
          if (match !== null) resolve(match);
          else reject(new Error(`the stack exited before printing ${pattern}:\n${text}`));
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
  started.push(stack);
  return stack;
}

/** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
function pressCtrlC(stack: RunningStack): void {
  if (stack.child.pid !== undefined) process.kill(-stack.child.pid, 'SIGINT');
}

/** Sends one message over SMTP and returns once the server has accepted it (250 after DATA). */
async function sendSample(port: number, recipient: string, message: Buffer): Promise<void> {
  const { dataReply } = await sendMail(port, { from: 'you@example.com', to: [recipient], message });
  if (!dataReply?.startsWith('250')) throw new Error(`SMTP answered ${dataReply?.trim() ?? 'no DATA'}`);
}

describe('npm start (bin/local-stack.ts)', () => {
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'makul-local-stack-test-'));
  });

  afterEach(async () => {
    // A failed test must not leave a stack running: SIGKILL the group (DynamoDB Local follows, see
    // local/DynamoDbLocalOnLoopback.java).
    for (const stack of started.splice(0)) {
      if (stack.child.exitCode === null && stack.child.signalCode === null && stack.child.pid !== undefined) {
        process.kill(-stack.child.pid, 'SIGKILL');
        await stack.exited;
      }
    }
  });

  afterAll(async () => {
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('refuses a second stack on the same data folder, runs the deferred-outbound job, tells makul --local where it is, and a double Ctrl-C still stops cleanly after the messages in flight', async () => {
    // The deferred-outbound job every second instead of every 30 s, so this test need not wait.
    const stack = await startStack(dataDirectory, ['--deferred-every', '1']);
    await stack.waitFor(/^makul local stack: operator /m, 30_000);

    // The lock is taken before anything else: a second stack fails at once, naming folder and PID.
    const lockFile = join(dataDirectory, LOCK_FILE_NAME);
    const holder = readFileSync(lockFile, 'utf8').trim();
    const second = await startStack(dataDirectory);
    const secondStartedAt = Date.now();
    expect(await second.exited, second.output()).toBe(1);
    expect(Date.now() - secondStartedAt).toBeLessThan(15_000);
    expect(second.output()).toContain(
      `data folder ${dataDirectory} is in use by another local stack (PID ${holder})`,
    );
    expect(second.output()).not.toContain('DynamoDB Local');
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(holder);

    const [, smtpPort, supportAddress] = await stack.waitFor(
      /^ {2}SMTP \(inbound mail\) +127\.0\.0\.1:(\d+) +accepts mail for ([^,\s]+)/m,
      90_000,
    );
    const [, requestsTable, subjectsTable] = await stack.waitFor(/ tables (\S+), (\S+)$/m, 1000);
    expect(stack.output()).toMatch(/^ {2}deferred-outbound +every 1 s \(production: every minute\)/m);

    // Ready: the state file says where it all listens, for `makul … --local`.
    const stateFile = join(dataDirectory, STATE_FILE_NAME);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalStackState;
    const [, dynamodbEndpoint] = await stack.waitFor(/^ {2}DynamoDB Local +(\S+) /m, 1000);
    expect(state).toMatchObject({
      pid: Number(holder),
      dataDirectory,
      operator: 'x2',
      region: 'eu-west-1',
      dynamodbEndpoint,
      requestsTableName: requestsTable,
      subjectsTableName: subjectsTable,
      deferredOutboundEverySeconds: 1,
    });
    expect(state.sesEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The pages answer on the local HTTP API, which logs a request by method and status, never its path.
    const [, pagesUrl] = await stack.waitFor(
      /^ {2}pages \(HTTP API\) +(http:\/\/127\.0\.0\.1:\d+)\/ /m,
      1000,
    );
    expect(state.pagesUrl).toBe(pagesUrl);
    const token = 'bG9jYWwtc3RhY2stdGVzdC10b2tlbi1ub3QtbG9nZ2Vk';
    const page = await fetch(`${pagesUrl}/c/${token}`);
    await stack.waitFor(new RegExp(`^ {2}HTTP GET ${page.status} \\d+ ms`, 'm'), 5000);
    expect(stack.output()).not.toContain(token);

    // A reply deferred by a rate limit: a request whose reply went out is put back on the deferred list
    // as deliverOutbound puts one (reaching the real limit would take eleven mails), first with its
    // window far ahead (makul queue lists it), then with its window open (the job sends it).
    await sendSample(
      Number(smtpPort),
      String(supportAddress),
      readFileSync(join(dataDirectory, 'samples', 'update-data-en.eml')),
    );
    const [, deferredId] = await stack.waitFor(
      /handler: request (MK-\w+) → update-data → process \(tag-in-subject\) → reply: sent/,
      30_000,
    );
    // Its confirmation link points at the local HTTP API, not at the operator's public domain.
    const store = await (await fetch(`${state.sesEndpoint}/store`)).text();
    expect(store).toContain(`${pagesUrl}/c/`);
    const register = new DynamoDBClient({
      endpoint: state.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const deferUntil = async (until: string): Promise<void> => {
      await register.send(
        new UpdateItemCommand({
          TableName: requestsTable,
          Key: { pk: { S: `REQ#${deferredId}` }, sk: { S: 'META' } },
          UpdateExpression: 'SET outboundState = :deferred, opsQueue = :deferred, opsQueueAt = :until',
          ExpressionAttributeValues: { ':deferred': { S: 'deferred' }, ':until': { S: until } },
        }),
      );
    };
    try {
      await deferUntil('2999-01-01T00:00:00.000Z');
      const listed = await promisify(execFile)(
        process.execPath,
        ['bin/makul.mjs', 'queue', 'deferred', '--local', '--data-dir', dataDirectory, '--json'],
        { cwd: PROJECT_ROOT },
      );
      expect(JSON.parse(listed.stdout)).toMatchObject({
        operator: 'x2',
        count: 1,
        entries: [
          { requestId: deferredId, outboundState: 'deferred', mayGoOutAt: '2999-01-01T00:00:00.000Z' },
        ],
      });
      // Its window opens: the next run of the job sends it, and says so in one line.
      await deferUntil('2000-01-01T00:00:00.000Z');
      await stack.waitFor(/^ {2}deferred-outbound: 1 due → 1 sent; 0 still waiting$/m, 15_000);
    } finally {
      register.destroy();
    }
    const sample = readFileSync(join(dataDirectory, 'samples', 'unsubscribe-ru.eml'));
    await sendSample(Number(smtpPort), String(supportAddress), sample);
    // Ctrl-C while that message is queued or being handled; tsx relays it, and the person presses
    // once more at once, which is still the same press.
    pressCtrlC(stack);
    await new Promise((resolve) => setTimeout(resolve, 20));
    pressCtrlC(stack);

    const exitCode = await stack.exited;
    const output = stack.output();
    expect(exitCode, output).toBe(0);
    expect(output.match(/^SIGINT: stopping/gm), output).toHaveLength(1);
    expect(output).not.toMatch(/quitting at once/);
    const handled = output.search(
      /handler: request MK-\w+ → unsubscribe → process \(tag-in-subject\) → reply: sent/,
    );
    expect(handled, output).toBeGreaterThan(-1);
    // DynamoDB Local (its own process group) got no signal from the "terminal": it was stopped by the
    // shutdown, after the message was handled.
    expect(output.indexOf('SMTP listener: stopped')).toBeGreaterThan(handled);
    expect(output.indexOf('DynamoDB Local: stopped')).toBeGreaterThan(handled);
    expect(output).not.toMatch(/DynamoDB Local: (had already exited|exited unexpectedly)/);
    expect(output).toMatch(/SES v2 emulator: stopped/);
    expect(output).toMatch(/S3 emulator: stopped/);
    expect(output).toMatch(/^Stopped\.$/m);
    const jobStopped = output.indexOf('deferred-outbound: stopped');
    expect(jobStopped, output).toBeGreaterThan(-1);
    expect(jobStopped).toBeLessThan(output.indexOf('DynamoDB Local: stopped'));
    expect(existsSync(lockFile)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);

    // The data survives: DynamoDB Local started again on the folder has the tables and the request.
    const requestId = /handler: request (MK-\w+) → unsubscribe/.exec(output)?.[1];
    const dynamo = await startDynamoDbLocal({
      dataDirectory: join(dataDirectory, 'dynamodb'),
      report: quiet,
    });
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const tables = await client.send(new ListTablesCommand({}));
      expect(tables.TableNames).toEqual(expect.arrayContaining([requestsTable, subjectsTable]));
      const items = await client.send(new ScanCommand({ TableName: requestsTable }));
      expect(JSON.stringify(items.Items)).toContain(String(requestId));
    } finally {
      client.destroy();
      await dynamo.dispose();
    }
  }, 120_000);
});

/**
 * Free ports, all different: the OS may hand the same free port to two asks in a row (each probe binds
 * and releases it), and two services given one port make the second fail to start.
 */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

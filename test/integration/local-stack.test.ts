/**
 * `npm start` as a person runs it: the real local stack in a process group of its own, as a terminal
 * runs a foreground job, stopped the way a terminal stops it: SIGINT to the whole group, and a copy a
 * moment later, as npm and tsx pass it on (test/support/local-stack-process.ts says how it is run).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../local/data-folder-lock';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { asSentNow, exampleFiles, readExample } from '../../local/examples';
import { type LocalStackState, STATE_FILE_NAME } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { killStartedStacks, pressCtrlC, startLocalStack } from '../support/local-stack-process';
import { PROJECT_ROOT } from '../support/paths';
import { sendMail } from '../support/smtp-client';

const quiet = (): void => {};

/** A request from examples/, as its mail client sends it now (a fresh Message-ID and Date). */
function example(fileName: string): Uint8Array {
  const file = exampleFiles().find((candidate) => candidate.fileName === fileName);
  if (file === undefined) throw new Error(`examples/${fileName} is missing`);
  return asSentNow(readExample(file), `<local-stack-test-${randomUUID()}@example.com>`, new Date());
}

/** Sends one message over SMTP and returns once the server has accepted it (250 after DATA). */
async function sendSample(port: number, recipient: string, message: Uint8Array): Promise<void> {
  const { dataReply } = await sendMail(port, { from: 'you@example.com', to: [recipient], message });
  if (!dataReply?.startsWith('250')) throw new Error(`SMTP answered ${dataReply?.trim() ?? 'no DATA'}`);
}

describe('npm start (bin/local-stack.ts)', () => {
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'makul-local-stack-test-'));
  });

  // A failed test must not leave a stack running.
  afterEach(killStartedStacks);

  afterAll(async () => {
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('refuses a second stack on the same data folder, runs the deferred-outbound job, tells makul --local where it is, and a double Ctrl-C still stops cleanly after the messages in flight', async () => {
    // The deferred-outbound job every second instead of every 30 s, so this test need not wait.
    const stack = await startLocalStack(dataDirectory, ['--deferred-every', '1']);
    await stack.waitFor(/^makul local stack: operator /m, 30_000);

    // The lock is taken before anything else: a second stack fails at once, naming folder and PID.
    const lockFile = join(dataDirectory, LOCK_FILE_NAME);
    const holder = readFileSync(lockFile, 'utf8').trim();
    const second = await startLocalStack(dataDirectory);
    const secondStartedAt = Date.now();
    expect(await second.exited, second.output()).toBe(1);
    expect(Date.now() - secondStartedAt).toBeLessThan(15_000);
    expect(second.output()).toContain(
      `data folder ${dataDirectory} is in use by another local stack (PID ${holder})`,
    );
    expect(second.output()).not.toContain('DynamoDB Local');
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(holder);

    await stack.waitFor(/^makul local stack ready\b/m, 90_000);
    const [, supportAddress] = await stack.waitFor(/^support address: (\S+)$/m, 1000);
    const [, smtpPort] = await stack.waitFor(
      new RegExp(`^ {2}SMTP \\(inbound mail\\) +127\\.0\\.0\\.1:(\\d+) .*${supportAddress}`, 'm'),
      1000,
    );
    expect(Number(smtpPort)).toBe(stack.ports.smtp);
    const [, requestsTable, subjectsTable] = await stack.waitFor(/ tables (\S+), (\S+)$/m, 1000);
    expect(stack.output()).toMatch(/^ {2}scheduled jobs +deferred-outbound every 1 s\b/m);

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
    const [, pagesUrl] = await stack.waitFor(/^ {2}pages +(http:\/\/127\.0\.0\.1:\d+)\/ /m, 1000);
    expect(state.pagesUrl).toBe(pagesUrl);
    const token = 'bG9jYWwtc3RhY2stdGVzdC10b2tlbi1ub3QtbG9nZ2Vk';
    const page = await fetch(`${pagesUrl}/c/${token}`);
    await stack.waitFor(new RegExp(`^ {2}HTTP GET ${page.status} \\d+ ms`, 'm'), 5000);
    expect(stack.output()).not.toContain(token);

    // A reply deferred by a rate limit: a request whose reply went out is put back on the deferred list
    // as deliverOutbound puts one (reaching the real limit would take eleven mails), first with its
    // window far ahead (makul queue lists it), then with its window open (the job sends it).
    await sendSample(Number(smtpPort), String(supportAddress), example('update-data-en.eml'));
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
    await sendSample(Number(smtpPort), String(supportAddress), example('unsubscribe-ru.eml'));
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

  it('refuses a port in use before starting anything, runs a job when its key is typed, and offers mail files that are new mail', async () => {
    // Someone else holds the port DynamoDB Local would take: nothing starts, and the message names the option.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const heldPort = (holder.address() as AddressInfo).port;
    try {
      const refused = await startLocalStack(join(dataDirectory, 'ports'), [
        '--dynamodb-port',
        String(heldPort),
      ]);
      expect(await refused.exited, refused.output()).toBe(1);
      expect(refused.output()).toContain(
        `makul local stack: port ${heldPort} (DynamoDB Local) is already in use on 127.0.0.1: choose another with --dynamodb-port N`,
      );
      expect(refused.output()).not.toMatch(/DynamoDB Local: starting|SES v2 emulator: ready/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }

    const folder = join(dataDirectory, 'typed');
    const stack = await startLocalStack(folder, ['--fresh', '--jobs-every', '3600'], 'pipe');
    await stack.waitFor(/^makul local stack ready\b/m, 90_000);
    // Typed keys: an unknown one says which exist; m runs the deadline monitor now, not in an hour.
    stack.child.stdin?.write('x\n');
    await stack.waitFor(
      /type d \(deferred-outbound\), m \(deadline-monitor\), e \(erasure-executor\) and Enter to run a job now/,
      5000,
    );
    stack.child.stdin?.write('m\n');
    await stack.waitFor(/^ {2}deadline-monitor: run now, as asked$/m, 5000);
    await stack.waitFor(/^ {2}deadline-monitor: 0 overdue, 0 due soon, 0 awaiting confirmation/m, 15_000);

    // The curl lines send copies written at this start, each a new mail (its own Message-ID): the
    // first is answered, not dropped as a duplicate of an earlier run's.
    const [, sampleFile] = await stack.waitFor(
      /^ {2}curl -sS smtp:\S+ .* -T (\S+unsubscribe-ru\.eml)$/m,
      1000,
    );
    // Outside the working folder the stack prints the path whole.
    expect(String(sampleFile)).toBe(join(folder, 'samples', 'unsubscribe-ru.eml'));
    const sample = readFileSync(String(sampleFile));
    const [example] = exampleFiles().filter((file) => file.fileName === 'unsubscribe-ru.eml');
    if (example === undefined) throw new Error('examples/unsubscribe-ru.eml is missing');
    const original = readExample(example);
    expect(Buffer.from(sample).toString('latin1')).not.toContain(
      /^Message-Id: (.+)$/im.exec(Buffer.from(original).toString('latin1'))?.[1] ?? 'no Message-Id',
    );
    await sendSample(stack.ports.smtp, 'support@x2.kg', sample);
    await stack.waitFor(
      /handler: request MK-\w+ → unsubscribe → process \(tag-in-subject\) → reply: sent/,
      30_000,
    );

    pressCtrlC(stack);
    expect(await stack.exited, stack.output()).toBe(0);
    expect(stack.output()).toMatch(/^ {2}deadline-monitor: stopped$/m);
    expect(stack.output()).toMatch(/^ {2}erasure-executor: stopped$/m);
  }, 120_000);
});

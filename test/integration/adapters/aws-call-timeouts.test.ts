/**
 * Every AWS call the functions make fails fast when AWS does not answer: the DynamoDB and SES clients and
 * the signed S3 and Secrets Manager reads, built the way createRuntime builds them. Real loopback servers
 * stand in for a hung endpoint: one accepts connections and never answers, one never accepts them (a
 * stopped process whose listen queue is full, so the kernel drops further SYNs). The tests pass small
 * limits so they run fast; the last block checks that the functions get AWS_CALL_TIMEOUTS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AWS_CALL_TIMEOUTS,
  type AwsCallTimeouts,
  neverReachedService,
} from '../../../functions/shared/aws-timeouts';
import { createAwsClients, createRuntime, type RuntimeConfig } from '../../../functions/shared/runtime';

const environment = { AWS_ACCESS_KEY_ID: 'AKIATESTKEY', AWS_SECRET_ACCESS_KEY: 'test-secret' };

/** Small limits, so a hung call fails in well under a second per attempt. */
const TEST_TIMEOUTS: AwsCallTimeouts = {
  dynamodb: { connectMs: 200, requestMs: 400, maxAttempts: 3 },
  ses: { connectMs: 200, requestMs: 400, maxAttempts: 3 },
  s3: { attemptMs: 400, maxAttempts: 2 },
  secretsManager: { attemptMs: 400, maxAttempts: 3 },
};

/** Generous: the point is that the call ends at all, not how fast a loaded machine ends it. */
const ENDS_WITHIN_MS = 10_000;

function configFor(endpoint: string): RuntimeConfig {
  return {
    region: 'eu-west-1',
    requestsTableName: 'makul-requests',
    subjectsTableName: 'makul-subjects',
    hmac: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:makul-hmac-AbCdEf' },
    sesConfigurationSet: undefined,
    endpoints: { dynamodb: endpoint, sesv2: endpoint, s3: endpoint, secretsManager: endpoint },
  };
}

/** The four calls, each through the client or adapter the runtime builds. */
function awsCalls(endpoint: string) {
  const config = configFor(endpoint);
  const clients = createAwsClients(config, environment, TEST_TIMEOUTS);
  const runtime = createRuntime(config, environment, TEST_TIMEOUTS);
  return {
    dynamodb: () =>
      clients.dynamodb.send(new GetItemCommand({ TableName: 'makul-requests', Key: { pk: { S: 'x' } } })),
    ses: () =>
      clients.ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'support@x2.kg',
          Destination: { ToAddresses: ['person@example.org'] },
          Content: { Simple: { Subject: { Data: 'test' }, Body: { Text: { Data: 'test' } } } },
        }),
      ),
    s3: () => runtime.rawMailStore.get('makul-raw-mail', 'raw/message-id', 1024 * 1024),
    secretsManager: () => runtime.keySource.load(),
  };
}

type CallName = keyof ReturnType<typeof awsCalls>;

setFlagsFromString('--expose-gc');
/**
 * Node's garbage collector, run often while a call waits: fetch loses the abort signal of a copied
 * Request once it is collected (nodejs/undici#4068), so a deadline that works without collection may
 * never fire in a long-running function.
 */
const collectGarbage = runInNewContext('gc') as () => void;

/** Runs a call that must fail, under garbage collection, and returns its error and how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ error: Error; elapsedMs: number }> {
  const started = performance.now();
  const collector = setInterval(collectGarbage, 100);
  const outcome = await call()
    .then(
      () => new Error('the call succeeded'),
      (error: unknown) => error,
    )
    .finally(() => clearInterval(collector));
  if (!(outcome instanceof Error)) throw new Error(`the call failed with a non-error: ${String(outcome)}`);
  return { error: outcome, elapsedMs: performance.now() - started };
}

function attemptsOf(error: Error): number | undefined {
  return (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
}

/** An HTTP server that reads every request and never answers any; it counts them. */
async function silentServer(): Promise<{ endpoint: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request) => {
    requests.push(`${request.method} ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests, server };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * A port nobody accepts on: a child process listens with a tiny queue and is stopped, and the queue is
 * filled, so the kernel drops every further SYN and a connect hangs (as to an unreachable endpoint).
 */
async function unacceptingPort(): Promise<{ endpoint: string; close: () => void }> {
  const listener = `const s = require('node:net').createServer();
s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log(s.address().port));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', listener], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (data) => resolve(Number(String(data).trim())));
    child.once('error', reject);
  });
  child.kill('SIGSTOP');
  const held: Socket[] = [];
  const close = () => {
    for (const socket of held) socket.destroy();
    child.kill('SIGKILL');
  };
  for (let filler = 0; filler < 64; filler += 1) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    });
    if (!connected) {
      socket.destroy();
      return { endpoint: `http://127.0.0.1:${port}`, close };
    }
    held.push(socket);
  }
  close();
  throw new Error('the stopped listener kept accepting connections');
}

describe('an endpoint that accepts the connection and never answers', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;

  beforeAll(async () => {
    silent = await silentServer();
  });
  afterEach(() => {
    silent.requests.length = 0;
  });
  afterAll(() => closeServer(silent.server));

  it('fails a DynamoDB call with a TimeoutError after its attempts, each cut at the request timeout', async () => {
    const { error, elapsedMs } = await failure(awsCalls(silent.endpoint).dynamodb);

    expect(error.name).toBe('TimeoutError');
    expect(attemptsOf(error)).toBe(TEST_TIMEOUTS.dynamodb.maxAttempts);
    expect(silent.requests).toHaveLength(TEST_TIMEOUTS.dynamodb.maxAttempts);
    expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
  });

  it('fails an SES send with a TimeoutError and does not send it again: SES may have taken it', async () => {
    const { error, elapsedMs } = await failure(awsCalls(silent.endpoint).ses);

    expect(error.name).toBe('TimeoutError');
    expect(neverReachedService(error)).toBe(false);
    expect(silent.requests).toEqual(['POST /v2/email/outbound-emails']);
    expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
  });

  it.each<CallName>(['s3', 'secretsManager'])(
    'fails the signed %s read with a TimeoutError after its attempts',
    async (name) => {
      const { error, elapsedMs } = await failure(awsCalls(silent.endpoint)[name]);

      expect(error.name).toBe('TimeoutError');
      expect(silent.requests).toHaveLength(
        TEST_TIMEOUTS[name === 's3' ? 's3' : 'secretsManager'].maxAttempts,
      );
      expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
    },
  );
});

describe('an endpoint that never accepts the connection', () => {
  let unaccepting: Awaited<ReturnType<typeof unacceptingPort>>;

  beforeAll(async () => {
    unaccepting = await unacceptingPort();
  });
  afterAll(() => unaccepting.close());

  it('fails a DynamoDB call with a connection TimeoutError after its attempts', async () => {
    const { error, elapsedMs } = await failure(awsCalls(unaccepting.endpoint).dynamodb);

    expect(error.name).toBe('TimeoutError');
    expect(neverReachedService(error)).toBe(true);
    expect(attemptsOf(error)).toBe(TEST_TIMEOUTS.dynamodb.maxAttempts);
    expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
  });

  it('tries an SES send again when the connection never opened: nothing reached SES', async () => {
    const { error, elapsedMs } = await failure(awsCalls(unaccepting.endpoint).ses);

    expect(error.name).toBe('TimeoutError');
    expect(neverReachedService(error)).toBe(true);
    expect(attemptsOf(error)).toBe(TEST_TIMEOUTS.ses.maxAttempts);
    expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
  });

  it.each<CallName>(['s3', 'secretsManager'])(
    'fails the signed %s read with a TimeoutError',
    async (name) => {
      const { error, elapsedMs } = await failure(awsCalls(unaccepting.endpoint)[name]);

      expect(error.name).toBe('TimeoutError');
      expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
    },
  );
});

describe('an S3 object whose body stops arriving', () => {
  let stalling: Server;
  let endpoint: string;

  beforeAll(async () => {
    stalling = createServer((_request, response) => {
      response.writeHead(200, { 'content-length': '4096' });
      response.write('Subject: the first bytes, then nothing');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
  });
  afterAll(() => closeServer(stalling));

  it('fails the read at the attempt deadline instead of waiting for the rest', async () => {
    const { error, elapsedMs } = await failure(awsCalls(endpoint).s3);

    expect(error.name).toBe('TimeoutError');
    expect(elapsedMs).toBeLessThan(ENDS_WITHIN_MS);
  });
});

describe('the limits the functions run with', () => {
  it('are AWS_CALL_TIMEOUTS unless a test passes others', async () => {
    const clients = createAwsClients(configFor('http://127.0.0.1:9'), environment);

    for (const [client, limits] of [
      [clients.dynamodb, AWS_CALL_TIMEOUTS.dynamodb],
      [clients.ses, AWS_CALL_TIMEOUTS.ses],
    ] as const) {
      // The Node HTTP handler resolves its options lazily; this is what it will use.
      const handler = client.config.requestHandler as unknown as { configProvider: Promise<object> };
      expect(await handler.configProvider).toMatchObject({
        connectionTimeout: limits.connectMs,
        requestTimeout: limits.requestMs,
        socketTimeout: limits.requestMs,
        throwOnRequestTimeout: true,
      });
      expect(await client.config.maxAttempts()).toBe(limits.maxAttempts);
    }
    expect(clients.s3.timeouts).toEqual(AWS_CALL_TIMEOUTS.s3);
    expect(clients.secretsManager.timeouts).toEqual(AWS_CALL_TIMEOUTS.secretsManager);
  });
});

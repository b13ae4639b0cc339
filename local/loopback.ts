/**
 * What the real local services behind `npm start` and the integration tests share (DynamoDB Local in
 * dynamodb-local.ts, the SES v2 emulator in ses-emulator.ts, the S3 emulator in s3-emulator.ts). Each
 * listens on 127.0.0.1 only, on a free port unless one is asked for, and can be stopped and started
 * again on the same port with the same data, so a test can take a service away in the middle of a
 * batch and bring it back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every local service binds to loopback: nothing local may be reachable from the network. */
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

export const printProgress: ProgressReporter = (line) => {
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

/**
 * Whether something already listens on this loopback port: we try to bind it and let go at once. A
 * service must not start "on" a port another process holds (a second DynamoDB Local there would
 * answer in its place, with someone else's data).
 */
export async function portInUse(port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve, reject) => {
    const probe = createNetServer();
    probe.unref();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(true);
      else reject(error);
    });
    probe.listen({ port, host: LOOPBACK_HOST, exclusive: true }, () => {
      probe.close(() => resolve(false));
    });
  });
}

export function endpointFor(port: number): string {
  return `http://${LOOPBACK_HOST}:${port}`;
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

export async function temporaryDirectory(purpose: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), `makul-${purpose}-`));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------
// HTTP servers run in this process (SES emulator, S3 emulator)
// ---------------------------------------------------------------------------------------------------

export async function closeHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections from SDK clients would hold close() open; a stopped service drops them.
  server.closeAllConnections();
  await closed;
}

export async function listenOnLoopback(server: Server, port: number, serviceName: string): Promise<void> {
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

/** A service's `dispose`: stop it, then remove its data folder when this module created the folder. */
export function disposer(stop: () => Promise<void>, ownedDataDirectory: string | null): () => Promise<void> {
  return async () => {
    await stop();
    if (ownedDataDirectory !== null) await rm(ownedDataDirectory, { recursive: true, force: true });
  };
}

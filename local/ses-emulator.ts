/**
 * The SES v2 API emulator (aws-ses-v2-local), run in this process on 127.0.0.1: the handler sends
 * through it, and its web page and `GET /store` show what was sent, so nothing leaves the machine.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Email as SesEmulatorEmail } from 'aws-ses-v2-local/dist/store';
import {
  closeHttpServer,
  endpointFor,
  findFreePort,
  LOOPBACK_HOST,
  type LocalServiceHandle,
  type ProgressReporter,
  printProgress,
  seconds,
} from './loopback';

const require = createRequire(import.meta.url);

/** A message the SES emulator recorded, as its `GET /store` returns it. */
export type SentEmail = SesEmulatorEmail;

export interface SesEmulatorHandle extends LocalServiceHandle {
  /** The emulator's web page listing the sent mail (the same URL as the endpoint). */
  readonly webPageUrl: string;
  /** Everything sent since start or the last clear, oldest first. */
  sentEmails(): Promise<SentEmail[]>;
  clearSentEmails(): Promise<void>;
}

export interface SesEmulatorOptions {
  readonly port?: number;
  readonly report?: ProgressReporter;
  /**
   * Keep the sent mail in this file (one JSON document per line) and show it again after a restart:
   * the local stack's page of sent mail outlives `npm start`. In memory only when omitted.
   */
  readonly sentMailFile?: string;
}

/** The emulator's module-level store of sent mail (aws-ses-v2-local/dist/store). */
interface EmulatorStoreModule {
  getStoreReadonly(): { emails: SentEmail[] };
  saveEmail(email: SentEmail): void;
  clearStore(): void;
}

/**
 * The emulator has no persistence of its own. Its request handlers call the store module's saveEmail
 * and clearStore through the module's exports at each call, so wrapping those two exports keeps a file
 * in step with the store: a line appended per message sent, the file emptied when the page's "clear"
 * empties the store. Returns what undoes the wrapping (the next emulator in this process may keep none).
 */
function keepSentMailIn(file: string): { restore(): void; loaded: number } {
  const store = require('aws-ses-v2-local/dist/store') as EmulatorStoreModule;
  const kept = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as SentEmail)
    : [];
  store.clearStore();
  store.getStoreReadonly().emails.push(...kept);
  const { saveEmail, clearStore } = store;
  store.saveEmail = (email) => {
    saveEmail(email);
    appendFileSync(file, `${JSON.stringify(email)}\n`, { mode: 0o600 });
  };
  store.clearStore = () => {
    clearStore();
    writeFileSync(file, '', { mode: 0o600 });
  };
  return {
    loaded: kept.length,
    restore: () => {
      store.saveEmail = saveEmail;
      store.clearStore = clearStore;
    },
  };
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
  const kept = options.sentMailFile === undefined ? null : keepSentMailIn(options.sentMailFile);

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
    const earlier = kept === null || kept.loaded === 0 ? '' : `, ${kept.loaded} kept from earlier runs`;
    report(
      `SES v2 emulator: ready at ${endpoint} in ${seconds(startedAt)} (sent mail: ${endpoint}/${earlier})`,
    );
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
      kept?.restore();
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

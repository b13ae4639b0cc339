/**
 * What a running local stack tells other commands about itself: a small JSON file in its data folder
 * (`local-stack.json`) naming the operator and where its services listen, so `makul … --local` reaches
 * the same DynamoDB Local and SES emulator. The stack writes it once it is ready and removes it when it
 * stops; whether the stack is alive is the data folder's lock (data-folder-lock.ts), not this file, so
 * a file left by a stack that was killed is never taken for a running one. No secrets and no personal
 * data: endpoints, names and ids only.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { runningLockHolder } from './data-folder-lock';

export const STATE_FILE_NAME = 'local-stack.json';
/** `npm start`'s data folder, relative to the project root. */
export const DEFAULT_DATA_FOLDER = '.local-stack';

const text = z.string().check(z.minLength(1));

const stateSchema = z.object({
  /** The node process that runs the stack (the PID in the lock file). */
  pid: z.int().check(z.positive()),
  startedAt: text,
  dataDirectory: text,
  operator: text,
  jurisdiction: text,
  /** The operator's region, as the handlers are told; DynamoDB Local answers in any region. */
  region: text,
  dynamodbEndpoint: text,
  requestsTableName: text,
  subjectsTableName: text,
  sesEndpoint: text,
  /** The emulator's page of sent mail. */
  sesWebPage: text,
  s3Endpoint: text,
  rawMailBucketName: text,
  smtp: text,
  /** The local HTTP API serving the public pages (local/http-pages.ts): where links in replies point. */
  pagesUrl: z.optional(text),
  /** How often the deferred-outbound job runs, in seconds. */
  deferredOutboundEverySeconds: z.number(),
});

export type LocalStackState = z.infer<typeof stateSchema>;

export function stateFilePath(dataDirectory: string): string {
  return join(dataDirectory, STATE_FILE_NAME);
}

/** Writes the state file whole (a private draft renamed into place: a reader never sees half of it). */
export function writeLocalStackState(state: LocalStackState): void {
  const path = stateFilePath(state.dataDirectory);
  const draft = `${path}.${state.pid}.draft`;
  writeFileSync(draft, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(draft, path);
}

/** Removes the state file if it is this process's. Synchronous, so an 'exit' hook can call it; safe to repeat. */
export function removeLocalStackState(dataDirectory: string, pid: number = process.pid): void {
  const path = stateFilePath(dataDirectory);
  try {
    if (readState(path).pid !== pid) return;
  } catch {
    // Unreadable or absent: nobody can use it either way.
  }
  rmSync(path, { force: true });
}

/** No local stack holds this data folder. */
export class NoLocalStackError extends Error {
  override readonly name = 'NoLocalStackError';
  constructor(readonly dataDirectory: string) {
    super(`no local stack is running on ${dataDirectory} (start it with npm start)`);
  }
}

/** A stack holds the folder but has not said where it listens: it is starting, or stopping. */
export class LocalStackNotReadyError extends Error {
  override readonly name = 'LocalStackNotReadyError';
  constructor(
    readonly dataDirectory: string,
    readonly pid: number,
  ) {
    super(
      `the local stack on ${dataDirectory} (PID ${pid}) is starting or stopping; try again once it prints "makul local stack ready"`,
    );
  }
}

function readState(path: string): LocalStackState {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path} is not a local stack state file`);
  return parsed.data;
}

/**
 * The running local stack on this data folder. Throws NoLocalStackError when none runs there, and
 * LocalStackNotReadyError when one holds the folder but is not ready (or a file left by an earlier,
 * killed stack names another PID).
 */
export function runningLocalStack(
  dataDirectory: string,
  isRunning?: (pid: number) => boolean,
): LocalStackState {
  const holder = runningLockHolder(dataDirectory, isRunning);
  if (holder === null) throw new NoLocalStackError(dataDirectory);
  let state: LocalStackState;
  try {
    state = readState(stateFilePath(dataDirectory));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new LocalStackNotReadyError(dataDirectory, holder);
    throw error;
  }
  if (state.pid !== holder) throw new LocalStackNotReadyError(dataDirectory, holder);
  return state;
}

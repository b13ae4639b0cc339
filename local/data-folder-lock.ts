/**
 * One local stack per data folder. Two stacks on one folder would run two DynamoDB Local processes on
 * one database file and two S3 emulators on one folder, and `--fresh` in one would delete the other's
 * data under it. The lock is a file in the folder holding the PID of the process that owns it,
 * created exclusively (written in full to a private file first, then hard-linked into place, which
 * fails if the lock exists, so nobody ever reads a half-written lock). A lock whose process is gone
 * (a stack killed with SIGKILL, a machine that rebooted) is stale and taken over, with a note.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'local-stack.lock';

export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
  constructor(
    readonly dataDirectory: string,
    readonly holderPid: number,
    readonly lockFile: string,
  ) {
    super(
      `data folder ${dataDirectory} is in use by another local stack (PID ${holderPid}). ` +
        `Stop that one first (Ctrl-C in its terminal, or kill ${holderPid}), or choose another folder ` +
        `with --data-dir. If PID ${holderPid} is not a makul local stack, delete ${lockFile}.`,
    );
  }
}

export interface DataFolderLock {
  readonly lockFile: string;
  /**
   * Set when a stale lock was taken over: the PID it named (no longer running), or null when the file
   * named none.
   */
  readonly staleLock: { readonly pid: number | null } | null;
  /** Removes the lock if it is still ours. Synchronous, so an 'exit' hook can call it; safe to repeat. */
  release(): void;
}

export interface LockOptions {
  /** @default process.pid */
  readonly pid?: number;
  /** @default a signal-0 probe of the PID */
  readonly isRunning?: (pid: number) => boolean;
}

/** Whether a process with this PID exists (EPERM: it exists but belongs to someone else). */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID in a lock file; null when it has no lock file or no PID in it (0 is read as no PID). */
function readHolder(path: string): number | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  const pid = Number(/^\s*(\d+)/.exec(text)?.[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * The PID of the running local stack holding this data folder's lock; null when there is no lock or
 * the process it names is gone (a stack killed with SIGKILL leaves a lock behind).
 */
export function runningLockHolder(
  dataDirectory: string,
  isRunning: (pid: number) => boolean = processIsRunning,
): number | null {
  const holder = readHolder(join(dataDirectory, LOCK_FILE_NAME));
  return typeof holder === 'number' && isRunning(holder) ? holder : null;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Takes the lock of a data folder (which must exist), or throws DataFolderInUseError naming the folder
 * and the PID holding it.
 */
export function lockDataFolder(dataDirectory: string, options: LockOptions = {}): DataFolderLock {
  const pid = options.pid ?? process.pid;
  const isRunning = options.isRunning ?? processIsRunning;
  const lockFile = join(dataDirectory, LOCK_FILE_NAME);
  const draft = `${lockFile}.${pid}.draft`;
  writeFileSync(draft, `${pid}\n`, { mode: 0o600 });
  let staleLock: { pid: number | null } | null = null;
  try {
    // A few rounds: each lost race (another process taking the lock or a stale one at the same time)
    // means one more look at what is there now.
    for (let round = 0; round < 5; round += 1) {
      try {
        linkSync(draft, lockFile);
        return lockHandle(lockFile, pid, staleLock);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const holder = readHolder(lockFile);
      if (holder === 'missing') continue;
      if (holder === pid) throw new DataFolderInUseError(dataDirectory, holder, lockFile);
      if (holder !== null && isRunning(holder))
        throw new DataFolderInUseError(dataDirectory, holder, lockFile);
      // Stale. Move it aside atomically, so that of two stacks seeing the same stale lock only one
      // removes it; if what was moved is not the lock we judged (it was replaced in between), put it back.
      const aside = `${lockFile}.${pid}.stale`;
      try {
        renameSync(lockFile, aside);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue;
        throw error;
      }
      const moved = readHolder(aside);
      if (moved !== holder) {
        try {
          linkSync(aside, lockFile);
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw error;
        }
      } else {
        staleLock = { pid: holder };
      }
      rmSync(aside, { force: true });
    }
    throw new Error(`could not take the lock ${lockFile}: it keeps changing; try again`);
  } finally {
    rmSync(draft, { force: true });
  }
}

function lockHandle(lockFile: string, pid: number, staleLock: DataFolderLock['staleLock']): DataFolderLock {
  let held = true;
  return {
    lockFile,
    staleLock,
    release: () => {
      if (!held) return;
      held = false;
      // Only our own lock: if it was taken over meanwhile (we looked dead), it is not ours to remove.
      if (readHolder(lockFile) === pid) rmSync(lockFile, { force: true });
    },
  };
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFolderInUseError, LOCK_FILE_NAME, lockDataFolder } from '../../../local/data-folder-lock';

let folder: string;
let lockFile: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'makul-lock-test-'));
  lockFile = join(folder, LOCK_FILE_NAME);
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** The PID of a process that has just exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(result.stdout);
}

describe('lockDataFolder', () => {
  it('writes the PID into a lock file and removes it on release', () => {
    const lock = lockDataFolder(folder, { pid: 4242, isRunning: () => true });
    expect(lock.lockFile).toBe(lockFile);
    expect(readFileSync(lockFile, 'utf8')).toBe('4242\n');
    expect(lock.staleLock).toBeNull();
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
    lock.release(); // twice is harmless
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a folder whose lock is held by a running process, naming the folder and the PID', () => {
    const held = lockDataFolder(folder, { pid: 4242, isRunning: () => true });
    let refusal: unknown;
    try {
      lockDataFolder(folder, { pid: 5353, isRunning: (pid) => pid === 4242 });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataFolderInUseError);
    const message = (refusal as Error).message;
    expect(message).toContain(`data folder ${folder} is in use`);
    expect(message).toContain('PID 4242');
    expect(message).toContain('--data-dir');
    // The holder's lock is untouched and no draft of the refused attempt is left behind.
    expect(readFileSync(lockFile, 'utf8')).toBe('4242\n');
    expect(readdirSync(folder)).toEqual([LOCK_FILE_NAME]);
    held.release();
  });

  it('refuses a second lock from the same process', () => {
    const held = lockDataFolder(folder);
    expect(() => lockDataFolder(folder)).toThrow(`PID ${process.pid}`);
    held.release();
  });

  it('takes over a lock left by a process that is no longer running, and says so', () => {
    const gone = deadPid();
    writeFileSync(lockFile, `${gone}\n`);
    const lock = lockDataFolder(folder);
    expect(lock.staleLock).toEqual({ pid: gone });
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(folder)).toEqual([LOCK_FILE_NAME]);
    lock.release();
  });

  it('takes over a lock file that names no process', () => {
    writeFileSync(lockFile, '');
    const lock = lockDataFolder(folder, { pid: 4242, isRunning: () => true });
    expect(lock.staleLock).toEqual({ pid: null });
    expect(readFileSync(lockFile, 'utf8')).toBe('4242\n');
    lock.release();
  });

  it('does not remove a lock that another process has taken over since', () => {
    const first = lockDataFolder(folder, { pid: 4242, isRunning: () => true });
    const second = lockDataFolder(folder, { pid: 5353, isRunning: () => false });
    expect(second.staleLock).toEqual({ pid: 4242 });
    first.release();
    expect(readFileSync(lockFile, 'utf8')).toBe('5353\n');
    second.release();
    expect(existsSync(lockFile)).toBe(false);
  });
});

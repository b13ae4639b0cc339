/**
 * `npm start` as a person runs it, for the tests that drive the real local stack (bin/local-stack.ts):
 * in a process group of its own, as a terminal runs a foreground job, stopped the way a terminal stops
 * it: SIGINT to the whole group. It runs under Node with tsx's loader (`node --import tsx`), in one
 * process: the tsx command-line wrapper adds a process that SIGKILLs its child when the child has not
 * acknowledged a signal within 60 ms, which a busy machine running the whole suite can cause, and that
 * would make a test fail for a reason that is not the stack's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '../../local/loopback';
import { PROJECT_ROOT } from './paths';

export interface RunningStack {
  readonly child: ChildProcess;
  /** The free ports it was told to listen on. */
  readonly ports: {
    readonly smtp: number;
    readonly ses: number;
    readonly http: number;
    readonly dynamodb: number;
  };
  /** Everything it printed so far, stdout and stderr together, in order. */
  output(): string;
  /** Resolves once the output matches, or rejects when it exits first or the time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** The exit code (or signal) once it has exited and closed its output. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

const started: RunningStack[] = [];

/**
 * Starts `node --import tsx bin/local-stack.ts --data-dir <folder>` on free ports (SMTP, SES emulator,
 * HTTP API, DynamoDB Local: the defaults would clash with a stack a developer runs, or another test's),
 * with further options as a person would type them.
 */
export async function startLocalStack(
  dataDirectory: string,
  options: readonly string[] = [],
  input: 'ignore' | 'pipe' = 'ignore',
): Promise<RunningStack> {
  const [smtp, ses, http, dynamodb] = (await distinctFreePorts(4)) as [number, number, number, number];
  const args = [
    'bin/local-stack.ts',
    '--data-dir',
    dataDirectory,
    '--smtp-port',
    String(smtp),
    '--http-port',
    String(http),
    '--ses-port',
    String(ses),
    '--dynamodb-port',
    String(dynamodb),
    ...options,
  ];
  // detached: a process group of its own, like a foreground job in a terminal.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PROJECT_ROOT,
    detached: true,
    // 'pipe': the test types into the stack as a person types into its terminal.
    stdio: [input, 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal ?? -1));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const listener of listeners) listener();
  });
  const stack: RunningStack = {
    child,
    ports: { smtp, ses, http, dynamodb },
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(text);
          if (match === null && !hasExited) return;
          listeners.delete(check);
          clearTimeout(timer);
          if (match !== null) resolve(match);
          else reject(new Error(`the stack exited before printing ${pattern}:\n${text}`));
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
  started.push(stack);
  return stack;
}

/** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
export function pressCtrlC(stack: RunningStack): void {
  if (stack.child.pid !== undefined) process.kill(-stack.child.pid, 'SIGINT');
}

/**
 * For afterEach/afterAll: a failed test must not leave a stack running. SIGKILLs the group of every
 * stack started since the last call that has not exited (DynamoDB Local follows, see
 * local/DynamoDbLocalOnLoopback.java).
 */
export async function killStartedStacks(): Promise<void> {
  for (const stack of started.splice(0)) {
    if (stack.child.exitCode === null && stack.child.signalCode === null && stack.child.pid !== undefined) {
      process.kill(-stack.child.pid, 'SIGKILL');
      await stack.exited;
    }
  }
}

/** Whether any process is still in the process group (kill with signal 0 only checks). */
export function processGroupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Whether the process exists and has not ended (a zombie waiting for its parent has ended). */
export function processRunning(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (command) state …"; the command may hold spaces and parentheses.
    const stat = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The processes (PID and command line) whose command line mentions the text, from /proc. */
export function processesMentioning(text: string): { pid: number; commandLine: string }[] {
  const found: { pid: number; commandLine: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(join('/proc', entry, 'cmdline'), 'utf8')
        .replaceAll('\0', ' ')
        .trim();
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (commandLine.includes(text)) found.push({ pid: Number(entry), commandLine });
  }
  return found;
}

/**
 * Free ports, all different: the OS may hand the same free port to two asks in a row (each probe binds
 * and releases it), and two services given one port make the second fail to start.
 */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

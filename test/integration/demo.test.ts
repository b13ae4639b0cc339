/**
 * `npm run demo` (bin/demo.ts) as a person runs it: against the real local stack (`npm start`, started
 * as test/support/local-stack-process.ts does), it sends all 21 sample requests in examples/ and prints
 * one line per file with the request id, kind, decision and the reply's subject, then a summary; and
 * without a stack it says to start one and exits 1.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles } from '../../local/examples';
import {
  killStartedStacks,
  pressCtrlC,
  type RunningStack,
  startLocalStack,
} from '../support/local-stack-process';
import { PROJECT_ROOT } from '../support/paths';

interface DemoRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run demo -- --data-dir DIR`, as the script runs it (node with tsx's loader). */
function runDemo(dataDirectory: string): Promise<DemoRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/demo.ts', '--data-dir', dataDirectory],
      { cwd: PROJECT_ROOT, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('npm run demo (bin/demo.ts)', () => {
  const folders: string[] = [];
  let stack: RunningStack;
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'makul-demo-test-'));
    folders.push(dataDirectory);
    stack = await startLocalStack(dataDirectory, ['--fresh']);
    await stack.waitFor(/^makul local stack ready in /m, 110_000);
  });

  afterAll(async () => {
    if (stack !== undefined && stack.child.exitCode === null && stack.child.signalCode === null) {
      pressCtrlC(stack);
      const stopped = await Promise.race([
        stack.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
      ]);
      expect(stopped, stack.output()).toBe(0);
    }
    await killStartedStacks();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('sends every example through the SMTP listener and prints its decision and reply, one line each', async () => {
    const run = await runDemo(dataDirectory);
    expect(run.code, `${run.stdout}\n${run.stderr}\n--- stack ---\n${stack.output()}`).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    const examples = exampleFiles();
    expect(examples).toHaveLength(21);
    for (const [index, example] of examples.entries()) {
      // unsubscribe takes effect at once; every other kind waits for the confirmation link (GRAY verdicts).
      const status = example.kind === 'unsubscribe' ? 'completed' : 'awaiting-verification';
      const pattern = new RegExp(
        `^\\[ ?${index + 1}/21\\] ${literal(example.fileName)} +→ (MK-[A-Z0-9]{12}): ` +
          `${literal(example.kind)} \\(${example.language}\\), process \\(tag-in-subject\\), status ${status} ` +
          '→ reply: “([^”]+)”$',
      );
      const line = lines.find((candidate) => pattern.test(candidate));
      expect(line, `no line for ${example.fileName} in:\n${run.stdout}`).toBeDefined();
      const [, requestId = '', replySubject = ''] = pattern.exec(line ?? '') ?? [];
      // The reply found is this request's (its subject names the id), and the stack handled that id.
      expect(replySubject.endsWith(`— ${requestId}`)).toBe(true);
      expect(stack.output()).toContain(`handler: request ${requestId} → ${example.kind} → process`);
    }
    expect(lines).toContain('demo: 21 sent, 21 decided, 21 replies, 0 forwarded, 0 nothing sent');
    // Never a sender's address: only the operator's support address appears, in the heading.
    expect(run.stdout).not.toMatch(/demo\.[a-z-]+\.(?:ky|ru|en)@/);
    expect(run.stdout).not.toContain('@example.com');
  }, 120_000);

  it('says to start the stack, and exits 1, when none runs on the data folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'makul-demo-test-empty-'));
    folders.push(empty);
    const run = await runDemo(empty);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `demo: no local stack is running on ${empty}: start it with npm start -- --data-dir ${empty}, then run the demo again\n`,
    );
  });
});

/**
 * Running `makul` in tests: as ops would (bin/makul.mjs through tsx, in a child process, with an
 * environment cleaned of the developer's AWS and makul settings), or in this process through the
 * dispatcher (bin/cli/main.ts) for cases that only vary what the child-process tests already cover.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../bin/cli/main';
import { PROJECT_ROOT } from './paths';

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The shell's environment without settings that would change what a command finds. */
export function cleanEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([name]) => !name.startsWith('AWS_') && name !== 'MAKUL_UNSUBSCRIBE_LINK_KEY',
  );
  return { ...Object.fromEntries(kept), ...extra };
}

export async function makulProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = cleanEnvironment(),
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(PROJECT_ROOT, 'bin/makul.mjs'), ...args], {
      cwd: PROJECT_ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

export async function makulHere(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args], {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

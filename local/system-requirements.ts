/**
 * What the machine must have besides Node and npm, checked before anything starts: a Java 17+ JDK on
 * PATH for the local stack (DynamoDB Local is a Java program; javac compiles the small launcher that
 * binds it to 127.0.0.1 only, local/dynamodb-local.ts), and for the tests also Debian's Chromium at
 * /usr/bin/chromium (the browser tests drive exactly that path, test/support/browser.ts).
 *
 * When something is missing and this runs as root on Debian/Ubuntu with apt-get on PATH, it says in one
 * line what it installs and why, installs it with apt-get and checks again. Otherwise it throws a
 * SystemRequirementsError that says exactly what to install, so the caller exits before any service
 * starts rather than failing deep inside one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The oldest Java that DynamoDB Local runs on. */
export const MINIMUM_JAVA_MAJOR = 17;
export const JDK_PACKAGE = 'openjdk-17-jdk-headless';
export const CHROMIUM_PACKAGE = 'chromium';
/** Where Debian's chromium package puts the browser; playwright-core downloads none of its own. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const DEFAULT_DEBIAN_VERSION_PATH = '/etc/debian_version';

export type RequirementsFor = 'stack' | 'tests';

/** Runs a command with the given environment, its output shown as it goes; resolves to its exit code. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
) => Promise<number> | number;

export interface SystemRequirementsOptions {
  /** 'stack': what `npm start` needs; 'tests': that plus what `npm test` needs. */
  readonly for: RequirementsFor;
  /** One line at a time: what was found, what is being installed. */
  readonly report: (line: string) => void;
  /** Its PATH is where java, javac and apt-get are looked for. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: process.getuid(); apt-get is run only when this is 0. */
  readonly uid?: number | undefined;
  /** Default: /etc/debian_version, present on Debian and Ubuntu. */
  readonly debianVersionPath?: string;
  /** Default: /usr/bin/chromium. */
  readonly chromiumPath?: string;
  /** Runs apt-get. Default: spawns it with inherited stdio. */
  readonly run?: CommandRunner;
}

/** The requirements are not met and could not be installed here; the message says what to install. */
export class SystemRequirementsError extends Error {
  override readonly name = 'SystemRequirementsError';
}

interface Found {
  readonly problems: readonly Problem[];
  readonly summary: string;
}

interface Problem {
  /** e.g. "java not found", "java 11.0.22 at /usr/bin/java is too old". */
  readonly what: string;
  readonly why: string;
  readonly debianPackage: string;
  /** What to install on a system without apt-get. */
  readonly otherSystems: string;
}

const JDK_WHY = `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+, and javac to bind it to 127.0.0.1 only`;
const JDK_OTHER_SYSTEMS =
  `a Java ${MINIMUM_JAVA_MAJOR}+ JDK with java and javac on PATH, e.g. Eclipse Temurin ${MINIMUM_JAVA_MAJOR} ` +
  `(adoptium.net), \`brew install openjdk@${MINIMUM_JAVA_MAJOR}\` on macOS or ` +
  `\`dnf install java-${MINIMUM_JAVA_MAJOR}-openjdk-devel\` on Fedora`;

/**
 * The major version in `java -version` output: `openjdk version "17.0.15" 2025-04-15` → 17,
 * `java version "1.8.0_381"` → 8, `openjdk version "22-ea"` → 22. Undefined when there is none.
 */
export function parseJavaVersion(output: string): { version: string; major: number } | undefined {
  const version = /version "([^"]+)"/.exec(output)?.[1];
  if (version === undefined) return undefined;
  const legacy = /^1\.(\d+)/.exec(version);
  const major = Number((legacy ?? /^(\d+)/.exec(version))?.[1]);
  return Number.isInteger(major) && major > 0 ? { version, major } : undefined;
}

/** The first executable file called `name` in the PATH folders, like the shell would find it. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const folder of (path ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function versionOutput(executable: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync(executable, ['-version'], { encoding: 'utf8', env, timeout: 60_000 });
  return `${result.stderr ?? ''}${result.stdout ?? ''}`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function inspect(what: RequirementsFor, env: NodeJS.ProcessEnv, chromiumPath: string): Found {
  const problems: Problem[] = [];
  const found: string[] = [];
  let jdkProblem: string | undefined;

  const java = findOnPath('java', env.PATH);
  if (java === undefined) {
    jdkProblem = 'java not found';
  } else {
    const output = versionOutput(java, env);
    const parsed = parseJavaVersion(output);
    if (parsed === undefined) {
      jdkProblem = `java at ${java} printed no version (java -version)`;
    } else if (parsed.major < MINIMUM_JAVA_MAJOR) {
      jdkProblem = `java ${parsed.version} at ${java} is too old`;
    } else {
      found.push(`java ${parsed.version} (${java})`);
    }
  }
  const javac = findOnPath('javac', env.PATH);
  if (javac === undefined) {
    if (jdkProblem === undefined) jdkProblem = 'javac not found (java is there, but not the JDK)';
  } else if (jdkProblem === undefined) {
    const javacVersion = /javac\s+(\S+)/.exec(versionOutput(javac, env))?.[1];
    found.push(javacVersion === undefined ? `javac (${javac})` : `javac ${javacVersion}`);
  }
  if (jdkProblem !== undefined) {
    problems.push({
      what: jdkProblem,
      why: JDK_WHY,
      debianPackage: JDK_PACKAGE,
      otherSystems: JDK_OTHER_SYSTEMS,
    });
  }

  if (what === 'tests') {
    if (isExecutable(chromiumPath)) {
      found.push(`chromium (${chromiumPath})`);
    } else {
      problems.push({
        what: `${chromiumPath} not found`,
        why: "the browser tests start Debian's Chromium from there",
        debianPackage: CHROMIUM_PACKAGE,
        otherSystems: `Chromium at ${chromiumPath} (the browser tests start it from that path)`,
      });
    }
  }
  return { problems, summary: found.join(', ') };
}

function subject(what: RequirementsFor): string {
  return what === 'stack' ? 'the local stack' : 'the tests';
}

const defaultRunner: CommandRunner = (command, args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });

/** Why nothing can go on, and exactly what to install. */
function notMetMessage(what: RequirementsFor, problems: readonly Problem[], how: 'sudo' | 'root' | 'other') {
  const stopped = what === 'stack' ? 'so no service was started' : 'so no test ran';
  const lines = [`system requirements for ${subject(what)} are not met, ${stopped}:`];
  for (const problem of problems) lines.push(`  ${problem.what} (${problem.why})`);
  const them = problems.length === 1 ? 'it' : 'them';
  if (how === 'other') {
    lines.push('Install:');
    for (const problem of problems) lines.push(`  ${problem.otherSystems}`);
    lines.push('then run this again.');
  } else {
    const packages = problems.map((problem) => problem.debianPackage).join(' ');
    lines.push(`Install ${them} with:`);
    lines.push(`  ${how === 'sudo' ? 'sudo ' : ''}apt-get install ${packages}`);
    lines.push(
      how === 'sudo'
        ? `then run this again. (Run as root, this check installs ${them} with apt-get itself.)`
        : 'then run this again.',
    );
  }
  return lines.join('\n');
}

/**
 * Checks what `what` needs; installs what is missing with apt-get when root on Debian/Ubuntu, else
 * throws a SystemRequirementsError saying what to install. Resolves when everything is there.
 */
export async function ensureSystemRequirements(options: SystemRequirementsOptions): Promise<void> {
  const what = options.for;
  const env = options.env ?? process.env;
  const uid = 'uid' in options ? options.uid : process.getuid?.();
  const debian = existsSync(options.debianVersionPath ?? DEFAULT_DEBIAN_VERSION_PATH);
  const chromiumPath = options.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
  const run = options.run ?? defaultRunner;

  const before = inspect(what, env, chromiumPath);
  if (before.problems.length === 0) {
    options.report(`system requirements for ${subject(what)}: ${before.summary}`);
    return;
  }
  if (!debian) throw new SystemRequirementsError(notMetMessage(what, before.problems, 'other'));
  const aptGet = findOnPath('apt-get', env.PATH);
  if (uid !== 0 || aptGet === undefined) {
    throw new SystemRequirementsError(notMetMessage(what, before.problems, uid === 0 ? 'root' : 'sudo'));
  }

  const packages = before.problems.map((problem) => problem.debianPackage);
  for (const problem of before.problems) {
    options.report(`${problem.what}: installing ${problem.debianPackage} (${problem.why}) with apt-get …`);
  }
  const steps: { shown: string; args: string[]; env: NodeJS.ProcessEnv }[] = [
    { shown: 'apt-get update -qq', args: ['update', '-qq'], env },
    {
      shown: `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(' ')}`,
      args: ['install', '-y', '-qq', ...packages],
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  ];
  for (const step of steps) {
    options.report(`$ ${step.shown}`);
    let code: number;
    try {
      code = await run('apt-get', step.args, step.env);
    } catch (error) {
      throw new SystemRequirementsError(
        `${step.shown} could not run (${error instanceof Error ? error.message : String(error)}).\n` +
          notMetMessage(what, before.problems, 'root'),
      );
    }
    if (code !== 0) {
      throw new SystemRequirementsError(
        `${step.shown} exited with code ${code}.\n${notMetMessage(what, before.problems, 'root')}`,
      );
    }
  }

  const after = inspect(what, env, chromiumPath);
  if (after.problems.length > 0) {
    const stillMissing = after.problems.map((problem) => problem.what).join('; ');
    const hint = after.problems.some((problem) => problem.what.includes('too old'))
      ? ` (another Java comes first: choose Java ${MINIMUM_JAVA_MAJOR}+ with update-alternatives --config java)`
      : '';
    throw new SystemRequirementsError(
      `installed ${packages.join(' ')} with apt-get, but still: ${stillMissing}${hint}`,
    );
  }
  options.report(`installed ${packages.join(' ')}: ${after.summary}`);
}

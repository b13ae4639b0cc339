import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CommandRunner,
  ensureSystemRequirements,
  findOnPath,
  parseJavaVersion,
  type RequirementsFor,
  SystemRequirementsError,
} from '../../../local/system-requirements';
import { PROJECT_ROOT } from '../../support/paths';

/** What `java -version` prints (on stderr) for the releases a machine may have. */
const JAVA_VERSION_OUTPUT = {
  11: [
    'openjdk version "11.0.22" 2024-01-16',
    'OpenJDK Runtime Environment (build 11.0.22+7-post-Debian-1deb11u1)',
    'OpenJDK 64-Bit Server VM (build 11.0.22+7-post-Debian-1deb11u1, mixed mode, sharing)',
  ],
  17: [
    'openjdk version "17.0.15" 2025-04-15',
    'OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)',
    'OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)',
  ],
  21: [
    'openjdk version "21.0.7" 2025-04-15 LTS',
    'OpenJDK Runtime Environment Temurin-21.0.7+6 (build 21.0.7+6-LTS)',
    'OpenJDK 64-Bit Server VM Temurin-21.0.7+6 (build 21.0.7+6-LTS, mixed mode, sharing)',
  ],
} as const;

const JAVAC_VERSION = { 11: 'javac 11.0.22', 17: 'javac 17.0.15', 21: 'javac 21.0.7' } as const;

let root: string;
let bin: string;
let chromium: string;
let debianVersion: string;
let reported: string[];
let aptCalls: string[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'makul-sysreq-test-'));
  bin = join(root, 'bin');
  mkdirSync(bin);
  chromium = join(root, 'usr-bin-chromium');
  debianVersion = join(root, 'debian_version');
  reported = [];
  aptCalls = [];
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function script(name: string, body: string): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A fake `java` on the temporary PATH printing the real `java -version` output, and `javac`. */
function installFakeJdk(major: 11 | 17 | 21, { javac = true } = {}): void {
  const lines = JAVA_VERSION_OUTPUT[major].map((line) => `echo '${line}' >&2`).join('\n');
  script('java', lines);
  if (javac) script('javac', `echo '${JAVAC_VERSION[major]}'`);
}

function installFakeChromium(): void {
  writeFileSync(chromium, '#!/bin/sh\n');
  chmodSync(chromium, 0o755);
}

function debian(): void {
  writeFileSync(debianVersion, '12.11\n');
}

/** Stands in for apt-get, which cannot run in a test: records each call and "installs" packages. */
function fakeApt(install: (packages: string[]) => void = () => undefined, exitCode = 0): CommandRunner {
  return (command, args, env) => {
    const frontend = env.DEBIAN_FRONTEND === undefined ? '' : `DEBIAN_FRONTEND=${env.DEBIAN_FRONTEND} `;
    aptCalls.push(`${frontend}${command} ${args.join(' ')}`);
    if (args[0] === 'install' && exitCode === 0) install(args.filter((arg) => !arg.startsWith('-')).slice(1));
    return exitCode;
  };
}

function ensure(what: RequirementsFor, uid: number, run: CommandRunner = fakeApt()): Promise<void> {
  return ensureSystemRequirements({
    for: what,
    report: (line) => reported.push(line),
    env: { PATH: bin },
    uid,
    debianVersionPath: debianVersion,
    chromiumPath: chromium,
    run,
  });
}

async function failure(promise: Promise<void>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SystemRequirementsError);
  return (error as Error).message;
}

describe('parseJavaVersion', () => {
  it('reads the major version of every release format', () => {
    expect(parseJavaVersion(JAVA_VERSION_OUTPUT[17].join('\n'))).toEqual({ version: '17.0.15', major: 17 });
    expect(parseJavaVersion(JAVA_VERSION_OUTPUT[21].join('\n'))).toEqual({ version: '21.0.7', major: 21 });
    expect(parseJavaVersion(JAVA_VERSION_OUTPUT[11].join('\n'))).toEqual({ version: '11.0.22', major: 11 });
    expect(parseJavaVersion('java version "1.8.0_381"\nJava(TM) SE Runtime Environment')?.major).toBe(8);
    expect(parseJavaVersion('openjdk version "17" 2021-09-14')?.major).toBe(17);
    expect(parseJavaVersion('openjdk version "22-ea" 2024-03-19')?.major).toBe(22);
    expect(
      parseJavaVersion('Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "17.0.15" 2025-04-15')?.major,
    ).toBe(17);
    expect(parseJavaVersion('bash: java: command not found')).toBeUndefined();
  });
});

describe('findOnPath', () => {
  it('finds only executable files, in PATH order', () => {
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(bin, 'java'), 'not executable');
    writeFileSync(join(other, 'java'), '#!/bin/sh\n');
    chmodSync(join(other, 'java'), 0o755);
    expect(findOnPath('java', `${bin}:${other}`)).toBe(join(other, 'java'));
    expect(findOnPath('javac', `${bin}:${other}`)).toBeUndefined();
    expect(findOnPath('java', undefined)).toBeUndefined();
  });
});

describe('ensureSystemRequirements: everything there', () => {
  it('reports Java 17 and javac for the local stack, without Chromium', async () => {
    installFakeJdk(17);
    await ensure('stack', 1000);
    expect(reported).toEqual([
      `system requirements for the local stack: java 17.0.15 (${bin}/java), javac 17.0.15`,
    ]);
  });

  it('accepts Java 21 and reports Chromium for the tests; runs nothing', async () => {
    installFakeJdk(21);
    installFakeChromium();
    debian();
    await ensure('tests', 0);
    expect(reported).toEqual([
      `system requirements for the tests: java 21.0.7 (${bin}/java), javac 21.0.7, chromium (${chromium})`,
    ]);
    expect(aptCalls).toEqual([]);
  });
});

describe('ensureSystemRequirements: missing, not root — says what to install, installs nothing', () => {
  it('Debian, no java: the sudo apt-get line', async () => {
    debian();
    script('apt-get', 'exit 0');
    const message = await failure(ensure('stack', 1000));
    expect(message).toBe(
      [
        'system requirements for the local stack are not met, so no service was started:',
        '  java not found (DynamoDB Local needs Java 17+, and javac to bind it to 127.0.0.1 only)',
        'Install it with:',
        '  sudo apt-get install openjdk-17-jdk-headless',
        'then run this again. (Run as root, this check installs it with apt-get itself.)',
      ].join('\n'),
    );
    expect(aptCalls).toEqual([]);
    expect(reported).toEqual([]);
  });

  it('Debian, Java 11 and no Chromium, for the tests: names the version found and both packages', async () => {
    debian();
    installFakeJdk(11);
    const message = await failure(ensure('tests', 1000));
    expect(message).toBe(
      [
        'system requirements for the tests are not met, so no test ran:',
        `  java 11.0.22 at ${bin}/java is too old (DynamoDB Local needs Java 17+, and javac to bind it to 127.0.0.1 only)`,
        `  ${chromium} not found (the browser tests start Debian's Chromium from there)`,
        'Install them with:',
        '  sudo apt-get install openjdk-17-jdk-headless chromium',
        'then run this again. (Run as root, this check installs them with apt-get itself.)',
      ].join('\n'),
    );
    expect(aptCalls).toEqual([]);
  });

  it('Debian, java without javac (a JRE only) counts as missing', async () => {
    debian();
    installFakeJdk(17, { javac: false });
    const message = await failure(ensure('stack', 1000));
    expect(message.split('\n')[1]).toBe(
      '  javac not found (java is there, but not the JDK) ' +
        '(DynamoDB Local needs Java 17+, and javac to bind it to 127.0.0.1 only)',
    );
    expect(aptCalls).toEqual([]);
  });

  it('not Debian, even as root: a Java 17+ JDK by example, and Chromium at its path', async () => {
    const message = await failure(ensure('tests', 0));
    expect(message).toBe(
      [
        'system requirements for the tests are not met, so no test ran:',
        '  java not found (DynamoDB Local needs Java 17+, and javac to bind it to 127.0.0.1 only)',
        `  ${chromium} not found (the browser tests start Debian's Chromium from there)`,
        'Install:',
        '  a Java 17+ JDK with java and javac on PATH, e.g. Eclipse Temurin 17 (adoptium.net), ' +
          '`brew install openjdk@17` on macOS or `dnf install java-17-openjdk-devel` on Fedora',
        `  Chromium at ${chromium} (the browser tests start it from that path)`,
        'then run this again.',
      ].join('\n'),
    );
    expect(aptCalls).toEqual([]);
  });

  it('Debian as root but no apt-get on PATH: the plain apt-get line, nothing run', async () => {
    debian();
    const message = await failure(ensure('stack', 0));
    expect(message.split('\n').slice(2)).toEqual([
      'Install it with:',
      '  apt-get install openjdk-17-jdk-headless',
      'then run this again.',
    ]);
    expect(aptCalls).toEqual([]);
  });
});

describe('ensureSystemRequirements: missing, root on Debian — installs with apt-get, then checks again', () => {
  beforeEach(() => {
    debian();
    script('apt-get', 'exit 0');
  });

  it('says what it installs and why, runs apt-get update then install, and reports what it found', async () => {
    installFakeJdk(11);
    await ensure(
      'tests',
      0,
      fakeApt((packages) => {
        if (packages.includes('openjdk-17-jdk-headless')) installFakeJdk(17);
        if (packages.includes('chromium')) installFakeChromium();
      }),
    );
    expect(aptCalls).toEqual([
      'apt-get update -qq',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless chromium',
    ]);
    expect(reported).toEqual([
      `java 11.0.22 at ${bin}/java is too old: installing openjdk-17-jdk-headless ` +
        '(DynamoDB Local needs Java 17+, and javac to bind it to 127.0.0.1 only) with apt-get …',
      `${chromium} not found: installing chromium ` +
        "(the browser tests start Debian's Chromium from there) with apt-get …",
      '$ apt-get update -qq',
      '$ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless chromium',
      'installed openjdk-17-jdk-headless chromium: ' +
        `java 17.0.15 (${bin}/java), javac 17.0.15, chromium (${chromium})`,
    ]);
  });

  it('installs only the JDK for the local stack', async () => {
    await ensure(
      'stack',
      0,
      fakeApt(() => installFakeJdk(17)),
    );
    expect(aptCalls).toEqual([
      'apt-get update -qq',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless',
    ]);
    expect(reported[0]).toBe(
      'java not found: installing openjdk-17-jdk-headless ' +
        '(DynamoDB Local needs Java 17+, and javac to bind it to 127.0.0.1 only) with apt-get …',
    );
    expect(reported.at(-1)).toBe(
      `installed openjdk-17-jdk-headless: java 17.0.15 (${bin}/java), javac 17.0.15`,
    );
  });

  it('fails, saying what to install, when apt-get fails', async () => {
    const message = await failure(ensure('stack', 0, fakeApt(undefined, 100)));
    expect(aptCalls).toEqual(['apt-get update -qq']);
    expect(message.split('\n')[0]).toBe('apt-get update -qq exited with code 100.');
    expect(message).toContain('  apt-get install openjdk-17-jdk-headless');
  });

  it('fails when java is still too old after installing (another Java comes first on PATH)', async () => {
    installFakeJdk(11);
    const message = await failure(ensure('stack', 0, fakeApt()));
    expect(message).toBe(
      `installed openjdk-17-jdk-headless with apt-get, but still: java 11.0.22 at ${bin}/java is too old ` +
        '(another Java comes first: choose Java 17+ with update-alternatives --config java)',
    );
  });
});

describe('bin/system-requirements.ts on this machine', () => {
  it('finds everything the tests need (Java 17+ JDK, /usr/bin/chromium) and exits 0', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bin/system-requirements.ts', '--for', 'tests'],
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^system requirements for the tests: java \d+\S* \(\S+\/java\), javac \S+, chromium \(\/usr\/bin\/chromium\)\n$/,
    );
  });

  it('rejects an unknown argument with its usage (exit 2)', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/system-requirements.ts', '--for'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Usage: node --import tsx bin\/system-requirements.ts --for stack\|tests/);
  });
});

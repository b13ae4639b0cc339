/**
 * Checks, before anything starts, what the machine needs besides Node and npm (local/system-requirements.ts):
 *
 *   node --import tsx bin/system-requirements.ts --for tests   # npm test's pretest: Java 17+ JDK, Chromium
 *   node --import tsx bin/system-requirements.ts --for stack   # what npm start needs: Java 17+ JDK
 *
 * Exits 0 when everything is there (installed with apt-get first when run as root on Debian/Ubuntu),
 * 1 with exactly what to install when not, 2 on a usage error.
 */
import {
  ensureSystemRequirements,
  type RequirementsFor,
  SystemRequirementsError,
} from '../local/system-requirements';

const USAGE = `Usage: node --import tsx bin/system-requirements.ts --for stack|tests

Checks what the local stack (stack: a Java 17+ JDK, java and javac on PATH) or the tests (tests: that,
and Chromium at /usr/bin/chromium) need. Run as root on Debian/Ubuntu, installs what is missing with
apt-get; otherwise prints what to install and exits 1.
`;

function readFor(args: readonly string[]): RequirementsFor | 'help' | undefined {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const index = args.indexOf('--for');
  const value = index === -1 ? undefined : args[index + 1];
  const known = args.length === 2 && index === 0;
  return known && (value === 'stack' || value === 'tests') ? value : undefined;
}

async function main(): Promise<number> {
  const what = readFor(process.argv.slice(2));
  if (what === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (what === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    await ensureSystemRequirements({ for: what, report: (line) => process.stdout.write(`${line}\n`) });
    return 0;
  } catch (error) {
    if (!(error instanceof SystemRequirementsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}

process.exitCode = await main();

/**
 * Cold import of the inbound Lambda bundle next to a "floor": a bundle that holds only the AWS SDK
 * clients the handler uses (DynamoDB and SES v2, constructed at import as the handler does, as the SDK
 * ships them). The floor is what any handler talking to those services pays; the target is at most
 * 1.25 times it. A "lean floor" with the handler's environment-only credential provider is reported
 * beside it, so the cost of makul's own code is visible too.
 *
 * Both bundles are built with the stack's esbuild settings (lib/makul-function.ts) and imported in
 * fresh Node processes, alternating, with source maps enabled as in Lambda (NODE_OPTIONS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionEnvironment } from '../functions/shared/config';
import { DEFAULT_OPERATORS_FILE, loadOperatorProfiles } from '../functions/shared/operators-file';
import { makulEsbuildOptions } from '../lib/makul-function';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
const HANDLER_ENTRY = path.join(PROJECT_ROOT, 'functions', 'inbound-email', 'index.ts');
const OPERATORS_FILE = path.join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE);

/** Imports per bundle; the first of each is a discarded warm-up (file cache). */
const RUNS = 15;
const TARGET_RATIO = 1.25;

/**
 * The SDK surface the handler imports (functions/adapters/dynamodb/request-register.ts,
 * ses/mail-sender.ts, shared/runtime.ts), built into clients the way the handler does at start.
 */
const FLOOR_SOURCE = `
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
const region = process.env.AWS_REGION;
export const clients = { dynamodb: new DynamoDBClient({ region }), ses: new SESv2Client({ region }) };
export const commands = { GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, SendEmailCommand };
`;

interface Measured {
  readonly label: string;
  readonly bytes: number;
  readonly millis: number[];
}

export async function benchColdImport(): Promise<string> {
  const workDirectory = mkdtempSync(path.join(tmpdir(), 'makul-cold-import-'));
  try {
    const floorSource: EntrySource = {
      stdin: { contents: FLOOR_SOURCE, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'sdk-floor.ts' },
    };
    const bundles = [
      {
        label: 'inbound handler',
        file: await bundle({ entryPoints: [HANDLER_ENTRY] }, workDirectory, 'handler', true),
      },
      // The target's floor: the two clients as the SDK ships them, default credential chain included.
      {
        label: 'SDK floor (DynamoDB + SES v2 clients)',
        file: await bundle(floorSource, workDirectory, 'floor', false),
      },
      // For reference: the same clients with the handler's environment-only credential provider.
      {
        label: 'lean SDK floor (same, environment-only credentials)',
        file: await bundle(floorSource, workDirectory, 'lean-floor', true),
      },
    ];
    const environment = lambdaLikeEnvironment();
    const measured: Measured[] = bundles.map(({ label, file }) => ({
      label,
      bytes: statSync(file).size,
      millis: [],
    }));
    // Alternate the bundles so that drift in machine load affects all alike.
    for (let run = 0; run <= RUNS; run += 1) {
      bundles.forEach(({ file }, index) => {
        const millis = importMillis(file, environment);
        if (run > 0) measured[index]?.millis.push(millis);
      });
    }
    const [handler, floor, leanFloor] = measured as [Measured, Measured, Measured];
    return report(handler, floor, leanFloor);
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

type EntrySource = Pick<Parameters<typeof build>[0], 'entryPoints' | 'stdin'>;

/** Builds with the stack's settings (optionally without its credential-provider alias); returns the .mjs path. */
async function bundle(
  source: EntrySource,
  workDirectory: string,
  name: string,
  withAlias: boolean,
): Promise<string> {
  const outfile = path.join(workDirectory, name, 'index.mjs');
  await build({
    ...source,
    ...makulEsbuildOptions({ credentialAlias: withAlias }),
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** What the handler validates at import, with the shipped x2 profile and fake (never used) credentials. */
function lambdaLikeEnvironment(): NodeJS.ProcessEnv {
  const profile = loadOperatorProfiles(OPERATORS_FILE)[0];
  if (!profile) throw new Error(`${OPERATORS_FILE} defines no operator`);
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: profile.operator.env.region,
    AWS_ACCESS_KEY_ID: 'AKIABENCHMARKONLY000',
    AWS_SECRET_ACCESS_KEY: 'benchmark-only-not-a-real-secret',
    ...functionEnvironment({
      profile,
      requestsTableName: 'makul-bench-requests',
      subjectsTableName: 'makul-bench-subjects',
      rawMailBucketName: 'makul-bench-raw-mail',
      hmac: {
        secretArn: `arn:aws:secretsmanager:${profile.operator.env.region}:000000000000:secret:makul-bench-hmac-AbCdEf`,
      },
      sesConfigurationSet: 'makul-bench',
    }),
  };
}

/** Milliseconds one fresh Node process spends in `import()` of the bundle. */
function importMillis(bundlePath: string, environment: NodeJS.ProcessEnv): number {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(bundlePath).href)}); process.stdout.write(String(performance.now() - started));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '--eval', script], {
    env: environment,
    encoding: 'utf8',
  });
  const millis = Number(output.trim());
  if (!Number.isFinite(millis))
    throw new Error(`the import probe printed no number for ${path.basename(path.dirname(bundlePath))}`);
  return millis;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank percentile: the smallest value with at least `fraction` of the runs at or below it.
  const index = Math.max(0, Math.ceil(fraction * sorted.length) - 1);
  return sorted[index] ?? Number.NaN;
}

function report(handler: Measured, floor: Measured, leanFloor: Measured): string {
  const row = (measured: Measured) =>
    `| ${measured.label} | ${(measured.bytes / 1024).toFixed(1)} KB | ${percentile(measured.millis, 0.5).toFixed(1)} ms | ${percentile(measured.millis, 0.9).toFixed(1)} ms |`;
  const median = (measured: Measured) => percentile(measured.millis, 0.5);
  const ratio = median(handler) / median(floor);
  const verdict = ratio <= TARGET_RATIO ? 'target met' : 'target NOT met';
  const sdkVersion = (name: string) =>
    (
      JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return [
    '## Cold import: inbound bundle vs. AWS SDK floor',
    '',
    `${RUNS} imports of each bundle in fresh ${process.version} processes (after one warm-up each), alternating, with \`--enable-source-maps\` as in Lambda. All are built with the stack's esbuild settings (ESM, minified, source maps without sources content, SDK bundled). The floor holds only the @aws-sdk/client-dynamodb ${sdkVersion('@aws-sdk/client-dynamodb')} and @aws-sdk/client-sesv2 ${sdkVersion('@aws-sdk/client-sesv2')} clients, constructed at import like the handler's, as the SDK ships them; the lean floor swaps in the handler's environment-only credential provider, so the gap to it is the cost of makul's own code, postal-mime and zod.`,
    '',
    '| bundle | size | median | p90 |',
    '|---|---|---|---|',
    row(handler),
    row(floor),
    row(leanFloor),
    '',
    `**Ratio (median) to the SDK floor: ${ratio.toFixed(2)}×** against a target of at most ${TARGET_RATIO}× — ${verdict}. To the lean floor: ${(median(handler) / median(leanFloor)).toFixed(2)}×.`,
    '',
  ].join('\n');
}

/**
 * Cold import of the Lambda bundles next to a "floor": a bundle that holds only the AWS SDK clients the
 * handlers use (DynamoDB and SES v2, constructed at import as the handlers do). The "lean floor" gets
 * the handlers' environment-only credential provider, so the gap to it is the cost of makul's own code,
 * postal-mime, zod and Powertools; the target (issue #7, point 21) is an inbound bundle at most 1.2
 * times the lean floor. The floor as the SDK ships it (default credential chain) is reported beside it.
 *
 * The public pages function uses the DynamoDB client only (no SES: functions/shared/register-runtime.ts),
 * so it has a floor of its own, the DynamoDB client alone with the same credential provider; its target
 * is a bundle of at most 400 KB importing in at most 1.25 times that floor. The pages are built split, as
 * the stack builds them (dynamically imported modules in chunks read on demand), and so is their floor,
 * so that the SDK's own on-demand code is left out of both alike.
 *
 * The status API (issue #9, point 8) likewise: its function reads the subjects table with the DynamoDB
 * client alone and is built whole, not split (lib/status-api.ts), so its floor is the DynamoDB client
 * with the commands its two adapters import, built whole too; its targets are a cold import at most
 * 1.2 times that floor and at most 250 KB of shipped code.
 *
 * Every bundle is built with the stack's esbuild settings (lib/makul-function.ts) and imported in fresh
 * Node processes, alternating, without source maps, as in Lambda (lib/makul-function.ts). The machine is
 * shared: the report gives the spread of each bundle and of the per-round ratio, not only medians.
 *
 * `npx tsx bench/cold-import.ts` runs this section alone; `npm run bench` runs it with the others.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { AWS_CALL_TIMEOUTS, sdkClientTimeouts } from '../functions/shared/aws-timeouts';
import { functionEnvironment } from '../functions/shared/function-environment';
import { DEFAULT_OPERATORS_FILE, loadOperatorProfiles } from '../functions/shared/operators-file';
import { bundleCodeBytes, makulEsbuildOptions } from '../lib/makul-function';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
const INBOUND_ENTRY = path.join(PROJECT_ROOT, 'functions', 'inbound-email', 'index.ts');
const DEFERRED_OUTBOUND_ENTRY = path.join(PROJECT_ROOT, 'functions', 'deferred-outbound', 'index.ts');
const PAGES_ENTRY = path.join(PROJECT_ROOT, 'functions', 'pages', 'index.ts');
const STATUS_ENTRY = path.join(PROJECT_ROOT, 'functions', 'status-api', 'index.ts');
const OPERATORS_FILE = path.join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE);

/** Imports per bundle; the first of each is a discarded warm-up (file cache). */
const RUNS = 20;
/** Issue #7, point 21: the inbound bundle at most this many times the lean floor, in the same run. */
const TARGET_RATIO = 1.2;
/** The pages bundle at most this many times its DynamoDB-only lean floor, in the same run. */
const PAGES_TARGET_RATIO = 1.25;
/** The pages bundle's size limit (test/cdk/public-pages-api.test.ts), in esbuild's KB of 1,024 bytes. */
const PAGES_BUNDLE_LIMIT_BYTES = 400 * 1024;
/** Issue #9, point 8: the status bundle at most this many times its DynamoDB-only lean floor, in the same run. */
const STATUS_TARGET_RATIO = 1.2;
/** Issue #9, point 8: the status function's shipped code, in esbuild's KB of 1,024 bytes. */
const STATUS_BUNDLE_LIMIT_BYTES = 250 * 1024;

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

/**
 * The pages' SDK surface (functions/adapters/dynamodb/request-register.ts and link-register.ts): the
 * DynamoDB client, built as functions/shared/register-runtime.ts builds it at start, and the commands
 * and errors the adapters import. No SES client: the pages send no mail.
 */
const PAGES_FLOOR_SOURCE = `
import {
  ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, QueryCommand, TransactionCanceledException,
  TransactWriteItemsCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
const region = process.env.AWS_REGION;
export const clients = { dynamodb: new DynamoDBClient({ region }) };
export const commands = { GetItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand };
export const errors = { ConditionalCheckFailedException, TransactionCanceledException };
`;

/**
 * The status API's SDK surface (functions/adapters/dynamodb/subject-status-reader.ts and
 * status-feed.ts): the DynamoDB client, built with the options functions/shared/register-runtime.ts
 * gives it (credentials from the environment, the timeouts and attempts of shared/aws-timeouts.ts, as
 * plain options), and every command and error the two adapters import, the feed's writes included
 * (the handler's bundle carries them: the feed adapter is one class).
 */
const STATUS_FLOOR_SOURCE = `
import {
  BatchGetItemCommand, DynamoDBClient, GetItemCommand, QueryCommand, TransactionCanceledException,
  TransactWriteItemsCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
const { AWS_REGION: region, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
export const clients = {
  dynamodb: new DynamoDBClient({
    region,
    credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN },
    ...${JSON.stringify(sdkClientTimeouts(AWS_CALL_TIMEOUTS.dynamodb))},
  }),
};
export const commands = { BatchGetItemCommand, GetItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand };
export const errors = { TransactionCanceledException };
`;

interface Measured {
  readonly label: string;
  /** All the code the bundle ships: index.mjs and, when split, its chunks. */
  readonly bytes: number;
  /** index.mjs alone: what Node reads and compiles at import. */
  readonly indexBytes: number;
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
        file: await bundle({ entryPoints: [INBOUND_ENTRY] }, workDirectory, 'inbound', true),
      },
      {
        label: 'deferred-outbound handler',
        file: await bundle({ entryPoints: [DEFERRED_OUTBOUND_ENTRY] }, workDirectory, 'deferred', true),
      },
      // The target's floor: the two clients with the handlers' environment-only credential provider.
      {
        label: 'lean SDK floor (DynamoDB + SES v2 clients, environment-only credentials)',
        file: await bundle(floorSource, workDirectory, 'lean-floor', true),
      },
      // For reference: the same clients as the SDK ships them, default credential chain included.
      {
        label: 'SDK floor (same clients, default credential chain)',
        file: await bundle(floorSource, workDirectory, 'floor', false),
      },
      {
        label: 'pages handler',
        file: await bundle({ entryPoints: [PAGES_ENTRY] }, workDirectory, 'pages', true, true),
      },
      // The pages' floor: the DynamoDB client alone, with the same environment-only credential provider.
      {
        label: 'pages lean floor (DynamoDB client only, environment-only credentials)',
        file: await bundle(
          {
            stdin: {
              contents: PAGES_FLOOR_SOURCE,
              resolveDir: PROJECT_ROOT,
              loader: 'ts',
              sourcefile: 'sdk-floor-pages.ts',
            },
          },
          workDirectory,
          'pages-lean-floor',
          true,
          true,
        ),
      },
      // Built whole, as lib/status-api.ts builds it.
      {
        label: 'status API handler',
        file: await bundle({ entryPoints: [STATUS_ENTRY] }, workDirectory, 'status', true),
      },
      // The status API's floor: the DynamoDB client and its adapters' commands, same credential provider.
      {
        label: 'status lean floor (DynamoDB client only, environment-only credentials)',
        file: await bundle(
          {
            stdin: {
              contents: STATUS_FLOOR_SOURCE,
              resolveDir: PROJECT_ROOT,
              loader: 'ts',
              sourcefile: 'sdk-floor-status.ts',
            },
          },
          workDirectory,
          'status-lean-floor',
          true,
        ),
      },
    ];
    const environment = lambdaLikeEnvironment();
    const measured: Measured[] = bundles.map(({ label, file }) => ({
      label,
      bytes: bundleCodeBytes(path.dirname(file)),
      indexBytes: statSync(file).size,
      millis: [],
    }));
    // Alternate the bundles so that drift in machine load affects all alike.
    for (let run = 0; run <= RUNS; run += 1) {
      bundles.forEach(({ file }, index) => {
        const millis = importMillis(file, environment);
        if (run > 0) measured[index]?.millis.push(millis);
      });
    }
    const [inbound, deferred, leanFloor, floor, pages, pagesFloor, status, statusFloor] = measured as [
      Measured,
      Measured,
      Measured,
      Measured,
      Measured,
      Measured,
      Measured,
      Measured,
    ];
    return report({ inbound, deferred, leanFloor, floor, pages, pagesFloor, status, statusFloor });
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
  splitting = false,
): Promise<string> {
  const outdir = path.join(workDirectory, name);
  await build({
    ...source,
    ...makulEsbuildOptions({ credentialAlias: withAlias, splitting }),
    outdir,
    logLevel: 'error',
  });
  return path.join(outdir, 'index.mjs');
}

/**
 * What the handler validates at import, with the shipped x2 profile and fake (never used) credentials.
 * AWS_LAMBDA_FUNCTION_NAME is set as Lambda sets it, so that the handlers build their Powertools
 * metrics at import as they do there (outside Lambda they count in memory instead).
 */
function lambdaLikeEnvironment(): NodeJS.ProcessEnv {
  const profile = loadOperatorProfiles(OPERATORS_FILE)[0];
  if (!profile) throw new Error(`${OPERATORS_FILE} defines no operator`);
  return {
    PATH: process.env.PATH,
    AWS_LAMBDA_FUNCTION_NAME: 'makul-bench',
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

interface Bundles {
  readonly inbound: Measured;
  readonly deferred: Measured;
  readonly leanFloor: Measured;
  readonly floor: Measured;
  readonly pages: Measured;
  readonly pagesFloor: Measured;
  readonly status: Measured;
  readonly statusFloor: Measured;
}

function report({
  inbound,
  deferred,
  leanFloor,
  floor,
  pages,
  pagesFloor,
  status,
  statusFloor,
}: Bundles): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const row = (measured: Measured) =>
    `| ${measured.label} | ${(measured.bytes / 1024).toFixed(1)} KB | ${ms(percentile(measured.millis, 0.5))} | ${ms(percentile(measured.millis, 0.1))} – ${ms(percentile(measured.millis, 0.9))} |`;
  const median = (measured: Measured) => percentile(measured.millis, 0.5);
  const ratio = median(inbound) / median(leanFloor);
  // The same ratio round by round (the bundles of a round ran back to back): its spread shows how far
  // the machine's load moved the result.
  const roundRatios = inbound.millis.map((millis, round) => millis / (leanFloor.millis[round] ?? Number.NaN));
  const verdict = ratio <= TARGET_RATIO ? 'target met' : 'target NOT met';
  const pagesRatio = median(pages) / median(pagesFloor);
  const pagesRoundRatios = pages.millis.map(
    (millis, round) => millis / (pagesFloor.millis[round] ?? Number.NaN),
  );
  const pagesVerdict = pagesRatio <= PAGES_TARGET_RATIO ? 'target met' : 'target NOT met';
  const pagesSizeVerdict = pages.bytes <= PAGES_BUNDLE_LIMIT_BYTES ? 'met' : 'NOT met';
  const statusRatio = median(status) / median(statusFloor);
  const statusRoundRatios = status.millis.map(
    (millis, round) => millis / (statusFloor.millis[round] ?? Number.NaN),
  );
  const statusVerdict = statusRatio <= STATUS_TARGET_RATIO ? 'target met' : 'target NOT met';
  const statusSizeVerdict = status.bytes <= STATUS_BUNDLE_LIMIT_BYTES ? 'met' : 'NOT met';
  const sdkVersion = (name: string) =>
    (
      JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return [
    '## Cold import: Lambda bundles vs. AWS SDK floor',
    '',
    `${RUNS} imports of each bundle in fresh ${process.version} processes (after one warm-up each), alternating, without \`--enable-source-maps\` as in Lambda (the maps ship beside the bundles but are not read) and with the handlers' environment (configuration validated, clients and metrics built at import). All are built with the stack's esbuild settings (ESM, minified, source maps without sources content, SDK bundled; the pages and their floor split into chunks read on demand, as the stack builds the pages); sizes count all the code shipped. The floors hold only the @aws-sdk/client-dynamodb ${sdkVersion('@aws-sdk/client-dynamodb')} and @aws-sdk/client-sesv2 ${sdkVersion('@aws-sdk/client-sesv2')} clients, constructed at import like the handlers'; the lean floor has the handlers' environment-only credential provider, so the gap to it is the cost of makul's own code, postal-mime, zod and Powertools. The pages function has no SES client, so its lean floor holds the DynamoDB client alone (same credential provider); the gap to it is makul's own code, zod, libphonenumber-js, middy and Powertools. The status API's lean floor is likewise the DynamoDB client alone, with the commands its reader and feed adapters import and the client options the handler gives it.`,
    '',
    '| bundle | size | median | p10 – p90 |',
    '|---|---|---|---|',
    row(inbound),
    row(deferred),
    row(leanFloor),
    row(floor),
    row(pages),
    row(pagesFloor),
    row(status),
    row(statusFloor),
    '',
    `**Inbound / lean floor (medians): ${ratio.toFixed(2)}×** against a target of at most ${TARGET_RATIO}× — ${verdict}. Round by round: median ${percentile(roundRatios, 0.5).toFixed(2)}×, p10 – p90 ${percentile(roundRatios, 0.1).toFixed(2)}× – ${percentile(roundRatios, 0.9).toFixed(2)}×. Deferred-outbound / lean floor: ${(median(deferred) / median(leanFloor)).toFixed(2)}×. Inbound / SDK floor: ${(median(inbound) / median(floor)).toFixed(2)}×.`,
    '',
    `**Pages / DynamoDB-only lean floor (medians): ${pagesRatio.toFixed(2)}×** against a target of at most ${PAGES_TARGET_RATIO}× — ${pagesVerdict}. Round by round: median ${percentile(pagesRoundRatios, 0.5).toFixed(2)}×, p10 – p90 ${percentile(pagesRoundRatios, 0.1).toFixed(2)}× – ${percentile(pagesRoundRatios, 0.9).toFixed(2)}×. Pages bundle: ${pages.bytes.toLocaleString('en')} bytes of code (${(pages.bytes / 1024).toFixed(1)} KB) against a limit of ${PAGES_BUNDLE_LIMIT_BYTES / 1024} KB — ${pagesSizeVerdict}; ${pages.indexBytes.toLocaleString('en')} bytes of it in index.mjs, the rest in chunks Node reads only when an update-data page (the phone-number library) or the SDK's browser-only code imports them.`,
    '',
    `**Status API / DynamoDB-only lean floor (medians): ${statusRatio.toFixed(2)}×** against a target of at most ${STATUS_TARGET_RATIO}× — ${statusVerdict}. Round by round: median ${percentile(statusRoundRatios, 0.5).toFixed(2)}×, p10 – p90 ${percentile(statusRoundRatios, 0.1).toFixed(2)}× – ${percentile(statusRoundRatios, 0.9).toFixed(2)}×. Status bundle: ${status.bytes.toLocaleString('en')} bytes of code (${(status.bytes / 1024).toFixed(1)} KB) against a limit of ${STATUS_BUNDLE_LIMIT_BYTES / 1024} KB — ${statusSizeVerdict}; ${status.indexBytes.toLocaleString('en')} bytes of it in index.mjs (its floor: ${statusFloor.bytes.toLocaleString('en')} bytes, ${statusFloor.indexBytes.toLocaleString('en')} in index.mjs).`,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${await benchColdImport()}\n`);
}

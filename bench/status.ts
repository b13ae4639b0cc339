/**
 * Status API (issue #9, point 8): handler time without DynamoDB, lookups per second against DynamoDB
 * Local, and what a million lookups cost in AWS.
 *
 * 1. Handler time, DynamoDB excluded. The real handler runs: `createStatusApiHandler(environment)` with
 *    its whole middy chain (router, error handler, HMAC-key middleware; the environment names a Lambda
 *    function, as Lambda does, so anything that behaves differently inside Lambda does so here),
 *    request validation, address checks and keying, the DynamoDB adapter (keys, chunks of 100,
 *    projection, records read back) and the JSON answer. Only the round trip is left out: for the run,
 *    the DynamoDB client's `send` answers GetItem and BatchGetItem on the subjects table from prepared
 *    items in memory, already resolved, and any other call fails the run. What the SDK itself spends on
 *    a call (serialise, sign, parse) is measured apart, with a client whose HTTP handler answers at
 *    once, and reported beside: it belongs neither to DynamoDB's latency nor to makul's code. The HMAC
 *    key comes from HMAC_KEY: in Lambda it is read from Secrets Manager on the first invocation and
 *    then is the same cached read. After a warm-up, blocks of rounds alternate the two batches, then
 *    the two single lookups (see BLOCKS), so load on the shared machine weighs on all alike; the time
 *    is `await handler(event, context)` end to end.
 * 2. Lookups per second: the same handler against DynamoDB Local (AWS's engine, in a JVM on this
 *    machine), single lookups one at a time and 16 at once, 1,000-entry batches one at a time and 4 at
 *    once, in alternating slices. It measures this machine's loopback and DynamoDB Local, not AWS.
 * 3. Cost: one million lookups in batches of 1,000, from the measured handler time and the public
 *    prices of eu-west-1 (constants below, to be checked against the pricing pages).
 *
 * Addresses are made up on the reserved example domains (RFC 2606); log lines are built as in Lambda
 * but not written: stdout is the report's.
 *
 * `npx tsx bench/status.ts` runs this section alone; `npm run bench` runs it with the others.
 */
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { subjectItemKey } from '../functions/adapters/dynamodb/request-items';
import { BATCH_GET_MAX_KEYS } from '../functions/adapters/dynamodb/subject-status-reader';
import { normaliseAddress } from '../functions/domain/mail/sender-address';
import type { DeploymentProfile } from '../functions/domain/operators/operator-profile';
import { subjectKey } from '../functions/domain/subjects/subject-key';
import { functionEnvironment } from '../functions/shared/function-environment';
import { DEFAULT_OPERATORS_FILE, loadOperatorProfiles } from '../functions/shared/operators-file';
import { createStatusApiHandler, type StatusApiHandler } from '../functions/status-api/handler';
import { STATUS_FUNCTION_MEMORY_MB } from '../lib/status-api';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { localLambdaContext } from '../local/lambda-context';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/loopback';
import { createMakulTables } from '../local/makul-tables';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Issue #9, point 8: handler time per address of a 1,000-address batch, DynamoDB excluded. */
const TARGET_MICROS_PER_ADDRESS = 20;
/** Issue #9, point 8: a single lookup's warm handler path. */
const TARGET_SINGLE_MS = 1;

/**
 * Timed blocks. Each block runs BATCH_ROUNDS rounds of the two batches in turn, then SINGLE_ROUNDS
 * rounds of the two single lookups in turn: batches and singles alternate among their own kind, and
 * the blocks spread both over the whole run. Kept apart within a block because a batch leaves about a
 * megabyte of garbage, whose collection would otherwise land in whichever single lookup came next: a
 * cost of the batch, not of the single lookup's path.
 */
const BLOCKS = 8;
const BATCH_ROUNDS = 100;
const SINGLE_ROUNDS = 500;
/** One block of each before timing: JIT, caches, the HMAC key's first load. */
const WARM_UP_BLOCKS = 1;
/** SDK calls timed for the per-call figure, per command. */
const SDK_CALLS = 2_000;
const SDK_WARM_UP_CALLS = 300;

/** The status function's timeout in the stack (lib/status-api.ts, `timeout` default). */
const FUNCTION_TIMEOUT_MS = 6_000;
const FUNCTION_NAME = 'makul-bench-status';

const BATCH_SIZE = 1_000;
/** In the 1,000-entry batch: entries repeated (another case, or as given), and entries that are not addresses. */
const DUPLICATES = 10;
const MALFORMED = [
  'not an address',
  'Name <subscriber.1@example.com>',
  '@example.com',
  'subscriber.2@',
  'subscriber..3@example.com',
  'subscriber.4@@example.com',
  '"quoted"@example.com',
  'subscriber.5@example.com, subscriber.6@example.com',
  '',
  'subscriber.7 @example.com',
];
/** Out of ten addresses, this many have a record (opted out, withdrawn, restricted or erased). */
const KNOWN_PER_TEN = 3;

/** DynamoDB Local: subjects with records, and the pool the lookups draw from. */
const LOCAL_POOL = 5_000;
const LOCAL_SLICES = 5;
const LOCAL_CONCURRENCY = 16;
const LOCAL_BATCH_CONCURRENCY = 4;

const HMAC_KEY = 'benchmark-only-hmac-key-0123456789abcdef0123456789';
const TABLES = { requestsTableName: 'makul-bench-requests', subjectsTableName: 'makul-bench-subjects' };

/**
 * Public on-demand prices of eu-west-1 (Europe, Ireland), USD, first pricing tier. CHECK THEM against
 * aws.amazon.com/lambda/pricing, /api-gateway/pricing, /dynamodb/pricing/on-demand and
 * /cloudwatch/pricing before quoting the estimate: they were not read from those pages for this
 * benchmark. Lambda's Arm price and request price are the same in eu-west-1 as in us-east-1; API
 * Gateway and DynamoDB cost a little more in Ireland (us-east-1: $1.00 per million HTTP API requests,
 * $0.125 per million read request units since the on-demand price cut of November 2024).
 */
const PRICES_EU_WEST_1 = {
  /** Lambda duration, Arm (Graviton), first 7.5 billion GB-seconds a month. */
  lambdaArmPerGbSecond: 0.000_013_333_4,
  lambdaPerMillionRequests: 0.2,
  /** HTTP API, first 300 million requests a month; metered in 512 KB increments. */
  httpApiPerMillionRequests: 1.11,
  httpApiMeteringBytes: 512 * 1024,
  /**
   * On-demand read request units (RRU): a strongly consistent read of an item up to 4 KB is one RRU,
   * and a key read that has no item is charged as a read too.
   */
  dynamoDbPerMillionReadUnits: 0.1415,
  /** CloudWatch Logs ingestion (standard class): the function's log lines. */
  logsPerGbIngested: 0.57,
} as const;

/**
 * Not measurable here: the wait for DynamoDB inside the invocation. The ten BatchGetItem calls of a
 * 1,000-address batch go out together (subject-status-reader.ts), so Lambda waits for about one round
 * trip of a 100-key strongly consistent read in the same region; 10 ms is an assumption, not a figure
 * measured in AWS.
 */
const ASSUMED_DYNAMODB_WAIT_MS = 10;

type Item = Record<string, AttributeValue>;

/**
 * The subjects table's PROFILE items as the reader's projection returns them (pk, the flags, updatedAt),
 * keyed by pk; answers GetItem and BatchGetItem on the subjects table and nothing else.
 */
class MemorySubjects {
  readonly items = new Map<string, Item>();
  /** Keys asked for (one read request unit each when strongly consistent), and calls made. */
  keysRead = 0;
  eventuallyConsistentKeys = 0;
  calls = 0;

  constructor(private readonly tableName: string) {}

  answer(command: unknown): Promise<unknown> {
    if (command instanceof BatchGetItemCommand) {
      const responses: Record<string, Item[]> = {};
      for (const [table, request] of Object.entries(command.input.RequestItems ?? {})) {
        if (table !== this.tableName) return escaped(`BatchGetItem on ${table}`);
        const keys = request.Keys ?? [];
        this.calls += 1;
        this.keysRead += keys.length;
        if (!request.ConsistentRead) this.eventuallyConsistentKeys += keys.length;
        const found: Item[] = [];
        for (const key of keys) {
          const item = key.sk?.S === 'PROFILE' ? this.items.get(key.pk?.S ?? '') : undefined;
          if (item) found.push(item);
        }
        responses[table] = found;
      }
      return Promise.resolve({ $metadata: {}, Responses: responses, UnprocessedKeys: {} });
    }
    if (command instanceof GetItemCommand) {
      const { TableName, Key, ConsistentRead } = command.input;
      if (TableName !== this.tableName) return escaped(`GetItem on ${TableName}`);
      this.calls += 1;
      this.keysRead += 1;
      if (!ConsistentRead) this.eventuallyConsistentKeys += 1;
      const item = Key?.sk?.S === 'PROFILE' ? this.items.get(Key.pk?.S ?? '') : undefined;
      return Promise.resolve({ $metadata: {}, ...(item ? { Item: item } : {}) });
    }
    return escaped((command as { constructor?: { name?: string } })?.constructor?.name ?? 'a call');
  }
}

function escaped(what: string): Promise<never> {
  return Promise.reject(
    new Error(`status benchmark: ${what} escaped the in-memory subjects (it would reach the network)`),
  );
}

/** A made-up subscriber on a reserved example domain. */
function subscriber(index: number): string {
  return `subscriber.${index}@${['example.com', 'example.org', 'example.net'][index % 3]}`;
}

const sidOf = (address: string) => subjectKey(normaliseAddress(address), HMAC_KEY);

/** Which addresses have a record, and which flags it holds: opt-outs mostly, a few of each other state. */
function recordFor(index: number, updatedAt: string): Item | null {
  if (index % 10 >= KNOWN_PER_TEN) return null;
  const kind = Math.floor(index / 10) % 10;
  const flags: Item =
    kind < 6
      ? { marketingOptOut: { BOOL: true } }
      : kind < 8
        ? { marketingOptOut: { BOOL: true }, consentWithdrawn: { BOOL: true } }
        : kind < 9
          ? { processingRestricted: { BOOL: true } }
          : { marketingOptOut: { BOOL: true }, erasureRequested: { BOOL: true } };
  return { ...subjectItemKey(sidOf(subscriber(index)), 'PROFILE'), ...flags, updatedAt: { S: updatedAt } };
}

/** A projected item: what BatchGetItem returns for the reader's projection (no sort key). */
function projected(item: Item): Item {
  const { sk: _sk, ...rest } = item;
  return rest;
}

/** Deterministic shuffle (mulberry32), so every run asks the same batch in the same order. */
function shuffled<T>(values: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const copy = [...values];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/**
 * 1,000 entries from `first` on: 980 distinct addresses (30 % with a record), 10 of them again (half
 * in another case, which keys the same), and 10 entries that are not addresses, all mixed.
 */
function batchOfAddresses(first: number): string[] {
  const distinct = BATCH_SIZE - DUPLICATES - MALFORMED.length;
  const addresses = Array.from({ length: distinct }, (_, offset) => subscriber(first + offset));
  const repeated = Array.from({ length: DUPLICATES }, (_, offset) => {
    const again = subscriber(first + offset * 97);
    return offset % 2 === 0 ? again : again.toUpperCase();
  });
  return shuffled([...addresses, ...repeated, ...MALFORMED], first + 1);
}

/** The same entries by sid, a malformed address becoming a malformed sid. */
function batchOfSids(emails: readonly string[]): string[] {
  return emails.map((email, index) => (MALFORMED.includes(email) ? `not-a-sid-${index}` : sidOf(email)));
}

function lambdaContext() {
  return localLambdaContext({
    functionName: FUNCTION_NAME,
    region: 'eu-west-1',
    timeoutMs: FUNCTION_TIMEOUT_MS,
    memoryMb: STATUS_FUNCTION_MEMORY_MB,
  });
}

function baseEvent(method: 'GET' | 'POST', rawPath: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'status.example.com', 'user-agent': 'marketing-sender/1.0 (benchmark)' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'status.example.com',
      domainPrefix: 'status',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'marketing-sender/1.0 (benchmark)',
      },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
      time: '02/Dec/2026:01:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

/** `GET /v1/subjects/status?email=…` (or `sid`), decoded into queryStringParameters as API Gateway does. */
function singleEvent(name: 'email' | 'sid', value: string): APIGatewayProxyEventV2 {
  return {
    ...baseEvent('GET', '/v1/subjects/status'),
    rawQueryString: `${name}=${encodeURIComponent(value)}`,
    queryStringParameters: { [name]: value },
  };
}

/** `POST /v1/subjects/status:batch`: JSON is text, so API Gateway passes it unencoded. */
function batchEvent(body: string): APIGatewayProxyEventV2 {
  const event = baseEvent('POST', '/v1/subjects/status:batch');
  return {
    ...event,
    headers: { ...event.headers, 'content-type': 'application/json' },
    body,
  };
}

interface Scenario {
  readonly name: string;
  readonly event: () => APIGatewayProxyEventV2;
  /** Lookups answered per call. */
  readonly entries: number;
  readonly check: (result: APIGatewayProxyStructuredResultV2) => void;
}

interface Timed {
  readonly scenario: Scenario;
  readonly millis: number[];
  readonly firstMillis: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** DynamoDB calls and keys the call made (answered from memory). */
  readonly calls: number;
  readonly keys: number;
}

interface BatchResult {
  readonly email?: string;
  readonly sid?: string;
  readonly known?: boolean;
  readonly marketing?: string;
  readonly error?: { readonly code: string };
}

function parsed(result: APIGatewayProxyStructuredResultV2, name: string): { results?: BatchResult[] } {
  if (result.statusCode !== 200) {
    throw new Error(`status benchmark: ${name} answered ${result.statusCode}: ${result.body?.slice(0, 300)}`);
  }
  return JSON.parse(result.body ?? '{}') as { results?: BatchResult[] };
}

/**
 * A batch's answer must be the one a caller expects: one per entry in order, the malformed ones in
 * place, the known ones known, and repeated entries answered alike; otherwise the scenario would time
 * something else than a working batch.
 */
function checkBatch(entries: readonly string[], by: 'email' | 'sid', knownSids: ReadonlySet<string>) {
  return (result: APIGatewayProxyStructuredResultV2) => {
    const results = parsed(result, `the ${by} batch`).results ?? [];
    const expectedErrors = MALFORMED.length;
    const errors = results.filter((entry) => entry.error).length;
    const expectedKnown = entries.filter((entry) => {
      if (MALFORMED.includes(entry) || entry.startsWith('not-a-sid')) return false;
      return knownSids.has(by === 'sid' ? entry : sidOf(entry));
    }).length;
    const known = results.filter((entry) => entry.known).length;
    const echoed = results.every((entry, index) => entry[by] === entries[index]);
    if (
      results.length !== entries.length ||
      errors !== expectedErrors ||
      known !== expectedKnown ||
      !echoed
    ) {
      throw new Error(
        `status benchmark: the ${by} batch gave ${results.length} answers (${errors} errors, ${known} known); expected ${entries.length} (${expectedErrors} errors, ${expectedKnown} known), echoed in order: ${echoed}`,
      );
    }
  };
}

function checkSingle(name: string) {
  return (result: APIGatewayProxyStructuredResultV2) => {
    const body = parsed(result, name) as { known?: boolean };
    if (typeof body.known !== 'boolean') throw new Error(`status benchmark: ${name} gave no status`);
  };
}

interface SdkCall {
  readonly label: string;
  readonly millis: number[];
}

interface HandlerFigures {
  readonly timed: readonly Timed[];
  readonly sdk: readonly SdkCall[];
  readonly output: { readonly lines: number; readonly bytes: number };
  readonly load: { readonly before: number; readonly after: number };
}

export async function benchStatus(): Promise<string> {
  const profile = loadOperatorProfiles(path.join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE))[0];
  if (!profile) throw new Error(`${DEFAULT_OPERATORS_FILE} defines no operator`);
  const handlerFigures = await benchHandler(profile);
  process.stderr.write('status benchmark: lookups against DynamoDB Local…\n');
  const local = await benchDynamoDbLocal(profile);
  return report(handlerFigures, local);
}

async function benchHandler(profile: DeploymentProfile): Promise<HandlerFigures> {
  const region = profile.operator.env.region;
  const environment: NodeJS.ProcessEnv = {
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_ACCESS_KEY_ID: 'AKIABENCHMARKONLY000',
    AWS_SECRET_ACCESS_KEY: 'benchmark-only-not-a-real-secret',
    ...functionEnvironment({
      profile,
      region,
      ...TABLES,
      rawMailBucketName: 'makul-bench-raw-mail',
      hmac: { key: HMAC_KEY },
    }),
  };
  const memory = new MemorySubjects(TABLES.subjectsTableName);
  const updatedAt = new Date(Date.now() - 86_400_000).toISOString();
  const knownSids = new Set<string>();
  for (let index = 0; index < 2 * BATCH_SIZE; index += 1) {
    const item = recordFor(index, updatedAt);
    if (!item) continue;
    memory.items.set(item.pk?.S ?? '', projected(item));
    knownSids.add(sidOf(subscriber(index)));
  }
  const emails = batchOfAddresses(0);
  const sids = batchOfSids(emails);
  const emailsBody = JSON.stringify({ emails });
  const sidsBody = JSON.stringify({ sids });
  // Single lookups rotate over 60 subscribers, a third of them with a record.
  const singles = Array.from({ length: 60 }, (_, index) => subscriber(index * 7));
  let singleEmail = 0;
  let singleSid = 0;
  const scenarios: Scenario[] = [
    {
      name: `batch of ${BATCH_SIZE.toLocaleString('en')} addresses`,
      event: () => batchEvent(emailsBody),
      entries: BATCH_SIZE,
      check: checkBatch(emails, 'email', knownSids),
    },
    {
      name: `batch of ${BATCH_SIZE.toLocaleString('en')} sids (same subjects)`,
      event: () => batchEvent(sidsBody),
      entries: BATCH_SIZE,
      check: checkBatch(sids, 'sid', knownSids),
    },
    {
      name: 'single lookup by email',
      event: () => singleEvent('email', singles[singleEmail++ % singles.length] as string),
      entries: 1,
      check: checkSingle('a single lookup by email'),
    },
    {
      name: 'single lookup by sid',
      event: () => singleEvent('sid', sidOf(singles[singleSid++ % singles.length] as string)),
      entries: 1,
      check: checkSingle('a single lookup by sid'),
    },
  ];

  const loadBefore = loadavg()[0] ?? Number.NaN;
  const restore = answerFromMemory(memory);
  const quiet = silenceOutput();
  const timed: Timed[] = [];
  let invocations = 0;
  try {
    const handler = createStatusApiHandler(environment);
    for (const scenario of scenarios) {
      const event = scenario.event();
      const [calls, keys] = [memory.calls, memory.keysRead];
      const context = lambdaContext();
      const started = performance.now();
      const result = await handler(event, context);
      const firstMillis = performance.now() - started;
      invocations += 1;
      scenario.check(result);
      timed.push({
        scenario,
        millis: [],
        firstMillis,
        requestBytes: Buffer.byteLength(event.body ?? '') + Buffer.byteLength(event.rawQueryString),
        responseBytes: Buffer.byteLength(result.body ?? ''),
        calls: memory.calls - calls,
        keys: memory.keysRead - keys,
      });
    }
    const rounds = async (entries: readonly Timed[], count: number, record: boolean) => {
      for (let round = 0; round < count; round += 1) {
        for (const entry of entries) {
          const event = entry.scenario.event();
          const context = lambdaContext();
          const started = performance.now();
          await handler(event, context);
          const millis = performance.now() - started;
          invocations += 1;
          if (record) entry.millis.push(millis);
        }
      }
    };
    const batches = timed.filter((entry) => entry.scenario.entries > 1);
    const singles = timed.filter((entry) => entry.scenario.entries === 1);
    for (let block = 0; block < WARM_UP_BLOCKS + BLOCKS; block += 1) {
      await rounds(batches, BATCH_ROUNDS, block >= WARM_UP_BLOCKS);
      await rounds(singles, SINGLE_ROUNDS, block >= WARM_UP_BLOCKS);
    }
    // Checked again after the run: the answers must not have changed under load (caches, rotation).
    for (const entry of timed) entry.scenario.check(await handler(entry.scenario.event(), lambdaContext()));
    invocations += timed.length;
  } finally {
    quiet.restore();
    restore();
  }
  if (memory.eventuallyConsistentKeys > 0) {
    throw new Error('status benchmark: the reader asked for eventually consistent reads');
  }
  const sdk = await sdkCallMillis(region, memory);
  return {
    timed,
    sdk,
    output: { lines: quiet.lines() / invocations, bytes: quiet.bytes() / invocations },
    load: { before: loadBefore, after: loadavg()[0] ?? Number.NaN },
  };
}

/**
 * The DynamoDB client's `send`, on the prototype (the handler builds its own client), answered from
 * memory; returns what puts the original back.
 */
function answerFromMemory(memory: MemorySubjects): () => void {
  const clientPrototype = DynamoDBClient.prototype as unknown as Record<string, unknown>;
  const own = Object.getOwnPropertyDescriptor(clientPrototype, 'send');
  Object.defineProperty(clientPrototype, 'send', {
    configurable: true,
    writable: true,
    value: (command: unknown) => memory.answer(command),
  });
  return () => {
    if (own) Object.defineProperty(clientPrototype, 'send', own);
    else delete clientPrototype.send;
  };
}

/**
 * Log lines are built but not written while the handler runs: they go to process.stdout (warnings to
 * process.stderr), which carry the report. Lines and bytes are counted: the bytes are what CloudWatch
 * Logs would ingest.
 */
function silenceOutput(): { restore(): void; lines(): number; bytes(): number } {
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  let lines = 0;
  let bytes = 0;
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines += 1;
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      const callback = rest.find((value) => typeof value === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  }
  return {
    restore: () => {
      process.stdout.write = writes.stdout;
      process.stderr.write = writes.stderr;
    },
    lines: () => lines,
    bytes: () => bytes,
  };
}

/**
 * What the SDK spends on one call besides the network: command built, serialised, signed, the
 * response parsed. The client's HTTP handler answers at once with what DynamoDB would return for the
 * reader's calls: a chunk of 100 keys with 30 items, and one item by key.
 */
async function sdkCallMillis(region: string, memory: MemorySubjects): Promise<SdkCall[]> {
  const chunk = Array.from({ length: BATCH_GET_MAX_KEYS }, (_, index) => sidOf(subscriber(index)));
  const found = chunk.map((sid) => memory.items.get(`SUB#${sid}`)).filter((item) => item !== undefined);
  const projection =
    'pk, marketingOptOut, consentWithdrawn, processingRestricted, erasureRequested, updatedAt';
  let answer = '{}';
  const client = new DynamoDBClient({
    region,
    credentials: { accessKeyId: 'AKIABENCHMARKONLY000', secretAccessKey: 'benchmark-only-not-a-real-secret' },
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' },
          body: new TextEncoder().encode(answer),
        },
      }),
    },
  });
  const batchAnswer = JSON.stringify({
    Responses: { [TABLES.subjectsTableName]: found },
    UnprocessedKeys: {},
  });
  const calls: { label: string; answer: string; run: () => Promise<unknown> }[] = [
    {
      label: `BatchGetItem (${BATCH_GET_MAX_KEYS} keys, ${found.length} items, ${batchAnswer.length.toLocaleString('en')} bytes of JSON back)`,
      answer: batchAnswer,
      run: () =>
        client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [TABLES.subjectsTableName]: {
                Keys: chunk.map((sid) => subjectItemKey(sid, 'PROFILE')),
                ConsistentRead: true,
                ProjectionExpression: projection,
              },
            },
          }),
        ),
    },
    {
      label: 'GetItem (one subject, found)',
      answer: JSON.stringify({ Item: found[0] }),
      run: () =>
        client.send(
          new GetItemCommand({
            TableName: TABLES.subjectsTableName,
            Key: subjectItemKey(chunk[0] as string, 'PROFILE'),
            ConsistentRead: true,
            ProjectionExpression: projection,
          }),
        ),
    },
  ];
  const timed: SdkCall[] = calls.map(({ label }) => ({ label, millis: [] }));
  for (let round = 0; round < SDK_WARM_UP_CALLS + SDK_CALLS; round += 1) {
    for (const [index, call] of calls.entries()) {
      answer = call.answer;
      const started = performance.now();
      await call.run();
      if (round >= SDK_WARM_UP_CALLS) timed[index]?.millis.push(performance.now() - started);
    }
  }
  client.destroy();
  return timed;
}

interface LocalMode {
  readonly name: string;
  /** Lookups per call (1, or the batch's entries). */
  readonly entries: number;
  readonly calls: number;
  readonly concurrency: number;
  /** Lookups per second in each timed slice. */
  readonly rates: number[];
  /** Each call's wall-clock time. */
  readonly millis: number[];
}

interface LocalFigures {
  readonly modes: readonly LocalMode[];
  readonly unavailable: number;
  readonly load: { readonly before: number; readonly after: number };
}

/**
 * The real handler against DynamoDB Local, started as the tests start it, with subjects seeded as the
 * register stores them. Every slice runs each mode once, in turn; the first slice is a warm-up (the
 * JVM's compiler, the SDK's connections).
 */
async function benchDynamoDbLocal(profile: DeploymentProfile): Promise<LocalFigures> {
  const dynamodb = await startDynamoDbLocal({ report: () => undefined });
  try {
    await createMakulTables(dynamodb.endpoint, TABLES);
    await seed(dynamodb.endpoint);
    const environment: NodeJS.ProcessEnv = {
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      ...functionEnvironment({
        profile,
        region: LOCAL_REGION,
        endpoints: { dynamodb: dynamodb.endpoint },
        ...TABLES,
        rawMailBucketName: 'makul-bench-raw-mail',
        hmac: { key: HMAC_KEY },
      }),
    };
    // Batches start at different places of the pool, so no two in a row ask the same keys.
    const batches = Array.from({ length: 5 }, (_, index) =>
      JSON.stringify({ emails: batchOfAddresses(index * 800) }),
    );
    let unavailable = 0;
    let serial = 0;
    const single = async (handler: StatusApiHandler) => {
      serial += 1;
      const result = await handler(
        singleEvent('email', subscriber((serial * 37) % LOCAL_POOL)),
        lambdaContext(),
      );
      parsed(result, 'a single lookup against DynamoDB Local');
    };
    const batch = async (handler: StatusApiHandler) => {
      serial += 1;
      const result = await handler(batchEvent(batches[serial % batches.length] as string), lambdaContext());
      const results = parsed(result, 'a batch against DynamoDB Local').results ?? [];
      if (results.length !== BATCH_SIZE) throw new Error('status benchmark: a local batch lost answers');
      unavailable += results.filter((entry) => entry.error?.code === 'unavailable').length;
    };
    const modes: (LocalMode & { readonly run: (handler: StatusApiHandler) => Promise<void> })[] = [
      { name: 'single lookups, one at a time', entries: 1, calls: 300, concurrency: 1, run: single },
      {
        name: `single lookups, ${LOCAL_CONCURRENCY} at once`,
        entries: 1,
        calls: 1_200,
        concurrency: LOCAL_CONCURRENCY,
        run: single,
      },
      {
        name: `batches of ${BATCH_SIZE.toLocaleString('en')}, one at a time`,
        entries: BATCH_SIZE,
        calls: 4,
        concurrency: 1,
        run: batch,
      },
      {
        name: `batches of ${BATCH_SIZE.toLocaleString('en')}, ${LOCAL_BATCH_CONCURRENCY} at once`,
        entries: BATCH_SIZE,
        calls: 8,
        concurrency: LOCAL_BATCH_CONCURRENCY,
        run: batch,
      },
    ].map((mode) => ({ ...mode, rates: [], millis: [] }));

    const loadBefore = loadavg()[0] ?? Number.NaN;
    const quiet = silenceOutput();
    try {
      const handler = createStatusApiHandler(environment);
      for (let slice = 0; slice <= LOCAL_SLICES; slice += 1) {
        for (const mode of modes) {
          const millis: number[] = [];
          let next = 0;
          const started = performance.now();
          await Promise.all(
            Array.from({ length: mode.concurrency }, async () => {
              while (next < mode.calls) {
                next += 1;
                const callStarted = performance.now();
                await mode.run(handler);
                millis.push(performance.now() - callStarted);
              }
            }),
          );
          const elapsed = performance.now() - started;
          if (slice === 0) continue;
          mode.rates.push((mode.calls * mode.entries * 1000) / elapsed);
          mode.millis.push(...millis);
        }
      }
    } finally {
      quiet.restore();
    }
    return { modes, unavailable, load: { before: loadBefore, after: loadavg()[0] ?? Number.NaN } };
  } finally {
    await dynamodb.dispose();
  }
}

/** Records for 30 % of the pool, as the register writes a subject's PROFILE item. */
async function seed(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const updatedAt = new Date().toISOString();
  const items = Array.from({ length: LOCAL_POOL }, (_, index) => recordFor(index, updatedAt)).filter(
    (item): item is Item => item !== null,
  );
  try {
    for (let start = 0; start < items.length; start += 25) {
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [TABLES.subjectsTableName]: items
              .slice(start, start + 25)
              .map((item) => ({ PutRequest: { Item: item } })),
          },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.max(0, Math.ceil(fraction * sorted.length) - 1);
  return sorted[index] ?? Number.NaN;
}

function mean(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0) / values.length;
}

function report(figures: HandlerFigures, local: LocalFigures): string {
  const { timed, sdk, output, load } = figures;
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const us = (value: number) => `${value.toFixed(1)} µs`;
  const [emailBatch, sidBatch, byEmail, bySid] = timed as [Timed, Timed, Timed, Timed];
  const [sdkBatch, sdkGet] = sdk as [SdkCall, SdkCall];
  const median = (entry: { millis: number[] }) => percentile(entry.millis, 0.5);
  const p99 = (entry: { millis: number[] }) => percentile(entry.millis, 0.99);
  const perAddress = (median(emailBatch) * 1000) / BATCH_SIZE;
  const perAddressP99 = (p99(emailBatch) * 1000) / BATCH_SIZE;
  const singleP99 = Math.max(p99(byEmail), p99(bySid));
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  // The SDK's work for one batch: one BatchGetItem per chunk of 100 distinct keys, CPU spent one after
  // the other even though the calls wait for DynamoDB together.
  const sdkPerBatch = emailBatch.calls * median(sdkBatch);

  const cost = costPerMillion(figures);
  const dollars = (value: number) => `$${value.toFixed(value < 0.01 ? 5 : 4)}`;
  const share = (value: number) => `${((value / cost.total) * 100).toFixed(1)} %`;

  return [
    '## Status API',
    '',
    '### Handler time, DynamoDB excluded',
    '',
    `The status handler as Lambda runs it (\`createStatusApiHandler\` with its whole middy chain: router, error handler, HMAC-key middleware; then request validation, address checks and keying, the DynamoDB adapter and the JSON answer), with the DynamoDB client's \`send\` answering GetItem and BatchGetItem from prepared items in memory (already resolved; any other call fails the run). The batch holds ${BATCH_SIZE.toLocaleString('en')} entries: ${BATCH_SIZE - DUPLICATES - MALFORMED.length} distinct made-up addresses (${KNOWN_PER_TEN * 10} % with a record: opted out, withdrawn, restricted or erased), ${DUPLICATES} repeated (half in capitals) and ${MALFORMED.length} malformed, mixed; every answer is checked before and after timing. ${BLOCKS} blocks in ${process.version} after ${WARM_UP_BLOCKS} warm-up block, each of ${BATCH_ROUNDS} rounds of the two batches in turn and then ${SINGLE_ROUNDS} rounds of the two single lookups in turn (apart, so that a batch's garbage is not collected during the single lookup after it): ${(BLOCKS * BATCH_ROUNDS).toLocaleString('en')} calls of each batch and ${(BLOCKS * SINGLE_ROUNDS).toLocaleString('en')} of each single lookup. The time is the wall clock of \`await handler(event)\`. Log lines are built but not written (${output.lines.toFixed(1)} lines, ${Math.round(output.bytes)} bytes per call on average). Load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after (2 cores, shared).`,
    '',
    '| call | lookups | DynamoDB calls left out | request / answer | median | p99 | slowest | first call |',
    '|---|---|---|---|---|---|---|---|',
    ...timed.map(
      (entry) =>
        `| ${entry.scenario.name} | ${entry.scenario.entries.toLocaleString('en')} | ${entry.calls} (${entry.keys} keys) | ${(entry.requestBytes / 1024).toFixed(1)} / ${(entry.responseBytes / 1024).toFixed(1)} KB | ${ms(median(entry))} | ${ms(p99(entry))} | ${ms(Math.max(...entry.millis))} | ${ms(entry.firstMillis)} |`,
    ),
    '',
    `**µs per address: ${us(perAddress)}** (median batch of ${BATCH_SIZE.toLocaleString('en')} addresses) against a target of at most ${TARGET_MICROS_PER_ADDRESS} µs — target ${verdict(perAddress <= TARGET_MICROS_PER_ADDRESS)}; at the batch's p99, ${us(perAddressP99)} (${perAddressP99 <= TARGET_MICROS_PER_ADDRESS ? 'within' : 'over'} the target). By sid (no address check, no HMAC): ${us((median(sidBatch) * 1000) / BATCH_SIZE)} per entry.`,
    '',
    `**Single lookup, warm handler path: p99 ${ms(singleP99)}** (by email: median ${ms(median(byEmail))}, p99 ${ms(p99(byEmail))}; by sid: median ${ms(median(bySid))}, p99 ${ms(p99(bySid))}) against a target of under ${TARGET_SINGLE_MS} ms — target ${verdict(singleP99 < TARGET_SINGLE_MS)}.`,
    '',
    `Left out above with DynamoDB's round trip: the SDK's own work per call (serialise, sign, parse), measured with an HTTP handler that answers at once — ${sdk.map((call) => `${call.label}: median ${ms(percentile(call.millis, 0.5))}, p99 ${ms(percentile(call.millis, 0.99))}`).join('; ')}. A ${BATCH_SIZE.toLocaleString('en')}-address batch makes ${emailBatch.calls} BatchGetItem calls: ${ms(sdkPerBatch)} of SDK work (${us((sdkPerBatch * 1000) / BATCH_SIZE)} per address), so this side spends about ${us(perAddress + (sdkPerBatch * 1000) / BATCH_SIZE)} per address in all; a single lookup adds one GetItem (${ms(median(sdkGet))}).`,
    '',
    '### Lookups per second against DynamoDB Local',
    '',
    `The same handler against DynamoDB Local (started as the integration tests start it: AWS's engine in a JVM with the C1 compiler only, on loopback), ${LOCAL_POOL.toLocaleString('en')} subjects of which ${KNOWN_PER_TEN * 10} % have a record. ${LOCAL_SLICES} timed slices after a warm-up slice, each running every mode once, in turn; rates are lookups (addresses) per second within a slice. This is DynamoDB Local and Node sharing a 2-core machine with other work (load average ${local.load.before.toFixed(1)} before, ${local.load.after.toFixed(1)} after), not AWS: in AWS the table serves each function instance and the function's CPU is its own. Entries answered \`unavailable\`: ${local.unavailable}.`,
    '',
    '| mode | lookups per second (median of slices) | slowest – fastest slice | call median | call p99 |',
    '|---|---|---|---|---|',
    ...local.modes.map(
      (mode) =>
        `| ${mode.name} | ${Math.round(percentile(mode.rates, 0.5)).toLocaleString('en')} | ${Math.round(Math.min(...mode.rates)).toLocaleString('en')} – ${Math.round(Math.max(...mode.rates)).toLocaleString('en')} | ${ms(percentile(mode.millis, 0.5))} | ${ms(percentile(mode.millis, 0.99))} |`,
    ),
    '',
    '### AWS cost of one million lookups in batches of 1,000 (estimate)',
    '',
    `1,000 calls of ${BATCH_SIZE.toLocaleString('en')} addresses, at the public on-demand prices of eu-west-1 (first tiers; constants in \`bench/status.ts\`, to be checked against AWS's pricing pages), without free tiers. Lambda: arm64, ${STATUS_FUNCTION_MEMORY_MB} MB (lib/status-api.ts), ${cost.billedMs} ms billed per call = handler ${ms(cost.handlerMs)} (mean measured above) + SDK ${ms(cost.sdkMs)} (${emailBatch.calls} BatchGetItem calls, mean) + ${ASSUMED_DYNAMODB_WAIT_MS} ms assumed waiting for DynamoDB (one round trip: the chunks go out together), rounded up to the millisecond; this machine's core is taken as equal to Lambda's one vCPU at this memory size. API Gateway HTTP API: ${cost.apiUnits === 1 ? 'one metered request' : `${cost.apiUnits} metered requests`} per call (${((emailBatch.requestBytes + emailBatch.responseBytes) / 1024).toFixed(0)} KB in and out; 512 KB increments). DynamoDB on-demand: one read request unit per lookup (strongly consistent, projected items far under 4 KB; a key without an item is read too); repeated and malformed entries are not read, so a batch like the one above reads ${emailBatch.keys} keys, not ${BATCH_SIZE.toLocaleString('en')}. CloudWatch Logs: ${Math.round(output.bytes)} bytes of log lines per call (Lambda's own START/END/REPORT lines not counted).`,
    '',
    '| part | price assumed (eu-west-1) | per million lookups | share |',
    '|---|---|---|---|',
    `| DynamoDB reads (1,000,000 RRU) | $${PRICES_EU_WEST_1.dynamoDbPerMillionReadUnits} per million RRU | ${dollars(cost.dynamodb)} | ${share(cost.dynamodb)} |`,
    `| API Gateway HTTP API (${(cost.apiUnits * 1000).toLocaleString('en')} requests) | $${PRICES_EU_WEST_1.httpApiPerMillionRequests} per million | ${dollars(cost.api)} | ${share(cost.api)} |`,
    `| Lambda duration (1,000 × ${cost.billedMs} ms × ${(STATUS_FUNCTION_MEMORY_MB / 1024).toFixed(3)} GB) | $${PRICES_EU_WEST_1.lambdaArmPerGbSecond} per GB-s (Arm) | ${dollars(cost.lambdaDuration)} | ${share(cost.lambdaDuration)} |`,
    `| Lambda requests (1,000) | $${PRICES_EU_WEST_1.lambdaPerMillionRequests} per million | ${dollars(cost.lambdaRequests)} | ${share(cost.lambdaRequests)} |`,
    `| CloudWatch Logs ingestion | $${PRICES_EU_WEST_1.logsPerGbIngested} per GB | ${dollars(cost.logs)} | ${share(cost.logs)} |`,
    `| **total** | | **${dollars(cost.total)}** | |`,
    '',
    `Reads are ${share(cost.dynamodb)} of it: the handler's speed hardly moves the bill. Even at the batch's p99 (${ms(p99(emailBatch))}) and a 50 ms DynamoDB wait, Lambda would cost ${dollars(lambdaDollars(Math.ceil(p99(emailBatch) + cost.sdkMs + 50)))} per million lookups. Single lookups cost far more per address: one API request, one Lambda request and at least one billed millisecond each (about ${dollars(singleLookupDollars(output.bytes))} per million, DynamoDB included, with a 5 ms wait).`,
    '',
  ].join('\n');
}

interface Cost {
  readonly handlerMs: number;
  readonly sdkMs: number;
  readonly billedMs: number;
  readonly apiUnits: number;
  readonly lambdaDuration: number;
  readonly lambdaRequests: number;
  readonly api: number;
  readonly dynamodb: number;
  readonly logs: number;
  readonly total: number;
}

/** Lambda's duration charge for 1,000 invocations of the given billed milliseconds each. */
function lambdaDollars(billedMs: number): number {
  return (
    1000 * (billedMs / 1000) * (STATUS_FUNCTION_MEMORY_MB / 1024) * PRICES_EU_WEST_1.lambdaArmPerGbSecond
  );
}

/** A million single lookups: a million of everything, at 1 ms of handler and 5 ms of waiting each. */
function singleLookupDollars(logBytes: number): number {
  const prices = PRICES_EU_WEST_1;
  return (
    1000 * lambdaDollars(6) +
    prices.lambdaPerMillionRequests +
    prices.httpApiPerMillionRequests +
    prices.dynamoDbPerMillionReadUnits +
    (1e6 * logBytes * prices.logsPerGbIngested) / 1024 ** 3
  );
}

function costPerMillion({ timed, sdk, output }: HandlerFigures): Cost {
  const prices = PRICES_EU_WEST_1;
  const [batch] = timed as [Timed];
  const [sdkBatch] = sdk as [SdkCall];
  const calls = 1_000_000 / BATCH_SIZE;
  // Billing adds up every call's duration, so the mean is the figure, not the median.
  const handlerMs = mean(batch.millis);
  const sdkMs = batch.calls * mean(sdkBatch.millis);
  const billedMs = Math.ceil(handlerMs + sdkMs + ASSUMED_DYNAMODB_WAIT_MS);
  const apiUnits = Math.ceil((batch.requestBytes + batch.responseBytes) / prices.httpApiMeteringBytes);
  const lambdaDuration = lambdaDollars(billedMs) * (calls / 1000);
  const lambdaRequests = (calls / 1e6) * prices.lambdaPerMillionRequests;
  const api = ((calls * apiUnits) / 1e6) * prices.httpApiPerMillionRequests;
  const dynamodb = prices.dynamoDbPerMillionReadUnits;
  const logs = (calls * output.bytes * prices.logsPerGbIngested) / 1024 ** 3;
  return {
    handlerMs,
    sdkMs,
    billedMs,
    apiUnits,
    lambdaDuration,
    lambdaRequests,
    api,
    dynamodb,
    logs,
    total: lambdaDuration + lambdaRequests + api + dynamodb + logs,
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${await benchStatus()}\n`);
}

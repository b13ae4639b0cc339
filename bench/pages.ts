/**
 * Public pages: handler time without DynamoDB (issue requirement: a page answers in under 5 ms of
 * handler time, DynamoDB excluded).
 *
 * The real handler runs: `createPagesHandler(environment)` with the middy chain, router, base-path
 * routing, urlencoded body parser, security headers, HMAC-key middleware, Powertools EMF metrics (the
 * environment names a Lambda function, as Lambda does), the use cases and the renderer. Only the
 * register's DynamoDB round trips are left out: the methods of the DynamoDB adapter that the pages
 * call (the LinkRegister port) answer from prepared data in memory, already resolved, for as long as
 * the benchmark runs, and any DynamoDB client call that would still reach the network fails the run.
 * What the SDK itself spends on a call (building, signing, parsing) is measured apart, per call, with
 * a client whose HTTP handler answers at once: it belongs neither to DynamoDB's latency nor to makul's
 * code, and the report shows both figures.
 *
 * The HMAC key comes from the environment (HMAC_KEY) instead of Secrets Manager: in Lambda it is
 * fetched on the first invocation and kept, so on every later one it is the same cached read.
 *
 * Each page type is called in turn (one call of each per round, so load on the shared machine weighs
 * on all alike), after a warm-up; the time is `await handler(event, context)` end to end. Log and EMF
 * lines are built as in Lambda but not written: stdout is the report's.
 *
 * `npx tsx bench/pages.ts` runs this section alone; `npm run bench` runs it with the others.
 */

import { loadavg } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoDbLinkRegister } from '../functions/adapters/dynamodb/link-register';
import { fromRequest, requestKey, tokenKey } from '../functions/adapters/dynamodb/request-items';
import type { ExtractedField } from '../functions/domain/requests/data-field-names';
import type { RegisteredRequest } from '../functions/domain/requests/registered-request';
import type { RequestKind } from '../functions/domain/requests/request-kinds';
import { sealAddress, sealText } from '../functions/domain/subjects/sealed-address';
import { unsubscribeLinkKey, unsubscribeToken } from '../functions/domain/tokens/unsubscribe-token';
import { hashToken, type TokenPurpose } from '../functions/domain/tokens/verification-token';
import { createPagesHandler } from '../functions/pages/handler';
import type {
  LinkRegister,
  RecordResult,
  RedemptionResult,
  SubjectRecord,
  TokenRecord,
  TokenTouch,
} from '../functions/ports/request-register';
import { functionEnvironment } from '../functions/shared/function-environment';
import { DEFAULT_OPERATORS_FILE, loadOperatorProfiles } from '../functions/shared/operators-file';
import { sampleRequest } from '../test/support/sample-request';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
/** Rounds before timing: JIT, caches, the HMAC key's first load. */
const WARM_UP_ROUNDS = 300;
/** Timed calls of each page. */
const CALLS = 2_000;
/** The requirement: handler time per page, DynamoDB excluded. */
const TARGET_MS = 5;
/** The pages function's timeout in the stack (lib/public-pages-api.ts). */
const FUNCTION_TIMEOUT_MS = 28_000;
/** SDK calls timed for the per-call figure, per command. */
const SDK_CALLS = 2_000;

const HMAC_KEY = 'benchmark-only-hmac-key-0123456789abcdef0123456789';
const SUBJECT = 'bench-subject-key';
const CONTACT = 'aigul.sadykova@example.kg';

/** The methods of the DynamoDB adapter the pages reach; each is answered from memory while the bench runs. */
const REPLACED = [
  'countSourceRequest',
  'touchToken',
  'get',
  'subjectRecord',
  'redeemToken',
  'recordNew',
] as const;
type Replaced = (typeof REPLACED)[number];

/** Prepared answers, the same on every call: a page never changes what the next call sees. */
class MemoryLinkRegister implements Pick<LinkRegister, Replaced> {
  readonly tokens = new Map<string, TokenRecord>();
  readonly requests = new Map<string, RegisteredRequest>();
  readonly subjects = new Map<string, SubjectRecord>();
  /** Calls made so far, for the report's "DynamoDB calls left out" column. */
  calls = 0;

  async countSourceRequest(): Promise<boolean> {
    this.calls += 1;
    return true;
  }
  async touchToken(tokenHash: string): Promise<TokenTouch> {
    this.calls += 1;
    const token = this.tokens.get(tokenHash);
    return token ? { outcome: 'found', token } : { outcome: 'unknown' };
  }
  async get(requestId: string): Promise<RegisteredRequest | null> {
    this.calls += 1;
    return this.requests.get(requestId) ?? null;
  }
  async subjectRecord(subjectKey: string): Promise<SubjectRecord | null> {
    this.calls += 1;
    return this.subjects.get(subjectKey) ?? null;
  }
  async redeemToken(): Promise<RedemptionResult> {
    this.calls += 1;
    return { outcome: 'done' };
  }
  async recordNew(): Promise<RecordResult> {
    this.calls += 1;
    return { outcome: 'recorded' };
  }
}

interface Scenario {
  readonly name: string;
  /** A fresh event per call: the middleware rewrites the path and replaces the body with the parsed form. */
  readonly event: () => APIGatewayProxyEventV2;
  readonly status: number;
  /** Text the page must hold: a scenario that silently showed another page would measure that one. */
  readonly shows: readonly string[];
}

interface Timed {
  readonly scenario: Scenario;
  /** Wall-clock time of each call. */
  readonly millis: number[];
  /** The first call of this page after the handler was built (the first of all is the cold one). */
  readonly firstMillis: number;
  readonly bytes: number;
  readonly registerCalls: number;
}

export async function benchPages(): Promise<string> {
  const profile = loadOperatorProfiles(path.join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE))[0];
  if (!profile) throw new Error(`${DEFAULT_OPERATORS_FILE} defines no operator`);
  const region = profile.operator.env.region;
  const environment: NodeJS.ProcessEnv = {
    AWS_LAMBDA_FUNCTION_NAME: 'makul-bench-pages',
    AWS_ACCESS_KEY_ID: 'AKIABENCHMARKONLY000',
    AWS_SECRET_ACCESS_KEY: 'benchmark-only-not-a-real-secret',
    ...functionEnvironment({
      profile,
      region,
      requestsTableName: 'makul-bench-requests',
      subjectsTableName: 'makul-bench-subjects',
      rawMailBucketName: 'makul-bench-raw-mail',
      hmac: { key: HMAC_KEY },
      sesConfigurationSet: 'makul-bench',
    }),
  };
  const basePath = new URL(profile.operator.confirmBaseUrl).pathname.replace(/\/+$/, '');
  const memory = new MemoryLinkRegister();
  const scenarios = prepare(memory, basePath);

  const loadBefore = loadavg()[0] ?? Number.NaN;
  const restore = replaceDynamoDb(memory);
  const quiet = silenceOutput();
  let timed: Timed[];
  try {
    const handler = createPagesHandler(environment);
    timed = [];
    for (const scenario of scenarios) {
      const before = memory.calls;
      const event = scenario.event();
      const context = lambdaContext();
      const started = performance.now();
      const result = await handler(event, context);
      const firstMillis = performance.now() - started;
      check(scenario, result, quiet.last());
      timed.push({
        scenario,
        millis: [],
        firstMillis,
        bytes: Buffer.byteLength(result.body ?? ''),
        registerCalls: memory.calls - before,
      });
    }
    for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
      for (const scenario of scenarios) await handler(scenario.event(), lambdaContext());
    }
    for (let round = 0; round < CALLS; round += 1) {
      for (const entry of timed) {
        const event = entry.scenario.event();
        const context = lambdaContext();
        const started = performance.now();
        await handler(event, context);
        entry.millis.push(performance.now() - started);
      }
    }
  } finally {
    quiet.restore();
    restore();
  }
  const sdk = await sdkCallMillis(region);
  const calls = timed.length * (1 + WARM_UP_ROUNDS + CALLS);
  return report(
    timed,
    sdk,
    { stdout: quiet.lines('stdout') / calls, stderr: quiet.lines('stderr') / calls },
    { before: loadBefore, after: loadavg()[0] ?? Number.NaN },
  );
}

/** The pages a person (or a mail client) can get, with the register data behind each. */
function prepare(memory: MemoryLinkRegister, basePath: string): Scenario[] {
  const received = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const due = new Date(received.getTime() + 7 * 24 * 60 * 60 * 1000);
  let serial = 0;
  const link = (purpose: TokenPurpose, request: RegisteredRequest): string => {
    serial += 1;
    const token = `${String(serial).padStart(3, '0')}${'bench_token-'.repeat(4)}`.slice(0, 43);
    memory.requests.set(request.requestId, request);
    memory.tokens.set(hashToken(token), {
      tokenHash: hashToken(token),
      purpose,
      requestId: request.requestId,
      expiresAt: new Date(Date.now() + 72 * 60 * 60 * 1000),
      usedAt: null,
      attempts: 1,
    });
    return `${basePath}/c/${token}`;
  };
  const request = (kind: RequestKind, overrides: Partial<RegisteredRequest> = {}): RegisteredRequest => {
    const requestId = overrides.requestId ?? `MK-BENCH${String(serial + 1).padStart(4, '0')}`;
    return benchRequest(requestId, {
      kind,
      receivedAt: received.toISOString(),
      dueAt: due.toISOString(),
      ...overrides,
    });
  };
  /** An update-data request: four values to apply (shown masked) and one the pages refuse. */
  const updateData = (): RegisteredRequest => {
    const base = request('update-data');
    const fields: ExtractedField[] = [
      { field: 'full-name', value: 'Садыкова Айгуль Бакытовна' },
      { field: 'phone', value: '+996 555 123 456' },
      { field: 'email', value: 'aigul.new@example.kg' },
      { field: 'birth-date', value: '14.03.1991' },
      { field: 'phone', value: '12' },
    ];
    return { ...base, sealedDetails: sealText(JSON.stringify(fields), HMAC_KEY, base.requestId) };
  };
  const form = '<form method="post"';
  const scenarios: Scenario[] = [];
  const add = (
    name: string,
    event: () => APIGatewayProxyEventV2,
    status: number,
    shows: readonly string[] = [],
  ) => scenarios.push({ name, event, status, shows });

  add('confirm GET, update-data (4 masked values, 1 refused)', get(link('verify', updateData())), 200, [
    form,
    '***',
  ]);
  for (const kind of ['withdraw-consent', 'access', 'erasure', 'restrict'] as const) {
    add(`confirm GET, ${kind}`, get(link('verify', request(kind))), 200, [form]);
  }
  add(
    'confirm GET, stop-dissemination (3 data items)',
    get(link('verify', request('stop-dissemination', { dataItems: ['phone', 'photo', 'birth-date'] }))),
    200,
    [form],
  );
  add('dispute GET', get(link('dispute', request('erasure', { status: 'in-progress' }))), 200, [form]);
  memory.subjects.set(SUBJECT, {
    flags: {
      processingRestricted: { since: received.toISOString(), heldBy: ['MK-BENCH-R'] },
      marketingOptOut: { since: received.toISOString(), heldBy: ['MK-BENCH-R'] },
    },
    disseminationStoppedItems: [],
  });
  add(
    'lift-restriction GET',
    get(link('lift-restriction', request('restrict', { status: 'completed' }))),
    200,
    [form],
  );
  add('confirm-address GET', get(link('confirm-address', { ...updateData(), status: 'in-progress' })), 200, [
    form,
    '***',
  ]);
  add(
    'result POST: confirm withdraw-consent',
    post(link('verify', request('withdraw-consent')), 'action=confirm&lang=ru'),
    200,
  );
  add(
    'result POST: confirm update-data (2 notices)',
    post(link('verify', updateData()), 'action=confirm'),
    200,
  );
  add(
    'result POST: "not me" on a verify link',
    post(link('verify', request('erasure')), 'action=cancel'),
    200,
  );
  add(
    'result POST: dispute (flags released)',
    post(
      link('dispute', request('restrict', { requestId: 'MK-BENCH-R', status: 'in-progress' })),
      'action=cancel',
    ),
    200,
  );
  const unsubscribe = `${basePath}/u/${unsubscribeToken(CONTACT, unsubscribeLinkKey(HMAC_KEY))}`;
  add('unsubscribe GET', get(unsubscribe), 200, [form]);
  add('unsubscribe POST (RFC 8058 one-click)', post(unsubscribe, 'List-Unsubscribe=One-Click'), 200);
  add('unavailable: unknown token', get(`${basePath}/c/${'Z'.repeat(43)}`), 404);
  add('unavailable: malformed token', get(`${basePath}/c/not-a-token`), 404);
  add('not found: other path', get(`${basePath}/elsewhere`), 404);
  return scenarios;
}

let sourceSerial = 0;
let invocationSerial = 0;

/**
 * A fresh context per invocation, as Lambda gives: with getRemainingTimeInMillis, middy arms its
 * early-timeout timer around the handler as it does in Lambda (the stack's 28 s timeout).
 */
function lambdaContext(): Context {
  invocationSerial += 1;
  const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'makul-bench-pages',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:makul-bench-pages',
    memoryLimitInMB: '1024',
    awsRequestId: `bench-${invocationSerial}`,
    logGroupName: '/aws/lambda/makul-bench-pages',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as Context;
}

function get(path: string): () => APIGatewayProxyEventV2 {
  return () => event('GET', path);
}

/** A form post as API Gateway hands it over: urlencoded, base64-encoded. */
function post(path: string, body: string): () => APIGatewayProxyEventV2 {
  return () => event('POST', path, body);
}

function event(method: 'GET' | 'POST', path: string, body?: string): APIGatewayProxyEventV2 {
  sourceSerial += 1;
  const token = path.match(/\/[cu]\/([^/]+)$/)?.[1];
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: 'privacy.x2.kg',
      'user-agent': 'Mozilla/5.0 (benchmark)',
      accept: 'text/html',
      'accept-language': 'ru-RU,ru;q=0.9',
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(token ? { pathParameters: { token } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'privacy.x2.kg',
      domainPrefix: 'privacy',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: `198.51.100.${sourceSerial % 250}`,
        userAgent: 'Mozilla/5.0 (benchmark)',
      },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
      time: '02/Dec/2026:01:00:00 +0000',
      timeEpoch: 0,
    },
    ...(body
      ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  } as APIGatewayProxyEventV2;
}

function check(scenario: Scenario, result: APIGatewayProxyStructuredResultV2, lastLog: string): void {
  const body = result.body ?? '';
  const missing = scenario.shows.filter((text) => !body.includes(text));
  if (result.statusCode !== scenario.status || missing.length > 0) {
    throw new Error(
      `pages benchmark: "${scenario.name}" answered ${result.statusCode} (expected ${scenario.status})${missing.length > 0 ? ` without ${missing.join(', ')}` : ''}; last log line: ${lastLog}`,
    );
  }
}

/**
 * The adapter's DynamoDB methods answered from memory, on the prototype (the handler builds its own
 * adapter instance); every other DynamoDB call fails the run. Returns what puts the originals back.
 */
function replaceDynamoDb(memory: MemoryLinkRegister): () => void {
  const prototype = DynamoDbLinkRegister.prototype as unknown as Record<string, unknown>;
  const originals = new Map<string, PropertyDescriptor | undefined>();
  for (const name of REPLACED) {
    originals.set(name, Object.getOwnPropertyDescriptor(prototype, name));
    Object.defineProperty(prototype, name, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => (memory[name] as (...a: unknown[]) => unknown)(...args),
    });
  }
  const clientPrototype = DynamoDBClient.prototype as unknown as Record<string, unknown>;
  const send = Object.getOwnPropertyDescriptor(clientPrototype, 'send');
  const inherited = !send;
  Object.defineProperty(clientPrototype, 'send', {
    configurable: true,
    writable: true,
    value: () => Promise.reject(new Error('pages benchmark: a DynamoDB call escaped the in-memory register')),
  });
  return () => {
    for (const [name, descriptor] of originals) {
      if (descriptor) Object.defineProperty(prototype, name, descriptor);
      else delete prototype[name];
    }
    if (inherited) delete clientPrototype.send;
    else Object.defineProperty(clientPrototype, 'send', send);
  };
}

/**
 * Log and EMF lines are built but not written while the handler runs: both go to process.stdout (and
 * Powertools' warnings to process.stderr), which carry the report. Their lines are counted, and the
 * last one is kept for the error of a page that fails.
 */
function silenceOutput(): { restore(): void; lines(stream: 'stdout' | 'stderr'): number; last(): string } {
  const streams = { stdout: process.stdout, stderr: process.stderr } as const;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const counts = { stdout: 0, stderr: 0 };
  let last = '';
  for (const name of ['stdout', 'stderr'] as const) {
    streams[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      counts[name] += 1;
      last = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
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
    lines: (name) => counts[name],
    last: () => last.trim(),
  };
}

interface SdkCall {
  readonly label: string;
  readonly millis: number[];
}

/**
 * What the SDK spends on one DynamoDB call besides the network: command built, serialised, signed, the
 * response parsed. The client's HTTP handler answers at once with what DynamoDB would return (the
 * token touched; a request item as the adapter stores it), so the figure is CPU on this side only.
 */
async function sdkCallMillis(region: string): Promise<SdkCall[]> {
  const requestItem = fromRequest(
    benchRequest('MK-BENCH0001', {
      kind: 'withdraw-consent',
      receivedAt: new Date().toISOString(),
      dueAt: new Date().toISOString(),
    }),
  );

  const tokenItem = {
    ...tokenKey('a'.repeat(43)),
    purpose: { S: 'verify' },
    requestId: { S: 'MK-BENCH0001' },
    expiresAtIso: { S: new Date().toISOString() },
    attempts: { N: '2' },
  };
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
  const calls: { label: string; answer: string; run: () => Promise<unknown> }[] = [
    {
      label: 'UpdateItem (a token touched, ALL_NEW)',
      answer: JSON.stringify({ Attributes: tokenItem }),
      run: () =>
        client.send(
          new UpdateItemCommand({
            TableName: 'makul-bench-requests',
            Key: tokenKey('a'.repeat(43)),
            UpdateExpression: 'ADD attempts :one',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(attempts) OR attempts < :max)',
            ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: '20' } },
            ReturnValues: 'ALL_NEW',
          }),
        ),
    },
    {
      label: `GetItem (a request item, ${JSON.stringify({ Item: requestItem }).length} bytes of JSON)`,
      answer: JSON.stringify({ Item: requestItem }),
      run: () =>
        client.send(
          new GetItemCommand({
            TableName: 'makul-bench-requests',
            Key: requestKey('MK-BENCH0001'),
            ConsistentRead: true,
          }),
        ),
    },
  ];
  const timed: SdkCall[] = calls.map(({ label }) => ({ label, millis: [] }));
  for (let round = 0; round < SDK_CALLS + WARM_UP_ROUNDS; round += 1) {
    for (const [index, call] of calls.entries()) {
      answer = call.answer;
      const started = performance.now();
      await call.run();
      if (round >= WARM_UP_ROUNDS) timed[index]?.millis.push(performance.now() - started);
    }
  }
  client.destroy();
  return timed;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.max(0, Math.ceil(fraction * sorted.length) - 1);
  return sorted[index] ?? Number.NaN;
}

function report(
  timed: readonly Timed[],
  sdk: readonly SdkCall[],
  output: { readonly stdout: number; readonly stderr: number },
  load: { readonly before: number; readonly after: number },
): string {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const worst = (measure: (entry: Timed) => number) =>
    timed.reduce((a, b) => (measure(b) > measure(a) ? b : a));
  const median = (entry: Timed) => percentile(entry.millis, 0.5);
  const p99 = (entry: Timed) => percentile(entry.millis, 0.99);
  const verdict = (value: number) => (value < TARGET_MS ? 'met' : 'NOT met');
  const [byMedian, byP99] = [worst(median), worst(p99)];
  const first = timed[0];
  return [
    '## Public pages: handler time',
    '',
    `The pages handler as Lambda runs it (\`createPagesHandler\`: middy, router, base path, body parser, security headers, HMAC-key middleware, Powertools EMF metrics, use cases, renderer), with the register's DynamoDB calls answered from memory (prepared data, already resolved). ${CALLS.toLocaleString('en')} calls of each page in ${process.version}, one of each per round after ${WARM_UP_ROUNDS} warm-up rounds; the time is the wall-clock time of \`await handler(event)\`. Log and EMF lines are built but not written: ${output.stdout.toFixed(1)} lines to stdout and ${output.stderr.toFixed(1)} to stderr per call on average. Load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after (2 cores).`,
    '',
    '| page | status | HTML | DynamoDB calls left out | median | p99 | slowest |',
    '|---|---|---|---|---|---|---|',
    ...timed.map(
      (entry) =>
        `| ${entry.scenario.name} | ${entry.scenario.status} | ${(entry.bytes / 1024).toFixed(1)} KB | ${entry.registerCalls} | ${ms(median(entry))} | ${ms(p99(entry))} | ${ms(Math.max(...entry.millis))} |`,
    ),
    '',
    `**Slowest page at p99: ${ms(p99(byP99))}** (${byP99.scenario.name}) against a target of under ${TARGET_MS} ms of handler time — target ${verdict(p99(byP99))}. Slowest median: ${ms(median(byMedian))} (${byMedian.scenario.name}).`,
    '',
    `The first call after the handler was built (${first?.scenario.name ?? '—'}: lazy compilation, first use of every module) took ${ms(first?.firstMillis ?? Number.NaN)}.`,
    '',
    `Left out above with DynamoDB's round trip: the SDK's own work per call (serialise, sign, parse), measured with an HTTP handler that answers at once — ${sdk.map((call) => `${call.label}: median ${ms(percentile(call.millis, 0.5))}, p99 ${ms(percentile(call.millis, 0.99))}`).join('; ')}.`,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${await benchPages()}\n`);
}

/** A register entry as the bench's pages read it: a request awaiting confirmation, its reply sent. */
function benchRequest(requestId: string, overrides: Partial<RegisteredRequest>): RegisteredRequest {
  return sampleRequest(0, {
    requestId,
    sesMessageId: `bench-${requestId}`,
    status: 'awaiting-verification',
    jurisdiction: 'KG-58',
    subjectKey: SUBJECT,
    replyLimitKey: 'bench-mailbox-key',
    sealedContact: sealAddress(CONTACT, HMAC_KEY, requestId),
    rawMail: { bucket: 'makul-bench-raw-mail', key: `inbound/${requestId}` },
    originalMessageId: `<${requestId}@example.kg>`,
    outboundState: 'sent',
    ...overrides,
  });
}

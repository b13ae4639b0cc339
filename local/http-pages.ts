/**
 * A local stand-in for the public HTTP API (API Gateway HTTP API, Lambda proxy integration, payload
 * format 2.0, `$default` route and stage): an HTTP server on 127.0.0.1 that turns each request into the
 * event API Gateway would send the pages function, calls the handler with a Lambda-like context, and
 * writes its result back as API Gateway would.
 *
 * What it reproduces, because a handler that works here must work behind the real thing:
 * - headers lower-cased, repeated ones joined with ','; the Cookie header moved into `cookies`;
 *   x-forwarded-for/-proto/-port and x-amzn-trace-id added; repeated query parameters joined with ','.
 * - bodies of non-textual types base64-encoded with `isBase64Encoded: true`: API Gateway does this to
 *   `application/x-www-form-urlencoded` too, so an HTML form's POST arrives base64-encoded.
 * - the response: `cookies` become one Set-Cookie each; a result without `statusCode` is sent as JSON
 *   (200, application/json); `multiValueHeaders` is ignored (format 2.0 has none: a warning says so);
 *   a handler that throws, times out or returns a malformed result gets 502 `{"message":"Internal
 *   Server Error"}`, never the error's text.
 * What it does not: custom domains, stages other than `$default`, authorizers, throttling (production's
 * throttling and WAF are the stack's), TLS (loopback only, as every local service).
 *
 * One log line per request: method, status and time. Never the path or the query: tokens travel in
 * paths (`/c/<token>`, `/u/<token>`), and a log line must not let someone who reads it act for a subject.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { localLambdaContext } from './lambda-context';
import {
  endpointFor,
  LOCAL_REGION,
  LOOPBACK_HOST,
  type LocalServiceHandle,
  listenOnLoopback,
  type ProgressReporter,
  printProgress,
} from './loopback';

/**
 * The pages function as API Gateway calls it: a middy handler built by `createPagesHandler` (or any
 * function of this shape). Results may be the structured form or anything API Gateway infers from.
 */
export type PagesHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface HttpPagesOptions {
  readonly handler: PagesHttpHandler;
  /** @default 3000; 0 picks a free port (kept across stop and start) */
  readonly port?: number;
  /** Startup, stop and one line per request (never a path or query). @default printProgress */
  readonly log?: ProgressReporter;
  /** The context's functionName. @default 'pages' */
  readonly functionName?: string;
  /** For the context's invokedFunctionArn. @default LOCAL_REGION */
  readonly region?: string;
  /**
   * The function's time budget: the context's getRemainingTimeInMillis counts down from it, and a
   * handler still running at the end is answered as Lambda's timeout is (502). @default 10_000
   */
  readonly timeoutMs?: number;
  /**
   * Largest request body accepted; above it the answer is 413 and the handler is not called.
   * @default MAX_LOCAL_BODY_BYTES
   */
  readonly maxBodyBytes?: number;
}

export interface HttpPagesHandle extends LocalServiceHandle {
  /** http://127.0.0.1:<port>, the same as endpoint: the public base URL links point at. */
  readonly url: string;
}

/**
 * 64 KB. API Gateway's own limit is 10 MB, but makul's forms carry a token and a few short fields, so
 * anything near this size is not a person using a page; the local server refuses it early.
 */
export const MAX_LOCAL_BODY_BYTES = 64 * 1024;

export const DEFAULT_HTTP_PAGES_PORT = 3000;

const DEFAULT_TIMEOUT_MS = 10_000;

/** What API Gateway answers when the integration fails: the handler's error never reaches the client. */
const INTERNAL_ERROR_BODY = '{"message":"Internal Server Error"}';
const TOO_LARGE_BODY = '{"message":"Request Entity Too Large"}';

/**
 * Media types whose bodies API Gateway passes as text; every other body (form posts included, and a
 * body without a Content-Type) reaches the function base64-encoded.
 */
function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/javascript' ||
    type === 'application/xml'
  );
}

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** An X-Ray trace header as API Gateway adds it: `Root=1-<epoch seconds, hex>-<96 random bits>`. */
function traceId(nowMs: number): string {
  return `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function sourceIpOf(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? LOOPBACK_HOST).replace(/^::ffff:/, '');
}

/** Error name and where it was thrown, never its message: messages can carry what a person typed. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'a non-Error value';
  const frame = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return frame === undefined ? error.name : `${error.name} ${frame}`;
}

type BodyRead = { readonly kind: 'body'; readonly bytes: Buffer } | { readonly kind: 'too-large' };

async function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { kind: 'too-large' };
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    total += bytes.length;
    // Chunked bodies declare no length: counted as they come, and the rest is never kept.
    if (total > maxBytes) return { kind: 'too-large' };
    chunks.push(bytes);
  }
  return { kind: 'body', bytes: Buffer.concat(chunks) };
}

interface EventParts {
  readonly request: IncomingMessage;
  readonly body: Buffer;
  readonly port: number;
  readonly requestId: string;
  readonly receivedAt: Date;
}

/** The payload format 2.0 event API Gateway would build for this request. */
export function buildHttpApiEvent(parts: EventParts): APIGatewayProxyEventV2 {
  const { request, body, port, requestId, receivedAt } = parts;
  const target = request.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);

  const headers = new Map<string, string>();
  const cookies: string[] = [];
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] ?? '').toLowerCase();
    const value = raw[index + 1] ?? '';
    if (name === 'cookie') {
      // Format 2.0 moves every Cookie header into `cookies`, one entry per cookie, and drops the header.
      for (const cookie of value.split(';')) if (cookie.trim() !== '') cookies.push(cookie.trim());
      continue;
    }
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  const sourceIp = sourceIpOf(request);
  const forwardedFor = headers.get('x-forwarded-for');
  headers.set('x-forwarded-for', forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`);
  headers.set('x-forwarded-proto', 'http');
  headers.set('x-forwarded-port', String(port));
  headers.set('x-amzn-trace-id', traceId(receivedAt.getTime()));
  const host = headers.get('host') ?? `${LOOPBACK_HOST}:${port}`;

  const query = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const earlier = query.get(name);
    query.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }

  const textual = isTextual(headers.get('content-type'));
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    // fromEntries defines own properties, so a header or parameter named __proto__ stays data.
    headers: Object.fromEntries(headers),
    ...(query.size > 0 ? { queryStringParameters: Object.fromEntries(query) } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers.get('user-agent') ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(receivedAt),
      timeEpoch: receivedAt.getTime(),
    },
    isBase64Encoded: body.length > 0 && !textual,
  };
  if (body.length > 0) event.body = textual ? body.toString('utf8') : body.toString('base64');
  return event;
}

interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly cookies: readonly string[];
  readonly body: Buffer;
  /** The result had multiValueHeaders, which API Gateway ignores in format 2.0. */
  readonly ignoredMultiValueHeaders: boolean;
}

class MalformedResultError extends Error {
  override readonly name = 'MalformedResultError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the function's result as API Gateway reads a format 2.0 response; throws MalformedResultError. */
export function answerFromResult(result: unknown): HttpAnswer {
  if (!isRecord(result) || !('statusCode' in result)) {
    // No statusCode: API Gateway infers 200, application/json, and the result as the body.
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      cookies: [],
      body: Buffer.from(body, 'utf8'),
      ignoredMultiValueHeaders: false,
    };
  }
  const structured = result as APIGatewayProxyStructuredResultV2 & { multiValueHeaders?: unknown };
  const { statusCode } = structured;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
    throw new MalformedResultError('statusCode is not an HTTP status');
  const headers: [string, string][] = [];
  if (structured.headers !== undefined) {
    if (!isRecord(structured.headers)) throw new MalformedResultError('headers is not an object');
    for (const [name, value] of Object.entries(structured.headers)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw new MalformedResultError('a header value is not a string, number or boolean');
      try {
        validateHeaderName(name);
        validateHeaderValue(name, String(value));
      } catch {
        throw new MalformedResultError('a header name or value is not valid HTTP');
      }
      headers.push([name, String(value)]);
    }
  }
  const cookies: string[] = [];
  if (structured.cookies !== undefined) {
    if (!Array.isArray(structured.cookies)) throw new MalformedResultError('cookies is not an array');
    for (const cookie of structured.cookies as unknown[]) {
      if (typeof cookie !== 'string') throw new MalformedResultError('a cookie is not a string');
      try {
        validateHeaderValue('set-cookie', cookie);
      } catch {
        throw new MalformedResultError('a cookie is not a valid header value');
      }
      cookies.push(cookie);
    }
  }
  if (structured.body !== undefined && typeof structured.body !== 'string')
    throw new MalformedResultError('body is not a string');
  const text = structured.body ?? '';
  return {
    statusCode,
    headers,
    cookies,
    body: structured.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
    ignoredMultiValueHeaders: structured.multiValueHeaders !== undefined,
  };
}

function sendJson(response: ServerResponse, statusCode: number, body: string, requestId: string): void {
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'apigw-requestid': requestId,
  });
  response.end(body);
}

type Outcome =
  | { readonly kind: 'result'; readonly value: unknown }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'timed-out' };

export async function startHttpPages(options: HttpPagesOptions): Promise<HttpPagesHandle> {
  const log = options.log ?? printProgress;
  const functionName = options.functionName ?? 'pages';
  const region = options.region ?? LOCAL_REGION;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_LOCAL_BODY_BYTES;
  let port = options.port ?? DEFAULT_HTTP_PAGES_PORT;
  let server: Server | null = null;
  let warnedMultiValueHeaders = false;
  // Requests being answered: stop() lets them finish (the handler may be writing to DynamoDB Local).
  const inFlight = new Set<Promise<void>>();

  const invoke = async (event: APIGatewayProxyEventV2): Promise<Outcome> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timed-out' }), timeoutMs);
    });
    const ran = Promise.resolve()
      .then(() =>
        options.handler(event, localLambdaContext({ functionName, region, timeoutMs, memoryMb: 256 })),
      )
      .then(
        (value): Outcome => ({ kind: 'result', value }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      );
    try {
      return await Promise.race([ran, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<string> => {
    const receivedAt = new Date();
    const requestId = randomBytes(11).toString('base64');
    const read = await readBody(request, maxBodyBytes);
    if (read.kind === 'too-large') {
      // The unread rest of the body is discarded by Node; the connection closes after the answer.
      response.setHeader('connection', 'close');
      sendJson(response, 413, TOO_LARGE_BODY, requestId);
      return '';
    }
    const event = buildHttpApiEvent({ request, body: read.bytes, port, requestId, receivedAt });
    const outcome = await invoke(event);
    if (outcome.kind === 'threw') {
      sendJson(response, 502, INTERNAL_ERROR_BODY, requestId);
      return `: the handler threw ${describeFailure(outcome.error)}`;
    }
    if (outcome.kind === 'timed-out') {
      sendJson(response, 502, INTERNAL_ERROR_BODY, requestId);
      return `: the handler did not answer within ${timeoutMs} ms (Lambda would have stopped it)`;
    }
    let http: HttpAnswer;
    try {
      http = answerFromResult(outcome.value);
    } catch (error) {
      sendJson(response, 502, INTERNAL_ERROR_BODY, requestId);
      return `: malformed result (${error instanceof MalformedResultError ? error.message : describeFailure(error)})`;
    }
    if (http.ignoredMultiValueHeaders && !warnedMultiValueHeaders) {
      warnedMultiValueHeaders = true;
      log(
        'HTTP API (pages): the result has multiValueHeaders, which payload format 2.0 ignores (API Gateway drops them too); use cookies, or headers joined with commas',
      );
    }
    for (const [name, value] of http.headers) response.setHeader(name, value);
    if (http.cookies.length > 0) response.setHeader('set-cookie', [...http.cookies]);
    response.setHeader('apigw-requestid', requestId);
    response.writeHead(http.statusCode);
    response.end(http.body);
    return '';
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const startedAt = Date.now();
    const method = request.method ?? 'GET';
    const done = answer(request, response)
      .catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 502, INTERNAL_ERROR_BODY, '');
        else response.destroy();
        return `: ${describeFailure(error)}`;
      })
      .then((note) => {
        log(`HTTP ${method} ${response.statusCode} ${Date.now() - startedAt} ms${note}`);
      });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const start = async (): Promise<void> => {
    if (server !== null) return;
    const created = createServer(onRequest);
    await listenOnLoopback(created, port, 'HTTP API (pages)');
    const address = created.address();
    // Port 0 asked for any port: keep the one given, so a restart comes back at the same URL.
    if (address !== null && typeof address === 'object') port = address.port;
    server = created;
    log(`HTTP API (pages): ready at ${endpointFor(port)}`);
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (running === null) return;
    server = null;
    // No new connections; idle keep-alive ones go now, busy ones once their answers are written.
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    running.closeIdleConnections();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    running.closeAllConnections();
    await closed;
    log('HTTP API (pages): stopped');
  };

  await start();
  const endpoint = endpointFor(port);
  return {
    endpoint,
    url: endpoint,
    port,
    start,
    stop,
    // Nothing on disk: the pages keep their state in DynamoDB.
    dispose: stop,
  };
}

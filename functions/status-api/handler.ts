/**
 * λ status-api: the private HTTP API marketing systems ask before they send (API Gateway HTTP API,
 * payload 2.0, IAM authorisation: every caller signs with SigV4; lib/status-api.ts).
 *
 *   GET  /v1/subjects/status?email=…   or ?sid=…     one address's status
 *   POST /v1/subjects/status:batch      {"emails": […]} or {"sids": […]}, up to 1,000, answered in order
 *   GET  /v1/suppressions/changes?since=…&limit=…      the change feed, for syncing a suppression list
 *
 * Every answer is JSON and never cached. Bad requests get a 400 that names the field; unexpected
 * failures a 500 that names nothing. Addresses travel in the query of a single lookup (the API's access
 * log omits query strings, lib/status-api.ts); nothing here logs an address or a sid.
 */
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { DynamoDbStatusFeed } from '../adapters/dynamodb/status-feed';
import { DynamoDbSubjectStatusReader } from '../adapters/dynamodb/subject-status-reader';
import {
  changesSince,
  decodeCursor,
  type StatusDependencies,
  type StatusQuery,
  statusMany,
  statusOne,
} from '../app/subject-status';
import { AWS_CALL_TIMEOUTS } from '../shared/aws-timeouts';
import type { FunctionConfig } from '../shared/config';
import { loadFunctionConfig } from '../shared/config';
import { jsonApiFunction } from '../shared/http';
import { createLogger, type Logger } from '../shared/log';
import { hmacKey, hmacKeyOf } from '../shared/middleware/hmac-key';
import { dynamoDbClient, keySourceFor, signedSecretsManager } from '../shared/register-runtime';
import {
  changesQuerySchema,
  DEFAULT_FEED_LIMIT,
  emailQuerySchema,
  emailsBatchSchema,
  sidQuerySchema,
  sidsBatchSchema,
} from './schemas';

export type StatusApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A batch of 1,000 addresses is about 40 KB of JSON; anything far above is not a batch request. */
const MAX_BODY_BYTES = 512 * 1024;

/** What the status API needs of AWS: the subjects table, read only, and the HMAC key. */
export function createStatusRuntime(config: FunctionConfig, environment: NodeJS.ProcessEnv) {
  const dynamodb = dynamoDbClient(config, environment, AWS_CALL_TIMEOUTS);
  return {
    reader: new DynamoDbSubjectStatusReader(dynamodb, config.subjectsTableName),
    feed: new DynamoDbStatusFeed(dynamodb, config.subjectsTableName),
    keySource: keySourceFor(config, signedSecretsManager(config, environment, AWS_CALL_TIMEOUTS)),
  };
}

/**
 * Built without setUpFunction's metrics (Powertools EMF): API Gateway already counts requests, errors
 * and latency per route, and the status function's bundle budget (250 KB, issue #9) has no room for
 * what would only repeat them.
 */
export function createStatusApiHandler(environment: NodeJS.ProcessEnv, logger?: Logger): StatusApiHandler {
  const config = loadFunctionConfig(environment, 'status-api');
  const { profile } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: 'status-api', operator: profile.operator.id });
  const runtime = createStatusRuntime(config, environment);
  const dependencies = (context: Context): StatusDependencies => ({
    reader: runtime.reader,
    feed: runtime.feed,
    hmacKey: hmacKeyOf(context),
    profile,
  });

  const routes = [
    {
      method: 'GET' as const,
      path: '/v1/subjects/status',
      handler: answering(log, 'status', async (event, context) => {
        const query = singleQuery(event.queryStringParameters ?? {});
        if ('invalid' in query) return badRequest(query.invalid);
        const answer = await statusOne(query, dependencies(context));
        // A malformed address or sid is the whole request here, so it is a 400 like any bad field.
        if ('error' in answer)
          return badRequest({ field: 'email' in query ? 'email' : 'sid', message: answer.error.message });
        return json(200, answer);
      }),
    },
    {
      method: 'POST' as const,
      path: '/v1/subjects/status:batch',
      handler: answering(log, 'batch', async (event, context) => {
        const body = batchBody(event);
        if ('invalid' in body) return badRequest(body.invalid);
        return json(200, { results: await statusMany(body.queries, dependencies(context)) });
      }),
    },
    {
      method: 'GET' as const,
      path: '/v1/suppressions/changes',
      handler: answering(log, 'changes', async (event, context) => {
        const parsed = changesQuerySchema.safeParse(event.queryStringParameters ?? {});
        if (!parsed.success) return badRequest(firstIssue(parsed.error));
        const after = parsed.data.since === undefined ? 0 : decodeCursor(parsed.data.since);
        if (after === null) return badRequest({ field: 'since', message: 'not a cursor this API gave out' });
        const limit = parsed.data.limit === undefined ? DEFAULT_FEED_LIMIT : Number(parsed.data.limit);
        if (limit > 1000) return badRequest({ field: 'limit', message: 'a whole number from 1 to 1000' });
        return json(200, await changesSince(after, limit, dependencies(context)));
      }),
    },
  ];

  const router = httpRouterHandler({
    routes,
    notFoundResponse: () => json(404, { error: { code: 'not-found', message: 'no such route' } }),
  });
  return jsonApiFunction<APIGatewayProxyStructuredResultV2>(log)
    .use(hmacKey(runtime.keySource))
    .handler(router as unknown as StatusApiHandler) as unknown as StatusApiHandler;
}

type Route = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Logs each answer by route, status and duration: no query, no body. A failure goes on to the error
 * handler (lib's httpFunction), which logs it by name and masked message and answers a bare 500.
 */
function answering(log: Logger, route: string, handle: Route): Route {
  return async (event, context) => {
    const started = performance.now();
    const response = await handle(event, context);
    log.info('answered', { route, status: response.statusCode, ms: Math.round(performance.now() - started) });
    return response;
  };
}

interface InvalidField {
  readonly field: string;
  readonly message: string;
}

function singleQuery(
  parameters: Record<string, string | undefined>,
): StatusQuery | { invalid: InvalidField } {
  const names = Object.keys(parameters);
  if (names.includes('email') === names.includes('sid')) {
    return { invalid: { field: 'email', message: 'give exactly one of email or sid' } };
  }
  const parsed = names.includes('email')
    ? emailQuerySchema.safeParse(parameters)
    : sidQuerySchema.safeParse(parameters);
  if (!parsed.success) return { invalid: firstIssue(parsed.error) };
  return parsed.data;
}

function batchBody(event: APIGatewayProxyEventV2): { queries: StatusQuery[] } | { invalid: InvalidField } {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return { invalid: { field: '(body)', message: `larger than ${MAX_BODY_BYTES} bytes` } };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { invalid: { field: '(body)', message: 'not JSON' } };
  }
  const keys = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
  if (keys.includes('emails') === keys.includes('sids')) {
    return { invalid: { field: 'emails', message: 'give exactly one of emails or sids' } };
  }
  if (keys.includes('emails')) {
    const parsed = emailsBatchSchema.safeParse(body);
    if (!parsed.success) return { invalid: firstIssue(parsed.error) };
    return { queries: parsed.data.emails.map((email) => ({ email })) };
  }
  const parsed = sidsBatchSchema.safeParse(body);
  if (!parsed.success) return { invalid: firstIssue(parsed.error) };
  return { queries: parsed.data.sids.map((sid) => ({ sid })) };
}

/** The first problem, with its path as the API names fields (`emails[3]`), never the value. */
function firstIssue(error: z.core.$ZodError): InvalidField {
  const issue = error.issues[0];
  if (!issue) return { field: '(request)', message: 'invalid' };
  const field = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
  const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : null;
  return unknownKeys
    ? { field: unknownKeys, message: 'not a field of this request' }
    : { field: field || '(request)', message: issue.message };
}

function badRequest(invalid: InvalidField): APIGatewayProxyStructuredResultV2 {
  return json(400, { error: { code: 'invalid-request', field: invalid.field, message: invalid.message } });
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

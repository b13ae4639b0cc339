/**
 * λ systems-api: the private HTTP API the operator's data systems carry requests out through (API
 * Gateway HTTP API, payload 2.0, IAM authorisation: every caller signs with SigV4; lib/systems-api.ts).
 *
 *   GET  /v1/requests/{id}                 the request: kind, dates, the address, the corrections, the tasks
 *   POST /v1/requests/{id}/tasks/{system}  {"state":"done","outcome":…,"data"?:…} or {"state":"refused","reason":…}
 *
 * Every read is audited with the caller's IAM ARN (app/read-request-for-system.ts); every answer goes
 * through the use case a person's `makul tasks` uses too (app/answer-task.ts). Answers are JSON, never
 * cached; a bad request gets a 400 naming the field, never echoing a value. Nothing here logs a body,
 * an address or a value: answers are logged by route, status and duration.
 */
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { DynamoDbFulfilmentRegister } from '../adapters/dynamodb/fulfilment-register';
import { type AnswerTaskOutcome, answerTask } from '../app/answer-task';
import { readRequestForSystem, taskView } from '../app/read-request-for-system';
import type { TaskReport } from '../domain/fulfilment/tasks';
import { AWS_CALL_TIMEOUTS } from '../shared/aws-timeouts';
import { type FunctionConfig, loadFunctionConfig } from '../shared/config';
import { jsonApiFunction } from '../shared/http';
import { createLogger, type Logger } from '../shared/log';
import { hmacKey, hmacKeyOf } from '../shared/middleware/hmac-key';
import {
  dynamoDbClient,
  keySourceFor,
  linkRegisterOn,
  signedSecretsManager,
} from '../shared/register-runtime';
import { requestIdSchema, systemIdSchema, taskReportSchema } from './schemas';

export type SystemsApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** An access answer of a few hundred values is a few tens of KB; anything far above is not one. */
const MAX_BODY_BYTES = 256 * 1024;

/** What the systems API needs of AWS: the requests table (requests, tasks, audit), the HMAC key. */
export function createSystemsRuntime(config: FunctionConfig, environment: NodeJS.ProcessEnv) {
  const dynamodb = dynamoDbClient(config, environment, AWS_CALL_TIMEOUTS);
  return {
    register: linkRegisterOn(dynamodb, config),
    fulfilment: new DynamoDbFulfilmentRegister(dynamodb, config.requestsTableName),
    keySource: keySourceFor(config, signedSecretsManager(config, environment, AWS_CALL_TIMEOUTS)),
  };
}

/**
 * The caller's identity as API Gateway's IAM authorisation established it: for a system's role, the
 * session ARN `arn:aws:sts::<account>:assumed-role/<role>/<session>`. Not taken from the request.
 */
export function callerArnOf(event: APIGatewayProxyEventV2): string | null {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  const arn = context.authorizer?.iam?.userArn;
  return typeof arn === 'string' && arn.startsWith('arn:') ? arn : null;
}

export function createSystemsApiHandler(environment: NodeJS.ProcessEnv, logger?: Logger): SystemsApiHandler {
  const config = loadFunctionConfig(environment, 'systems-api');
  const { profile } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: 'systems-api', operator: profile.operator.id });
  const runtime = createSystemsRuntime(config, environment);
  const dependencies = (context: Context) => ({
    register: runtime.register,
    fulfilment: runtime.fulfilment,
    profile,
    hmacKey: hmacKeyOf(context),
    now: () => new Date(),
  });

  const routes = [
    {
      method: 'GET' as const,
      path: '/v1/requests/{id}',
      handler: answering(log, 'request', async (event, context) => {
        const caller = callerArnOf(event);
        if (caller === null) return forbidden('no IAM caller identity');
        const id = requestIdSchema.safeParse(event.pathParameters?.id);
        if (!id.success) return badRequest({ field: 'id', message: 'not a request id (MK-…)' });
        const request = await readRequestForSystem(id.data, caller, dependencies(context));
        if (request === null) return notFound(`no request ${id.data} with fulfilment tasks`);
        return json(200, request);
      }),
    },
    {
      method: 'POST' as const,
      path: '/v1/requests/{id}/tasks/{system}',
      handler: answering(log, 'task', async (event, context) => {
        const caller = callerArnOf(event);
        if (caller === null) return forbidden('no IAM caller identity');
        const id = requestIdSchema.safeParse(event.pathParameters?.id);
        if (!id.success) return badRequest({ field: 'id', message: 'not a request id (MK-…)' });
        const system = systemIdSchema.safeParse(event.pathParameters?.system);
        if (!system.success) return badRequest({ field: 'system', message: 'not a data system id' });
        const body = reportBody(event);
        if ('invalid' in body) return badRequest(body.invalid);
        const result = await answerTask(
          id.data,
          system.data,
          body.report,
          { via: 'api', caller },
          dependencies(context),
        );
        // Ids and the outcome word only: a refusal's reason is free text and stays out of the log.
        log.info('task answered', {
          requestId: id.data,
          system: system.data,
          answer: body.report.state === 'done' ? body.report.outcome : 'refused',
          result: result.outcome,
        });
        return answerResponse(id.data, system.data, body.report, result);
      }),
    },
  ];

  const router = httpRouterHandler({
    routes,
    notFoundResponse: () => json(404, { error: { code: 'not-found', message: 'no such route' } }),
  });
  return jsonApiFunction<APIGatewayProxyStructuredResultV2>(log)
    .use(hmacKey(runtime.keySource))
    .handler(router as unknown as SystemsApiHandler) as unknown as SystemsApiHandler;
}

function answerResponse(
  requestId: string,
  systemId: string,
  report: TaskReport,
  result: AnswerTaskOutcome,
): APIGatewayProxyStructuredResultV2 {
  switch (result.outcome) {
    case 'unknown-request':
      return notFound(`no request ${requestId}`);
    case 'unknown-system':
      return notFound(`the operator names no data system ${systemId}`);
    case 'unknown-task':
      return notFound(`request ${requestId} has no task for ${systemId}`);
    case 'forbidden':
      return forbidden(`only the role named for ${systemId} may answer its tasks`);
    case 'invalid':
      return badRequest({ field: invalidField(report, result.reason), message: result.reason });
    case 'closed':
      return json(409, {
        error: { code: 'conflict', message: `the request is ${result.status}: its tasks take no answers` },
      });
    case 'conflict':
      return json(409, {
        error: {
          code: 'conflict',
          message: `the task was answered ${result.task.state}${result.task.outcome ? ` (${result.task.outcome})` : ''} before; the first answer stands`,
        },
      });
    case 'answered':
    case 'same':
      return json(200, { requestId, task: taskView(result.task), result: result.outcome });
  }
}

/** The field a report the task cannot take is wrong in (domain/fulfilment/tasks.ts reportProblem). */
function invalidField(report: TaskReport, problem: string): string {
  if (report.state === 'refused') return 'reason';
  return problem.startsWith(`"${report.outcome}" does not answer`) ? 'outcome' : 'data';
}

type Route = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Logs each answer by route, status and duration: no path, no body (they carry ids and personal data). */
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

function reportBody(event: APIGatewayProxyEventV2): { report: TaskReport } | { invalid: InvalidField } {
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
  const parsed = taskReportSchema.safeParse(body);
  if (!parsed.success) return { invalid: firstIssue(parsed.error) };
  return { report: parsed.data };
}

/** The first problem, with its path as the API names fields (`data.email[0]`), never the value. */
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
    : { field: field || 'state', message: issue.message };
}

function badRequest(invalid: InvalidField): APIGatewayProxyStructuredResultV2 {
  return json(400, { error: { code: 'invalid-request', field: invalid.field, message: invalid.message } });
}

function notFound(message: string): APIGatewayProxyStructuredResultV2 {
  return json(404, { error: { code: 'not-found', message } });
}

function forbidden(message: string): APIGatewayProxyStructuredResultV2 {
  return json(403, { error: { code: 'forbidden', message } });
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

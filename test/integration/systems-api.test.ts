/**
 * The systems API through its real handler (middy, routing, validation, the HMAC key) with the events
 * API Gateway's IAM authorisation hands it (payload 2.0, the caller's ARN in
 * requestContext.authorizer.iam), against DynamoDB Local: what a data system sees when it reads a
 * request and reports its task. Every answer is checked against the schemas the OpenAPI document is
 * made from.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import { type DataSystem, tasksFor } from '../../functions/domain/fulfilment/tasks';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import type { FulfilmentKind } from '../../functions/domain/requests/request-kinds';
import { sealAddress, sealText } from '../../functions/domain/subjects/sealed-address';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { createLogger } from '../../functions/shared/log';
import { createSystemsApiHandler, type SystemsApiHandler } from '../../functions/systems-api/handler';
import {
  requestViewSchema,
  systemsErrorSchema,
  taskAnswerSchema,
} from '../../functions/systems-api/response-schemas';
import { localLambdaContext } from '../../local/lambda-context';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { sampleProfile } from '../support/sample-profile';
import { sampleRequest } from '../support/sample-request';

const TABLES = { requestsTableName: 'systems-api-requests', subjectsTableName: 'systems-api-subjects' };
const HMAC_KEY = 'systems-api-test-key-0123456789abcdef0123456789';
const ADDRESS = 'aigul.osmonova@example.kg';
const CRM_ROLE = 'arn:aws:iam::123456789012:role/makul-crm';
const CRM_CALLER = 'arn:aws:sts::123456789012:assumed-role/makul-crm/crm-sync';
const ACCOUNTS_CALLER = 'arn:aws:sts::123456789012:assumed-role/player-accounts/worker-7';

const system = (id: string, categories: string[], callerRoleArn?: string): DataSystem => ({
  id,
  name: { ky: id, ru: id, en: id },
  purpose: { ky: id, ru: id, en: id },
  categories,
  toldBy: 'event',
  kinds: ['update-data', 'withdraw-consent', 'access', 'erasure', 'restrict', 'stop-dissemination'],
  ...(callerRoleArn ? { callerRoleArn } : {}),
});
const PROFILE = sampleProfile({
  dataSystems: [system('accounts', ['full-name', 'email']), system('crm', ['email'], CRM_ROLE)],
});

let local: LocalRegister;
let register: DynamoDbLinkRegister;
let fulfilment: DynamoDbFulfilmentRegister;
let handler: SystemsApiHandler;
const logLines: string[] = [];
let serial = 0;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  register = new DynamoDbLinkRegister(local.client, TABLES);
  fulfilment = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
  const environment = {
    ...functionEnvironment({
      profile: PROFILE,
      requestsTableName: TABLES.requestsTableName,
      subjectsTableName: TABLES.subjectsTableName,
      rawMailBucketName: 'not-used',
      hmac: { key: HMAC_KEY },
      region: LOCAL_REGION,
      endpoints: { dynamodb: local.dynamodb.endpoint },
    }),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  handler = createSystemsApiHandler(
    environment,
    createLogger('INFO', { fn: 'systems-api' }, (line) => logLines.push(line)),
  );
});

afterAll(async () => {
  await local?.stop();
});

/** An in-progress request with a task in each system, its address and corrections sealed. */
async function standing(kind: FulfilmentKind, extra: Partial<RegisteredRequest> = {}) {
  serial += 1;
  const requestId = `MK-SYSAPI${String(serial).padStart(5, '0')}`;
  const request = sampleRequest(serial, {
    requestId,
    kind,
    language: 'ky',
    status: 'in-progress',
    closedAt: null,
    dueAt: '2026-12-10T18:00:00.000Z',
    subjectKey: 'a'.repeat(64),
    sealedContact: sealAddress(ADDRESS, HMAC_KEY, requestId),
    outboundState: 'sent',
    jurisdiction: 'KG-58',
    ...extra,
    ...(kind === 'update-data'
      ? {
          sealedDetails: sealText(
            JSON.stringify([{ field: 'phone', value: '+996 555 123 456' }]),
            HMAC_KEY,
            requestId,
          ),
        }
      : {}),
  });
  await register.recordNew(
    request,
    { at: new Date().toISOString(), event: 'received', detail: {} },
    null,
    null,
  );
  await fulfilment.createTasks(tasksFor(request, PROFILE.operator.dataSystems, new Date()), {
    at: new Date().toISOString(),
    event: 'tasks-created',
    detail: {},
  });
  return request;
}

/** The event API Gateway (payload 2.0, IAM authorisation) gives the function. */
function apiEvent(
  method: 'GET' | 'POST',
  path: string,
  options: { caller?: string | null; body?: unknown; pathParameters?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const caller = options.caller === undefined ? ACCOUNTS_CALLER : options.caller;
  const routeKey = path.includes('/tasks/')
    ? 'POST /v1/requests/{id}/tasks/{system}'
    : 'GET /v1/requests/{id}';
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'crm-sync/1.0' },
      requestId: `req-${serial}`,
      routeKey,
      stage: '$default',
      time: '02/Dec/2026:09:00:00 +0000',
      timeEpoch: Date.now(),
      ...(caller
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLE',
                accountId: '123456789012',
                callerId: 'AROAEXAMPLE:worker',
                principalOrgId: null,
                userArn: caller,
                userId: 'AROAEXAMPLE:worker',
              },
            },
          }
        : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
  };
}

async function call(event: APIGatewayProxyEventV2): Promise<{ status: number; body: unknown }> {
  const context = localLambdaContext({
    functionName: 'systems-api',
    region: LOCAL_REGION,
    timeoutMs: 10_000,
    memoryMb: 512,
  });
  const response = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  expect(response.headers?.['Cache-Control']).toBe('no-store');
  return { status: response.statusCode ?? 0, body: JSON.parse(String(response.body)) };
}

const parsed = <T extends z.ZodMiniType>(schema: T, body: unknown) => {
  const result = schema.safeParse(body);
  expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  return result.data as z.infer<T>;
};

const answer = (requestId: string, systemId: string, body: unknown, caller?: string | null) =>
  call(apiEvent('POST', `/v1/requests/${requestId}/tasks/${systemId}`, { body, caller }));

describe('GET /v1/requests/{id}', () => {
  it('gives a system the address, the corrections and the tasks, and audits the read with its ARN', async () => {
    const request = await standing('update-data');
    const { status, body } = await call(apiEvent('GET', `/v1/requests/${request.requestId}`));
    expect(status).toBe(200);
    const view = parsed(requestViewSchema, body);
    expect(view).toMatchObject({
      requestId: request.requestId,
      kind: 'update-data',
      status: 'in-progress',
      language: 'ky',
      address: ADDRESS,
      corrections: [{ field: 'phone', value: '+996 555 123 456' }],
      dataItems: null,
    });
    expect(view.tasks.map((task) => [task.system, task.state])).toEqual([
      ['accounts', 'open'],
      ['crm', 'open'],
    ]);
    const reads = (await register.auditTrail(request.requestId)).filter(
      (event) => event.event === 'read-by-system',
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]?.detail).toMatchObject({ caller: ACCOUNTS_CALLER, address: true, corrections: true });
    // The logs name the route and status, never the address or the values.
    expect(logLines.join('\n')).not.toContain(ADDRESS);
    expect(logLines.join('\n')).not.toContain('555');
  });

  it('gives the data items of a stop-dissemination request', async () => {
    const request = await standing('stop-dissemination', { dataItems: ['phone', 'email'] });
    const { body } = await call(apiEvent('GET', `/v1/requests/${request.requestId}`));
    const view = parsed(requestViewSchema, body);
    expect(view.corrections).toBeNull();
    // The register keeps the categories as a set: their order is not the mail's.
    expect([...(view.dataItems ?? [])].sort()).toEqual(['email', 'phone']);
  });

  it('answers 404 for an unknown request, 400 for a malformed id and 403 without an IAM caller', async () => {
    const unknown = await call(apiEvent('GET', '/v1/requests/MK-ZZZZZZZZZZZZ'));
    expect(unknown.status).toBe(404);
    parsed(systemsErrorSchema, unknown.body);
    const malformed = await call(apiEvent('GET', '/v1/requests/not-an-id'));
    expect(malformed).toMatchObject({ status: 400, body: { error: { field: 'id' } } });
    const request = await standing('access');
    const anonymous = await call(apiEvent('GET', `/v1/requests/${request.requestId}`, { caller: null }));
    expect(anonymous.status).toBe(403);
  });
});

describe('POST /v1/requests/{id}/tasks/{system}', () => {
  it('takes a done answer (200 with the task), the same again (200), and a different one as 409', async () => {
    const request = await standing('erasure');
    const first = await answer(request.requestId, 'accounts', { state: 'done', outcome: 'erased' });
    expect(first.status).toBe(200);
    expect(parsed(taskAnswerSchema, first.body)).toMatchObject({
      requestId: request.requestId,
      result: 'answered',
      task: { system: 'accounts', state: 'done', outcome: 'erased' },
    });
    const again = await answer(request.requestId, 'accounts', { state: 'done', outcome: 'erased' });
    expect(again.status).toBe(200);
    expect(parsed(taskAnswerSchema, again.body).result).toBe('same');
    const other = await answer(request.requestId, 'accounts', { state: 'refused', reason: 'legal hold' });
    expect(other.status).toBe(409);
    expect(parsed(systemsErrorSchema, other.body).error.code).toBe('conflict');
  });

  it('completes an access request when the last system answers, the data sealed to the task', async () => {
    const request = await standing('access');
    const provided = await answer(request.requestId, 'accounts', {
      state: 'done',
      outcome: 'provided',
      data: { 'full-name': ['Айгүл Осмонова'], email: [ADDRESS] },
    });
    expect(provided.status).toBe(200);
    const last = await answer(request.requestId, 'crm', { state: 'done', outcome: 'not-held' }, CRM_CALLER);
    expect(last.status).toBe(200);
    expect((await register.get(request.requestId))?.status).toBe('completed');
    expect(await register.get(`${request.requestId}.access-report`)).toMatchObject({
      notice: 'access-report',
    });
    expect(logLines.join('\n')).not.toContain('Осмонова');
  });

  it('answers 400 naming the field for a malformed or unfitting body', async () => {
    const request = await standing('update-data');
    const cases: [unknown, string][] = [
      ['{not json', '(body)'],
      [{ state: 'finished' }, 'state'],
      [{ state: 'done' }, 'outcome'],
      [{ state: 'done', outcome: 'shredded' }, 'outcome'],
      [{ state: 'refused', reason: '' }, 'reason'],
      [{ state: 'done', outcome: 'corrected', extra: 1 }, 'extra'],
      [{ state: 'done', outcome: 'erased' }, 'outcome'],
      [{ state: 'done', outcome: 'corrected', data: { email: ['x'] } }, 'data'],
    ];
    for (const [body, field] of cases) {
      const response = await answer(request.requestId, 'accounts', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(parsed(systemsErrorSchema, response.body).error.field, JSON.stringify(body)).toBe(field);
    }
  });

  it('lets only the named role answer for a system that names one (403), and 404s unknown tasks', async () => {
    const request = await standing('restrict');
    const wrong = await answer(
      request.requestId,
      'crm',
      { state: 'done', outcome: 'restricted' },
      ACCOUNTS_CALLER,
    );
    expect(wrong.status).toBe(403);
    expect(parsed(systemsErrorSchema, wrong.body).error.code).toBe('forbidden');
    const right = await answer(
      request.requestId,
      'crm',
      { state: 'done', outcome: 'restricted' },
      CRM_CALLER,
    );
    expect(right.status).toBe(200);
    const noSystem = await answer(request.requestId, 'helpdesk', { state: 'done', outcome: 'restricted' });
    expect(noSystem.status).toBe(404);
    const noRequest = await answer(
      'MK-ZZZZZZZZZZZZ',
      'crm',
      { state: 'done', outcome: 'restricted' },
      CRM_CALLER,
    );
    expect(noRequest.status).toBe(404);
  });

  it('puts a refused task on the ops list and answers 200', async () => {
    const request = await standing('restrict');
    const refused = await answer(request.requestId, 'accounts', {
      state: 'refused',
      reason: 'account under a court order',
    });
    expect(refused.status).toBe(200);
    expect(parsed(taskAnswerSchema, refused.body).task).toMatchObject({
      state: 'refused',
      reason: 'account under a court order',
    });
    expect(await register.get(request.requestId)).toMatchObject({
      opsQueue: 'refused',
      status: 'in-progress',
    });
  });
});

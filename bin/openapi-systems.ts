/**
 * Writes docs/systems-api.openapi.json, the OpenAPI 3.1 description of the systems API, from the
 * schemas the handler validates requests with (functions/systems-api/schemas.ts) and the schemas the
 * tests check its answers against (response-schemas.ts). `npm run openapi` after changing either;
 * test/unit/systems-api/openapi.test.ts fails while the committed document is out of date.
 */
import * as path from 'node:path';
import {
  requestViewSchema,
  systemsErrorSchema,
  taskAnswerSchema,
} from '../functions/systems-api/response-schemas';
import {
  MAX_REASON_CHARS,
  requestIdSchema,
  systemIdSchema,
  taskReportSchema,
} from '../functions/systems-api/schemas';
import { documentText, jsonSchema, SIGV4_SECURITY_SCHEME, writeWhenRun } from './openapi-parts';

export const SYSTEMS_OPENAPI_FILE = path.join(import.meta.dirname, '..', 'docs', 'systems-api.openapi.json');

const REQUEST_ID = 'MK-7QK2M9XH4T3B';
const SUBJECT_KEY = '4f0c8a6de1c9b2f3a7e5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a291807';

export const EXAMPLE_REQUEST = {
  requestId: REQUEST_ID,
  kind: 'update-data',
  status: 'in-progress',
  language: 'ru',
  receivedAt: '2026-12-01T09:30:12.345Z',
  dueAt: '2026-12-10T20:59:59.000Z',
  subjectKey: SUBJECT_KEY,
  address: 'ivan.petrov@example.ru',
  corrections: [{ field: 'phone', value: '+7 916 123-45-67' }],
  dataItems: null,
  tasks: [
    { system: 'crm', state: 'open', outcome: null, reason: null, answeredAt: null },
    {
      system: 'mailing-platform',
      state: 'done',
      outcome: 'corrected',
      reason: null,
      answeredAt: '2026-12-02T08:00:00.000Z',
    },
  ],
};

export const EXAMPLE_REPORTS = {
  done: { value: { state: 'done', outcome: 'erased' } },
  accessProvided: {
    value: {
      state: 'done',
      outcome: 'provided',
      data: { 'full-name': ['Иван Петров'], email: ['ivan.petrov@example.ru'] },
    },
  },
  notHeld: { value: { state: 'done', outcome: 'not-held' } },
  refused: { value: { state: 'refused', reason: 'the account is under a court order until 2027' } },
};

export const EXAMPLE_ANSWER = {
  requestId: REQUEST_ID,
  task: {
    system: 'crm',
    state: 'done',
    outcome: 'erased',
    reason: null,
    answeredAt: '2026-12-02T09:00:00.000Z',
  },
  result: 'answered',
};

const errorResponse = (description: string, code: string, message: string, field?: string) => ({
  description,
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/Error' },
      example: { error: { code, ...(field ? { field } : {}), message } },
    },
  },
});

const COMMON_ERRORS = {
  '429': { description: 'Throttled by the API stage: retry with back-off.' },
  '500': { description: 'Unexpected failure; the body names nothing. Retry with back-off.' },
};

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The request id, as the task event carries it.',
  schema: jsonSchema(requestIdSchema),
  example: REQUEST_ID,
};

export function systemsApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'makul systems API',
      version: '1.0.0',
      description: [
        "Private API for the operator's data systems: read the request a fulfilment task is about, and report the task done or refused.",
        'Every call is signed with AWS SigV4 (API Gateway IAM authorisation); the stack outputs the managed policy a system role needs',
        '(SystemsApiCallerPolicyArn; docs/systems-api.md). Every read is recorded in the request’s audit trail with the caller’s IAM ARN.',
        'Answers are idempotent: the same answer again is answered 200 (`result: same`), a different one 409; the first answer stands.',
      ].join(' '),
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        variables: { apiId: { default: 'abc123' }, region: { default: 'eu-west-1' } },
      },
    ],
    security: [{ sigv4: [] }],
    paths: {
      '/v1/requests/{id}': {
        get: {
          operationId: 'getRequest',
          summary: 'The request a task is about: what the system needs to carry it out.',
          description:
            'The subject’s address (to find the person), the values to correct (update-data), the data named (stop-dissemination) and every system’s task. Personal data: keep it only as long as carrying out the request needs. The read is audited.',
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'The request.',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/Request' },
                  example: EXAMPLE_REQUEST,
                },
              },
            },
            '400': errorResponse(
              'A malformed request id.',
              'invalid-request',
              'not a request id (MK-…)',
              'id',
            ),
            '403': {
              description: 'The request is not signed (SigV4) by a role allowed to call this API.',
            },
            '404': errorResponse(
              'No such request, or one no data system carries out.',
              'not-found',
              `no request ${REQUEST_ID} with fulfilment tasks`,
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/requests/{id}/tasks/{system}': {
        post: {
          operationId: 'answerTask',
          summary: 'Report the task of one system: done with an outcome, or refused with a reason.',
          description: `Outcomes by kind: update-data corrected|not-held; withdraw-consent and erasure erased|not-held; access provided|not-held (provided lists the data held, by the operator's data category ids); restrict restricted|not-held; stop-dissemination erased|restricted|not-held. A refusal (reason up to ${MAX_REASON_CHARS} characters, no personal data) sends the request to the operator's staff. When every system is done, update-data, restrict and stop-dissemination complete, and access completes with the report mailed to the subject; erasure and withdraw-consent complete after makul's own destruction.`,
          parameters: [
            idParameter,
            {
              name: 'system',
              in: 'path',
              required: true,
              description: 'The data system’s id, as the operator profile names it.',
              schema: jsonSchema(systemIdSchema),
              example: 'crm',
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/TaskReport' },
                examples: EXAMPLE_REPORTS,
              },
            },
          },
          responses: {
            '200': {
              description: 'Taken (`answered`), or the same answer was taken before (`same`).',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/TaskAnswer' },
                  example: EXAMPLE_ANSWER,
                },
              },
            },
            '400': errorResponse(
              'The body is not JSON, misses or misnames a field, or does not fit the task (an outcome of another kind, data of a category the system does not hold).',
              'invalid-request',
              '"erased" does not answer update-data: one of corrected, not-held',
              'outcome',
            ),
            '403': errorResponse(
              'Not signed by an allowed role, or the system names its role in the operator profile and the caller is not a session of it.',
              'forbidden',
              'only the role named for crm may answer its tasks',
            ),
            '404': errorResponse(
              'No such request, no such system, or no task of this system for the request.',
              'not-found',
              `request ${REQUEST_ID} has no task for crm`,
            ),
            '409': errorResponse(
              'The task was answered differently before (the first answer stands), or the request is closed (cancelled, rejected).',
              'conflict',
              'the task was answered done (erased) before; the first answer stands',
            ),
            ...COMMON_ERRORS,
          },
        },
      },
    },
    components: {
      securitySchemes: SIGV4_SECURITY_SCHEME,
      schemas: {
        Request: jsonSchema(requestViewSchema),
        TaskReport: jsonSchema(taskReportSchema),
        TaskAnswer: jsonSchema(taskAnswerSchema),
        Error: jsonSchema(systemsErrorSchema),
      },
    },
  };
}

export function systemsApiDocumentText(): string {
  return documentText(systemsApiDocument());
}

writeWhenRun(import.meta.filename, SYSTEMS_OPENAPI_FILE, systemsApiDocumentText);

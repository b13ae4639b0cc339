/**
 * Writes docs/status-api.openapi.json, the OpenAPI 3.1 description of the status API, from the
 * schemas the handler validates requests with (functions/status-api/schemas.ts) and the schemas the
 * tests check its answers against (response-schemas.ts). `npm run openapi` after changing either;
 * test/unit/status-api/openapi.test.ts fails while the committed document is out of date.
 */
import * as path from 'node:path';
import type * as z from 'zod/mini';
import {
  batchResponseSchema,
  changesResponseSchema,
  errorResponseSchema,
  singleStatusSchema,
} from '../functions/status-api/response-schemas';
import {
  changesQuerySchema,
  DEFAULT_FEED_LIMIT,
  emailQuerySchema,
  emailsBatchSchema,
  MAX_BATCH_ENTRIES,
  sidQuerySchema,
  sidsBatchSchema,
} from '../functions/status-api/schemas';
import { documentText, jsonSchema, SIGV4_SECURITY_SCHEME, writeWhenRun } from './openapi-parts';

export const OPENAPI_FILE = path.join(import.meta.dirname, '..', 'docs', 'status-api.openapi.json');

/** One query parameter's schema, as the handler's query schema has it. */
const queryParameter = (schema: z.core.$ZodType, name: string) =>
  (jsonSchema(schema).properties as Record<string, unknown>)[name];

const SID = '4f0c8a6de1c9b2f3a7e5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a291807';
const SUPPRESSED = {
  email: 'ivan.petrov@example.kg',
  sid: SID,
  known: true,
  marketing: 'suppressed',
  processing: 'allowed',
  changedAt: '2026-12-01T09:30:12.345Z',
  reason: 'unsubscribed',
};

const errorResponse = (description: string, field: string, message: string) => ({
  description,
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/Error' },
      example: { error: { code: 'invalid-request', field, message } },
    },
  },
});

const COMMON_ERRORS = {
  '403': { description: 'The request is not signed (SigV4) by a role allowed to call this API.' },
  '429': { description: 'Throttled by the API stage or route: retry with back-off.' },
  '500': { description: 'Unexpected failure; the body names nothing. Retry with back-off.' },
};

export function statusApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'makul status API',
      version: '1.0.0',
      description: [
        'Private API for marketing systems: may an address be contacted, and what changed since the last sync.',
        'Every call is signed with AWS SigV4 (API Gateway IAM authorisation); the stack outputs the managed',
        'policy a caller role needs (see README, "Status API"). Answers are strongly consistent: the moment an',
        'unsubscribe is recorded, the address is `suppressed`. Addresses are keyed by `sid`, an HMAC-SHA256 of',
        'the normalised address under the operator key: keep the `sid` of each address to match change-feed',
        'entries, or send sids instead of addresses.',
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
      '/v1/subjects/status': {
        get: {
          operationId: 'getSubjectStatus',
          summary: "One address's status, by address or by sid (exactly one).",
          parameters: [
            {
              name: 'email',
              in: 'query',
              required: false,
              schema: queryParameter(emailQuerySchema, 'email'),
              example: 'ivan.petrov@example.kg',
            },
            {
              name: 'sid',
              in: 'query',
              required: false,
              description: 'HMAC-SHA256 of the normalised address, 64 lower-case hex characters.',
              schema: queryParameter(sidQuerySchema, 'sid'),
            },
          ],
          responses: {
            '200': {
              description:
                'The status. An address makul has no record of is `known: false` with the operator default.',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/SubjectStatus' },
                  examples: {
                    suppressed: { value: SUPPRESSED },
                    unknown: {
                      value: {
                        email: 'new.customer@example.kg',
                        sid: SID,
                        known: false,
                        marketing: 'allowed',
                        processing: 'allowed',
                        changedAt: null,
                        reason: null,
                      },
                    },
                  },
                },
              },
            },
            '400': errorResponse(
              'Neither or both of email and sid, or a malformed one.',
              'email',
              'give exactly one of email or sid',
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/subjects/status:batch': {
        post: {
          operationId: 'getSubjectStatusBatch',
          summary: `Up to ${MAX_BATCH_ENTRIES} statuses in one call, answered one per entry in input order.`,
          description:
            'Each result echoes its entry. Duplicates are answered alike. A malformed entry, or one the register could not read in time (`unavailable`, `retryable: true`), is answered in place with an error; the other entries are answered as usual.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/StatusBatchRequest' },
                examples: {
                  byAddress: {
                    value: { emails: ['ivan.petrov@example.kg', 'aigul@example.kg', 'not an address'] },
                  },
                  bySid: { value: { sids: [SID] } },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'One result per entry, in input order.',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/StatusBatchResponse' },
                  example: {
                    results: [
                      SUPPRESSED,
                      {
                        email: 'aigul@example.kg',
                        sid: SID.replace('4f', '9a'),
                        known: false,
                        marketing: 'allowed',
                        processing: 'allowed',
                        changedAt: null,
                        reason: null,
                      },
                      {
                        email: 'not an address',
                        error: {
                          code: 'invalid-email',
                          message: 'not an email address of the plain form local@domain',
                          retryable: false,
                        },
                      },
                    ],
                  },
                },
              },
            },
            '400': errorResponse(
              'The body is not JSON, has neither or both of emails and sids, or too many entries.',
              'emails',
              'Too big: expected array to have <=1000 items',
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/suppressions/changes': {
        get: {
          operationId: 'getSuppressionChanges',
          summary:
            'The changes of subjects’ states since a cursor, oldest first, for syncing a suppression list.',
          description:
            'Opt-outs, withdrawals, restrictions, erasure requests and their reversals, each with its state before and after. Sequences have no gaps and the cursor is stable: following `next` page after page returns every change exactly once, also while changes are being written. Store `next` and ask again with it; `more: true` means another page is already waiting.',
          parameters: [
            {
              name: 'since',
              in: 'query',
              required: false,
              description: 'A cursor from an earlier `next`; without it, from the first change.',
              schema: queryParameter(changesQuerySchema, 'since'),
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              description: `Changes per page, 1 to 1000 (default ${DEFAULT_FEED_LIMIT}).`,
              schema: queryParameter(changesQuerySchema, 'limit'),
            },
          ],
          responses: {
            '200': {
              description: 'A page of changes and the cursor to go on from.',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/ChangesPage' },
                  example: {
                    changes: [
                      {
                        sequence: 41,
                        sid: SID,
                        changedAt: '2026-12-01T09:30:12.345Z',
                        marketing: { previous: 'allowed', current: 'suppressed' },
                        processing: { previous: 'allowed', current: 'allowed' },
                        reason: 'unsubscribed',
                      },
                    ],
                    next: 'YzEuNDE',
                    more: false,
                  },
                },
              },
            },
            '400': errorResponse(
              'A cursor this API did not give out, or a bad limit.',
              'since',
              'not a cursor this API gave out',
            ),
            ...COMMON_ERRORS,
          },
        },
      },
    },
    components: {
      securitySchemes: SIGV4_SECURITY_SCHEME,
      schemas: {
        StatusBatchRequest: { oneOf: [jsonSchema(emailsBatchSchema), jsonSchema(sidsBatchSchema)] },
        SubjectStatus: jsonSchema(singleStatusSchema),
        StatusBatchResponse: jsonSchema(batchResponseSchema),
        ChangesPage: jsonSchema(changesResponseSchema),
        Error: jsonSchema(errorResponseSchema),
      },
    },
  };
}

export function statusApiDocumentText(): string {
  return documentText(statusApiDocument());
}

writeWhenRun(import.meta.filename, OPENAPI_FILE, statusApiDocumentText);

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, statusApiDocument, statusApiDocumentText } from '../../../bin/openapi';
import {
  batchResponseSchema,
  changesResponseSchema,
  errorResponseSchema,
  singleStatusSchema,
} from '../../../functions/status-api/response-schemas';
import { emailsBatchSchema, sidsBatchSchema } from '../../../functions/status-api/schemas';

type Operation = {
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<
    string,
    { content?: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> }
  >;
};

const document = statusApiDocument() as unknown as { paths: Record<string, Record<string, Operation>> };
const operation = (path: string, method: string) => document.paths[path]?.[method] as Operation;
const json = 'application/json';

describe('the OpenAPI document of the status API', () => {
  it('is committed as bin/openapi.ts generates it (npm run openapi)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(statusApiDocumentText());
  });

  it('is OpenAPI 3.1 and describes the three routes', () => {
    expect(statusApiDocument().openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/subjects/status',
      '/v1/subjects/status:batch',
      '/v1/suppressions/changes',
    ]);
  });

  it('has examples that the schemas the handler uses accept', () => {
    const batch = operation('/v1/subjects/status:batch', 'post');
    for (const { value } of Object.values(batch.requestBody?.content[json]?.examples ?? {})) {
      expect(emailsBatchSchema.safeParse(value).success || sidsBatchSchema.safeParse(value).success).toBe(
        true,
      );
    }
    expect(batchResponseSchema.safeParse(batch.responses['200']?.content?.[json]?.example).success).toBe(
      true,
    );
    const single = operation('/v1/subjects/status', 'get');
    for (const { value } of Object.values(single.responses['200']?.content?.[json]?.examples ?? {})) {
      expect(singleStatusSchema.safeParse(value).success).toBe(true);
    }
    const changes = operation('/v1/suppressions/changes', 'get');
    expect(changesResponseSchema.safeParse(changes.responses['200']?.content?.[json]?.example).success).toBe(
      true,
    );
    for (const op of [batch, single, changes]) {
      expect(errorResponseSchema.safeParse(op.responses['400']?.content?.[json]?.example).success).toBe(true);
    }
  });
});

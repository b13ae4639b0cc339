import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_ANSWER,
  EXAMPLE_REPORTS,
  EXAMPLE_REQUEST,
  SYSTEMS_OPENAPI_FILE,
  systemsApiDocument,
  systemsApiDocumentText,
} from '../../../bin/openapi-systems';
import { requestViewSchema, taskAnswerSchema } from '../../../functions/systems-api/response-schemas';
import { taskReportSchema } from '../../../functions/systems-api/schemas';

describe('the OpenAPI document of the systems API', () => {
  it('is committed as bin/openapi-systems.ts generates it (npm run openapi)', () => {
    expect(readFileSync(SYSTEMS_OPENAPI_FILE, 'utf8')).toBe(systemsApiDocumentText());
  });

  it('is OpenAPI 3.1 and describes the two routes', () => {
    const document = systemsApiDocument();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/requests/{id}',
      '/v1/requests/{id}/tasks/{system}',
    ]);
  });

  it('has examples that the schemas of the handler and the tests accept', () => {
    for (const { value } of Object.values(EXAMPLE_REPORTS)) {
      expect(taskReportSchema.safeParse(value).success, JSON.stringify(value)).toBe(true);
    }
    expect(requestViewSchema.safeParse(EXAMPLE_REQUEST).success).toBe(true);
    expect(taskAnswerSchema.safeParse(EXAMPLE_ANSWER).success).toBe(true);
  });
});

/**
 * What the status API's and the systems API's OpenAPI generators (bin/openapi.ts,
 * bin/openapi-systems.ts) share: a zod schema as a JSON Schema of the document's dialect, the SigV4
 * security scheme both APIs use, and writing the document when the generator is run as a script.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';

/** The schema as the handler reads its input; the `$schema` dialect is the document's (OpenAPI 3.1). */
export const jsonSchema = (schema: z.core.$ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
};

/** Both private APIs authorise by IAM: callers sign with SigV4. */
export const SIGV4_SECURITY_SCHEME = {
  sigv4: {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    description: 'AWS Signature Version 4 (service `execute-api`), checked by API Gateway IAM authorisation.',
  },
} as const;

/** The committed document's text: two-space JSON and a final newline (tests compare it byte for byte). */
export function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes the document when the generator itself is the script run (`npm run openapi`). */
export function writeWhenRun(moduleFile: string, outputFile: string, text: () => string): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== moduleFile) return;
  writeFileSync(outputFile, text());
  process.stdout.write(`wrote ${path.relative(process.cwd(), outputFile)}\n`);
}

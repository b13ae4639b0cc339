/** Schema errors as text a person can act on: paths and messages, never the values (they may hold addresses). */
import type * as z from 'zod/mini';

/** One line per bad field, e.g. `operators.0.dpoEmail: Invalid email address`. */
export function describeSchemaErrors(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/**
 * How ops commands fail: a CommandFailure is one line for stderr and exit 1 (a usage mistake is a
 * UsageError, exit 2). The AWS errors they meet, said so a person can act on them; AWS error messages
 * name services, tables and permissions, never a person.
 */

/** A failure to report in one line and exit 1 (not a usage mistake). */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

export const NO_CREDENTIALS =
  'no AWS credentials found: set AWS_PROFILE (after aws sso login or aws configure), or ' +
  'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' &&
      ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) ||
    (error as { name?: string }).name === 'TimeoutError'
  );
}

/** An AWS error as its name and message. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message ? `${error.name}: ${error.message}` : error.name;
}

/**
 * SigV4-signed HTTP for the two small calls the inbound function makes outside DynamoDB and SES:
 * reading one S3 object and one secret. The S3 and Secrets Manager SDK clients would add ~200 KB to a
 * bundle that must stay under 550 KB, for one GET and one POST; aws4fetch signs them in ~3 KB.
 * Credentials come from the environment, as Lambda provides them (and the local stack fakes them).
 *
 * Every attempt has a deadline (AbortSignal.timeout) that covers the connection, the request and reading
 * the response body, so a hung endpoint fails the attempt with a TimeoutError instead of holding the
 * function until Lambda kills it. Both calls are reads, so a failed attempt is tried again.
 */
import { AwsClient } from 'aws4fetch';
import { AWS_CALL_TIMEOUTS, type FetchCallTimeouts } from '../shared/aws-timeouts';

export interface SignedFetchSettings {
  readonly region: string;
  readonly service: 's3' | 'secretsmanager';
  readonly environment?: NodeJS.ProcessEnv;
  /** @default the service's entry in AWS_CALL_TIMEOUTS */
  readonly timeouts?: FetchCallTimeouts;
}

/** A signed `fetch` with a deadline per attempt and a bounded number of attempts. */
export interface SignedFetch {
  readonly timeouts: FetchCallTimeouts;
  /** The response's body must be read (or cancelled) before the attempt's deadline. */
  fetch(url: string, init: RequestInit): Promise<Response>;
}

/** Back-off base between attempts; doubled each time, with full jitter. */
const RETRY_BASE_MS = 100;

export function signedFetchClient({
  region,
  service,
  environment = process.env,
  timeouts = service === 's3' ? AWS_CALL_TIMEOUTS.s3 : AWS_CALL_TIMEOUTS.secretsManager,
}: SignedFetchSettings): SignedFetch {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them; locally set fake ones)',
    );
  }
  const signer = new AwsClient({
    accessKeyId,
    secretAccessKey,
    sessionToken: environment.AWS_SESSION_TOKEN,
    service,
    region,
    // Only signs here: attempts are made below, each with its own deadline.
    retries: 0,
  });
  return {
    timeouts,
    async fetch(url, init) {
      for (let attempt = 1; ; attempt += 1) {
        const last = attempt >= timeouts.maxAttempts;
        try {
          // Signed again per attempt (the signature carries the time), then sent from the URL and plain
          // options, not as the signed Request: fetch copies a Request, and the copy stops following the
          // original's abort signal once that is garbage-collected (nodejs/undici#4068), so the deadline
          // would never fire. Passed directly, the signal is followed for the whole attempt, body included.
          const signed = await signer.sign(url, {
            method: init.method,
            headers: init.headers,
            body: init.body,
          });
          const response = await fetch(signed.url, {
            method: signed.method,
            headers: signed.headers,
            body: init.body,
            signal: AbortSignal.timeout(timeouts.attemptMs),
          });
          if (last || !isRetryableStatus(response.status)) return response;
          await response.body?.cancel();
        } catch (error) {
          // A TimeoutError (the deadline) or a TypeError (the connection failed) is worth another attempt.
          const retryable = error instanceof Error && ['TimeoutError', 'TypeError'].includes(error.name);
          if (!retryable) throw error;
          if (last) throw new SignedFetchError(service, attempt, timeouts.attemptMs, error);
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.random() * RETRY_BASE_MS * 2 ** (attempt - 1)),
        );
      }
    },
  };
}

/** The last attempt failed without a response; the name stays TimeoutError when the deadline passed. */
export class SignedFetchError extends Error {
  constructor(service: string, attempts: number, attemptMs: number, cause: Error) {
    super(
      cause.name === 'TimeoutError'
        ? `${service}: no response within ${attemptMs} ms, ${attempts} attempt(s)`
        : `${service}: the connection failed, ${attempts} attempt(s)`,
      { cause },
    );
    this.name = cause.name === 'TimeoutError' ? 'TimeoutError' : 'SignedFetchError';
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

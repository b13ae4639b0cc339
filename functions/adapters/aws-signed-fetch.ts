/**
 * SigV4-signed HTTP for the two small calls the functions make outside DynamoDB and SES: reading one S3
 * object and one secret. The S3 and Secrets Manager SDK clients would add ~200 KB to bundles with
 * budgets of 550 KB (inbound) and 250 KB (status API), for one GET and one POST. The signing is the
 * SDK's own SignatureV4, which the DynamoDB client already brings into every bundle: a second signer
 * (aws4fetch, 7 KB) would only repeat it. test/unit/adapters/aws-signed-fetch.test.ts checks its
 * signatures against aws4fetch's for the same requests.
 * Credentials come from the environment, as Lambda provides them (and the local stack fakes them).
 *
 * Every attempt has a deadline (AbortSignal.timeout) that covers the connection, the request and reading
 * the response body, so a hung endpoint fails the attempt with a TimeoutError instead of holding the
 * function until Lambda kills it. The calls are reads, or the erasure executor's DeleteObject (which S3
 * answers the same however often it is repeated), so a failed attempt is tried again.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
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
  const signer = sigV4Signer(service, region, {
    accessKeyId,
    secretAccessKey,
    sessionToken: environment.AWS_SESSION_TOKEN,
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
          // fetch sets Host itself, from the URL the signature was made for.
          const { host: _host, ...headers } = await signedHeaders(signer, url, init);
          const response = await fetch(url, {
            method: init.method ?? 'GET',
            headers,
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

export function sigV4Signer(
  service: SignedFetchSettings['service'],
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined },
): SignatureV4 {
  return new SignatureV4({
    credentials,
    region,
    service,
    sha256: Sha256,
    // S3 signs the path as it is sent; every other service signs it escaped once more (SigV4's rules).
    uriEscapePath: service !== 's3',
    // x-amz-content-sha256 on every request: S3 requires it, and the others accept it.
    applyChecksum: true,
  });
}

/** The headers of a request, Authorization and the x-amz-* headers SigV4 adds included. */
export async function signedHeaders(
  signer: SignatureV4,
  url: string,
  init: Pick<RequestInit, 'method' | 'headers' | 'body'>,
  signingDate?: Date,
): Promise<Record<string, string>> {
  const target = new URL(url);
  const headers: Record<string, string> = { host: target.host };
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const signed = await signer.sign(
    {
      method: init.method ?? 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: target.pathname,
      query,
      headers,
      body: typeof init.body === 'string' ? init.body : undefined,
    },
    signingDate ? { signingDate } : {},
  );
  return signed.headers;
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

/**
 * How long the functions wait for AWS, in one place. Without a bound, a hung call (a connection that never
 * opens, a request that never gets an answer) waits until Lambda kills the function, 60 s for the
 * inbound function: a claim taken before it stays held until its lease runs out and ends "in doubt", and
 * the other messages of the batch wait too. With these bounds a hung call fails as a TimeoutError: the
 * SDK or the signed fetch retries it where that is safe, and otherwise the error reaches the use case in
 * time to give its claim back (or, for a send that may have gone out, to say so) and SQS retries the message.
 *
 * The rule: one call, every attempt and back-off included, ends within CALL_BUDGET_MS, a quarter of the
 * inbound function's timeout, so that a message whose call hangs and whose claim release then hangs too
 * still ends well inside the function's time. The numbers are far above what the calls take in the same
 * region (DynamoDB answers in milliseconds, SES and Secrets Manager in tens of milliseconds), so they only
 * cut calls that are really stuck.
 */
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@aws-sdk/types';

/** An AWS SDK client's limits (its Node HTTP handler and its retry strategy). */
export interface SdkCallTimeouts {
  /**
   * Opening the TCP connection, DNS lookup included. It takes a few milliseconds in the region; 2 s still
   * lets the one lost SYN that Linux resends after 1 s get through.
   */
  readonly connectMs: number;
  /**
   * One attempt, from opening the connection to the response headers; also the longest silence allowed
   * on the socket while the response body arrives.
   */
  readonly requestMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

/** A signed fetch's limits: one deadline (AbortSignal.timeout) per attempt, reading the body included. */
export interface FetchCallTimeouts {
  readonly attemptMs: number;
  /** Attempts in all, the first included. Both signed calls are reads, so a hung one is tried again. */
  readonly maxAttempts: number;
}

export interface AwsCallTimeouts {
  readonly dynamodb: SdkCallTimeouts;
  readonly ses: SdkCallTimeouts;
  readonly s3: FetchCallTimeouts;
  readonly secretsManager: FetchCallTimeouts;
}

/** A quarter of the inbound function's 60 s timeout (lib/makul-stack.ts; test/cdk checks the ratio). */
export const CALL_BUDGET_MS = 15_000;

/** What the functions use in AWS. Tests pass smaller ones to createRuntime; nothing else does. */
export const AWS_CALL_TIMEOUTS: AwsCallTimeouts = {
  // Single-item reads and writes and small transactions: 4 s is hundreds of times their usual latency.
  // 3 attempts × 4 s, plus the SDK's back-off (at most 1 + 2 s after throttling): within 15 s.
  dynamodb: { connectMs: 2_000, requestMs: 4_000, maxAttempts: 3 },
  // A send carries up to the size cap (a forwarded original, 10 MB by default), and a send that timed out
  // after it was written may have gone out, so it is not tried again (sesRetryStrategy): waiting longer
  // for the answer is worth it. Worst: 2 connections that never open (2 × 2 s) and one 8 s attempt.
  ses: { connectMs: 2_000, requestMs: 8_000, maxAttempts: 3 },
  // The raw mail, up to the size cap (10 MB by default): 6 s is ample at the tens of MB/s Lambda gets
  // from S3 in the region. 2 attempts × 6 s.
  s3: { attemptMs: 6_000, maxAttempts: 2 },
  // One small GetSecretValue per cold start. 3 attempts × 4 s.
  secretsManager: { attemptMs: 4_000, maxAttempts: 3 },
};

/**
 * The longest one call can wait for AWS, back-off between attempts excluded: every attempt running into
 * its deadline. SES tries again only when the connection never opened (sesRetryStrategy).
 */
export function longestCallMs(timeouts: AwsCallTimeouts): Record<keyof AwsCallTimeouts, number> {
  const { dynamodb, ses, s3, secretsManager } = timeouts;
  return {
    dynamodb: dynamodb.maxAttempts * dynamodb.requestMs,
    ses: (ses.maxAttempts - 1) * ses.connectMs + ses.requestMs,
    s3: s3.maxAttempts * s3.attemptMs,
    secretsManager: secretsManager.maxAttempts * secretsManager.attemptMs,
  };
}

/** The Node HTTP handler options and attempts of an SDK client (passed as plain options: no import). */
export function sdkClientTimeouts(timeouts: SdkCallTimeouts) {
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      // Without this flag the handler only logs a warning when requestTimeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
      // requestTimeout ends once the headers arrive; this bounds a body that stops arriving.
      socketTimeout: timeouts.requestMs,
    },
  };
}

/** Node error codes of a connection that was never made: nothing reached the service. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** @smithy/node-http-handler's connectionTimeout error (its name, TimeoutError, is shared with requestTimeout). */
const CONNECT_TIMEOUT_MESSAGE = /did not establish a connection/;

/** Whether the request surely never reached the service (so trying again cannot act twice). */
export function neverReachedService(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NOT_CONNECTED_CODES.has(code)) return true;
  return error.name === 'TimeoutError' && CONNECT_TIMEOUT_MESSAGE.test(error.message);
}

/** Back-off bases: SES throttles per second, so a throttled send waits longer. */
const SES_RETRY_BASE_MS = 100;
const SES_THROTTLED_RETRY_BASE_MS = 500;

/**
 * Retries of SES sends: only when SES surely did not take the message, that is when the connection never
 * opened or SES answered that it is throttling. The SDK's standard strategy also retries a request that
 * timed out, a reset connection and a 5xx answer, after which the message may already have gone: trying
 * again there would send it twice, so the error goes to the caller as it is. (With keep-alive off for
 * SES, a reset is not the stale pooled connection it usually is elsewhere.)
 */
export function sesRetryStrategy(maxAttempts: number): RetryStrategyV2 {
  const token = (retryCount: number, delayMs: number): RetryToken => ({
    getRetryCount: () => retryCount,
    getRetryDelay: () => delayMs,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, { error, errorType }: RetryErrorInfo) => {
      const retryCount = previous.getRetryCount() + 1;
      const safe = errorType === 'THROTTLING' || neverReachedService(error);
      // Refusing a token makes the SDK throw the call's own error.
      if (!safe || retryCount >= maxAttempts) throw new Error('SES send not retried');
      const base = errorType === 'THROTTLING' ? SES_THROTTLED_RETRY_BASE_MS : SES_RETRY_BASE_MS;
      return token(retryCount, Math.random() * base * 2 ** (retryCount - 1));
    },
    recordSuccess: () => undefined,
  };
}

/**
 * The checks every public page request passes before anything is read for it: the source's hourly
 * limit, then (for confirmation links) the token's own limit, use and expiry. Whatever fails, the
 * person sees one of two pages: "too many attempts", or the neutral "this link does not work" that
 * says nothing about whether the token exists, expired or was used.
 */
import type { PageView } from '../domain/pages/page-view';
import { SOURCE_MAX_REQUESTS_PER_HOUR, sourceKey, TOKEN_MAX_ATTEMPTS } from '../domain/tokens/attempt-limits';
import { hashToken, TOKEN_PATTERN } from '../domain/tokens/verification-token';
import type { MetricsRecorder } from '../ports/metrics';
import type { LinkRegister, TokenRecord } from '../ports/request-register';

export interface AdmissionDependencies {
  readonly register: LinkRegister;
  readonly metrics: MetricsRecorder;
  readonly hmacKey: string;
  readonly now: () => Date;
}

export const UNAVAILABLE: PageView = { page: 'unavailable' };
export const TOO_MANY_ATTEMPTS: PageView = { page: 'too-many-attempts' };

export type Refusal = { readonly admitted: false; readonly view: PageView };

/** Counts the request against its source; a refusal when the source is over its hourly limit. */
export async function admitSource(sourceIp: string, deps: AdmissionDependencies): Promise<Refusal | null> {
  const now = deps.now();
  const counted = await deps.register.countSourceRequest(
    sourceKey(sourceIp, deps.hmacKey),
    now.toISOString().slice(0, 13),
    SOURCE_MAX_REQUESTS_PER_HOUR,
    now,
  );
  if (counted) return null;
  deps.metrics.count('PageRefused', { reason: 'source-limit' });
  return { admitted: false, view: TOO_MANY_ATTEMPTS };
}

/**
 * A confirmation link's token, counted and checked. TTL deletes expired tokens only eventually, so
 * expiry is checked here on every read, and again by the condition of the write that spends it.
 */
export async function admitToken(
  token: string,
  sourceIp: string,
  deps: AdmissionDependencies,
): Promise<{ readonly admitted: true; readonly token: TokenRecord } | Refusal> {
  const refused = await admitSource(sourceIp, deps);
  if (refused) return refused;
  const refuse = (reason: string, view: PageView = UNAVAILABLE): Refusal => {
    deps.metrics.count('PageRefused', { reason });
    return { admitted: false, view };
  };
  if (!TOKEN_PATTERN.test(token)) return refuse('malformed');
  const touched = await deps.register.touchToken(hashToken(token), TOKEN_MAX_ATTEMPTS);
  if (touched.outcome === 'exhausted') return refuse('token-limit', TOO_MANY_ATTEMPTS);
  if (touched.outcome === 'unknown') return refuse('unknown');
  if (touched.token.usedAt !== null) return refuse('used');
  if (touched.token.expiresAt.getTime() <= deps.now().getTime()) return refuse('expired');
  return { admitted: true, token: touched.token };
}

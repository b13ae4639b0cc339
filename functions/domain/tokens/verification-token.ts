import { createHash, createHmac } from 'node:crypto';

/**
 * Single-use links for risky requests. The token is 256 bits that nobody without the operator's secret
 * key can compute (guessing is hopeless); only its SHA-256 is stored, so a leaked table cannot be turned
 * into working links.
 *
 * The token travels in the URL path (`<base>/c/<token>`), not in the fragment: a page that works
 * without JavaScript can only read what the browser sends, and the fragment is never sent. The path is
 * kept out of the places a URL usually leaks to: every page answers `Referrer-Policy: no-referrer` (no
 * Referer to other sites), the API's access log format names the route template, never the path or
 * query, and the page function logs request ids only. Mail scanners fetch links: GET only shows, POST
 * acts, and a token is spent by one conditional write.
 */
export type TokenPurpose = 'verify' | 'dispute' | 'lift-restriction' | 'confirm-address';

/** The path segment of confirmation links: `<base>/c/<token>`. */
export const CONFIRM_PATH = 'c';

export interface IssuedToken {
  readonly token: string;
  readonly tokenHash: string;
  readonly purpose: TokenPurpose;
  readonly expiresAt: Date;
}

/**
 * The token of one request and purpose: HMAC-SHA256 of a labelled request id under the operator's
 * secret key. Derived, not drawn at random, so that a retried send (SQS redelivers after a failure)
 * mails the same link instead of issuing a second token for the same request; the label keeps it apart
 * from the subject keys made with the same secret. `expiresAt` is when the first issue expires: the
 * register keeps the first one it stored.
 */
export function deriveToken(
  purpose: TokenPurpose,
  requestId: string,
  secretKey: string,
  now: Date,
  validHours: number,
): IssuedToken {
  const token = createHmac('sha256', secretKey)
    .update(`makul-link-token:v1:${purpose}:${requestId}`, 'utf8')
    .digest('base64url');
  return {
    token,
    tokenHash: hashToken(token),
    purpose,
    expiresAt: new Date(now.getTime() + validHours * 60 * 60 * 1000),
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token is the base64url of 32 bytes: 43 characters. Anything else in the path is not a token. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function tokenLink(confirmBaseUrl: string, token: string): string {
  return `${publicBase(confirmBaseUrl)}/${CONFIRM_PATH}/${token}`;
}

/** The configured base without a fragment, query or trailing slash. */
export function publicBase(confirmBaseUrl: string): string {
  return confirmBaseUrl.replace(/[#?].*$/, '').replace(/\/+$/, '');
}

import { createHash, createHmac } from 'node:crypto';

/**
 * Single-use links for risky requests. The token is 256 bits that nobody without the operator's secret
 * key can compute (guessing is hopeless); only its SHA-256 is stored, so a leaked table cannot be turned
 * into working links. It travels in the URL
 * fragment (`#t=`), which browsers never send to servers or in Referer headers, and the page acts only
 * on POST: mail scanners that fetch links neither confirm anything nor see the token in access logs.
 */
export type TokenPurpose = 'verify' | 'dispute';

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

export function tokenLink(confirmBaseUrl: string, token: string): string {
  const base = confirmBaseUrl.replace(/#.*$/, '');
  return `${base}#t=${token}`;
}

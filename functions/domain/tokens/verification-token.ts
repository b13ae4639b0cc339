import { createHash, randomBytes } from 'node:crypto';

/**
 * Single-use links for risky requests. The token is 256 random bits (guessing is hopeless); only its
 * SHA-256 is stored, so a leaked table cannot be turned into working links. It travels in the URL
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

const TOKEN_BYTES = 32;

export function issueToken(purpose: TokenPurpose, now: Date, validHours: number): IssuedToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
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

/**
 * A link for a mail: its token derived from the request (so a retried send mails the same link),
 * stored once (a retry stores nothing new and learns when the first one expires, so the mail says
 * the same), and the URL under the operator's public base.
 */
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { deriveToken, type TokenPurpose, tokenLink } from '../domain/tokens/verification-token';
import type { RequestRegister } from '../ports/request-register';

export interface LinkIssuer {
  readonly profile: DeploymentProfile;
  readonly register: RequestRegister;
  readonly hmacKey: string;
  readonly now: () => Date;
}

export async function issueLink(
  purpose: TokenPurpose,
  requestId: string,
  validHours: number,
  deps: LinkIssuer,
): Promise<{ readonly url: string; readonly expiresAt: Date }> {
  const token = deriveToken(purpose, requestId, deps.hmacKey, deps.now(), validHours);
  const stored = await deps.register.putToken({
    tokenHash: token.tokenHash,
    purpose,
    requestId,
    expiresAt: token.expiresAt,
  });
  return { url: tokenLink(deps.profile.operator.confirmBaseUrl, token.token), expiresAt: stored.expiresAt };
}

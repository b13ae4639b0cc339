/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias set in
 * lib/makul-function.ts). Lambda always hands a function its role's credentials in the environment,
 * so the SDK's default chain (SSO, ini files, processes, web identity, container and instance
 * metadata, with their nested STS/SSO clients) is dead weight there: about 110 KB of a bundle that
 * must stay under 550 KB, and time at every cold start. Same exports, environment only.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

type FromEnvInit = Parameters<typeof fromEnv>[0];

export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);

export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined;

/** Same margin as the SDK's own: refresh credentials five minutes before they expire. */
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;

/**
 * Where the HMAC key that pseudonymises addresses comes from: Secrets Manager in AWS (fetched once per
 * cold start with a signed GetSecretValue call), or `HMAC_KEY` for the local stack and tests.
 */
import type { HmacKeySource } from '../../ports/hmac-key-source';
import type { SignedFetch } from '../aws-signed-fetch';

/** Keys shorter than this are refused: the HMAC would be open to guessing. */
const MIN_KEY_LENGTH = 32;

export function checkedKey(key: string, origin: string): string {
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(`${origin}: the HMAC key is shorter than ${MIN_KEY_LENGTH} characters`);
  return key;
}

export class StaticHmacKey implements HmacKeySource {
  constructor(private readonly key: string) {}
  async load(): Promise<string> {
    return checkedKey(this.key, 'HMAC_KEY');
  }
}

export class SecretsManagerHmacKey implements HmacKeySource {
  constructor(
    private readonly client: SignedFetch,
    private readonly region: string,
    private readonly secretArn: string,
    private readonly endpoint: string | undefined,
  ) {}

  async load(): Promise<string> {
    const response = await this.client.fetch(
      this.endpoint ?? `https://secretsmanager.${this.region}.amazonaws.com/`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'secretsmanager.GetSecretValue',
        },
        body: JSON.stringify({ SecretId: this.secretArn }),
      },
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Secrets Manager GetSecretValue failed with HTTP ${response.status}`);
    }
    const payload = (await response.json()) as { SecretString?: unknown };
    if (typeof payload.SecretString !== 'string') throw new Error('the HMAC secret has no SecretString');
    return checkedKey(payload.SecretString, 'HMAC secret');
  }
}

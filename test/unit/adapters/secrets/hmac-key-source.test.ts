/**
 * The Secrets Manager read is one signed HTTP call made without the SDK (bundle size). No local
 * Secrets Manager exists, so a loopback HTTP server stands in and checks the wire format: SigV4
 * signature for the right service and region, the JSON 1.1 target, and the secret id.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signedFetchClient } from '../../../../functions/adapters/aws-signed-fetch';
import { SecretsManagerHmacKey, StaticHmacKey } from '../../../../functions/adapters/secrets/hmac-key-source';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:makul-hmac-AbCdEf';
const environment = {
  AWS_ACCESS_KEY_ID: 'AKIATESTKEY',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_SESSION_TOKEN: 'token',
};

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

interface SeenRequest {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

async function secretsManagerStub(
  status: number,
  payload: unknown,
): Promise<{ endpoint: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push({ headers: request.headers, body });
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}/`, seen };
}

function source(endpoint: string) {
  const client = signedFetchClient({ region: 'eu-west-1', service: 'secretsmanager', environment });
  return new SecretsManagerHmacKey(client, 'eu-west-1', SECRET_ARN, endpoint);
}

describe('SecretsManagerHmacKey', () => {
  it('reads the key with a SigV4-signed GetSecretValue call', async () => {
    const key = 'k'.repeat(64);
    const { endpoint, seen } = await secretsManagerStub(200, { ARN: SECRET_ARN, SecretString: key });

    await expect(source(endpoint).load()).resolves.toBe(key);

    const [request] = seen;
    expect(request?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIATESTKEY\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-security-token']).toBe('token');
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ SecretId: SECRET_ARN });
  });

  it('fails with the HTTP status, not the response body, when access is denied', async () => {
    const { endpoint } = await secretsManagerStub(400, { __type: 'AccessDeniedException', message: 'no' });
    await expect(source(endpoint).load()).rejects.toThrow(
      'Secrets Manager GetSecretValue failed with HTTP 400',
    );
  });

  it('refuses a key too short to protect addresses', async () => {
    const { endpoint } = await secretsManagerStub(200, { SecretString: 'short' });
    await expect(source(endpoint).load()).rejects.toThrow(/shorter than 32 characters/);
  });

  it('refuses a secret stored as binary', async () => {
    const { endpoint } = await secretsManagerStub(200, { SecretBinary: 'AAAA' });
    await expect(source(endpoint).load()).rejects.toThrow('the HMAC secret has no SecretString');
  });
});

describe('StaticHmacKey', () => {
  it('serves the configured key and refuses a short one', async () => {
    await expect(new StaticHmacKey('x'.repeat(40)).load()).resolves.toHaveLength(40);
    await expect(new StaticHmacKey('short').load()).rejects.toThrow(/HMAC_KEY/);
  });
});

describe('signedFetchClient', () => {
  it('names the missing credentials', () => {
    expect(() => signedFetchClient({ region: 'eu-west-1', service: 's3', environment: {} })).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  });
});

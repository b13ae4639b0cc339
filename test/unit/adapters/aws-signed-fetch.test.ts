/**
 * The signed calls to S3 and Secrets Manager cannot be checked against the local stand-ins (s3rver
 * does not verify SigV4; the local stack reads its key from a file). So the signatures are checked
 * against a second, independent implementation, aws4fetch, for the same requests at the same moment:
 * both must write the same Authorization header.
 */
import { Sha256 } from '@smithy/core/checksum';
import { AwsV4Signer } from 'aws4fetch';
import { describe, expect, it } from 'vitest';
import { signedHeaders, sigV4Signer } from '../../../functions/adapters/aws-signed-fetch';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};
const AT = new Date('2026-12-02T10:11:12Z');

const cases = [
  {
    name: 'reading a secret (Secrets Manager, a JSON POST)',
    service: 'secretsmanager',
    url: 'https://secretsmanager.eu-west-1.amazonaws.com/',
    init: {
      method: 'POST',
      // Content-Type left out here: aws4fetch never signs it, the SDK's signer does (both are valid).
      headers: { 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({
        SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:makul-hmac-AbCdEf',
      }),
    },
  },
  {
    name: 'reading raw mail (S3, a GET of a key with characters to escape)',
    service: 's3',
    url: 'https://makul-raw-mail.s3.eu-west-1.amazonaws.com/inbound/ab%2Bcd%3D%3D?x-id=GetObject',
    init: { method: 'GET' },
  },
  {
    name: 'a local endpoint with a port',
    service: 'secretsmanager',
    url: 'http://127.0.0.1:4566/',
    init: { method: 'POST', headers: { 'X-Amz-Target': 'secretsmanager.GetSecretValue' }, body: '{}' },
  },
] as const;

describe('SigV4 signatures of the signed fetch', () => {
  it.each(cases)('match aws4fetch for $name', async ({ service, url, init }) => {
    const body = 'body' in init ? init.body : undefined;
    const bodyHash = await sha256Hex(body ?? '');
    // Both sign the payload hash header; aws4fetch adds it by itself for S3 only.
    const headers = { ...('headers' in init ? init.headers : {}), 'x-amz-content-sha256': bodyHash };
    const ours = await signedHeaders(
      sigV4Signer(service, 'eu-west-1', CREDENTIALS),
      url,
      { ...init, headers },
      AT,
    );
    const theirs = await new AwsV4Signer({
      ...CREDENTIALS,
      url,
      method: init.method,
      headers,
      body,
      service,
      region: 'eu-west-1',
      datetime: AT.toISOString().replace(/[:-]|\.\d{3}/g, ''),
    }).sign();

    expect(ours.authorization).toBe(theirs.headers.get('authorization'));
    expect(ours['x-amz-date']).toBe('20261202T101112Z');
    expect(ours['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
  });
});

async function sha256Hex(text: string): Promise<string> {
  const hash = new Sha256();
  hash.update(new TextEncoder().encode(text));
  return Buffer.from(await hash.digest()).toString('hex');
}

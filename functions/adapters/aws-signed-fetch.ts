/**
 * SigV4-signed HTTP for the two small calls the inbound function makes outside DynamoDB and SES:
 * reading one S3 object and one secret. The S3 and Secrets Manager SDK clients would add ~200 KB to a
 * bundle that must stay under 550 KB, for one GET and one POST; aws4fetch signs them in ~3 KB.
 * Credentials come from the environment, as Lambda provides them (and the local stack fakes them).
 */
import { AwsClient } from 'aws4fetch';

export interface SignedFetchSettings {
  readonly region: string;
  readonly service: 's3' | 'secretsmanager';
  readonly environment?: NodeJS.ProcessEnv;
}

export function signedFetchClient({
  region,
  service,
  environment = process.env,
}: SignedFetchSettings): AwsClient {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them; locally set fake ones)',
    );
  }
  return new AwsClient({
    accessKeyId,
    secretAccessKey,
    sessionToken: environment.AWS_SESSION_TOKEN,
    service,
    region,
    // A failed record is retried by SQS with back-off already; keep each attempt short.
    retries: 2,
    initRetryMs: 100,
  });
}

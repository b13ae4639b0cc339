/**
 * The inbound function's settings, read and validated once at start: a missing or bad setting stops
 * the cold start with an error naming it, instead of failing on the first message.
 */
import * as z from 'zod/mini';
import {
  type DeploymentProfile,
  deploymentProfileSchema,
  describeSchemaErrors,
} from '../domain/operators/operator-profile';
import type { LogLevel } from './log';

const optionalText = z.optional(z.string().check(z.minLength(1)));

const environmentSchema = z
  .object({
    MAKUL_PROFILE: z.string().check(z.minLength(2)),
    REQUESTS_TABLE_NAME: z.string().check(z.minLength(3)),
    SUBJECTS_TABLE_NAME: z.string().check(z.minLength(3)),
    RAW_MAIL_BUCKET_NAME: z.string().check(z.minLength(3)),
    AWS_REGION: z.string().check(z.minLength(1)),
    /** In AWS: the secret holding the HMAC key. */
    HMAC_SECRET_ARN: optionalText,
    /** Local stack and tests only: the HMAC key itself. */
    HMAC_KEY: optionalText,
    SES_CONFIGURATION_SET: z.optional(z.string()),
    LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']), 'INFO'),
    /** The queue's maxReceiveCount: the attempt that reaches it is the last before the DLQ. */
    MAX_RECEIVE_COUNT: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 5),
    /** How long a claim on an outbound send holds; must exceed the function's timeout (the stack sets 2×). */
    OUTBOUND_CLAIM_LEASE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(10)), 120),
    AWS_ENDPOINT_URL_DYNAMODB: optionalText,
    AWS_ENDPOINT_URL_SESV2: optionalText,
    AWS_ENDPOINT_URL_S3: optionalText,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: optionalText,
  })
  .check(
    z.refine((env) => Boolean(env.HMAC_SECRET_ARN) !== Boolean(env.HMAC_KEY), {
      message: 'set exactly one of HMAC_SECRET_ARN (in AWS) or HMAC_KEY (local stack and tests)',
      path: ['HMAC_SECRET_ARN'],
    }),
  );

export interface InboundConfig {
  readonly profile: DeploymentProfile;
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
  readonly rawMailBucketName: string;
  readonly region: string;
  readonly hmac: { readonly secretArn: string } | { readonly key: string };
  readonly sesConfigurationSet: string | undefined;
  readonly logLevel: LogLevel;
  readonly maxReceiveCount: number;
  readonly outboundClaimLeaseMs: number;
  readonly endpoints: {
    readonly dynamodb?: string;
    readonly sesv2?: string;
    readonly s3?: string;
    readonly secretsManager?: string;
  };
}

export function loadInboundConfig(environment: NodeJS.ProcessEnv): InboundConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new Error(`inbound-email configuration is invalid:\n${describeSchemaErrors(parsed.error)}`);
  }
  const env = parsed.data;
  let profileJson: unknown;
  try {
    profileJson = JSON.parse(env.MAKUL_PROFILE);
  } catch {
    throw new Error('inbound-email configuration is invalid:\nMAKUL_PROFILE: not JSON');
  }
  const profile = deploymentProfileSchema.safeParse(profileJson);
  if (!profile.success) {
    throw new Error(
      `inbound-email configuration is invalid:\nMAKUL_PROFILE.${describeSchemaErrors(profile.error)}`,
    );
  }
  return {
    profile: profile.data,
    requestsTableName: env.REQUESTS_TABLE_NAME,
    subjectsTableName: env.SUBJECTS_TABLE_NAME,
    rawMailBucketName: env.RAW_MAIL_BUCKET_NAME,
    region: env.AWS_REGION,
    hmac: env.HMAC_SECRET_ARN ? { secretArn: env.HMAC_SECRET_ARN } : { key: env.HMAC_KEY ?? '' },
    sesConfigurationSet: env.SES_CONFIGURATION_SET || undefined,
    logLevel: env.LOG_LEVEL,
    maxReceiveCount: env.MAX_RECEIVE_COUNT,
    outboundClaimLeaseMs: env.OUTBOUND_CLAIM_LEASE_SECONDS * 1000,
    endpoints: {
      dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB,
      sesv2: env.AWS_ENDPOINT_URL_SESV2,
      s3: env.AWS_ENDPOINT_URL_S3,
      secretsManager: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    },
  };
}

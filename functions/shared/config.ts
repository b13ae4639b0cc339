/**
 * The configuration contract between the places that start makul's functions (the CDK stack, the local
 * stack, tests, benchmarks) and the functions themselves. Every environment variable's name, default and
 * meaning is written here once: writers build an environment with `functionEnvironment`, handlers read it
 * with `loadFunctionConfig`, which validates it at cold start and names the missing or bad setting.
 */
import * as z from 'zod/mini';
import { type DeploymentProfile, deploymentProfileSchema } from '../domain/operators/operator-profile';
import type { LogLevel } from './log';
import { describeSchemaErrors } from './schema-errors';

/** Environment variable names, one per setting. */
export const SETTING = {
  profile: 'MAKUL_PROFILE',
  requestsTableName: 'REQUESTS_TABLE_NAME',
  subjectsTableName: 'SUBJECTS_TABLE_NAME',
  rawMailBucketName: 'RAW_MAIL_BUCKET_NAME',
  /** In AWS: the secret holding the HMAC key. */
  hmacSecretArn: 'HMAC_SECRET_ARN',
  /** Local stack and tests only: the HMAC key itself. */
  hmacKey: 'HMAC_KEY',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  logLevel: 'LOG_LEVEL',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  outboundClaimLeaseSeconds: 'OUTBOUND_CLAIM_LEASE_SECONDS',
  region: 'AWS_REGION',
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  sesv2Endpoint: 'AWS_ENDPOINT_URL_SESV2',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  secretsManagerEndpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
} as const;

/**
 * A message that failed this many receives is parked in the dead-letter queue for a human: enough to
 * ride out throttling and brief outages, few enough that a poison message does not loop for hours. The
 * queue's redrive policy, the local stack's listener and the handler's "last attempt" all use it.
 */
export const MAX_RECEIVE_COUNT = 5;

/** A claim on an outbound send holds this long unless the stack says otherwise (it sets 2× the timeout). */
export const DEFAULT_OUTBOUND_CLAIM_LEASE_SECONDS = 120;

export const DEFAULT_LOG_LEVEL: LogLevel = 'INFO';

const optionalText = z.optional(z.string().check(z.minLength(1)));
const name = z.string().check(z.minLength(3));

const environmentSchema = z
  .object({
    [SETTING.profile]: z.string().check(z.minLength(2)),
    [SETTING.requestsTableName]: name,
    [SETTING.subjectsTableName]: name,
    [SETTING.rawMailBucketName]: name,
    [SETTING.region]: z.string().check(z.minLength(1)),
    [SETTING.hmacSecretArn]: optionalText,
    [SETTING.hmacKey]: optionalText,
    [SETTING.sesConfigurationSet]: z.optional(z.string()),
    [SETTING.logLevel]: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']), DEFAULT_LOG_LEVEL),
    /** The queue's maxReceiveCount: the attempt that reaches it is the last before the DLQ. */
    [SETTING.maxReceiveCount]: z._default(z.coerce.number().check(z.int(), z.minimum(1)), MAX_RECEIVE_COUNT),
    /** How long a claim on an outbound send holds; must exceed the function's timeout. */
    [SETTING.outboundClaimLeaseSeconds]: z._default(
      z.coerce.number().check(z.int(), z.minimum(10)),
      DEFAULT_OUTBOUND_CLAIM_LEASE_SECONDS,
    ),
    [SETTING.dynamodbEndpoint]: optionalText,
    [SETTING.sesv2Endpoint]: optionalText,
    [SETTING.s3Endpoint]: optionalText,
    [SETTING.secretsManagerEndpoint]: optionalText,
  })
  .check(
    z.refine((env) => Boolean(env[SETTING.hmacSecretArn]) !== Boolean(env[SETTING.hmacKey]), {
      message: `set exactly one of ${SETTING.hmacSecretArn} (in AWS) or ${SETTING.hmacKey} (local stack and tests)`,
      path: [SETTING.hmacSecretArn],
    }),
  );

/** Where the local stack and tests point the SDK instead of AWS. */
export interface ServiceEndpoints {
  readonly dynamodb?: string | undefined;
  readonly sesv2?: string | undefined;
  readonly s3?: string | undefined;
  readonly secretsManager?: string | undefined;
}

export type HmacKeySetting = { readonly secretArn: string } | { readonly key: string };

export interface FunctionConfig {
  readonly profile: DeploymentProfile;
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
  readonly rawMailBucketName: string;
  readonly region: string;
  readonly hmac: HmacKeySetting;
  readonly sesConfigurationSet: string | undefined;
  readonly logLevel: LogLevel;
  readonly maxReceiveCount: number;
  readonly outboundClaimLeaseMs: number;
  readonly endpoints: ServiceEndpoints;
}

/**
 * Every makul function reads the same settings (the register, the raw mail, the key, the mail sender),
 * so one loader serves them all; `functionName` only names the function in the error.
 */
export function loadFunctionConfig(
  environment: NodeJS.ProcessEnv,
  functionName = 'inbound-email',
): FunctionConfig {
  const invalid = (details: string) => new Error(`${functionName} configuration is invalid:\n${details}`);
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) throw invalid(describeSchemaErrors(parsed.error));
  const env = parsed.data;
  let profileJson: unknown;
  try {
    profileJson = JSON.parse(env[SETTING.profile]);
  } catch {
    throw invalid(`${SETTING.profile}: not JSON`);
  }
  const profile = deploymentProfileSchema.safeParse(profileJson);
  if (!profile.success) throw invalid(`${SETTING.profile}.${describeSchemaErrors(profile.error)}`);
  const secretArn = env[SETTING.hmacSecretArn];
  return {
    profile: profile.data,
    requestsTableName: env[SETTING.requestsTableName],
    subjectsTableName: env[SETTING.subjectsTableName],
    rawMailBucketName: env[SETTING.rawMailBucketName],
    region: env[SETTING.region],
    hmac: secretArn ? { secretArn } : { key: env[SETTING.hmacKey] ?? '' },
    sesConfigurationSet: env[SETTING.sesConfigurationSet] || undefined,
    logLevel: env[SETTING.logLevel],
    maxReceiveCount: env[SETTING.maxReceiveCount],
    outboundClaimLeaseMs: env[SETTING.outboundClaimLeaseSeconds] * 1000,
    endpoints: {
      dynamodb: env[SETTING.dynamodbEndpoint],
      sesv2: env[SETTING.sesv2Endpoint],
      s3: env[SETTING.s3Endpoint],
      secretsManager: env[SETTING.secretsManagerEndpoint],
    },
  };
}

/** What a deployment (CDK, the local stack, a test) knows about a function's surroundings. */
export interface FunctionEnvironmentValues {
  readonly profile: DeploymentProfile;
  readonly requestsTableName: string;
  readonly subjectsTableName: string;
  readonly rawMailBucketName: string;
  readonly hmac: HmacKeySetting;
  readonly sesConfigurationSet?: string;
  readonly logLevel?: LogLevel;
  readonly maxReceiveCount?: number;
  readonly outboundClaimLeaseSeconds?: number;
  /** Only outside Lambda, where the runtime does not set it. */
  readonly region?: string;
  readonly endpoints?: ServiceEndpoints;
}

/** The environment makul's functions read, written from named values: the one writer of these names. */
export function functionEnvironment(values: FunctionEnvironmentValues): Record<string, string> {
  const environment: Record<string, string | undefined> = {
    [SETTING.profile]: JSON.stringify(values.profile),
    [SETTING.requestsTableName]: values.requestsTableName,
    [SETTING.subjectsTableName]: values.subjectsTableName,
    [SETTING.rawMailBucketName]: values.rawMailBucketName,
    [SETTING.hmacSecretArn]: 'secretArn' in values.hmac ? values.hmac.secretArn : undefined,
    [SETTING.hmacKey]: 'key' in values.hmac ? values.hmac.key : undefined,
    [SETTING.sesConfigurationSet]: values.sesConfigurationSet,
    [SETTING.logLevel]: values.logLevel ?? DEFAULT_LOG_LEVEL,
    [SETTING.maxReceiveCount]: String(values.maxReceiveCount ?? MAX_RECEIVE_COUNT),
    [SETTING.outboundClaimLeaseSeconds]:
      values.outboundClaimLeaseSeconds === undefined ? undefined : String(values.outboundClaimLeaseSeconds),
    [SETTING.region]: values.region,
    [SETTING.dynamodbEndpoint]: values.endpoints?.dynamodb,
    [SETTING.sesv2Endpoint]: values.endpoints?.sesv2,
    [SETTING.s3Endpoint]: values.endpoints?.s3,
    [SETTING.secretsManagerEndpoint]: values.endpoints?.secretsManager,
  };
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

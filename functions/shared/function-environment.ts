/**
 * The writer's half of the configuration contract in ./config.ts: the CDK stack, the local stack, tests
 * and benchmarks build a function's environment here. Kept apart from the reader so that the functions'
 * bundles do not carry the profile's zod schemas.
 */
import { type DeploymentProfile, deploymentProfileSchema } from '../domain/operators/operator-profile';
import {
  DEFAULT_LOG_LEVEL,
  type HmacKeySetting,
  MAX_RECEIVE_COUNT,
  profileDigest,
  SETTING,
  type ServiceEndpoints,
} from './config';
import type { LogLevel } from './log';
import { describeSchemaErrors } from './schema-errors';

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
  /** The status-change processor's EventBridge bus. */
  readonly eventBusName?: string;
}

/**
 * The environment makul's functions read, written from named values: the one writer of these names. The
 * profile is validated here, with its schema, and sealed with its digest (see ./config.ts for why the
 * function checks the seal rather than the schema).
 */
export function functionEnvironment(values: FunctionEnvironmentValues): Record<string, string> {
  const validated = deploymentProfileSchema.safeParse(values.profile);
  if (!validated.success) {
    throw new Error(`the operator profile is invalid:\n${describeSchemaErrors(validated.error)}`);
  }
  const profileJson = JSON.stringify(validated.data);
  const environment: Record<string, string | undefined> = {
    [SETTING.profile]: profileJson,
    [SETTING.profileDigest]: profileDigest(profileJson),
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
    [SETTING.eventBridgeEndpoint]: values.endpoints?.eventBridge,
    [SETTING.eventBusName]: values.eventBusName,
  };
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

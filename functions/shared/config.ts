/**
 * The configuration contract between the places that start makul's functions (the CDK stack, the local
 * stack, tests, benchmarks) and the functions themselves. Every environment variable's name, default and
 * meaning is written here once: writers build an environment with `functionEnvironment`
 * (./function-environment.ts), handlers read it with `loadFunctionConfig`, which checks it at cold start
 * and names the missing or bad setting.
 *
 * The operator profile is validated once, by its schema, when the environment is written (at synth, by
 * the local stack, in tests), and sealed there with its SHA-256. At cold start the function checks the
 * seal instead of running the schema again: building the zod schemas costs the public pages ~20 ms of
 * their cold start (issue #8 point 14), and a digest catches the same mistake, a profile edited by hand
 * in the Lambda console, with a clear error. The seal guards against accidents, not attackers: whoever
 * can edit the environment can compute a digest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { LogLevel } from './log';

/** Environment variable names, one per setting. */
export const SETTING = {
  profile: 'MAKUL_PROFILE',
  /**
   * In AWS: the file beside the bundle that holds the profile instead of MAKUL_PROFILE (its path from
   * LAMBDA_TASK_ROOT). Lambda's environment has 4 KB for everything and a profile with its calendars,
   * data categories and data systems in three languages outgrows it, so the stack ships the profile
   * inside the function's code (lib/makul-function.ts); the local stack and tests keep it inline.
   */
  profileFile: 'MAKUL_PROFILE_FILE',
  /** SHA-256 (hex) of the profile as validated and written by functionEnvironment. */
  profileDigest: 'MAKUL_PROFILE_SHA256',
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
  eventBridgeEndpoint: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  /** The status-change processor: the EventBridge bus it publishes subject status changes to. */
  eventBusName: 'EVENT_BUS_NAME',
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

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Where the local stack and tests point the SDK instead of AWS. */
export interface ServiceEndpoints {
  readonly dynamodb?: string | undefined;
  readonly sesv2?: string | undefined;
  readonly s3?: string | undefined;
  readonly secretsManager?: string | undefined;
  readonly eventBridge?: string | undefined;
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
  /** Set for the status-change processor only. */
  readonly eventBusName: string | undefined;
}

/**
 * Every makul function reads the same settings (the register, the raw mail, the key, the mail sender),
 * so one loader serves them all; `functionName` only names the function in the error.
 */
export function loadFunctionConfig(
  environment: NodeJS.ProcessEnv,
  functionName = 'inbound-email',
): FunctionConfig {
  const reader = new EnvironmentReader(environment);
  const requestsTableName = reader.text(SETTING.requestsTableName, 3);
  const subjectsTableName = reader.text(SETTING.subjectsTableName, 3);
  const rawMailBucketName = reader.text(SETTING.rawMailBucketName, 3);
  const region = reader.text(SETTING.region, 1);
  const secretArn = reader.optionalText(SETTING.hmacSecretArn);
  const key = reader.optionalText(SETTING.hmacKey);
  if (Boolean(secretArn) === Boolean(key)) {
    reader.problem(
      SETTING.hmacSecretArn,
      `set exactly one of ${SETTING.hmacSecretArn} (in AWS) or ${SETTING.hmacKey} (local stack and tests)`,
    );
  }
  const logLevel = reader.oneOf(SETTING.logLevel, LOG_LEVELS, DEFAULT_LOG_LEVEL);
  const maxReceiveCount = reader.integer(SETTING.maxReceiveCount, 1, MAX_RECEIVE_COUNT);
  const leaseSeconds = reader.integer(
    SETTING.outboundClaimLeaseSeconds,
    10,
    DEFAULT_OUTBOUND_CLAIM_LEASE_SECONDS,
  );
  const profile = reader.sealedProfile();
  if (reader.problems.length > 0) {
    throw new Error(`${functionName} configuration is invalid:\n${reader.problems.join('\n')}`);
  }
  return {
    profile: profile as DeploymentProfile,
    requestsTableName,
    subjectsTableName,
    rawMailBucketName,
    region,
    hmac: secretArn ? { secretArn } : { key: key ?? '' },
    sesConfigurationSet: environment[SETTING.sesConfigurationSet] || undefined,
    eventBusName: reader.optionalText(SETTING.eventBusName),
    logLevel,
    maxReceiveCount,
    outboundClaimLeaseMs: leaseSeconds * 1000,
    endpoints: {
      dynamodb: reader.optionalText(SETTING.dynamodbEndpoint),
      sesv2: reader.optionalText(SETTING.sesv2Endpoint),
      s3: reader.optionalText(SETTING.s3Endpoint),
      secretsManager: reader.optionalText(SETTING.secretsManagerEndpoint),
      eventBridge: reader.optionalText(SETTING.eventBridgeEndpoint),
    },
  };
}

/** The hex SHA-256 that seals a written profile: the writer and the reader compute it alike. */
export function profileDigest(profileJson: string): string {
  return createHash('sha256').update(profileJson, 'utf8').digest('hex');
}

/**
 * Reads settings one by one and collects every problem, so one error names all of them at once. Its
 * messages name settings and rules, never values (a value may hold an address).
 */
class EnvironmentReader {
  readonly problems: string[] = [];

  constructor(private readonly environment: NodeJS.ProcessEnv) {}

  problem(setting: string, message: string): void {
    this.problems.push(`${setting}: ${message}`);
  }

  text(setting: string, minLength: number): string {
    const value = this.environment[setting];
    if (value === undefined) this.problem(setting, 'required');
    else if (value.length < minLength) this.problem(setting, `at least ${minLength} characters`);
    return value ?? '';
  }

  /** Unset and empty mean the same: the setting is not given. */
  optionalText(setting: string): string | undefined {
    return this.environment[setting] || undefined;
  }

  oneOf<T extends string>(setting: string, allowed: readonly T[], fallback: T): T {
    const value = this.environment[setting];
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(setting, `one of ${allowed.join(', ')}`);
    return fallback;
  }

  integer(setting: string, minimum: number, fallback: number): number {
    const value = this.environment[setting];
    if (value === undefined) return fallback;
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < minimum) {
      this.problem(setting, `a whole number, at least ${minimum}`);
      return fallback;
    }
    return number;
  }

  /** The profile as functionEnvironment validated and wrote it, or a problem saying why not. */
  sealedProfile(): unknown {
    const inline = this.environment[SETTING.profile];
    if (inline === '') this.problem(SETTING.profile, 'empty');
    const profileJson = inline ?? this.profileFromFile();
    const digest = this.environment[SETTING.profileDigest];
    if (!profileJson) return undefined;
    if (digest === undefined) {
      this.problem(
        SETTING.profileDigest,
        `required: write the environment with functionEnvironment, which validates ${SETTING.profile} and seals it`,
      );
      return undefined;
    }
    if (digest !== profileDigest(profileJson)) {
      this.problem(
        SETTING.profile,
        `changed after it was validated (its SHA-256 is not ${SETTING.profileDigest}); edit the operators file and deploy again instead of editing the function's environment`,
      );
      return undefined;
    }
    try {
      return JSON.parse(profileJson);
    } catch {
      this.problem(SETTING.profile, 'not JSON');
      return undefined;
    }
  }

  /** The profile's text from the file the stack put beside the bundle (see SETTING.profileFile). */
  private profileFromFile(): string | undefined {
    const name = this.environment[SETTING.profileFile];
    if (name === undefined) {
      this.problem(
        SETTING.profile,
        `required (or ${SETTING.profileFile}, the file beside the bundle that holds it)`,
      );
      return undefined;
    }
    const path = join(this.environment.LAMBDA_TASK_ROOT ?? process.cwd(), name);
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      this.problem(
        SETTING.profileFile,
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return undefined;
    }
  }
}

/** The profile's file name beside a bundle in AWS (SETTING.profileFile). */
export const PROFILE_FILE_NAME = 'makul-profile.json';

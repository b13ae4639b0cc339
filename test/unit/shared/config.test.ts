import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionConfig, PROFILE_FILE_NAME } from '../../../functions/shared/config';
import { functionEnvironment } from '../../../functions/shared/function-environment';
import { describeError } from '../../../functions/shared/log';
import { sampleProfile } from '../../support/sample-profile';

const environment = functionEnvironment({
  profile: sampleProfile(),
  requestsTableName: 'makul-requests',
  subjectsTableName: 'makul-subjects',
  rawMailBucketName: 'makul-raw-mail',
  region: 'eu-west-1',
  hmac: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:makul-hmac' },
});

describe('loadFunctionConfig', () => {
  it('reads a complete environment', () => {
    const config = loadFunctionConfig(environment);
    expect(config.profile.operator.id).toBe('x2');
    expect(config.hmac).toEqual({ secretArn: environment.HMAC_SECRET_ARN });
    expect(config.maxReceiveCount).toBe(5);
    expect(config.outboundClaimLeaseMs).toBe(120_000);
    expect(config.logLevel).toBe('INFO');
  });

  it('names a missing setting', () => {
    const { REQUESTS_TABLE_NAME: _missing, ...rest } = environment;
    expect(() => loadFunctionConfig(rest)).toThrow(/REQUESTS_TABLE_NAME/);
  });

  it('asks for exactly one source of the HMAC key', () => {
    expect(() => loadFunctionConfig({ ...environment, HMAC_KEY: 'k'.repeat(64) })).toThrow(
      /exactly one of HMAC_SECRET_ARN/,
    );
  });

  it('names every bad setting at once, never its value', () => {
    const broken = { ...environment, MAX_RECEIVE_COUNT: '0', LOG_LEVEL: 'LOUD', AWS_REGION: '' };
    const error = captureError(() => loadFunctionConfig(broken));
    expect(error).toMatch(/MAX_RECEIVE_COUNT: a whole number, at least 1/);
    expect(error).toMatch(/LOG_LEVEL: one of DEBUG, INFO, WARN, ERROR/);
    expect(error).toMatch(/AWS_REGION: at least 1 characters/);
    expect(error).not.toContain('LOUD');
  });

  it('applies the defaults of the settings left out', () => {
    const { LOG_LEVEL: _level, MAX_RECEIVE_COUNT: _count, ...rest } = environment;
    const config = loadFunctionConfig({ ...rest, OUTBOUND_CLAIM_LEASE_SECONDS: '300' });
    expect(config.logLevel).toBe('INFO');
    expect(config.maxReceiveCount).toBe(5);
    expect(config.outboundClaimLeaseMs).toBe(300_000);
    expect(() => loadFunctionConfig({ ...rest, OUTBOUND_CLAIM_LEASE_SECONDS: '9' })).toThrow(
      /OUTBOUND_CLAIM_LEASE_SECONDS: a whole number, at least 10/,
    );
  });

  it('reads back the profile exactly as it was validated and written', () => {
    expect(loadFunctionConfig(environment).profile).toEqual(JSON.parse(environment.MAKUL_PROFILE as string));
  });

  it('refuses a profile edited after it was validated, as a hand edit in the Lambda console would', () => {
    const profile = sampleProfile();
    const edited = { ...profile, operator: { ...profile.operator, humanSupportInbox: 'not an address' } };
    expect(() => loadFunctionConfig({ ...environment, MAKUL_PROFILE: JSON.stringify(edited) })).toThrow(
      /MAKUL_PROFILE: changed after it was validated/,
    );
    const { MAKUL_PROFILE_SHA256: _digest, ...unsealed } = environment;
    expect(() => loadFunctionConfig(unsealed)).toThrow(/MAKUL_PROFILE_SHA256: required/);
  });
});

describe('the profile in a file beside the bundle (as the stack ships it)', () => {
  const { MAKUL_PROFILE: profileJson, ...withoutProfile } = environment;
  let taskRoot: string;
  beforeAll(() => {
    taskRoot = mkdtempSync(join(tmpdir(), 'makul-task-root-'));
    writeFileSync(join(taskRoot, PROFILE_FILE_NAME), profileJson ?? '');
  });
  afterAll(() => rmSync(taskRoot, { recursive: true, force: true }));

  it('reads it from LAMBDA_TASK_ROOT when MAKUL_PROFILE_FILE names it, and checks the seal', () => {
    const config = loadFunctionConfig({
      ...withoutProfile,
      MAKUL_PROFILE_FILE: PROFILE_FILE_NAME,
      LAMBDA_TASK_ROOT: taskRoot,
    });
    expect(config.profile).toEqual(JSON.parse(profileJson ?? ''));
    const edited = join(taskRoot, 'edited.json');
    writeFileSync(edited, (profileJson ?? '').replace('"x2"', '"x3"'));
    expect(() =>
      loadFunctionConfig({
        ...withoutProfile,
        MAKUL_PROFILE_FILE: 'edited.json',
        LAMBDA_TASK_ROOT: taskRoot,
      }),
    ).toThrow(/MAKUL_PROFILE: changed after it was validated/);
  });

  it('names the file it cannot read, and asks for one of the two settings when neither is set', () => {
    expect(() =>
      loadFunctionConfig({
        ...withoutProfile,
        MAKUL_PROFILE_FILE: 'absent.json',
        LAMBDA_TASK_ROOT: taskRoot,
      }),
    ).toThrow(/MAKUL_PROFILE_FILE: cannot read .*absent\.json: ENOENT/);
    expect(() => loadFunctionConfig(withoutProfile)).toThrow(
      /MAKUL_PROFILE: required \(or MAKUL_PROFILE_FILE/,
    );
  });
});

describe('functionEnvironment', () => {
  it('validates the profile before sealing it, naming the bad field', () => {
    const profile = sampleProfile();
    const broken = { ...profile, operator: { ...profile.operator, humanSupportInbox: 'not an address' } };
    expect(() =>
      functionEnvironment({
        profile: broken,
        requestsTableName: 'makul-requests',
        subjectsTableName: 'makul-subjects',
        rawMailBucketName: 'makul-raw-mail',
        hmac: { key: 'k'.repeat(64) },
      }),
    ).toThrow(/operator\.humanSupportInbox/);
  });
});

function captureError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected an error');
}

describe('describeError', () => {
  it('masks anything that looks like an address and bounds the length', () => {
    const described = describeError(
      new Error(`cannot deliver to ivan.petrov@example.ru ${'x'.repeat(1000)}`),
    );
    expect(described.errorName).toBe('Error');
    expect(described.errorMessage).toContain('<address>');
    expect(described.errorMessage).not.toContain('ivan.petrov');
    expect(described.errorMessage.length).toBeLessThanOrEqual(300);
  });
});

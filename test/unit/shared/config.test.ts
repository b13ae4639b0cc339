import { describe, expect, it } from 'vitest';
import { loadFunctionConfig } from '../../../functions/shared/config';
import { describeError } from '../../../functions/shared/log';
import { sampleProfile } from '../../support/sample-profile';

const environment = {
  MAKUL_PROFILE: JSON.stringify(sampleProfile()),
  REQUESTS_TABLE_NAME: 'makul-requests',
  SUBJECTS_TABLE_NAME: 'makul-subjects',
  RAW_MAIL_BUCKET_NAME: 'makul-raw-mail',
  AWS_REGION: 'eu-west-1',
  HMAC_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:makul-hmac',
};

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

  it('names the bad field inside the profile', () => {
    const profile = sampleProfile();
    const broken = { ...profile, operator: { ...profile.operator, humanSupportInbox: 'not an address' } };
    expect(() => loadFunctionConfig({ ...environment, MAKUL_PROFILE: JSON.stringify(broken) })).toThrow(
      /MAKUL_PROFILE\.operator\.humanSupportInbox/,
    );
  });
});

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

import { describe, expect, it } from 'vitest';
import { surelyNotSent } from '../../../../functions/adapters/ses/mail-sender';

describe('surelyNotSent', () => {
  it('takes an SES refusal (4xx: rejected, invalid, throttled) as not sent', () => {
    expect(
      surelyNotSent(Object.assign(new Error('Email address is not verified'), { $fault: 'client' })),
    ).toBe(true);
  });

  it('takes a connection that was never made as not sent', () => {
    expect(
      surelyNotSent(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8005'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
  });

  it('leaves a 5xx, a reset or a timeout after the request went out unknown', () => {
    expect(surelyNotSent(Object.assign(new Error('Internal failure'), { $fault: 'server' }))).toBe(false);
    expect(surelyNotSent(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(
      surelyNotSent(Object.assign(new Error('Connection timed out after 8000 ms'), { name: 'TimeoutError' })),
    ).toBe(false);
    expect(surelyNotSent('not an error')).toBe(false);
  });
});

/**
 * Register entries as items of the `register-by-month` index: requests carry their month and time of
 * receipt, notices never (they belong to their request).
 */
import { describe, expect, it } from 'vitest';
import { fromRequest } from '../../../../functions/adapters/dynamodb/request-items';
import { sampleRequest } from '../../../support/sample-request';

describe('fromRequest and the register by month', () => {
  it('files a request under REQ#<its local month>, sorted by the time received', () => {
    const item = fromRequest(
      sampleRequest(1, { receivedAt: '2026-02-28T20:00:00.000Z', registerMonth: '2026-03' }),
    );

    expect(item.registerMonth).toEqual({ S: 'REQ#2026-03' });
    expect(item.registerAt).toEqual({ S: '2026-02-28T20:00:00.000Z' });
  });

  it('files an entry made without its local month under its UTC month', () => {
    const item = fromRequest(sampleRequest(1, { receivedAt: '2026-02-28T20:00:00.000Z' }));

    expect(item.registerMonth).toEqual({ S: 'REQ#2026-02' });
  });

  it('leaves notices out of the index', () => {
    const item = fromRequest(
      sampleRequest(1, { noticeOf: 'MK-1', notice: 'confirmed', registerMonth: '2026-03' }),
    );

    expect(item).not.toHaveProperty('registerMonth');
    expect(item).not.toHaveProperty('registerAt');
  });
});

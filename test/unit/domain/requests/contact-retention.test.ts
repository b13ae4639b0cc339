import { describe, expect, it } from 'vitest';
import { contactListNeedsAddress } from '../../../../functions/domain/requests/contact-retention';
import { sampleProfile } from '../../../support/sample-profile';
import { sampleRequest } from '../../../support/sample-request';

const LISTED = sampleProfile({ sesContactList: { name: 'newsletter' } });
const UNLISTED = sampleProfile();

describe('contactListNeedsAddress', () => {
  it('holds a completed unsubscribe for the sync only when the profile names a contact list', () => {
    const unsubscribe = sampleRequest(1, { kind: 'unsubscribe', status: 'completed' });

    expect(contactListNeedsAddress(unsubscribe, LISTED)).toBe(true);
    expect(contactListNeedsAddress(unsubscribe, UNLISTED)).toBe(false);
  });

  it('holds nothing for a request that opts nothing out, or for a notice of one that does', () => {
    expect(contactListNeedsAddress(sampleRequest(2, { kind: 'access', status: 'completed' }), LISTED)).toBe(
      false,
    );
    expect(
      contactListNeedsAddress(
        sampleRequest(3, { kind: 'withdraw-consent', status: 'completed', notice: 'confirmed' }),
        LISTED,
      ),
    ).toBe(false);
  });

  it('is not asked about a request that is not completed: it keeps its address anyway', () => {
    expect(
      contactListNeedsAddress(sampleRequest(4, { kind: 'withdraw-consent', status: 'in-progress' }), LISTED),
    ).toBe(false);
  });
});

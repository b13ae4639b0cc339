import { describe, expect, it } from 'vitest';
import {
  confirmationNotices,
  noticeId,
  planLinkAction,
} from '../../../../functions/domain/requests/link-actions';
import { newNoticeEntry } from '../../../../functions/domain/requests/notice-entry';
import { requestDetails } from '../../../../functions/domain/requests/request-details';
import { REQUEST_KINDS } from '../../../../functions/domain/requests/request-kinds';
import { sampleRequest } from '../../../support/sample-request';

describe('planLinkAction', () => {
  it('applies the kind on Confirm of a verify link, from awaiting verification only, proved by the link', () => {
    const plan = planLinkAction('verify', 'confirm', 'erasure', false);

    expect(plan).toMatchObject({
      fromStatuses: ['awaiting-verification'],
      toStatus: 'in-progress',
      proof: 'confirmed-link',
      subject: 'apply',
      notices: ['confirmed'],
      outcome: 'confirmed',
    });
  });

  it('cancels a verify link on "this was not me" without touching the record or mailing anyone', () => {
    expect(planLinkAction('verify', 'cancel', 'withdraw-consent', false)).toMatchObject({
      toStatus: 'cancelled',
      subject: null,
      notices: [],
      outcome: 'cancelled',
    });
  });

  it('undoes an accepted request on "this was not me" while it is in progress, and tells the subject', () => {
    expect(planLinkAction('dispute', 'cancel', 'erasure', false)).toMatchObject({
      fromStatuses: ['in-progress'],
      toStatus: 'cancelled',
      subject: 'release',
      notices: ['cancelled'],
    });
  });

  it('refuses buttons that do not belong to the link (a crafted form)', () => {
    expect(planLinkAction('dispute', 'confirm', 'erasure', false)).toBeNull();
    expect(planLinkAction('lift-restriction', 'cancel', 'restrict', false)).toBeNull();
    expect(planLinkAction('confirm-address', 'cancel', 'update-data', true)).toBeNull();
  });

  it("lifts a restriction without changing the request's status", () => {
    const plan = planLinkAction('lift-restriction', 'confirm', 'restrict', false);

    expect(plan).toMatchObject({
      subject: 'lift',
      stamp: 'restrictionLiftedAt',
      notices: ['restriction-lifted'],
    });
    expect(plan?.toStatus).toBeUndefined();
  });
});

describe('confirmationNotices', () => {
  it('sends one "confirmed" mail for every kind but access, whose answer is the report itself', () => {
    for (const kind of REQUEST_KINDS) {
      expect(confirmationNotices(kind, false)).toEqual([kind === 'access' ? 'access-report' : 'confirmed']);
    }
  });

  it('asks the new mailbox of an update-data request to confirm itself', () => {
    expect(confirmationNotices('update-data', true)).toEqual(['confirmed', 'confirm-address']);
    expect(confirmationNotices('erasure', true)).toEqual(['confirmed']);
  });

  it('says the report will follow when the data systems answer access requests (the report waits for them)', () => {
    expect(confirmationNotices('access', false, true)).toEqual(['confirmed']);
    expect(planLinkAction('verify', 'confirm', 'access', false, true)?.notices).toEqual(['confirmed']);
    expect(planLinkAction('verify', 'confirm', 'access', false, false)?.notices).toEqual(['access-report']);
  });
});

describe('newNoticeEntry', () => {
  it('is an entry of its own, owed now, sent once, without the values of the request', () => {
    const parent = sampleRequest(1, {
      kind: 'update-data',
      status: 'in-progress',
      sealedDetails: 'v1.sealed.values',
      dataItems: ['phone'],
    });
    const now = new Date('2026-12-02T10:00:00Z');

    const notice = newNoticeEntry(parent, 'confirmed', now, {
      sealedContact: 'v1.sealed.again',
      replyLimitKey: 'k',
    });

    expect(notice).toMatchObject({
      requestId: noticeId(parent.requestId, 'confirmed'),
      noticeOf: parent.requestId,
      notice: 'confirmed',
      status: 'completed',
      outbound: 'reply',
      outboundState: 'pending',
      opsQueue: 'deferred',
      opsQueueAt: now.toISOString(),
      sealedContact: 'v1.sealed.again',
      sealedDetails: null,
      dataItems: null,
    });
    expect(notice.sesMessageId).not.toBe(parent.sesMessageId);
  });
});

describe('requestDetails', () => {
  it('needs labelled values for update-data and sends the request to a person without them', () => {
    expect(requestDetails('update-data', 'Please fix my data.', [])).toEqual({
      ok: false,
      reason: 'update-data:no-fields',
    });
    expect(requestDetails('update-data', 'Phone: +996 555 123 456', [])).toMatchObject({
      ok: true,
      fields: [{ field: 'phone', value: '+996 555 123 456' }],
    });
  });

  it('needs the data a stop-dissemination request names (policy 004 §5.8.3)', () => {
    expect(requestDetails('stop-dissemination', 'Stop it.', [])).toEqual({
      ok: false,
      reason: 'stop-dissemination:no-data-named',
    });
    expect(requestDetails('stop-dissemination', 'Удалите мою фотографию с сайта', [])).toMatchObject({
      ok: true,
      dataItems: ['photo'],
    });
  });

  it('needs nothing more for the other kinds', () => {
    expect(requestDetails('erasure', '', [])).toEqual({ ok: true, fields: null, dataItems: null });
  });
});

/**
 * What pressing a button on a confirmation page does, per link purpose: the one place to read "what
 * happens when the subject confirms", "what 'this was not me' undoes" and "what lifting a restriction
 * changes". Pure: the app layer turns a plan into one all-or-nothing register write.
 */
import type { TokenPurpose } from '../tokens/verification-token';
import type { NoticeKind, Proof, RegisteredRequest } from './registered-request';
import type { RequestKind } from './request-kinds';

/** The buttons: `confirm` (Confirm, Lift the restriction, Confirm this address) or `cancel` ("this was not me"). */
export type LinkAction = 'confirm' | 'cancel';

/** The result page a successful action shows. */
export type LinkOutcome = 'confirmed' | 'cancelled' | 'lifted' | 'address-confirmed';

export interface LinkPlan {
  /** The request must be in one of these statuses (and not executed), or the action is too late. */
  readonly fromStatuses: readonly RegisteredRequest['status'][];
  readonly toStatus?: RegisteredRequest['status'];
  readonly proof?: Proof;
  readonly stamp?: 'cancelledAt' | 'addressConfirmedAt' | 'restrictionLiftedAt';
  /**
   * The subject's record: `apply` sets the kind's flags (the request was proved), `release` gives
   * back what the request set (it was not theirs), `lift` removes the restriction.
   */
  readonly subject: 'apply' | 'release' | 'lift' | null;
  readonly notices: readonly NoticeKind[];
  readonly outcome: LinkOutcome;
}

/** A restriction lasts until the subject lifts it, so its link outlives the usual few days. */
export const LIFT_LINK_DAYS = 365;

/**
 * The plan for an action on a link, or null when that button does not belong to that link (a crafted
 * form). `newAddressAsked`: an update-data request names a new email address, which must be confirmed
 * from the new mailbox before it counts. `reportFromSystems`: see confirmationNotices.
 */
export function planLinkAction(
  purpose: TokenPurpose,
  action: LinkAction,
  kind: RequestKind | null,
  newAddressAsked: boolean,
  reportFromSystems = false,
): LinkPlan | null {
  switch (purpose) {
    case 'verify':
      if (action === 'cancel') {
        // The mailbox owner did not send it: nothing was applied, so nothing is undone or mailed.
        return {
          fromStatuses: ['awaiting-verification'],
          toStatus: 'cancelled',
          stamp: 'cancelledAt',
          subject: null,
          notices: [],
          outcome: 'cancelled',
        };
      }
      return {
        fromStatuses: ['awaiting-verification'],
        toStatus: 'in-progress',
        proof: 'confirmed-link',
        subject: 'apply',
        notices: confirmationNotices(kind, newAddressAsked, reportFromSystems),
        outcome: 'confirmed',
      };
    case 'dispute':
      // "This was not me" on a request accepted from an authenticated sender: undone while not executed.
      if (action !== 'cancel') return null;
      return {
        fromStatuses: ['in-progress'],
        toStatus: 'cancelled',
        stamp: 'cancelledAt',
        subject: 'release',
        notices: ['cancelled'],
        outcome: 'cancelled',
      };
    case 'lift-restriction':
      if (action !== 'confirm') return null;
      return {
        fromStatuses: ['in-progress', 'completed'],
        stamp: 'restrictionLiftedAt',
        subject: 'lift',
        notices: ['restriction-lifted'],
        outcome: 'lifted',
      };
    case 'confirm-address':
      if (action !== 'confirm') return null;
      return {
        fromStatuses: ['in-progress'],
        stamp: 'addressConfirmedAt',
        subject: null,
        notices: [],
        outcome: 'address-confirmed',
      };
  }
}

/**
 * After a confirmation the subject hears what was done, once; an access request's answer is the
 * report itself. A new address gets its own link to confirm from the new mailbox.
 * `reportFromSystems`: the operator's data systems answer access requests (issue 11), so the report
 * waits until every one of them has (app/answer-task.ts records it then); the subject hears now that
 * it will follow.
 */
export function confirmationNotices(
  kind: RequestKind | null,
  newAddressAsked: boolean,
  reportFromSystems = false,
): NoticeKind[] {
  const notices: NoticeKind[] = [kind === 'access' && !reportFromSystems ? 'access-report' : 'confirmed'];
  if (kind === 'update-data' && newAddressAsked) notices.push('confirm-address');
  return notices;
}

/** A notice's entry id: the request's id and what the notice is, so recording it twice is refused. */
export function noticeId(requestId: string, notice: NoticeKind): string {
  return `${requestId}.${notice}`;
}

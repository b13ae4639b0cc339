/**
 * Who forgets a request's sealed address, and when. makul keeps an address only while it still needs
 * it: to write to the person, and — when the operator keeps an SES contact list — to opt the address out
 * there (app/publish-status-change.ts). A completed request needs nothing more once both are done:
 *
 *   no contact list, or a request that opts nothing out
 *     the reply's delivery forgets it as it records "sent" (markSent's `forgetContact`);
 *   a contact list, and a completed request that holds a marketing opt-out (an unsubscribe, mailed or
 *   one-click)
 *     two parties need it, the reply's delivery and the status-change processor, and they finish in
 *     either order (the table's stream usually reaches the processor after the reply, not always). Each
 *     notes that it is done, then removes the address only if the other is done too, in one conditional
 *     write: delivery when the processor noted `contactListSynced`, the processor when the reply is sent
 *     (or nothing is to be sent: a one-click entry). Whichever finishes last forgets it; neither can take
 *     it from the other.
 *
 * A request that is not completed (withdrawal of consent or erasure in progress) keeps its address
 * either way: makul still writes to the person, and the erasure executor destroys it.
 */
import type { DeploymentProfile } from '../operators/operator-profile';
import type { RegisteredRequest } from './registered-request';
import { REQUEST_POLICIES } from './request-policies';

/**
 * Whether the status-change processor still needs this completed request's address for the contact
 * list, so its reply's delivery must not forget the address on its own.
 */
export function contactListNeedsAddress(
  request: Pick<RegisteredRequest, 'status' | 'kind' | 'notice'>,
  profile: DeploymentProfile,
): boolean {
  return (
    profile.operator.sesContactList !== undefined &&
    request.status === 'completed' &&
    // A notice entry copies its parent's kind but holds no opt-out of its own.
    request.notice === null &&
    request.kind !== null &&
    REQUEST_POLICIES[request.kind].effect.marketingOptOut === true
  );
}

/**
 * One-click unsubscribe (RFC 8058) from marketing mail: `POST <base>/u/<token>` with the body
 * `List-Unsubscribe=One-Click` opts the recipient out at once. A mail client sends it without the
 * person seeing a page, so the answer is a plain 200: no redirect, no cookie (RFC 8058 §3.2). A GET of
 * the same link only shows a page with a button: mail scanners fetch links.
 *
 * Each opt-out is recorded in the register like a mailed unsubscribe (kind `unsubscribe`, channel
 * `one-click`), so the proof a regulator asks for is in one place. Clicks by the same person on the
 * same day are one entry: the id is derived from the subject key and the day. The entry keeps no
 * address, unless the operator keeps an SES contact list: then it holds it, sealed, until the
 * status-change processor has opted it out there (domain/requests/contact-retention.ts).
 */

import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { PageView } from '../domain/pages/page-view';
import { localDate } from '../domain/requests/deadlines';
import { newOneClickEntry } from '../domain/requests/register-entry';
import { requestIdFor } from '../domain/requests/request-id';
import type { Language } from '../domain/requests/request-kinds';
import { REQUEST_POLICIES } from '../domain/requests/request-policies';
import { sealAddress } from '../domain/subjects/sealed-address';
import { subjectKey } from '../domain/subjects/subject-key';
import { readUnsubscribeToken, unsubscribeLinkKey } from '../domain/tokens/unsubscribe-token';
import type { Logger } from '../shared/log';
import { type AdmissionDependencies, admitSource, UNAVAILABLE } from './page-admission';

export interface UnsubscribeDependencies extends AdmissionDependencies {
  readonly profile: DeploymentProfile;
  readonly log: Logger;
}

/** The link key is derived from the operator's secret once per key, not per request. */
let cachedLinkKey: { readonly secret: string; readonly key: Buffer } | null = null;

function linkKeyFor(secret: string): Buffer {
  if (cachedLinkKey?.secret !== secret) cachedLinkKey = { secret, key: unsubscribeLinkKey(secret) };
  return cachedLinkKey.key;
}

/** GET: the page with the button, or the neutral page for a token that is not one of ours. */
export async function showUnsubscribe(
  token: string,
  sourceIp: string,
  deps: UnsubscribeDependencies,
): Promise<PageView> {
  const refused = await admitSource(sourceIp, deps);
  if (refused) return refused.view;
  if (readUnsubscribeToken(token, linkKeyFor(deps.hmacKey)) === null) {
    deps.metrics.count('PageRefused', { reason: 'unknown' });
    return UNAVAILABLE;
  }
  deps.metrics.count('PagesShown', { page: 'unsubscribe' });
  return { page: 'unsubscribe' };
}

/** POST: opts the address out, once a day at most as a register entry; the flag is set either way. */
export async function unsubscribeOneClick(
  token: string,
  sourceIp: string,
  language: Language | null,
  deps: UnsubscribeDependencies,
): Promise<PageView> {
  const refused = await admitSource(sourceIp, deps);
  if (refused) return refused.view;
  const address = readUnsubscribeToken(token, linkKeyFor(deps.hmacKey));
  if (address === null) {
    deps.metrics.count('PageRefused', { reason: 'unknown' });
    return UNAVAILABLE;
  }
  const now = deps.now();
  const key = subjectKey(address, deps.hmacKey);
  const { operator, jurisdiction } = deps.profile;
  const requestId = requestIdFor(`one-click:${key}:${localDate(now, jurisdiction.timeZone)}`);
  const entry = newOneClickEntry({
    requestId,
    subjectKey: key,
    language: language ?? operator.defaultLanguage,
    at: now,
    profile: deps.profile,
    // Only the SES contact-list sync needs it, and forgets it once the list has the opt-out.
    sealedContact: operator.sesContactList ? sealAddress(address, deps.hmacKey, requestId) : null,
  });
  const effect = REQUEST_POLICIES.unsubscribe.effect;
  const recorded = await deps.register.recordNew(
    entry,
    {
      at: now.toISOString(),
      event: 'received',
      detail: {
        channel: 'one-click',
        kind: 'unsubscribe',
        status: 'completed',
        who: key,
        proof: 'one-click-link',
        subjectEffect: Object.keys(effect).join(','),
      },
    },
    effect,
    null,
  );
  deps.metrics.count('OneClickUnsubscribes', { recorded: String(recorded.outcome === 'recorded') });
  deps.log.info('one-click unsubscribe', { requestId: entry.requestId, recorded: recorded.outcome });
  return { page: 'result', outcome: 'unsubscribed', kind: 'unsubscribe' };
}

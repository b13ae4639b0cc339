/**
 * One write to a subject's record, as the table's stream reports it: if it changes what marketing
 * systems are told (domain/subjects/status-change.ts), append it to the change feed, publish its event,
 * and, when the operator keeps an SES contact list, opt the address out there too.
 *
 * Every step is safe to run again, because the stream delivers a record again after any failure:
 *   append   once per stream record: a retried record gets back the sequence it got (adapters/dynamodb/
 *            status-feed.ts), so the feed never holds a change twice;
 *   publish  skipped once the entry says its event went out. Publishing and noting it are two writes to
 *            two services: if the note fails after the bus took the event, the retry publishes it again,
 *            so consumers deduplicate on `sequence` (docs/events/subject-status-changed.md);
 *   sync     last, and idempotent (opting out twice is opting out), so it needs no note of its own: a
 *            failure retries the record, which publishes nothing new and syncs again. Once the list
 *            has the opt-out, the request whose address was used is marked synced, and the address is
 *            removed if its reply is sent too (domain/requests/contact-retention.ts): both writes are
 *            safe to repeat, and a retry that finds the address gone has nothing left to do.
 *
 * The sync runs for each write that adds a holder of the marketing opt-out, not only for the one that
 * suppresses the subject: a second unsubscribe changes nothing for the feed, but the person asked again
 * (the list may have subscribed them since), and its request keeps its address until it is synced.
 */

import { normaliseAddress } from '../domain/mail/sender-address';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import { openAddress } from '../domain/subjects/sealed-address';
import {
  becameSuppressed,
  type ProfileWrite,
  type SubjectStateChange,
  stateChangeOf,
} from '../domain/subjects/status-change';
import { subjectKey } from '../domain/subjects/subject-key';
import type { ContactListOutcome, ContactListSync, SealedContactSource } from '../ports/contact-list';
import type { MetricsRecorder } from '../ports/metrics';
import type { StatusEventPublisher, StatusFeedWriter } from '../ports/status-events';
import type { LogFields, Logger } from '../shared/log';

/** One stream record of a subject's record. */
export interface StatusRecord {
  /** The stream's eventID: the same record delivered again carries the same id. */
  readonly recordId: string;
  readonly write: ProfileWrite;
  /** Requests whose register entry may still hold the subject's address, the likeliest first. */
  readonly optOutRequestIds: readonly string[];
  /** The write added a request to those holding the marketing opt-out (even if already suppressed). */
  readonly optOutAdded: boolean;
}

export interface ContactListDependencies {
  readonly sync: ContactListSync;
  readonly contacts: SealedContactSource;
  /** Opens the sealed address and proves it is this subject's (its HMAC is the record's key). */
  readonly hmacKey: string;
}

export interface StatusChangeDependencies {
  readonly profile: DeploymentProfile;
  readonly feed: StatusFeedWriter;
  readonly events: StatusEventPublisher;
  /** Null unless the profile names an SES contact list. */
  readonly contactList: ContactListDependencies | null;
  readonly metrics: MetricsRecorder;
  readonly now: () => Date;
  readonly log: Logger;
}

/**
 * Register entries read to find an address, at most: each one-click unsubscribe adds a holder a day,
 * and the likeliest (the request that made this change) comes first.
 */
const MAX_ENTRIES_READ = 5;

/** Handles one record; returns the fields of its log line (sequence and outcomes, nothing personal). */
export async function publishStatusChange(
  record: StatusRecord,
  deps: StatusChangeDependencies,
): Promise<LogFields> {
  const change = stateChangeOf(record.write, deps.profile.operator.unknownAddressMarketing);
  const fields = change === null ? { outcome: 'no-change' } : await appendAndPublish(record, change, deps);
  const optOut = record.optOutAdded || (change !== null && becameSuppressed(change));
  if (deps.contactList === null || !optOut) return fields;
  const synced = await optOutOnContactList(record.write.sid, record.optOutRequestIds, deps.contactList, deps);
  deps.metrics.count('ContactListSynced', { outcome: synced.outcome });
  if (synced.outcome === 'no-address') {
    // Not an error to retry: the register forgets an address once nothing needs it, and waiting will
    // not bring it back. Ops see the count; the suppression itself is in the feed and the API.
    deps.log.warn(
      'opt-out not synced to the contact list: no request of the subject still holds its address',
      fields,
    );
    return { ...fields, contactList: synced.outcome };
  }
  return { ...fields, contactList: synced.outcome, addressForgotten: synced.addressForgotten };
}

/** Appends the change to the feed and publishes its event, each at most once (see above). */
async function appendAndPublish(
  record: StatusRecord,
  change: SubjectStateChange,
  deps: StatusChangeDependencies,
): Promise<LogFields> {
  const entry = await deps.feed.append(record.recordId, change);
  if (entry.appended) {
    deps.metrics.count('StatusChanges', {
      marketing: change.current.marketing,
      processing: change.current.processing,
    });
  }
  const alreadyPublished = entry.publishedAt !== null;
  if (!alreadyPublished) {
    await deps.events.publish({ ...change, sequence: entry.sequence });
    deps.metrics.count('StatusEventsPublished');
    await deps.feed.markPublished(entry.sequence, deps.now());
  }
  return {
    sequence: entry.sequence,
    outcome: alreadyPublished ? 'already-published' : 'published',
    retried: !entry.appended,
  };
}

type SyncResult =
  | { readonly outcome: 'no-address' }
  | { readonly outcome: ContactListOutcome; readonly addressForgotten: boolean };

async function optOutOnContactList(
  sid: string,
  requestIds: readonly string[],
  contactList: ContactListDependencies,
  deps: Pick<StatusChangeDependencies, 'log'>,
): Promise<SyncResult> {
  for (const requestId of [...new Set(requestIds)].slice(0, MAX_ENTRIES_READ)) {
    const sealed = await contactList.contacts.sealedContactOf(requestId);
    if (sealed === null) continue;
    let address: string;
    try {
      address = openAddress(sealed, contactList.hmacKey, requestId);
    } catch {
      // Altered, or sealed under another key: no address to act on, and retrying cannot change that.
      deps.log.error('a sealed address could not be opened', { requestId });
      continue;
    }
    // Only ever the subject's own address: one that does not hash to the record's key is not used. The
    // key is the hash of the normalised address; a sender's is sealed as written (capitals and all).
    if (subjectKey(normaliseAddress(address), contactList.hmacKey) !== sid) {
      deps.log.error('a request of the subject holds another address', { requestId });
      continue;
    }
    const outcome = await contactList.sync.optOut(address);
    // Done with the address: it goes now if the reply is sent too, else the reply's delivery forgets it.
    await contactList.contacts.markContactListSynced(requestId);
    const addressForgotten = await contactList.contacts.forgetContactIfReplied(requestId);
    return { outcome, addressForgotten };
  }
  return { outcome: 'no-address' };
}

/**
 * Key design of makul's two DynamoDB tables, shared by the adapters, the CDK stack and the local stack
 * so that all three create and use the same shape.
 *
 * requests  pk = `REQ#<requestId>`      sk = `META`                 the request register entry
 *           pk = `REQ#<requestId>`      sk = `AUDIT#<iso>#<event>`  append-only audit trail
 *           pk = `TOKEN#<sha256 hex>`   sk = `TOKEN`                link token (hash only)
 *           pk = `REQ#<requestId>`      sk = `TOKEN#<purpose>`      which token a request was given
 *           pk = `MSGID#<sha256 hex>`   sk = `MSGID`                Message-ID + sender seen (duplicates)
 *           pk = `REQ#<id>.<notice>`    sk = `META`                 a notice owed after a page action
 *           pk = `DIGEST#<yyyy-mm-dd>`  sk = `DIGEST`               the DPO's deadline digest that local day (sent once)
 *           pk = `REQ#<requestId>`      sk = `TASK#<system id>`     a fulfilment task in one data system
 *           pk = `ACT#<requestId>`      sk = `ACT`                  the destruction act of an executed erasure
 *                                                                   (with its audit-log extract; kept 3 years)
 * subjects  pk = `SUB#<hmac hex>`       sk = `PROFILE`              opt-outs, consent, restriction
 *           pk = `SOURCE#<hmac hex>`    sk = `PAGES#<yyyy-mm-ddThh>` page requests from one source IP that hour
 *           pk = `SUB#<hmac hex>`       sk = `REPLIES#<yyyy-mm-dd>` replies to a mailbox that day
 *           pk = `OPERATOR`             sk = `<counter>#<yyyy-mm-ddThh>` the operator's messages that hour
 *           pk = `FEED`                 sk = `HEAD`                 the last sequence of the change feed
 *           pk = `FEED`                 sk = `SEQ#<20 digits>`      one change of a subject's state
 *           pk = `CHANGE#<stream event id>` sk = `CHANGE`           the sequence a stream record was given
 *
 * The change feed is appended by the status-change processor alone (it reads the subjects table's
 * stream): each append writes the next sequence and moves HEAD in one transaction conditional on
 * HEAD's previous value, so sequences are gap-free and a reader that sees sequence n has every
 * sequence below it. The CHANGE marker makes a retried stream record find the sequence it got.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes expired tokens, counters and duplicate markers. */
  ttlAttribute: 'expiresAt',
} as const;

export interface IndexDesign {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/**
 * Secondary indexes of the requests table. `ops-queue` is sparse: only entries on an ops list carry
 * its keys (deferred replies by when they may go, held and in-doubt requests by since when), so
 * listing them reads those entries and nothing else.
 */
export const REQUEST_INDEXES = {
  opsQueue: { indexName: 'ops-queue', partitionKey: 'opsQueue', sortKey: 'opsQueueAt' },
  /**
   * A subject's requests, oldest first: the access report lists them. Sparse too: mail without a
   * valid sender has no subject key.
   */
  bySubject: { indexName: 'by-subject', partitionKey: 'subjectKey', sortKey: 'receivedAt' },
  /**
   * Register entries in one status, soonest due first: what is open and due (the deadline monitor,
   * `requests list`). Sparse on the due date: entries without one (dropped mail) stay out. Notice
   * entries are in it too (they copy their request's due date, and a notice's text reads it), always
   * as `completed`: the adapter filters them out of its listing.
   */
  byStatusDue: { indexName: 'by-status-due', partitionKey: 'status', sortKey: 'dueAt' },
  /**
   * The register by month, for the regulator's export: request entries carry `registerMonth`
   * `REQ#<yyyy-mm>` (their local month of receipt) and `registerAt` = receivedAt; destruction acts
   * `ACT#<yyyy-mm>` and their execution time. Sparse: notices, tasks, tokens and the rest stay out.
   */
  byMonth: { indexName: 'register-by-month', partitionKey: 'registerMonth', sortKey: 'registerAt' },
} as const satisfies Record<string, IndexDesign>;

/** Keys of the change feed in the subjects table (see the key design above). */
export const FEED_KEYS = {
  partition: 'FEED',
  head: 'HEAD',
  /** `SEQ#` and the sequence zero-padded to 20 digits, so that the sort key orders like the number. */
  entryPrefix: 'SEQ#',
  sequenceDigits: 20,
  markerPrefix: 'CHANGE#',
  marker: 'CHANGE',
} as const;

export function feedEntrySortKey(sequence: number): string {
  return `${FEED_KEYS.entryPrefix}${String(sequence).padStart(FEED_KEYS.sequenceDigits, '0')}`;
}

/** Keys of fulfilment tasks and destruction acts in the requests table (see the key design above). */
export const FULFILMENT_KEYS = {
  taskPrefix: 'TASK#',
  actPartitionPrefix: 'ACT#',
  actSortKey: 'ACT',
  /** registerMonth values: `REQ#2026-12`, `ACT#2026-12`. */
  requestMonthPrefix: 'REQ#',
  actMonthPrefix: 'ACT#',
  /** Destruction acts and their log extracts are kept 3 years (Roskomnadzor order No. 179 point 4). */
  actRetentionYears: 3,
} as const;

/**
 * Counts of what happened, for dashboards and alarms (CloudWatch through EMF in AWS). Names and
 * dimension values are fixed vocabularies: ids of actions, reasons and limits, never personal data.
 */
/** The namespace every makul metric is in; the stack's alarms and dashboard read the same. */
export const METRICS_NAMESPACE = 'makul';

export type MetricName =
  /** Every decided message, by action and reason. */
  | 'Decisions'
  | 'RepliesSent'
  | 'ForwardsSent'
  /** A message waiting for a rate-limit window, by limit (mailbox, operator). */
  | 'OutboundDeferred'
  /** The operator-wide hourly limit was reached (alarmed: a flood, or a limit set too low). */
  | 'OperatorLimitReached'
  /** Whether SES took a message is unknown; it is not sent again (alarmed). */
  | 'OutboundInDoubt'
  | 'Duplicates'
  /** Held without effect or reply, by reason (spam verdict, DMARC failure). */
  | 'Held'
  /** Deferred messages waiting, and the age in hours of the oldest (the deferred-outbound job). */
  | 'DeferredWaiting'
  | 'OldestDeferredHours'
  /** Public pages shown, by page; actions taken on them, by link purpose and outcome. */
  | 'PagesShown'
  | 'PageActions'
  /** Page requests answered "too many attempts" or the neutral page, by reason (never the token). */
  | 'PageRefused'
  /** One-click unsubscribes (RFC 8058), by whether it was the day's first from that subject. */
  | 'OneClickUnsubscribes'
  /** Subject state changes the status-change processor appended to the feed, by marketing and processing now. */
  | 'StatusChanges'
  /** "Subject Status Changed" events put on the bus (at most one per feed entry). */
  | 'StatusEventsPublished'
  /** Opt-outs sent to the operator's SES contact list, by outcome (created, updated, no-address, …). */
  | 'ContactListSynced'
  /** Erasures and withdrawals executed (makul's data destroyed, act written, request completed), by kind. */
  | 'ErasuresExecuted'
  /** An execution that failed part-way (alarmed): the request stays in progress, the next run redoes it. */
  | 'ErasureFailures'
  /** Erasures and withdrawals still in progress past their due date after the executor's run (a level; alarmed). */
  | 'ErasuresOverdue'
  /** Fulfilment tasks made for requests that became in-progress, by kind and system (a retry counts none). */
  | 'FulfilmentTasksCreated'
  /** "Fulfilment Task Created" events put on the bus, by system (a retry after a failed note counts again). */
  | 'FulfilmentEventsPublished'
  /**
   * A due date was counted over a year the official calendar lacks (weekends only, so earlier rather
   * than later than the law's), or the deadline monitor found the current or next year missing (alarmed).
   */
  | 'CalendarYearMissing'
  /**
   * Open requests past their legal due date, as the deadline monitor found them on its last run (a
   * level; alarmed as DeadlinesOverdue). Requests awaiting the sender's confirmation are not counted.
   */
  | 'RequestsOverdue'
  /**
   * Open requests due within the operator's `dueSoonWorkingDays` working days, not yet overdue (a
   * level; alarmed as DeadlinesDueSoon). Requests awaiting the sender's confirmation are not counted.
   */
  | 'RequestsDueSoon'
  /**
   * Requests awaiting the sender's confirmation that are overdue or due soon: not yet proven to be the
   * subject's, so shown, never alarmed (a level).
   */
  | 'RequestsAwaitingVerification'
  /**
   * Open fulfilment tasks of overdue requests: systems that have not answered a request past its due
   * date, as the deadline monitor found them on its last run (a level; alarmed as TasksOverdue).
   */
  | 'FulfilmentTasksOverdue';

export type MetricDimensions = Readonly<Record<string, string>>;

export interface MetricsRecorder {
  count(name: MetricName, dimensions?: MetricDimensions): void;
  /** A level rather than an event (how many wait, how old): the latest value per period. */
  gauge(name: MetricName, value: number, unit: 'Count' | 'None'): void;
}

/** Records in memory: the local stack and tests read what a run counted. */
export class CountingMetrics implements MetricsRecorder {
  readonly counts = new Map<string, number>();
  readonly gauges = new Map<string, number>();

  count(name: MetricName, dimensions: MetricDimensions = {}): void {
    const key = [
      name,
      ...Object.entries(dimensions).map(([dimension, value]) => `${dimension}=${value}`),
    ].join(' ');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  gauge(name: MetricName, value: number): void {
    this.gauges.set(name, value);
  }
}

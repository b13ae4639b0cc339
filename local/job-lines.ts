/**
 * What the local stack prints for a run of each scheduled function (local/scheduled-jobs.ts), from the
 * report its real handler returns: counts, request ids, kinds and dates, never an address. A run with
 * nothing new to say prints nothing (null), so an idle stack stays quiet: the deferred-outbound job
 * speaks when something was due, the monitor and the executor when what they found changed since
 * their last line.
 */

import {
  type ErasureOutcome,
  type ErasureRunReport,
  SKIP_REASON_TEXT,
} from '../functions/app/execute-erasure';
import type { DeadlineReport, DigestOutcome, MonitoredRequest } from '../functions/app/monitor-deadlines';
import { DEFERRED_RETRY_MS, type DeferredRunReport } from '../functions/app/send-deferred-outbound';

/** How often the local stack runs the deferred-outbound job, unless told otherwise (production: every minute). */
export const DEFAULT_DEFERRED_EVERY_SECONDS = 10;
/** How often it runs the deadline monitor and the erasure executor (production: hourly, every 15 minutes). */
export const DEFAULT_JOBS_EVERY_SECONDS = 30;

/** Outcomes of deliverOutbound (functions/app/deliver-outbound.ts), and a run's failures, in words. */
const RESULT_WORDS: ReadonlyMap<string, string> = new Map([
  ['sent', 'sent'],
  ['deferred', 'deferred again'],
  ['in-doubt', 'in doubt (not sent again)'],
  ['already-done', 'already handled'],
  ['none', 'nothing to send'],
  ['failed', `failed (tried again in ${DEFERRED_RETRY_MS / 60_000} min)`],
]);

/** `2 due → 2 sent; 0 still waiting`, or null for a run that had nothing due. */
export function deferredRunLine(report: DeferredRunReport): string | null {
  if (report.due === 0) return null;
  const outcomes = Object.entries(report.results)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([result, count]) => `${count} ${RESULT_WORDS.get(result) ?? result}`);
  return `${report.due} due → ${outcomes.join(', ') || 'nothing done'}; ${report.waiting} still waiting`;
}

/** A line of a function whose runs repeat what they find: printed only when it differs from the last one. */
export function onlyWhenChanged<T>(line: (report: T) => string | null): (report: T) => string | null {
  let last: string | null = null;
  return (report) => {
    const next = line(report);
    if (next === last) return null;
    last = next;
    return next;
  };
}

function ids(requests: readonly MonitoredRequest[]): string {
  const shown = requests.slice(0, 5).map((request) => request.requestId);
  return requests.length > shown.length ? `${shown.join(', ')}, …` : shown.join(', ');
}

const DIGEST_WORDS: Partial<Record<DigestOutcome['outcome'], (digest: DigestOutcome) => string>> = {
  sent: (digest) => `digest sent to the DPO for ${'day' in digest ? digest.day : 'today'}`,
  failed: () => 'digest NOT sent (the next run tries again)',
  'in-doubt': () => 'digest in doubt (not sent again today)',
};

/**
 * `1 overdue (MK-…), 2 due soon (MK-…, MK-…), 0 awaiting confirmation; calendar: 2027 missing; digest
 * sent to the DPO for 2026-12-02`. Everything the monitor's alarms and digest would say, in one line.
 */
export function monitorRunLine(report: DeadlineReport): string {
  const counted = (count: number, what: string, requests: readonly MonitoredRequest[]): string =>
    count === 0 ? `0 ${what}` : `${count} ${what} (${ids(requests)})`;
  const parts = [
    counted(report.overdue.length, 'overdue', report.overdue),
    counted(report.dueSoon.length, 'due soon', report.dueSoon),
    counted(report.awaitingVerification.length, 'awaiting confirmation', report.awaitingVerification),
  ];
  const tasks = report.tasksOverdue > 0 ? `; ${report.tasksOverdue} task(s) of overdue requests open` : '';
  const calendar =
    report.calendar.missing.length > 0
      ? `; calendar lacks ${report.calendar.missing.join(', ')} (due dates counted without it)`
      : '';
  const digest = DIGEST_WORDS[report.digest.outcome]?.(report.digest);
  return `${parts.join(', ')}${tasks}${calendar}${digest ? `; ${digest}` : ''}`;
}

function outcomeText(outcome: ErasureOutcome): string {
  switch (outcome.outcome) {
    case 'executed':
      return `${outcome.requestId} ${outcome.kind} executed, destruction act ${outcome.actId}`;
    case 'would-execute':
      return `${outcome.requestId} ${outcome.kind} would be executed`;
    case 'skipped':
      return `${outcome.requestId} ${outcome.kind} waits: ${SKIP_REASON_TEXT[outcome.reason]}`;
    case 'failed':
      return `${outcome.requestId} ${outcome.kind} FAILED (${outcome.errorName}), stays in progress`;
  }
}

/** `MK-… erasure executed, destruction act ACT-…; MK-… withdraw-consent waits: …`, or null for an empty run. */
export function erasureRunLine(report: ErasureRunReport): string | null {
  if (report.outcomes.length === 0) return null;
  const overdue = report.overdue.length > 0 ? `; PAST DUE: ${report.overdue.join(', ')}` : '';
  return `${report.outcomes.map(outcomeText).join('; ')}${overdue}`;
}

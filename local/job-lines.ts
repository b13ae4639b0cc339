/**
 * The deferred-outbound job on the local stack, run as production's schedule runs it (EventBridge
 * Scheduler, one run at a time): the real handler, every few seconds instead of every few minutes, so
 * a reply deferred by a rate limit goes out locally too. A person sees one line per run that had
 * something due, in counts (never addresses).
 */
import { DEFERRED_RETRY_MS, type DeferredRunReport } from '../functions/app/send-deferred-outbound';
import type { ProgressReporter } from './loopback';

/** How often the local stack runs the job, unless told otherwise. */
export const DEFAULT_DEFERRED_EVERY_SECONDS = 10;

/** Outcomes of deliverOutbound (functions/app/deliver-outbound.ts), and a run's failures, in words. */
const RESULT_WORDS: ReadonlyMap<string, string> = new Map([
  ['sent', 'sent'],
  ['deferred', 'deferred again'],
  ['in-doubt', 'in doubt (not sent again)'],
  ['already-done', 'already handled'],
  ['none', 'nothing to send'],
  ['failed', `failed (tried again in ${DEFERRED_RETRY_MS / 60_000} min)`],
]);

/** `2 due → 2 sent; 0 still waiting`, or null for a run that had nothing due (it prints nothing). */
export function deferredRunLine(report: DeferredRunReport): string | null {
  if (report.due === 0) return null;
  const outcomes = Object.entries(report.results)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([result, count]) => `${count} ${RESULT_WORDS.get(result) ?? result}`);
  return `${report.due} due → ${outcomes.join(', ') || 'nothing done'}; ${report.waiting} still waiting`;
}

export interface DeferredOutboundJob {
  /** No further runs; resolves once a run in progress has finished. Safe to repeat. */
  stop(): Promise<void>;
}

export interface DeferredOutboundJobOptions {
  /** One run of the job: the real handler, invoked as the schedule invokes it. */
  readonly run: () => Promise<DeferredRunReport>;
  readonly everyMs: number;
  readonly report: ProgressReporter;
}

/**
 * Runs the job every `everyMs`, the first time `everyMs` after the start. A run that takes longer than
 * the interval delays the next one rather than overlapping it, as the production function's reserved
 * concurrency of one does.
 */
export function startDeferredOutboundJob(options: DeferredOutboundJobOptions): DeferredOutboundJob {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const runOnce = async (): Promise<void> => {
    try {
      const line = deferredRunLine(await options.run());
      if (line !== null) options.report(`deferred-outbound: ${line}`);
    } catch (error) {
      // AWS SDK and makul errors name services, ids and states, never a person's address.
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.report(`deferred-outbound: run failed (the next run tries again): ${message}`);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = runOnce().finally(() => {
        running = null;
        schedule();
      });
    }, options.everyMs);
  };

  schedule();
  return {
    stop: async () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}

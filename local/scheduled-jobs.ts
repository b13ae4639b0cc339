/**
 * The scheduled functions on the local stack, run as production's schedules run them (EventBridge
 * Scheduler, one run at a time per function: reserved concurrency 1), through their real handlers, but
 * every few seconds instead of every minute, quarter hour or hour, and on demand. A person sees a line
 * for a run with something to say (counts and ids, never addresses); a run with nothing to say prints
 * nothing, so an idle stack stays quiet.
 */
import type { ProgressReporter } from './loopback';

export interface ScheduledJob {
  readonly name: string;
  /** Runs the job now (after a run in progress, never beside it); the timer starts over after it. */
  runNow(): Promise<void>;
  /** No further runs; resolves once a run in progress has finished. Safe to repeat. */
  stop(): Promise<void>;
}

export interface ScheduledJobOptions {
  /** The function's name, at the start of each line it prints. */
  readonly name: string;
  /** One run: the real handler, invoked as the schedule invokes it; what to print, or null for nothing. */
  readonly run: () => Promise<string | null>;
  readonly everyMs: number;
  readonly report: ProgressReporter;
}

/**
 * Runs the job every `everyMs`, the first time `everyMs` after the start. A run that takes longer than
 * the interval delays the next one rather than overlapping it, as the production function's reserved
 * concurrency of one does.
 */
export function startScheduledJob(options: ScheduledJobOptions): ScheduledJob {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  // The run in progress, or the last one: each run starts after the one before has finished.
  let last: Promise<void> = Promise.resolve();

  const runOnce = async (): Promise<void> => {
    try {
      const line = await options.run();
      if (line !== null) options.report(`${options.name}: ${line}`);
    } catch (error) {
      // AWS SDK and makul errors name services, ids and states, never a person's address.
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.report(`${options.name}: run failed (the next run tries again): ${message}`);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void runAfterLast();
    }, options.everyMs);
  };

  const runAfterLast = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    last = last.then(async () => {
      if (stopped) return;
      await runOnce();
      schedule();
    });
    return last;
  };

  schedule();
  return {
    name: options.name,
    runNow: runAfterLast,
    stop: async () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await last;
    },
  };
}

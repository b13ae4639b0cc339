import { afterEach, describe, expect, it, vi } from 'vitest';
import { startScheduledJob } from '../../../local/scheduled-jobs';

/** A run the test finishes when it wants, to see what happens while a run is in progress. */
function controlledRuns() {
  const finishers: Array<(line: string | null) => void> = [];
  let active = 0;
  let mostAtOnce = 0;
  const run = (): Promise<string | null> => {
    active += 1;
    mostAtOnce = Math.max(mostAtOnce, active);
    return new Promise((resolve) => {
      finishers.push((line) => {
        active -= 1;
        resolve(line);
      });
    });
  };
  return {
    run,
    started: () => finishers.length,
    finish: (index: number, line: string | null) => finishers[index]?.(line),
    mostAtOnce: () => mostAtOnce,
  };
}

describe('startScheduledJob (the local stack runs its scheduled functions)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs on its timer, prints what a run has to say under the function name, and nothing for a quiet run', async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const answers = ['2 due → 2 sent; 0 still waiting', null];
    const job = startScheduledJob({
      name: 'deferred-outbound',
      everyMs: 10_000,
      report: (line) => lines.push(line),
      run: async () => answers.shift() ?? null,
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(lines).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toEqual(['deferred-outbound: 2 due → 2 sent; 0 still waiting']);
    await job.stop();
  });

  it('never runs beside itself: asked now during a run, it runs after that run, and the timer waits for it', async () => {
    vi.useFakeTimers();
    const runs = controlledRuns();
    const job = startScheduledJob({
      name: 'erasure-executor',
      everyMs: 1000,
      report: () => {},
      run: runs.run,
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs.started()).toBe(1);
    const asked = job.runNow();
    // The timer's next tick passes while the first run is still going: no second run beside it.
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs.started()).toBe(1);
    runs.finish(0, null);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started()).toBe(2);
    runs.finish(1, null);
    await asked;
    expect(runs.mostAtOnce()).toBe(1);
    await job.stop();
  });

  it('says a failed run failed and keeps its schedule', async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    let calls = 0;
    const job = startScheduledJob({
      name: 'deadline-monitor',
      everyMs: 1000,
      report: (line) => lines.push(line),
      run: async () => {
        calls += 1;
        if (calls === 1) throw new TypeError('fetch failed');
        return 'ran';
      },
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect(lines).toEqual([
      'deadline-monitor: run failed (the next run tries again): TypeError: fetch failed',
      'deadline-monitor: ran',
    ]);
    await job.stop();
  });

  it('stop waits for the run in progress and runs nothing after it, even when asked', async () => {
    vi.useFakeTimers();
    const runs = controlledRuns();
    const job = startScheduledJob({
      name: 'erasure-executor',
      everyMs: 1000,
      report: () => {},
      run: runs.run,
    });
    await vi.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    runs.finish(0, null);
    await stopping;
    await job.runNow();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs.started()).toBe(1);
  });
});

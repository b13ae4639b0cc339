import { describe, expect, it } from 'vitest';
import { createSignalPresses, SAME_PRESS_WINDOW_MS } from '../../../local/signal-presses';

function clockAt(times: number[]): () => number {
  return () => {
    const next = times.shift();
    if (next === undefined) throw new Error('the test clock ran out');
    return next;
  };
}

describe('createSignalPresses (one Ctrl-C, however often npm and tsx relay it)', () => {
  it('takes signals within the window of the first as the same press', () => {
    const press = createSignalPresses(1500, clockAt([10_000, 10_003, 10_031, 11_499]));
    expect([press(), press(), press(), press()]).toEqual(['first', 'same-press', 'same-press', 'same-press']);
  });

  it('takes a signal after the window as a second press', () => {
    const press = createSignalPresses(1500, clockAt([10_000, 10_030, 11_500, 11_520]));
    expect([press(), press(), press(), press()]).toEqual(['first', 'same-press', 'again', 'again']);
  });

  it('waits long enough for relays and not so long that a second press is lost', () => {
    expect(SAME_PRESS_WINDOW_MS).toBeGreaterThanOrEqual(1000);
    expect(SAME_PRESS_WINDOW_MS).toBeLessThanOrEqual(2000);
  });
});

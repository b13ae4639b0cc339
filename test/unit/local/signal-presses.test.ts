import { describe, expect, it } from 'vitest';
import { createSignalPresses } from '../../../local/signal-presses';

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

  it('by default, waits long enough for relays and not so long that a second press is lost', () => {
    // tsx relays within 30 ms, a slow machine within a second; a person pressing again takes 2 s or more.
    const press = createSignalPresses(undefined, clockAt([10_000, 10_030, 10_999, 12_000]));
    expect([press(), press(), press(), press()]).toEqual(['first', 'same-press', 'same-press', 'again']);
  });
});

/**
 * Telling one Ctrl-C from two. A terminal sends SIGINT to its whole foreground process group (npm, sh,
 * tsx and node under `npm start`), and npm and tsx also pass the signal on to their child, so one
 * press can reach node two or three times within milliseconds. Signals that close to the first are
 * the same press; only one that comes later is a person pressing again.
 */

/** Longer than any relay (tsx relays after 30 ms), shorter than a person who means it presses again. */
export const SAME_PRESS_WINDOW_MS = 1500;

/** What a stop signal means: the first one, a copy of it, or a second press (quit at once). */
export type SignalPress = 'first' | 'same-press' | 'again';

export function createSignalPresses(
  windowMs: number = SAME_PRESS_WINDOW_MS,
  now: () => number = Date.now,
): () => SignalPress {
  let firstAt: number | null = null;
  return () => {
    const at = now();
    if (firstAt === null) {
      firstAt = at;
      return 'first';
    }
    return at - firstAt < windowMs ? 'same-press' : 'again';
  };
}

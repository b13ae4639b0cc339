import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeError, maskAddresses } from '../../../functions/shared/log';

/** The mask as it was written before: one regular expression, quadratic on long runs without an `@`. */
const PREVIOUS_MASK = /[^\s<>"'()[\],;:]+@[^\s<>"'()[\],;:]+/g;

const textAroundAddresses = fc
  .array(
    fc.oneof(
      fc.constantFrom('@', '@@', 'a', 'ivan.petrov', 'example.ru', ' ', '\n', '\u00a0', '<', '>', '"', "'"),
      fc.constantFrom('(', ')', '[', ']', ',', ';', ':', 'é', '😀'),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(''));

describe('maskAddresses', () => {
  it('masks exactly what the previous regular expression masked', () => {
    fc.assert(
      fc.property(textAroundAddresses, (text) => {
        expect(maskAddresses(text)).toBe(text.replace(PREVIOUS_MASK, '<address>'));
      }),
      { numRuns: 2000 },
    );
  });

  it('masks addresses in angle brackets, lists and prose, and leaves lone @ signs alone', () => {
    expect(maskAddresses('550 <ivan@example.ru>: no such user; cc a@b.kg, (c@d.kg)')).toBe(
      '550 <<address>>: no such user; cc <address>, (<address>)',
    );
    expect(maskAddresses('@ mentions @ and trailing@')).toBe('@ mentions @ and trailing@');
  });
});

describe('describeError on adversarial messages', () => {
  it('bounds a megabyte-long error without an address (the previous mask never finished on it)', () => {
    const described = describeError(new Error(`${'x'.repeat(200)} ${'a'.repeat(1_000_000)}`));

    expect(described.errorMessage.startsWith('x'.repeat(200))).toBe(true);
    expect(described.errorMessage.length).toBeLessThanOrEqual(300);
  });

  it('leaves no piece of an address where it cuts a long message before masking', () => {
    // Three long "addresses" shrink to <address>, which brings the cut's position into the 300 kept.
    const shrinking = `${'a'.repeat(300)}@example.ru `.repeat(3);
    const message = `${shrinking}${'x'.repeat(1021 - shrinking.length)} ivan.petrov@example.ru ${'y'.repeat(5000)}`;

    const described = describeError(new Error(message));

    expect(described.errorMessage).not.toMatch(/iv|petrov|example/);
    expect(described.errorMessage.startsWith('<address> <address> <address> xxx')).toBe(true);
  });

  it('masks an address that short messages carry, as before', () => {
    const described = describeError(new Error('cannot deliver to ivan.petrov@example.ru: mailbox full'));

    expect(described.errorMessage).toBe('cannot deliver to <address>: mailbox full');
  });
});

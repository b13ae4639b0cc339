import { describe, expect, it } from 'vitest';
import { canonicalMailbox } from '../../../../functions/domain/subjects/mailbox';
import { openAddress, sealAddress } from '../../../../functions/domain/subjects/sealed-address';

const secret = 'k'.repeat(64);

describe('sealAddress', () => {
  it('seals an address so that only the same secret and request open it', () => {
    const sealed = sealAddress('aigul@example.kg', secret, 'MK-1');

    expect(sealed).not.toContain('aigul');
    expect(sealed).toMatch(/^v1\./);
    expect(openAddress(sealed, secret, 'MK-1')).toBe('aigul@example.kg');
    expect(() => openAddress(sealed, secret, 'MK-2')).toThrow();
    expect(() => openAddress(sealed, 'x'.repeat(64), 'MK-1')).toThrow();
  });

  it('refuses a sealed address that was altered', () => {
    const sealed = sealAddress('aigul@example.kg', secret, 'MK-1');
    // A character in the middle of the ciphertext: every bit of it counts (the last one may carry padding).
    const at = sealed.lastIndexOf('.') + 5;
    const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(() => openAddress(altered, secret, 'MK-1')).toThrow();
  });

  it('seals the same address differently each time (nothing to compare across requests)', () => {
    expect(sealAddress('aigul@example.kg', secret, 'MK-1')).not.toBe(
      sealAddress('aigul@example.kg', secret, 'MK-1'),
    );
  });
});

describe('canonicalMailbox', () => {
  it.each([
    ['ivan+promo@example.ru', 'ivan@example.ru'],
    ['ivan+1+2@example.ru', 'ivan@example.ru'],
    ['ivan@example.ru', 'ivan@example.ru'],
    ['+only@example.ru', '+only@example.ru'],
  ])('%s is the mailbox %s', (address, mailbox) => {
    expect(canonicalMailbox(address)).toBe(mailbox);
  });
});

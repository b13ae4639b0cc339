import { createHash } from 'node:crypto';

/**
 * The register's id for a message: derived from the SES message id, so a redelivered message maps to
 * the same request and conditional writes make recording idempotent. Short enough to quote on the
 * phone ("MK-" + 12 base32 characters = 60 bits: collisions are negligible at any operator's volume).
 */
// Crockford-style alphabet without I, L, O, U: nothing to misread when a person types it back.
const BASE32 = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';

export function requestIdFor(sesMessageId: string): string {
  const digest = createHash('sha256').update(`makul-request:${sesMessageId}`).digest();
  let id = '';
  for (let index = 0; index < 12; index += 1) {
    id += BASE32[(digest[index] ?? 0) % 32];
  }
  return `MK-${id}`;
}

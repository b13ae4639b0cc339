import { createHmac } from 'node:crypto';

/**
 * The key of a data subject in makul's tables: HMAC-SHA256 of the normalised address under the
 * operator's secret key. The address itself is not the key, so the subjects table, its stream and
 * every log line carry only this pseudonym; without the secret it cannot be reversed by guessing
 * addresses (a plain hash could be).
 */
export function subjectKey(normalisedAddress: string, hmacKey: string): string {
  return createHmac('sha256', hmacKey).update(normalisedAddress, 'utf8').digest('hex');
}

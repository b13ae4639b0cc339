/**
 * Limits on the public pages, besides API Gateway's throttling (which counts everyone together):
 *
 * - per token: a link is opened a few times by its owner and by mail scanners; far more means someone
 *   is hammering it, and it then answers nothing more (the same neutral page as a used one);
 * - per source address and hour: guessing tokens is hopeless (256 bits), but the limit keeps one
 *   machine from using the pages as a free DynamoDB load generator. Generous, because mobile carriers
 *   put thousands of people behind one address (carrier-grade NAT).
 */
import { createHmac } from 'node:crypto';

export const TOKEN_MAX_ATTEMPTS = 20;
export const SOURCE_MAX_REQUESTS_PER_HOUR = 300;

/**
 * A source IP address as a keyed hash: an IP address is personal data, so the counter's key must not
 * be one (the label keeps it apart from subject keys made with the same secret).
 */
export function sourceKey(sourceIp: string, hmacKey: string): string {
  return createHmac('sha256', hmacKey).update(`makul-page-source:v1:${sourceIp}`, 'utf8').digest('hex');
}

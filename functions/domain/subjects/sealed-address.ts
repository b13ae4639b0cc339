/**
 * A person's address, sealed for the register. makul keeps a sender's address only while it must still
 * write to them, and even then the table (and its stream, backups and exports) holds ciphertext: AES-256-
 * GCM under a key derived from the operator's secret, bound to the request id so a sealed address cannot
 * be moved to another request. Whoever reads the table without the secret learns nothing from it.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealingKey(secretKey: string): Buffer {
  // A key of its own, derived from the same secret: sealing never reuses the subject-key HMAC itself.
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'makul-contact-address:v1', 32));
}

export function sealAddress(address: string, secretKey: string, requestId: string): string {
  return sealText(address, secretKey, requestId);
}

/** The address, or an error when the text was altered, moved to another request or sealed under another key. */
export function openAddress(sealed: string, secretKey: string, requestId: string): string {
  return openText(sealed, secretKey, requestId);
}

/**
 * Any personal text makul must keep for a while (an address, the values of an update-data request),
 * sealed the same way: bound to its request, readable only with the operator's secret.
 */
export function sealText(text: string, secretKey: string, requestId: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secretKey), iv);
  cipher.setAAD(Buffer.from(requestId, 'utf8'));
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

export function openText(sealed: string, secretKey: string, requestId: string): string {
  const [version, ivText, bodyText] = sealed.split('.');
  if (version !== VERSION || !ivText || !bodyText) throw new Error('not a sealed text');
  const body = Buffer.from(bodyText, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secretKey), Buffer.from(ivText, 'base64url'));
  decipher.setAAD(Buffer.from(requestId, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(body.subarray(0, body.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

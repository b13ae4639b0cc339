/**
 * One-click unsubscribe links (RFC 8058): `POST <base>/u/<token>` with `List-Unsubscribe=One-Click`.
 *
 * Why not the confirmation tokens of verification-token.ts: those are issued by makul, one per request,
 * stored hashed and expiring. An unsubscribe link is made by the operator's marketing system for every
 * recipient of every campaign (millions), without asking makul, and must keep working for as long as the
 * mail sits in an inbox. So the token carries the address itself, sealed:
 *
 *   linkKey = HKDF-SHA256(ikm = operator's HMAC secret (UTF-8), salt = empty,
 *                         info = "makul-unsubscribe-link:v1", 32 bytes)
 *   ivKey   = HKDF-SHA256(ikm = linkKey, salt = empty, info = "makul-unsubscribe-link:v1:iv", 32 bytes)
 *   iv      = first 12 bytes of HMAC-SHA256(ivKey, normalised address)
 *   token   = base64url, no padding ( iv ‖ AES-256-GCM(linkKey, iv, normalised address) ‖ 16-byte tag )
 *
 * - A key of its own: the marketing system holds the link key, never the operator's master secret (that
 *   one makes subject keys and seals addresses in the register). The link key only makes and reads
 *   these links; HKDF is one-way, so it gives nothing back about the master secret.
 * - No address in the clear: the URL travels through mail scanners, proxies and access logs.
 * - Unforgeable and unalterable without the key: GCM's tag is checked in constant time by OpenSSL, and a
 *   token that fails it is `null`, with no hint why.
 * - Never expires: RFC 8058 and the Gmail/Yahoo bulk-sender rules want old mail's links to keep working.
 * - The IV is synthetic (from the address), not random: random 96-bit IVs limit one key to 2^32
 *   messages (NIST SP 800-38D §8.3), which a sender of millions of mails a day reaches within a couple of
 *   years. A synthetic IV repeats only for the same address, where GCM then encrypts the same plaintext
 *   and reveals nothing new; a side effect is that an address always gets the same link. Reading does
 *   not insist on it: a token from another implementation with a random IV reads just as well.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { checkSender, normaliseAddress } from '../mail/sender-address';
import { publicBase } from './verification-token';

/** The path segment of one-click unsubscribe links: `<base>/u/<token>`. */
export const UNSUBSCRIBE_PATH = 'u';

/** The HKDF labels; a new version gets new labels, so old and new tokens never read as each other. */
const LINK_KEY_INFO = 'makul-unsubscribe-link:v1';
const IV_KEY_INFO = 'makul-unsubscribe-link:v1:iv';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The shortest address the validation below lets through (`a@b.cd`). */
const MIN_ADDRESS_BYTES = 6;
/**
 * The longest valid token is 376 characters (a 254-character address, RFC 5321); the cap is checked
 * before decoding, so a huge path costs nothing.
 */
export const MAX_UNSUBSCRIBE_TOKEN_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Same rule as the adapter that loads the secret: a short secret would make a guessable key. */
const MIN_SECRET_LENGTH = 32;

/** The address given cannot be put in a link. The message never repeats the address. */
export class InvalidUnsubscribeAddressError extends Error {
  override readonly name = 'InvalidUnsubscribeAddressError';
  constructor() {
    super('not a valid email address (one plain local@domain, ASCII local part)');
  }
}

/** The link key derived from the operator's HMAC secret: 32 bytes. Hand it (hex) to marketing systems. */
export function unsubscribeLinkKey(hmacSecret: string): Buffer {
  if (hmacSecret.length < MIN_SECRET_LENGTH)
    throw new Error(`the operator's HMAC secret is shorter than ${MIN_SECRET_LENGTH} characters`);
  return Buffer.from(hkdfSync('sha256', hmacSecret, Buffer.alloc(0), LINK_KEY_INFO, KEY_BYTES));
}

/** A link key written as 64 hex digits (what `makul unsubscribe-headers --print-link-key` prints). */
export function linkKeyFromHex(hex: string): Buffer {
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed))
    throw new Error('an unsubscribe link key is 64 hex digits (32 bytes)');
  return Buffer.from(trimmed, 'hex');
}

function checkedKey(linkKey: Uint8Array): Uint8Array {
  // A wrong key length is a programming or configuration error, not a bad token: fail loudly.
  if (linkKey.length !== KEY_BYTES)
    throw new TypeError(`an unsubscribe link key is ${KEY_BYTES} bytes (see unsubscribeLinkKey)`);
  return linkKey;
}

/**
 * The normalised address when it is one plain, valid address (the same strict rule as inbound senders:
 * no display name, quotes or comments; IDN domains in punycode), else null.
 */
export function linkableAddress(address: string): string | null {
  const normalised = normaliseAddress(address);
  const check = checkSender([normalised]);
  return check.ok && check.address === normalised ? normalised : null;
}

/**
 * IV keys by link key (hex): a marketing run makes millions of tokens under one key, and HKDF for each
 * would double the cost of a token. A process holds one or two link keys; the bound is for safety.
 */
const ivKeys = new Map<string, Buffer>();
const MAX_CACHED_IV_KEYS = 16;

function ivKeyOf(linkKey: Uint8Array): Buffer {
  const id = Buffer.from(linkKey).toString('hex');
  let ivKey = ivKeys.get(id);
  if (ivKey === undefined) {
    ivKey = Buffer.from(hkdfSync('sha256', linkKey, Buffer.alloc(0), IV_KEY_INFO, KEY_BYTES));
    if (ivKeys.size >= MAX_CACHED_IV_KEYS) ivKeys.clear();
    ivKeys.set(id, ivKey);
  }
  return ivKey;
}

function syntheticIv(linkKey: Uint8Array, normalised: string): Buffer {
  return createHmac('sha256', ivKeyOf(linkKey)).update(normalised, 'utf8').digest().subarray(0, IV_BYTES);
}

/** The token for an address; throws InvalidUnsubscribeAddressError when it is not a valid address. */
export function unsubscribeToken(address: string, linkKey: Uint8Array): string {
  const key = checkedKey(linkKey);
  const normalised = linkableAddress(address);
  if (normalised === null) throw new InvalidUnsubscribeAddressError();
  const iv = syntheticIv(key, normalised);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(normalised, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The normalised address a token was made for, or null for anything else: altered, truncated, too long,
 * not base64url, or made under another key. Never throws for a bad token (it comes from a URL).
 */
export function readUnsubscribeToken(token: string, linkKey: Uint8Array): string | null {
  const key = checkedKey(linkKey);
  if (typeof token !== 'string' || token.length > MAX_UNSUBSCRIBE_TOKEN_LENGTH || !BASE64URL.test(token))
    return null;
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical spelling: Node's decoder ignores the unused low bits of the last character, so
  // without this check a token altered there would still read.
  if (bytes.toString('base64url') !== token) return null;
  if (bytes.length < IV_BYTES + MIN_ADDRESS_BYTES + TAG_BYTES) return null;
  const iv = bytes.subarray(0, IV_BYTES);
  const sealed = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    return null;
  }
  let address: string;
  try {
    address = STRICT_UTF8.decode(plain);
  } catch {
    return null;
  }
  // Authentic, so made with the key; still, only a valid normalised address goes on to the register.
  return linkableAddress(address) === address ? address : null;
}

/** `<publicBase>/u/<token>`: the URL for the List-Unsubscribe header and the mail's footer link. */
export function unsubscribeLink(confirmBaseUrl: string, token: string): string {
  return `${publicBase(confirmBaseUrl)}/${UNSUBSCRIBE_PATH}/${token}`;
}

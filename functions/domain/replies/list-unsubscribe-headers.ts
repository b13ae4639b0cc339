/**
 * The two headers every marketing mail of the operator must carry (RFC 2369 List-Unsubscribe, RFC 8058
 * one-click; required by the Gmail and Yahoo bulk-sender rules of 2024):
 *
 *   List-Unsubscribe: <https://…/u/TOKEN>, <mailto:support@…?subject=unsubscribe>
 *   List-Unsubscribe-Post: List-Unsubscribe=One-Click
 *
 * The HTTPS link is the one-click path (a mail client POSTs to it; makul opts the address out at once).
 * The mailto: alternative is for clients that only write mail: "unsubscribe" is the English subject tag
 * makul's inbound classifier recognises, so that mail becomes an ordinary unsubscribe request.
 *
 * Pure: the marketing system can call it for every recipient with the link key alone.
 */
import { linkableAddress, unsubscribeLink, unsubscribeToken } from '../tokens/unsubscribe-token';
import type { HeaderField } from './outbound-message';

/** The subject of the mailto: alternative: the English tag of the `unsubscribe` kind. */
export const MAILTO_UNSUBSCRIBE_SUBJECT = 'unsubscribe';

/**
 * RFC 5322 §2.1.1 caps a line at 998 octets; the header is not folded (SES v2 takes header values as
 * one line of printable ASCII, at most 995 characters), so name, ": " and value must fit in one line.
 */
const MAX_HEADER_LINE_LENGTH = 998;
/** SES v2 MessageHeader.Value: printable ASCII, at most 995 characters. */
const MAX_SES_HEADER_VALUE_LENGTH = 995;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export interface ListUnsubscribeInput {
  /** The recipient; normalised and validated (throws InvalidUnsubscribeAddressError otherwise). */
  readonly address: string;
  /** unsubscribeLinkKey(operator's secret), or linkKeyFromHex of the key handed to the marketing system. */
  readonly linkKey: Uint8Array;
  /** The operator's confirmBaseUrl: links are `<publicBase>/u/<token>`. */
  readonly confirmBaseUrl: string;
  /** The operator's support address, for the mailto: alternative. */
  readonly supportAddress: string;
}

/** `mailto:local@domain?subject=unsubscribe`, each part percent-encoded as RFC 6068 asks. */
export function unsubscribeMailto(supportAddress: string): string {
  const address = linkableAddress(supportAddress);
  if (address === null) throw new Error('the support address is not a valid email address');
  const at = address.lastIndexOf('@');
  const local = encodeURIComponent(address.slice(0, at));
  const domain = encodeURIComponent(address.slice(at + 1));
  return `mailto:${local}@${domain}?subject=${encodeURIComponent(MAILTO_UNSUBSCRIBE_SUBJECT)}`;
}

/**
 * The one-click URL in its serialised form: WHATWG URL percent-encodes spaces, angle brackets, quotes
 * and non-ASCII in a configured base (and turns an IDN host into punycode), none of which may appear
 * inside the header's `<…>`.
 */
function oneClickUrl(confirmBaseUrl: string, token: string): string {
  const url = new URL(unsubscribeLink(confirmBaseUrl, token));
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error('the confirm base URL must be an https URL (http only for the local stack)');
  return url.href;
}

export function listUnsubscribeHeaders(input: ListUnsubscribeInput): HeaderField[] {
  const token = unsubscribeToken(input.address, input.linkKey);
  const value = `<${oneClickUrl(input.confirmBaseUrl, token)}>, <${unsubscribeMailto(input.supportAddress)}>`;
  const headers: HeaderField[] = [
    { name: 'List-Unsubscribe', value },
    // RFC 8058 §3.1: exactly this value; it tells the receiver a POST of it unsubscribes.
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
  for (const header of headers) {
    if (
      !PRINTABLE_ASCII.test(header.value) ||
      header.value.length > MAX_SES_HEADER_VALUE_LENGTH ||
      header.name.length + 2 + header.value.length > MAX_HEADER_LINE_LENGTH
    )
      throw new Error(`${header.name} would not fit in one header line: shorten the confirm base URL`);
  }
  return headers;
}

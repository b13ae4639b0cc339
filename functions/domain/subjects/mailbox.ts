/**
 * The mailbox behind an address: sub-address tags removed (`ivan+promo@example.kg` and
 * `ivan+2@example.kg` reach the same person as `ivan@example.kg`, RFC 5233). Reply limits count per
 * mailbox, so nobody can multiply a victim's daily replies by inventing tags.
 */
const SUBADDRESS_SEPARATOR = '+';

/** Takes a normalised address (lower-case domain, valid local part); returns its mailbox address. */
export function canonicalMailbox(normalisedAddress: string): string {
  const at = normalisedAddress.lastIndexOf('@');
  if (at <= 0) return normalisedAddress;
  const local = normalisedAddress.slice(0, at);
  const tagStart = local.indexOf(SUBADDRESS_SEPARATOR);
  // A local part that is only a tag ("+x@") has no mailbox name to keep: leave it as it is.
  if (tagStart <= 0) return normalisedAddress;
  return `${local.slice(0, tagStart)}${normalisedAddress.slice(at)}`;
}

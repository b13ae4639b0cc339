/**
 * Strict validation of the sender (From) of an inbound request.
 *
 * makul acts on personal data in the name of whoever the From address says. Address syntax is where
 * mail parsers disagree (RFC 5322 comments, quoted local parts, groups, encoded-words), and every
 * disagreement is a way to make one component read a different address than another. So only the
 * plain shape every mail client produces is accepted: one `local@domain`, optionally behind a display
 * name in angle brackets. Anything else is rejected with a stable reason and goes to a human.
 */
import { domainToASCII } from 'node:url';

export type SenderRejection =
  | 'no-from'
  | 'several-from'
  | 'group-syntax'
  | 'quoted-local-part'
  | 'comment'
  | 'encoded-word'
  | 'ip-literal'
  | 'malformed-address';

export type SenderCheck =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly reason: SenderRejection };

/** RFC 5321 §4.5.3.1.1: a local part is at most 64 octets. */
const MAX_LOCAL_PART_LENGTH = 64;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the two angle brackets. */
const MAX_ADDRESS_LENGTH = 254;
/** RFC 1035 §2.3.4: a domain name is at most 253 characters in text form, a label at most 63. */
const MAX_DOMAIN_LENGTH = 253;

/** RFC 5322 dot-atom of atext. ASCII only: SES refuses to send to a non-ASCII local part. */
const DOT_ATOM_LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** A host name label (letters, digits, inner hyphens); punycode labels (xn--) fit this too. */
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * A From header longer than this is not what a person's mail client writes (a long encoded display
 * name and an address fit in a few hundred characters); the cap also bounds the scanning below.
 */
const MAX_FROM_VALUE_LENGTH = 4096;
/**
 * An RFC 2047 encoded-word at a given position (sticky). RFC 2047 caps a word at 75 characters;
 * the looser bounds tolerate sloppy encoders while keeping each match attempt short.
 */
const ENCODED_WORD = /=\?[^?\s]{1,64}\?[bBqQ]\?[^?\s]{0,1024}\?=/y;

const rejected = (reason: SenderRejection): SenderCheck => ({ ok: false, reason });

/**
 * Exactly one strictly valid address from the raw From header value(s) (raw: unfolded, not decoded).
 * The domain comes back lower-cased, in its ASCII (punycode) form for IDN domains, because that is the
 * form SES sends to; the local part is kept as written.
 */
export function checkSender(fromHeaderValues: readonly string[]): SenderCheck {
  const present = fromHeaderValues.filter((value) => value.trim() !== '');
  // Several From headers: components that read "the" From header would each pick a different one.
  if (present.length > 1) return rejected('several-from');
  const [value] = present;
  if (value === undefined) return rejected('no-from');
  if (value.length > MAX_FROM_VALUE_LENGTH || hasControlCharacter(value))
    return rejected('malformed-address');

  const angle = findAngleAddress(value);
  if (angle === 'unterminated-quote') return rejected('malformed-address');
  if (angle === null) return checkBareAddress(value.trim());
  return checkAngleAddress(angle);
}

/**
 * The normalised address used for keys and comparisons: trimmed, NFC, whole address lower-cased, and
 * an IDN domain in its ASCII form, so `ivan@пример.рф` and `ivan@xn--e1afmkfd.xn--p1ai` are one
 * person. Never throws: it is also applied to addresses from other systems (the status API).
 */
export function normaliseAddress(address: string): string {
  const folded = address.trim().normalize('NFC').toLowerCase().normalize('NFC');
  const at = folded.lastIndexOf('@');
  if (at < 0) return folded;
  return `${folded.slice(0, at)}@${asciiDomain(folded.slice(at + 1)) ?? folded.slice(at + 1)}`;
}

interface AngleAddress {
  readonly displayName: string;
  readonly inner: string;
  /** Text after the closing bracket, or null when the bracket is never closed. */
  readonly trailing: string | null;
}

/**
 * Finds the first `<` outside quoted strings and encoded-words and splits the value around it.
 * Returns null for the bare `local@domain` form.
 */
function findAngleAddress(value: string): AngleAddress | null | 'unterminated-quote' {
  let index = 0;
  while (index < value.length) {
    const char = value[index];
    if (char === '"') {
      const end = endOfQuotedString(value, index);
      if (end < 0) return 'unterminated-quote';
      index = end + 1;
    } else if (char === '=' && encodedWordLength(value, index) > 0) {
      index += encodedWordLength(value, index);
    } else if (char === '<') {
      const close = value.indexOf('>', index + 1);
      return {
        displayName: value.slice(0, index),
        inner: close < 0 ? value.slice(index + 1) : value.slice(index + 1, close),
        trailing: close < 0 ? null : value.slice(close + 1),
      };
    } else {
      index += 1;
    }
  }
  return null;
}

/** Length of the encoded-word starting at `index`, or 0 when none starts there. */
function encodedWordLength(value: string, index: number): number {
  ENCODED_WORD.lastIndex = index;
  return ENCODED_WORD.exec(value)?.[0].length ?? 0;
}

/** Control characters (tab aside) have no place in a From header; they hint at header injection. */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** Index of the closing quote of the quoted string opening at `start`, honouring backslash escapes; -1 if none. */
function endOfQuotedString(value: string, start: number): number {
  for (let index = start + 1; index < value.length; index += 1) {
    if (value[index] === '\\') index += 1;
    else if (value[index] === '"') return index;
  }
  return -1;
}

function checkBareAddress(address: string): SenderCheck {
  if (address.includes('"')) return rejected('quoted-local-part');
  if (address.includes('(') || address.includes(')')) return rejected('comment');
  if (address.includes(',')) return rejected('several-from');
  if (address.includes(':') || address.includes(';')) return rejected('group-syntax');
  if (address.includes('=?')) return rejected('encoded-word');
  return checkAddressSpec(address);
}

function checkAngleAddress({ displayName, inner, trailing }: AngleAddress): SenderCheck {
  // The address itself first: its defects are the ones worth naming.
  if (inner.includes('"')) return rejected('quoted-local-part');
  if (inner.includes('(') || inner.includes(')')) return rejected('comment');
  // `=?` is legal atext, but no real address contains it; an encoded-word here means the address a
  // decoder shows is not the one SMTP uses.
  if (inner.includes('=?')) return rejected('encoded-word');
  if (trailing === null || inner.includes('<')) return rejected('malformed-address');

  const displayProblem = checkDisplayName(displayName);
  if (displayProblem !== null) return rejected(displayProblem);

  const rest = trailing.trim();
  if (rest !== '') {
    if (rest.includes(',') || rest.includes('@')) return rejected('several-from');
    if (rest.startsWith('(')) return rejected('comment');
    return rejected('malformed-address');
  }
  // Route syntax (`<@relay:user@host>`) and lists inside the brackets are obsolete or hostile.
  if (/[,:;]/.test(inner)) return rejected('malformed-address');
  return checkAddressSpec(inner.trim());
}

/**
 * A display name may be plain words, quoted strings or encoded-words (its text is never used), but
 * structure outside quotes means something else: a comma is a second address, a colon a group, a
 * parenthesis a comment, an `@` an unquoted address posing as a name.
 */
function checkDisplayName(displayName: string): SenderRejection | null {
  let index = 0;
  while (index < displayName.length) {
    const char = displayName[index];
    if (char === '"') {
      const end = endOfQuotedString(displayName, index);
      if (end < 0) return 'malformed-address';
      index = end + 1;
      continue;
    }
    if (char === '=' && encodedWordLength(displayName, index) > 0) {
      index += encodedWordLength(displayName, index);
      continue;
    }
    if (char === ',') return 'several-from';
    if (char === ':' || char === ';') return 'group-syntax';
    if (char === '(' || char === ')') return 'comment';
    if (char === '@' || char === '>' || char === '\\') return 'malformed-address';
    index += 1;
  }
  return null;
}

/** `local@domain` with an ASCII dot-atom local part and a host name domain. */
function checkAddressSpec(address: string): SenderCheck {
  if (address.length > MAX_ADDRESS_LENGTH) return rejected('malformed-address');
  const at = address.indexOf('@');
  if (at < 0 || at !== address.lastIndexOf('@')) return rejected('malformed-address');
  const localPart = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (localPart.length > MAX_LOCAL_PART_LENGTH || !DOT_ATOM_LOCAL_PART.test(localPart)) {
    return rejected('malformed-address');
  }
  // An address literal bypasses DNS (and so SPF/DKIM/DMARC of a domain); no person writes from one.
  if (domain.startsWith('[')) return rejected('ip-literal');
  const ascii = asciiDomain(domain);
  if (ascii === null) return rejected('malformed-address');
  if (/^[0-9.]+$/.test(ascii)) return rejected('ip-literal');
  if (!isHostName(ascii)) return rejected('malformed-address');
  return { ok: true, address: `${localPart}@${ascii}` };
}

/** Lower-cased ASCII form of a domain (UTS #46 for non-ASCII), or null when it cannot be converted. */
function asciiDomain(domain: string): string | null {
  if (/^[\x20-\x7e]*$/.test(domain)) return domain.toLowerCase();
  const converted = domainToASCII(domain.normalize('NFC'));
  return converted === '' ? null : converted;
}

function isHostName(domain: string): boolean {
  if (domain.length > MAX_DOMAIN_LENGTH) return false;
  const labels = domain.split('.');
  // A dotless name (`user@localhost`) is local to some network, never a sender on the Internet.
  if (labels.length < 2) return false;
  const topLevel = labels[labels.length - 1] ?? '';
  return labels.every((label) => DOMAIN_LABEL.test(label)) && !/^[0-9]+$/.test(topLevel);
}

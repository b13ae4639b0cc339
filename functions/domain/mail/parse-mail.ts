/**
 * Raw MIME → ParsedMail. Pure: no I/O, no logging (the message is personal data).
 *
 * postal-mime does the MIME work (charsets, base64, quoted-printable, RFC 2047 encoded-words); this
 * module fixes the shape the pipeline needs, fills the gaps (plain text from HTML-only mail, subjects
 * written in raw 8-bit KOI8-R or Windows-1251) and makes sure malformed mail never throws.
 */
import PostalMime, { decodeWords, type Email, type PostalMimeOptions } from 'postal-mime';
import type { MailHeader, ParsedMail } from './inbound-mail';
import { MAX_HEADER_BYTES } from './mime-limits';

/**
 * postal-mime's limits bound depth, not breadth, so the caller caps the message size and checks
 * ./mime-limits.ts (header bytes and fields, encoded-words, parts) before parsing. These limits are
 * set for the mail people write, not to the library's generous defaults.
 */
const PARSER_OPTIONS: PostalMimeOptions = {
  // Mail clients nest a handful of levels (mixed > alternative > related); 32 leaves room for odd
  // software and still stops a nesting bomb long before it costs anything.
  maxNestingDepth: 32,
  // The bound the caller checks before parsing (./mime-limits.ts), set here too so that postal-mime
  // never reads more header bytes whoever calls it.
  maxHeadersSize: MAX_HEADER_BYTES,
  // An attached or forwarded message is not what the person wrote to us: keep it out of `text`
  // (a forwarded request must not act twice) and spawn no sub-parser for it.
  forceRfc822Attachments: true,
};

/** Message ids keep their angle brackets; ASCII printable inside, no brackets, at most one line long. */
const MESSAGE_ID = /<[\x21-\x3b\x3d\x3f-\x7e]{1,986}>/g;
/**
 * References can grow with every reply. Like mail clients do, keep the first id (the thread root)
 * and the newest ones; that is all a reply needs to thread correctly.
 */
const MAX_REFERENCES = 20;

/**
 * Parses a raw message with postal-mime. Never throws for malformed mail: returns what could be read
 * (the caller enforces the size cap and the limits of ./mime-limits.ts BEFORE calling: postal-mime
 * can take seconds on a message over them).
 */
export async function parseMail(raw: Uint8Array): Promise<ParsedMail> {
  const email = await parseLeniently(raw);
  const headers: MailHeader[] = email.headers.map((header) => ({
    key: header.key,
    // Unfolding removes the line breaks; a stray CR or LF left behind must never reach a header
    // we write back (In-Reply-To, References) or a log line.
    value: header.value.replace(/[\r\n]/g, ''),
  }));
  const firstValue = (name: string): string | undefined =>
    headers.find((header) => header.key === name)?.value;

  return {
    messageId: firstMessageId(firstValue('message-id') ?? ''),
    subject: decodeSubject(email, raw, firstValue('content-type') ?? ''),
    text: email.text ?? (email.html === undefined ? '' : htmlToText(email.html)),
    headers,
    references: referencesOf(firstValue('references') ?? ''),
    sizeBytes: raw.byteLength,
  };
}

/** Header lookups (case-insensitive name), for the guard and the CLI. Values in message order. */
export function headerValues(mail: ParsedMail, name: string): string[] {
  const key = name.toLowerCase();
  return mail.headers.filter((header) => header.key === key).map((header) => header.value);
}

/**
 * postal-mime rejects a message that exceeds its limits. The top-level headers (From, Auto-Submitted,
 * Subject) still decide what happens to it, so parse those alone; if even that fails, return an
 * empty message rather than throw.
 */
async function parseLeniently(raw: Uint8Array): Promise<Email> {
  try {
    return await PostalMime.parse(raw, PARSER_OPTIONS);
  } catch {
    const headerBlock = raw.subarray(0, Math.min(headerBlockEnd(raw), MAX_HEADER_BYTES));
    try {
      return await PostalMime.parse(headerBlock, PARSER_OPTIONS);
    } catch {
      return { headers: [], headerLines: [], attachments: [] };
    }
  }
}

/** Offset just past the blank line that ends the top-level header block, or the length when none. */
function headerBlockEnd(raw: Uint8Array): number {
  const LF = 0x0a;
  const CR = 0x0d;
  for (let index = raw.indexOf(LF); index >= 0; index = raw.indexOf(LF, index + 1)) {
    if (raw[index + 1] === LF) return index + 2;
    if (raw[index + 1] === CR && raw[index + 2] === LF) return index + 3;
  }
  return raw.byteLength;
}

function firstMessageId(value: string): string | null {
  MESSAGE_ID.lastIndex = 0;
  return MESSAGE_ID.exec(value)?.[0] ?? null;
}

/** The message ids of a References header, space-separated (safe to write back), or null when none. */
function referencesOf(value: string): string | null {
  const ids = value.match(MESSAGE_ID) ?? [];
  if (ids.length === 0) return null;
  const kept = ids.length <= MAX_REFERENCES ? ids : [...ids.slice(0, 1), ...ids.slice(-(MAX_REFERENCES - 1))];
  return kept.join(' ');
}

/**
 * The decoded subject. Encoded-words are postal-mime's job; what it cannot know is the charset of a
 * subject written as raw 8-bit bytes (older Russian clients send KOI8-R or Windows-1251 that way).
 * Such bytes come out of UTF-8 decoding as U+FFFD; then the header block is decoded again in the
 * charset the message declares for itself.
 */
function decodeSubject(email: Email, raw: Uint8Array, contentType: string): string {
  const subject = email.subject ?? '';
  if (!subject.includes('\uFFFD')) return subject;
  const charset = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})/i.exec(contentType)?.[1];
  if (charset === undefined || /^(?:utf-?8|us-ascii)$/i.test(charset)) return subject;
  return subjectInCharset(raw.subarray(0, headerBlockEnd(raw)), charset) ?? subject;
}

function subjectInCharset(headerBlock: Uint8Array, charset: string): string | null {
  let decoded: string;
  try {
    decoded = new TextDecoder(charset).decode(headerBlock);
  } catch {
    return null; // A label TextDecoder does not know: keep what postal-mime read.
  }
  const unfolded = decoded.replace(/\r?\n(?=[ \t])/g, '');
  const rawSubject = /^subject[ \t]*:[ \t]*(.*)$/im.exec(unfolded)?.[1];
  return rawSubject === undefined ? null : decodeWords(rawSubject.trim());
}

/** Elements whose content is not text a reader sees. */
const INVISIBLE_ELEMENTS: ReadonlySet<string> = new Set(['script', 'style', 'head', 'title', 'template']);
/** Elements that start a new line when rendered. */
const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  'address',
  'article',
  'blockquote',
  'br',
  'div',
  'dd',
  'dl',
  'dt',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);
const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', ' '],
  ['laquo', '«'],
  ['raquo', '»'],
  ['ndash', '–'],
  ['mdash', '—'],
  ['hellip', '…'],
]);

/**
 * Plain text from HTML, for mail that has no text/plain part: tags dropped, block elements as line
 * breaks, entities decoded. A simple scan (linear in the input, no backtracking regex), enough for
 * the classifier and a human reader; it renders nothing and runs no script.
 */
function htmlToText(html: string): string {
  const pieces: string[] = [];
  let index = 0;
  while (index < html.length) {
    const open = html.indexOf('<', index);
    if (open < 0) {
      pieces.push(collapseWhitespace(html.slice(index)));
      break;
    }
    pieces.push(collapseWhitespace(html.slice(index, open)));
    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open + 4);
      index = end < 0 ? html.length : end + 3;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close < 0) break; // An unterminated tag: what follows is not text.
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9]{0,15})/.exec(html.slice(open, Math.min(close, open + 18)));
    const name = tag?.[2]?.toLowerCase() ?? '';
    index = close + 1;
    if (tag?.[1] === '' && INVISIBLE_ELEMENTS.has(name)) {
      const endTag = new RegExp(`</${name}\\s*>`, 'gi');
      endTag.lastIndex = index;
      index = endTag.exec(html) === null ? html.length : endTag.lastIndex;
    } else if (BLOCK_ELEMENTS.has(name)) {
      pieces.push('\n');
    }
  }
  return decodeEntities(pieces.join(''))
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** HTML source whitespace (line breaks included) renders as one space. */
function collapseWhitespace(text: string): string {
  return text.replace(/[ \t\r\n\f]+/g, ' ');
}

function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (entity, body: string) => {
    if (!body.startsWith('#')) return NAMED_ENTITIES.get(body.toLowerCase()) ?? entity;
    const codePoint =
      body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
    return valid ? String.fromCodePoint(codePoint) : '\uFFFD';
  });
}

/**
 * The bounds a message must keep before postal-mime may parse it. Pure: no I/O, no logging.
 *
 * postal-mime's own limits bound nesting depth and header bytes, not breadth, and some of its work
 * grows faster than the input: joining adjacent encoded-words re-scans the joined text on every join
 * (20,000 words in one Subject ≈ 13 s), and every MIME part costs a node, a decoder and its buffers
 * (12,000 tiny parts ≈ 1.5 s and 50 MB). One such message would time out its batch on every retry.
 * So one linear pass over the bytes postal-mime will see counts what makes it slow, and a message over
 * a limit is not parsed: it goes to review as `too-complex:<limit>`, read by a person, never lost.
 *
 * The pass follows the MIME structure the way postal-mime reads it (lines end at LF, a header section
 * ends at an empty line, a part starts at a `--boundary` line of a declared boundary), so that what it
 * counts is what postal-mime would do. When a boundary is declared in a form it does not read
 * (comments, escapes, RFC 2231 sections), every `--` line counts as a part: more, never fewer.
 */

/** Which bound a message broke; the review reason is `too-complex:<this>`. */
export type MimeLimit = 'header-bytes' | 'header-fields' | 'encoded-words' | 'parts';

/**
 * Bytes of header lines, of the message and all its parts together (counted as postal-mime counts
 * them, without line ends). Real mail with long DKIM/ARC chains, a long To list and many attachments
 * stays under 100 KiB. Address and header parsing are linear but not cheap (a 500 KB To list takes
 * ~300 ms), and a header section larger than this cannot be what a person wrote.
 */
export const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Header fields, of the message and all its parts together. A message has a few dozen (a long trace
 * of Received and ARC fields, a hundred), each part a handful: 500 parts with four each and a long
 * trace stay near 2,500. Every field costs postal-mime and the guard a few microseconds whatever its
 * size, so 50,000 one-byte fields within the byte limit would cost a quarter of a second.
 */
export const MAX_HEADER_FIELDS = 5000;

/**
 * RFC 2047 encoded-words in all header fields together. A subject needs a few dozen, a To list of
 * named recipients a few hundred. postal-mime's joining of adjacent words is quadratic; 1,000 words
 * in one field cost ~15 ms, 20,000 cost seconds.
 */
export const MAX_ENCODED_WORDS = 1000;

/**
 * MIME parts (body parts after a boundary line, at any depth). Mail people write has a handful, a
 * message with a hundred photos a hundred; each part costs postal-mime a node and its buffers.
 */
export const MAX_MIME_PARTS = 500;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const EQUALS = 0x3d;
const QUESTION = 0x3f;
const CONTENT_TYPE = 'content-type';

/** The grammar postal-mime uses to find encoded-words (a fold inside a word is unfolded first). */
const ENCODED_WORD = /=\?[^?\s]+\?[QqBb]\?[^?]*\?=/g;

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** A boundary parameter in a form this scan does not read exactly. */
const UNREADABLE = Symbol('unreadable boundary');

/** What the scan counted; the counts stop where the first limit broke. */
export interface MimeMeasure {
  /** Bytes of header lines (the message's and its parts'), without line ends. */
  readonly headerBytes: number;
  readonly headerFields: number;
  readonly encodedWords: number;
  /** Parts after a boundary line, at any depth (the message itself not counted). */
  readonly parts: number;
  /** The first limit the message breaks, or null when it keeps them all. */
  readonly exceeded: MimeLimit | null;
}

/**
 * Measures a message against the limits, in one pass that stops at the first limit broken: each byte
 * is looked at a bounded number of times, and only the header fields that may hold an encoded-word or
 * name the Content-Type are decoded to text, once each.
 */
export function measureMime(raw: Uint8Array): MimeMeasure {
  /** Boundaries declared so far (never forgotten: more lines count as delimiters, never fewer). */
  const boundaries = new Boundaries();
  /** A boundary was declared in a form not read exactly: every `--` line may start a part. */
  let anyDashLineMayDelimit = false;

  let headerBytes = 0;
  let headerFields = 0;
  let encodedWords = 0;
  let parts = 0;

  // The header section being read: its first Content-Type, and its current field as a span of the
  // input (its lines and the line ends between them). Only a field that may hold an encoded-word or
  // be the Content-Type is decoded to text; the others are counted as bytes and left alone.
  let inHeaders = true;
  let contentType: string | null = null;
  let fieldStart = -1;
  let fieldEnd = -1;
  let fieldNeedsText = false;

  /** Ends the current field: counts its encoded-words, keeps the section's first Content-Type. */
  const endField = (): boolean => {
    if (fieldStart < 0) return true;
    const needsText = fieldNeedsText;
    const text = needsText ? unfold(utf8.decode(raw.subarray(fieldStart, fieldEnd))) : '';
    fieldStart = -1;
    fieldNeedsText = false;
    if (!needsText) return true;
    encodedWords += text.match(ENCODED_WORD)?.length ?? 0;
    if (contentType === null) {
      const colon = text.indexOf(':');
      if (colon > 0 && trimWsp(text.slice(0, colon)).toLowerCase() === 'content-type') {
        contentType = text.slice(colon + 1);
      }
    }
    return encodedWords <= MAX_ENCODED_WORDS;
  };
  /** Ends the header section: registers the boundary its Content-Type declares. */
  const endSection = (): boolean => {
    const withinLimit = endField();
    if (contentType !== null) {
      const boundary = boundaryOf(contentType);
      if (boundary === UNREADABLE) anyDashLineMayDelimit = true;
      else if (boundary !== null) boundaries.add(boundary);
    }
    contentType = null;
    inHeaders = false;
    return withinLimit;
  };

  const measure = (exceeded: MimeLimit | null): MimeMeasure => ({
    headerBytes,
    headerFields,
    encodedWords,
    parts,
    exceeded,
  });

  for (let start = 0; start < raw.byteLength; ) {
    const lineFeed = raw.indexOf(LF, start);
    const next = lineFeed < 0 ? raw.byteLength : lineFeed + 1;
    // postal-mime drops the CRs (and the LF) that end a line.
    let end = lineFeed < 0 ? raw.byteLength : lineFeed;
    while (end > start && raw[end - 1] === CR) end -= 1;

    // A boundary line is one in any state, as in postal-mime (it checks before the part sees the line).
    const delimiter =
      end - start > 2 && raw[start] === DASH && raw[start + 1] === DASH
        ? delimiterKind(raw.subarray(start + 2, end), boundaries, anyDashLineMayDelimit)
        : null;
    if (delimiter !== null) {
      if (inHeaders) {
        // Counted as a header field too: the boundary may be one postal-mime no longer (or never)
        // has, and then the line is a header line to it.
        headerBytes += end - start;
        headerFields += 1;
        if (headerBytes > MAX_HEADER_BYTES) return measure('header-bytes');
        if (headerFields > MAX_HEADER_FIELDS) return measure('header-fields');
        if (!endSection()) return measure('encoded-words');
        // After a closing line postal-mime reads the parent's body; the lines that follow are still
        // counted as header lines here, in case that boundary was no longer postal-mime's.
        inHeaders = true;
      }
      if (delimiter === 'part') {
        parts += 1;
        if (parts > MAX_MIME_PARTS) return measure('parts');
        inHeaders = true;
      }
    } else if (inHeaders) {
      if (end === start) {
        if (!endSection()) return measure('encoded-words');
      } else {
        headerBytes += end - start;
        if (headerBytes > MAX_HEADER_BYTES) return measure('header-bytes');
        const continues = raw[start] === SPACE || raw[start] === TAB;
        if (!continues || fieldStart < 0) {
          if (!endField()) return measure('encoded-words');
          headerFields += 1;
          if (headerFields > MAX_HEADER_FIELDS) return measure('header-fields');
          fieldStart = start;
          fieldNeedsText = contentType === null && mayBeContentType(raw, start, end);
        }
        fieldEnd = end;
        if (!fieldNeedsText && holdsWordStart(raw, start, end)) fieldNeedsText = true;
      }
    }
    start = next;
  }
  if (inHeaders && !endSection()) return measure('encoded-words');
  return measure(null);
}

/**
 * Whether the first line of a field may name the Content-Type: its name is `content-type` (any case,
 * spaces around it), or the line has no `:` and its name may go on in the next line.
 */
function mayBeContentType(raw: Uint8Array, start: number, end: number): boolean {
  let colon = start;
  while (colon < end && raw[colon] !== COLON) colon += 1;
  if (colon === end) return true;
  let from = start;
  let to = colon;
  while (from < to && (raw[from] === SPACE || raw[from] === TAB)) from += 1;
  while (to > from && (raw[to - 1] === SPACE || raw[to - 1] === TAB)) to -= 1;
  if (to - from !== CONTENT_TYPE.length) return false;
  for (let index = 0; index < CONTENT_TYPE.length; index++) {
    // Bit 0x20 set compares ASCII letters in lower case (a few other bytes pass too: this only
    // picks the fields to read as text, where the name is compared exactly).
    const byte = raw[from + index] as number;
    if ((byte | 0x20) !== (CONTENT_TYPE.charCodeAt(index) | 0x20)) return false;
  }
  return true;
}

/** Whether a line holds `=?`, the start of an encoded-word. */
function holdsWordStart(raw: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end - 1; index++) {
    if (raw[index] === EQUALS && raw[index + 1] === QUESTION) return true;
  }
  return false;
}

/** Unfolds a field as postal-mime does: the line ends (LF and the CRs before it) go, the rest stays. */
function unfold(text: string): string {
  if (!text.includes('\n')) return text;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length - 1; index++) {
    const line = lines[index] as string;
    let end = line.length;
    while (end > 0 && line.charCodeAt(end - 1) === CR) end -= 1;
    lines[index] = line.slice(0, end);
  }
  return lines.join('');
}

/**
 * Whether a line that starts with `--` (given without the dashes) opens a part, closes a multipart,
 * or is text. postal-mime: the boundary, then `--` for the closing one, then only spaces and tabs.
 * Trailing spaces are cut from both sides of the comparison (see boundaryOf).
 */
function delimiterKind(
  afterDashes: Uint8Array,
  boundaries: Boundaries,
  anyDashLineMayDelimit: boolean,
): 'part' | 'close' | null {
  // Without the boundary, even `--x--` may open a part (when the boundary is `x--`): count it.
  if (anyDashLineMayDelimit) return 'part';
  if (boundaries.keys.size === 0) return null;
  const end = endWithoutWsp(afterDashes, afterDashes.byteLength);
  if (boundaries.has(afterDashes.subarray(0, end))) return 'part';
  const closes = end >= 2 && afterDashes[end - 1] === DASH && afterDashes[end - 2] === DASH;
  if (!closes) return null;
  return boundaries.has(afterDashes.subarray(0, endWithoutWsp(afterDashes, end - 2))) ? 'close' : null;
}

/** Declared boundaries, compared as bytes (one character per byte), with their lengths to skip most lines cheaply. */
class Boundaries {
  readonly keys = new Set<string>();
  private readonly lengths = new Set<number>();

  add(bytes: Uint8Array): void {
    this.keys.add(bytesAsKey(bytes));
    this.lengths.add(bytes.byteLength);
  }

  has(bytes: Uint8Array): boolean {
    return this.lengths.has(bytes.byteLength) && this.keys.has(bytesAsKey(bytes));
  }
}

/** One character per byte: equal keys, equal bytes. */
function bytesAsKey(bytes: Uint8Array): string {
  let key = '';
  for (let from = 0; from < bytes.byteLength; from += 4096) {
    key += String.fromCharCode(...bytes.subarray(from, from + 4096));
  }
  return key;
}

function endWithoutWsp(bytes: Uint8Array, from: number): number {
  let end = from;
  while (end > 0 && (bytes[end - 1] === SPACE || bytes[end - 1] === TAB)) end -= 1;
  return end;
}

/** The type at the start of a Content-Type value, when nothing before it can hide another. */
const LEADING_TYPE = /^[ \t]*([^\s;"(\\]+)(?=[ \t;]|$)/;

/**
 * The boundary a Content-Type value declares, as postal-mime reads it (only a multipart type
 * registers one): null when none; UNREADABLE for the forms this scan does not follow exactly, which
 * are comments in a multipart value (they can hide anything, even inside the type) and RFC 2231
 * sections (`boundary*0=`). Real mail has neither: it goes to the conservative count, nothing worse.
 */
function boundaryOf(contentType: string): Uint8Array | null | typeof UNREADABLE {
  const value = contentType.replace(/[\r\n]+/g, ' ');
  const leadingType = LEADING_TYPE.exec(value)?.[1];
  if (leadingType !== undefined && !/^multipart\//i.test(leadingType)) return null;
  if (opensComment(value)) return UNREADABLE;
  const { type, params } = structuredValue(value);
  if (!/^multipart\//i.test(type)) return null;
  if ([...params.keys()].some((name) => name.startsWith('boundary*'))) return UNREADABLE;
  const boundary = params.get('boundary');
  // postal-mime registers a boundary only when it is not empty. Delimiters are compared as bytes;
  // trailing spaces are cut as on delimiter lines, where postal-mime allows them after the boundary.
  if (!boundary) return null;
  const bytes = utf8Encoder.encode(boundary);
  return bytes.subarray(0, endWithoutWsp(bytes, bytes.byteLength));
}

/**
 * postal-mime's reading of a structured header value without comments (its parseStructuredHeader):
 * the value before the first `;`, then `name=value` parameters, the first of a name winning. Quotes
 * and backslash escapes count only in values; text after a closing quote is dropped; spaces around a
 * value are dropped, spaces inside it kept.
 */
function structuredValue(text: string): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  let type = '';
  let key: string | null = null;
  let inKey = false;
  let value = '';
  let pendingSpace = '';
  let quote = false;
  let quoteClosed = false;
  let escaped = false;

  const take = (): string => {
    const taken = value;
    value = '';
    pendingSpace = '';
    quoteClosed = false;
    return taken;
  };
  const storeParam = (name: string, stored: string) => {
    if (!params.has(name)) params.set(name, stored);
  };
  const storeValue = () => {
    const stored = take();
    if (key === null) type = stored;
    else storeParam(key, stored);
  };
  const storeEmptyKey = () => {
    const name = take().trim();
    if (name) storeParam(name.toLowerCase(), '');
  };
  const addChar = (char: string) => {
    if (value.length > 0) value += pendingSpace;
    pendingSpace = '';
    value += char;
  };

  for (const char of text) {
    if (inKey) {
      if (char === '=') {
        key = take().trim().toLowerCase();
        inKey = false;
      } else if (char === ';') {
        storeEmptyKey();
      } else {
        value += char;
      }
      continue;
    }
    if (escaped) {
      addChar(char);
    } else if (quote && char === '\\') {
      escaped = true;
      continue;
    } else if (quote && char === '"') {
      quote = false;
      quoteClosed = true;
    } else if (!quote && char === '"') {
      quote = true;
      if (value.length > 0) value += pendingSpace;
      pendingSpace = '';
    } else if (!quote && char === ';') {
      storeValue();
      inKey = true;
    } else if (!quote && (char === ' ' || char === '\t')) {
      pendingSpace += char;
    } else if (!quoteClosed) {
      addChar(char);
    }
    escaped = false;
  }
  if (inKey) storeEmptyKey();
  else storeValue();
  return { type: type.toLowerCase(), params };
}

/** Whether a `(` appears outside a quoted string (a `\` escapes the next character), as postal-mime sees comments. */
function opensComment(value: string): boolean {
  let inQuote = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '\\') index += 1;
    else if (char === '"') inQuote = !inQuote;
    else if (char === '(' && !inQuote) return true;
  }
  return false;
}

/** Trims spaces and tabs only (RFC 5322 WSP), as postal-mime does. */
function trimWsp(text: string): string {
  let from = 0;
  let to = text.length;
  while (from < to && (text[from] === ' ' || text[from] === '\t')) from += 1;
  while (to > from && (text[to - 1] === ' ' || text[to - 1] === '\t')) to -= 1;
  return text.slice(from, to);
}

/**
 * The body line a tag may stand on (rule 5 of ./classify-request.ts), used when the subject yields
 * nothing: the person's own first line, or the line after a greeting, never quoted reply text, and only
 * when that line is the request itself.
 */
import { findRequestLineTag, findTag } from './match-tag';
import { normaliseSubject } from './normalise-subject';

/** The first unquoted body line is near the top; a huge quoted history is not scanned past this. */
const MAX_BODY_SCAN_CHARS = 64 * 1024;

const BLANK_LINE = /^[\s\p{Cf}]*$/u;
const QUOTED_LINE = /^[\s\p{Cf}]*>/u;

/**
 * A greeting on a line of its own ("Здравствуйте!", "Hi team,") often stands before the request, so a
 * first line this short does not end the search: the line after it is read too.
 */
const GREETING_LINE_MAX_WORDS = 3;

/**
 * The body line that is a request, as a list of at most one line: the first line that is neither blank
 * nor quoted reply text, or the next such line when the first is short enough to be a greeting. A line
 * counts only when it is the request itself (./match-tag.ts findRequestLineTag): a newsletter puts
 * "Unsubscribe | View in browser" on its first line, and that is no request. A first line that carries
 * a tag without being the request is no greeting either, so the search ends there.
 */
export function ownBodyLines(body: string): string[] {
  const scanned = body.length > MAX_BODY_SCAN_CHARS ? body.slice(0, MAX_BODY_SCAN_CHARS) : body;
  let ownLinesSeen = 0;
  let lineStart = 0;
  while (lineStart <= scanned.length) {
    let lineEnd = scanned.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = scanned.length;
    const line = scanned.slice(lineStart, lineEnd);
    if (!BLANK_LINE.test(line) && !QUOTED_LINE.test(line)) {
      const normalised = normaliseSubject(line);
      if (findRequestLineTag(normalised) !== null) return [line];
      ownLinesSeen += 1;
      const words = normalised.split(' ').length;
      if (ownLinesSeen === 2 || words > GREETING_LINE_MAX_WORDS || findTag(normalised) !== null) return [];
    }
    lineStart = lineEnd + 1;
  }
  return [];
}

/**
 * The lines of a body a tag may stand on (rule 5 of ./classify-request.ts), used when the subject yields
 * nothing: the person's own first line, or the line after a greeting, never quoted reply text.
 */
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
 * The lines a body tag may stand on: the first line that is neither blank nor quoted reply text, and
 * the next such line when the first is short enough to be a greeting.
 */
export function ownBodyLines(body: string): string[] {
  const scanned = body.length > MAX_BODY_SCAN_CHARS ? body.slice(0, MAX_BODY_SCAN_CHARS) : body;
  const lines: string[] = [];
  let lineStart = 0;
  while (lineStart <= scanned.length) {
    let lineEnd = scanned.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = scanned.length;
    const line = scanned.slice(lineStart, lineEnd);
    if (!BLANK_LINE.test(line) && !QUOTED_LINE.test(line)) {
      lines.push(line);
      const words = normaliseSubject(line).split(' ').length;
      if (lines.length === 2 || words > GREETING_LINE_MAX_WORDS) return lines;
    }
    lineStart = lineEnd + 1;
  }
  return lines;
}

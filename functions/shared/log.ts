/**
 * Structured JSON logs for CloudWatch. Fields are ids, reasons, counts and keyed hashes only: the
 * types allow primitives, and error text is passed through `describeError`, which masks anything that
 * looks like an address. (The log group also has a data-protection policy; this is the first line.)
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(
  level: LogLevel = 'INFO',
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const emit = (at: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[at] < LEVELS[level]) return;
    write(JSON.stringify({ level: at, time: new Date().toISOString(), message, ...base, ...fields }));
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/** Error text kept in a log line. */
const MAX_ERROR_MESSAGE_CHARS = 300;
/**
 * Error text looked at, at most: an error can quote a whole message. Enough for the 300 kept even
 * when addresses before them shrink to `<address>` (an address is at most 320 characters).
 */
const MAX_ERROR_SCANNED_CHARS = 1024;
/**
 * A run of characters an address can be made of: everything but whitespace and the punctuation that
 * delimits addresses in headers and prose. A run holding an `@` between other characters is masked.
 */
const ADDRESS_RUN = /[^\s<>"'()[\],;:]+/g;
const RUN_SEPARATOR = /[\s<>"'()[\],;:]/;

/**
 * Every run that looks like an address (an `@` with characters on both sides) becomes `<address>`.
 * One pass over the text: each run is matched once, with no backtracking into it.
 */
export function maskAddresses(text: string): string {
  return text.replace(ADDRESS_RUN, (run) => {
    const at = run.indexOf('@', 1);
    return at > 0 && at < run.length - 1 ? '<address>' : run;
  });
}

/** Error name and a bounded, address-masked message: safe to log. */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  // Cut first, so the work is bounded whatever the size of the error; then mask; then cut to size
  // (masking can lengthen a short address).
  return { errorName: name, errorMessage: maskAddresses(head(message)).slice(0, MAX_ERROR_MESSAGE_CHARS) };
}

/**
 * The start of a long text, without the run the cut falls into: half an address (its local part,
 * before the `@`) would not look like one any more and would escape the mask.
 */
function head(text: string): string {
  if (text.length <= MAX_ERROR_SCANNED_CHARS) return text;
  let end = MAX_ERROR_SCANNED_CHARS;
  while (end > 0 && !RUN_SEPARATOR.test(text.charAt(end))) end -= 1;
  return text.slice(0, end);
}

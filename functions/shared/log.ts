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

const ADDRESS_LIKE = /[^\s<>"'()[\],;:]+@[^\s<>"'()[\],;:]+/g;

/** Error name and a bounded, address-masked message: safe to log. */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return { errorName: name, errorMessage: message.replace(ADDRESS_LIKE, '<address>').slice(0, 300) };
}

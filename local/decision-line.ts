/**
 * The line `npm start` prints for each handled message, from the fields of the handler's
 * "message handled" log line (functions/shared/sqs-batch.ts): the request id, what was decided and
 * why, and what was sent, in words a person follows. Ids and reasons only, never addresses.
 */
import type { LogFields } from '../functions/shared/log';

/** A field as printed: anything that looks like it carries an address is left out, whatever its source. */
function shown(value: LogFields[string], missing: string): string {
  if (value === undefined || value === null || value === '') return missing;
  const text = String(value);
  return text.includes('@') ? '[hidden]' : text;
}

/** What happened to the reply for each outcome of deliverOutbound (functions/app/deliver-outbound.ts). */
const REPLY_RESULT: ReadonlyMap<string, string> = new Map([
  ['sent', 'reply: sent'],
  ['already-done', 'reply: already handled by an earlier delivery'],
  [
    'deferred',
    'reply: deferred (a rate limit is reached; the deferred-outbound job sends it when the limit resets)',
  ],
  ['rate-limited', 'reply: not sent (daily reply limit for this person reached)'],
  ['in-doubt', 'reply: in doubt after an interrupted send, not sent again'],
]);

const FORWARD_RESULT: ReadonlyMap<string, string> = new Map([
  ['sent', 'forwarded to humans'],
  ['already-done', 'forward to humans: already handled by an earlier delivery'],
  [
    'deferred',
    'forward to humans: deferred (hourly limit reached; the deferred-outbound job sends it next hour)',
  ],
  ['rate-limited', 'forward to humans: not sent (rate limit)'],
  ['in-doubt', 'forward to humans: in doubt after an interrupted send, not sent again'],
]);

export function decisionLine(fields: LogFields | undefined): string {
  if (fields === undefined) return 'no decision logged';
  const request = `request ${shown(fields.requestId, '(no id)')}`;
  const reason = shown(fields.reason, 'no reason given');
  const result = shown(fields.outboundResult, 'unknown');
  if (fields.action === 'drop') return `${request} → dropped (${reason}): nothing sent`;
  const kind = shown(fields.kind, 'no request kind');
  const decided = `${request} → ${kind} → ${shown(fields.action, 'no decision')} (${reason})`;
  switch (fields.outbound) {
    case 'reply':
      return `${decided} → ${REPLY_RESULT.get(result) ?? `reply: ${result}`}`;
    case 'forward':
      return `${decided} → ${FORWARD_RESULT.get(result) ?? `forward to humans: ${result}`}`;
    case 'none':
      return `${decided} → nothing sent`;
    default:
      return `${decided} → ${shown(fields.outbound, 'outbound unknown')}: ${result}`;
  }
}

/** Words for what the fulfilment-tasks function did with a record (functions/app/make-fulfilment-tasks.ts). */
function fulfilmentText(fields: LogFields): string | null {
  switch (fields.outcome) {
    case 'tasks-created':
      return `${shown(fields.tasks, '?')} fulfilment task(s) made, one per data system concerned`;
    case 'published':
      return `task for ${shown(fields.system, '?')} published as an event to its queue`;
    default:
      // Tasks already made, none wanted, a system told by a person: nothing new to tell.
      return null;
  }
}

/**
 * The line `npm start` prints for a handler's log line that marks an event a person follows (a link's
 * page acted on, a one-click unsubscribe, tasks made for the operator's systems), or null for the
 * rest. Ids and outcomes only.
 */
export function eventLine(message: string, fields: LogFields): string | null {
  const request = `request ${shown(fields.requestId, '(no id)')}`;
  switch (message) {
    case 'page action':
      return `page: ${request} → ${shown(fields.outcome, 'done')}`;
    case 'one-click unsubscribe':
      return `one-click unsubscribe: ${request} → ${shown(fields.recorded, 'done')}`;
    case 'task answered':
      return `systems-api: ${request} → ${shown(fields.system, '?')} answered ${shown(fields.answer, '?')} (${shown(fields.result, '?')})`;
    case 'fulfilment record handled': {
      const text = fulfilmentText(fields);
      return text === null ? null : `fulfilment-tasks: ${request} → ${text}`;
    }
    default:
      return null;
  }
}

/**
 * `makul queue deferred|held|in-doubt|refused`: the entries of one ops list, in list order, from the register
 * (the requests table's sparse `ops-queue` index, read through DynamoDbRequestRegister.listOpsQueue):
 *
 *   deferred  replies and forwards waiting for a rate-limit window, by when they may go out; the
 *             deferred-outbound job sends them then
 *   held      requests held without effect or reply (spam verdict, DMARC failure), longest held first
 *   in-doubt  outbound messages that SES may or may not have taken, never sent again, oldest first
 *   refused   requests a data system refused its task for (app/answer-task.ts), oldest first
 *
 * Ids, kinds, reasons, states and times only: never an address (the register keeps the person's
 * address sealed, and this command does not print it even so).
 */
import type { OpsQueue, RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { type CliCommand, type CommandOutput, type ExitCode, UsageError } from './command';
import { CommandFailure, type OpsRegister, openOpsRegister } from './ops-register';
import { textTable } from './ops-text';

const QUEUES: readonly OpsQueue[] = ['deferred', 'held', 'in-doubt', 'refused'];
export const DEFAULT_QUEUE_LIMIT = 100;
const MAX_QUEUE_LIMIT = 10_000;

/** What each list holds, and what its time means. */
const QUEUE_SENSE: Readonly<Record<OpsQueue, { holds: string; at: string; atField: string }>> = {
  deferred: {
    holds: 'replies and forwards waiting for a rate-limit window (sent by the deferred-outbound job)',
    at: 'MAY GO OUT',
    atField: 'mayGoOutAt',
  },
  held: {
    holds: 'requests held without effect or reply (spam verdict, DMARC failure)',
    at: 'HELD SINCE',
    atField: 'since',
  },
  'in-doubt': {
    holds: 'messages SES may or may not have taken (never sent again)',
    at: 'IN DOUBT SINCE',
    atField: 'since',
  },
  refused: {
    holds: 'requests a data system refused its task for (the reason is in the audit trail)',
    at: 'REFUSED SINCE',
    atField: 'since',
  },
};

/** One entry as --json prints it: the register's fields that say what and when, nothing personal. */
export interface QueueEntry {
  readonly requestId: string;
  readonly kind: string | null;
  readonly reason: string;
  readonly status: string;
  readonly outbound: string;
  readonly outboundState: string;
  readonly receivedAt: string;
  readonly dueAt: string | null;
  /** deferred: when it may go out (or, once the job picked it up, when it is looked at again). */
  readonly mayGoOutAt?: string | null;
  /** held, in-doubt: since when it is on the list. */
  readonly since?: string | null;
}

/** The register's texts are ids and reasons by design; one that looks like an address is not printed anyway. */
function withoutAddress<T extends string | null>(text: T): T | '[hidden]' {
  return text?.includes('@') ? '[hidden]' : text;
}

export function queueEntry(queue: OpsQueue, request: RegisteredRequest): QueueEntry {
  return {
    requestId: request.requestId,
    kind: request.kind,
    reason: withoutAddress(request.reason),
    status: request.status,
    outbound: request.outbound,
    outboundState: request.outboundState,
    receivedAt: request.receivedAt,
    dueAt: request.dueAt,
    [QUEUE_SENSE[queue].atField]: request.opsQueueAt,
  };
}

/** `2026-11-20 08:00` (UTC): minutes are what ops act on. */
function minute(iso: string | null | undefined): string {
  if (!iso) return '-';
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16).replace('T', ' ')}`;
}

/** `in 3 h 12 min`, `due now`. */
function fromNow(iso: string | null | undefined, now: Date): string {
  if (!iso) return '';
  const minutes = Math.ceil((Date.parse(iso) - now.getTime()) / 60_000);
  if (Number.isNaN(minutes)) return '';
  if (minutes <= 0) return ' (due now)';
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? ` (in ${hours} h ${minutes % 60} min)` : ` (in ${minutes} min)`;
}

export function queueTable(queue: OpsQueue, entries: readonly QueueEntry[], now: Date): string {
  const header = [
    'REQUEST',
    'KIND',
    'REASON',
    'STATUS',
    'OUTBOUND',
    'RECEIVED',
    'DUE',
    QUEUE_SENSE[queue].at,
  ];
  const rows = entries.map((entry) => [
    entry.requestId,
    entry.kind ?? '-',
    entry.reason,
    entry.status,
    `${entry.outbound} ${entry.outboundState}`,
    minute(entry.receivedAt),
    minute(entry.dueAt),
    queue === 'deferred'
      ? `${minute(entry.mayGoOutAt)}${fromNow(entry.mayGoOutAt, now)}`
      : minute(entry.since),
  ]);
  return textTable(header, rows);
}

function parseLimit(text: string | boolean | undefined): number {
  if (text === undefined) return DEFAULT_QUEUE_LIMIT;
  const limit = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || limit < 1 || limit > MAX_QUEUE_LIMIT)
    throw new UsageError(
      `--limit must be a whole number from 1 to ${MAX_QUEUE_LIMIT}, got "${String(text)}"`,
    );
  return limit;
}

function parseQueue(positionals: readonly string[]): OpsQueue {
  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError(`name the list: ${QUEUES.join(', ')}`);
  if (rest.length > 0) throw new UsageError(`one list at a time (got ${positionals.join(', ')})`);
  const queue = QUEUES.find((candidate) => candidate === name);
  if (queue === undefined) throw new UsageError(`no list "${name}": the lists are ${QUEUES.join(', ')}`);
  return queue;
}

async function printQueue(
  queue: OpsQueue,
  limit: number,
  json: boolean,
  target: OpsRegister,
  output: CommandOutput,
): Promise<ExitCode> {
  let found: RegisteredRequest[];
  try {
    // One more than shown: whether there are more is worth saying.
    found = await target.register.listOpsQueue(queue, { limit: limit + 1 });
  } catch (error) {
    output.err(`makul queue: ${target.explain(error)}\n`);
    return 1;
  }
  const now = new Date();
  const more = found.length > limit;
  // The index's order (by the list's time); entries listed at the same moment by when they came in.
  const ordered = found
    .slice(0, limit)
    .sort(
      (a, b) =>
        (a.opsQueueAt ?? '').localeCompare(b.opsQueueAt ?? '') ||
        a.receivedAt.localeCompare(b.receivedAt) ||
        a.requestId.localeCompare(b.requestId),
    );
  const entries = ordered.map((request) => queueEntry(queue, request));
  if (json) {
    const document = {
      queue,
      operator: target.operator,
      source: target.source,
      count: entries.length,
      more,
      entries,
    };
    output.out(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  }
  const title = `${queue}: ${QUEUE_SENSE[queue].holds}\n(operator ${target.operator}, ${target.where}; times UTC)`;
  if (entries.length === 0) {
    output.out(`${title}\n\nNone.\n`);
    return 0;
  }
  const count = more
    ? `The first ${entries.length} shown; there are more (--limit N shows up to ${MAX_QUEUE_LIMIT}).`
    : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}.`;
  output.out(`${title}\n\n${queueTable(queue, entries, now)}\n\n${count}\n`);
  return 0;
}

export const queueCommand: CliCommand = {
  name: 'queue',
  synopsis:
    'makul queue deferred|held|in-doubt|refused [--local [--data-dir DIR] | --operator ID [--requests-table NAME]] [--json] [--limit N]',
  help: `Lists the entries of one ops list, in list order, never with an address:
  deferred   ${QUEUE_SENSE.deferred.holds};
             soonest to go out first
  held       ${QUEUE_SENSE.held.holds}; longest held first
  in-doubt   ${QUEUE_SENSE['in-doubt'].holds}; oldest first
  refused    ${QUEUE_SENSE.refused.holds}; oldest first

For each: request id, kind, reason, status, outbound message and its state, when it was received,
its legal due date, and when it may go out (deferred) or since when it is listed (held, in-doubt, refused).

  --local                the running local stack (npm start): the state file in its data folder says
                         where its DynamoDB Local listens
  --data-dir DIR         that stack's data folder (default: .local-stack in the project)
  --operator ID          the operator (default: the first in the operators file; with --local, the
                         stack's, which it must match); without --local its deployment in AWS, the
                         tables named by its stack Makul-ID, read in the operator's region with the
                         standard AWS credentials (environment, AWS_PROFILE, SSO, …)
  --requests-table NAME  without --local: this requests table instead of the stack output
  --config PATH          operators file (default: config/operators.json)
  --limit N              show at most N entries (default ${DEFAULT_QUEUE_LIMIT}, at most ${MAX_QUEUE_LIMIT})
  --json                 one JSON document: {queue, operator, source, count, more, entries: [{requestId,
                         kind, reason, status, outbound, outboundState, receivedAt, dueAt,
                         mayGoOutAt (deferred) | since (held, in-doubt)}]}

Exit codes: 0 listed (also when the list is empty), 1 the register could not be read, 2 usage.`,
  options: { limit: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const queue = parseQueue(positionals);
    const limit = parseLimit(options.limit);
    let target: OpsRegister;
    try {
      target = await openOpsRegister(global);
    } catch (error) {
      if (!(error instanceof CommandFailure)) throw error;
      output.err(`makul queue: ${error.message}\n`);
      return 1;
    }
    try {
      return await printQueue(queue, limit, global.json, target, output);
    } finally {
      target.close();
    }
  },
};

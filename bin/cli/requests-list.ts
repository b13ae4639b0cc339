/**
 * `makul requests list [--overdue] [--due-within N] [--kind K] [--status S]`: register requests by due
 * date, soonest first, from the requests table's `by-status-due` index (one Query per status, never a
 * Scan): by default the open ones (OPEN_STATUSES), with how each stands against its deadline in the
 * jurisdiction's working days. Ids, kinds, statuses and times only: never an address.
 */
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { REQUEST_KINDS, type RequestKind } from '../../functions/domain/requests/request-kinds';
import { isOpen, OPEN_STATUSES } from '../../functions/domain/requests/request-policies';
import { type CliCommand, type CommandOutput, UsageError } from './command';
import { DueCounter, MAX_DUE_WITHIN, uncoveredWarning } from './due-status';
import { withOpsRegister } from './ops-register';
import { clockOf, textTable, zonedMinute } from './ops-text';

type Status = RegisteredRequest['status'];

/** Every status a register entry can have (a Record, so a new status fails the type check here). */
const STATUS_NAMES: Readonly<Record<Status, true>> = {
  'awaiting-verification': true,
  'in-progress': true,
  'needs-human': true,
  held: true,
  completed: true,
  rejected: true,
  cancelled: true,
  dropped: true,
  duplicate: true,
};
export const ALL_STATUSES = Object.keys(STATUS_NAMES) as Status[];

export const DEFAULT_LIST_LIMIT = 200;
const MAX_LIST_LIMIT = 10_000;
/** With --kind the index cannot select: each status is read this far, and filtered. */
const MAX_READ_PER_STATUS = 10_000;
/** Progress on stderr once a listing has read this many entries, and every as many more. */
export const PROGRESS_EVERY = 1_000;

/** `1 000`: thousands apart, as the progress line prints them. */
function grouped(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Counts entries read and says so on stderr at every PROGRESS_EVERY: short listings print nothing. */
export function progressReporter(output: CommandOutput): (count: number) => void {
  let total = 0;
  return (count) => {
    const before = Math.floor(total / PROGRESS_EVERY);
    total += count;
    if (Math.floor(total / PROGRESS_EVERY) > before) output.err(`read ${grouped(total)} requests…\n`);
  };
}

function wholeNumber(
  value: string | boolean | undefined,
  option: string,
  min: number,
  max: number,
): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  return Number(value);
}

function parseStatus(value: string | boolean | undefined): Status | null {
  if (value === undefined) return null;
  const status = ALL_STATUSES.find((candidate) => candidate === value);
  if (status === undefined)
    throw new UsageError(`no status "${String(value)}": the statuses are ${ALL_STATUSES.join(', ')}`);
  return status;
}

function parseKind(value: string | boolean | undefined): RequestKind | null {
  if (value === undefined) return null;
  const kind = REQUEST_KINDS.find((candidate) => candidate === value);
  if (kind === undefined)
    throw new UsageError(`no kind "${String(value)}": the kinds are ${REQUEST_KINDS.join(', ')}`);
  return kind;
}

function closedText(request: RegisteredRequest, zone: string): string {
  if (request.closedAt) return `closed ${zonedMinute(request.closedAt, zone)}`;
  return request.status;
}

export const requestsListCommand: CliCommand = {
  name: 'requests list',
  synopsis:
    'makul requests list [--overdue | --due-within N] [--kind K] [--status S] [--limit N] [--local | --operator ID] [--json]',
  help: `Lists register requests by due date, soonest first: by default the open ones
(${OPEN_STATUSES.join(', ')}), each with how it stands against its deadline
("overdue by 3 days", "due in 2 working days", counted on the jurisdiction's official calendar).
Read from the requests table's by-status-due index, one query per status (no scan).

  --overdue        only those whose due time has passed
  --due-within N   only those due by the end of the N-th working day from today (0: today),
                   overdue ones included
  --kind K         only this kind (${REQUEST_KINDS.join(', ')})
  --status S       this status instead of the open ones (${ALL_STATUSES.join(', ')})
  --limit N        show at most N (default ${DEFAULT_LIST_LIMIT}, at most ${MAX_LIST_LIMIT})
  --local          the running local stack (npm start); otherwise the operator's deployment in AWS
  --json           one JSON document: {operator, source, jurisdiction, timeZone, now, filter, count,
                   more, warnings, requests: [{requestId, kind, status, receivedAt, dueAt,
                   originalDueAt, overdueDays, workingDaysLeft, standing}]}

Times are shown in the jurisdiction's time zone. A long listing says on stderr how far it has read.
Exit codes: 0 listed (also when none), 1 the register could not be read, 2 usage.`,
  options: {
    overdue: { type: 'boolean' },
    'due-within': { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    // Hidden: the clock, for tests.
    now: { type: 'string' },
  },
  async run({ positionals, options, global, output }) {
    if (positionals.length > 0)
      throw new UsageError(`requests list takes no arguments (got ${positionals.join(' ')})`);
    const overdue = options.overdue === true;
    const dueWithin = wholeNumber(options['due-within'], '--due-within', 0, MAX_DUE_WITHIN);
    if (overdue && dueWithin !== null) throw new UsageError('--overdue or --due-within, not both');
    const kind = parseKind(options.kind);
    const status = parseStatus(options.status);
    const limit = wholeNumber(options.limit, '--limit', 1, MAX_LIST_LIMIT) ?? DEFAULT_LIST_LIMIT;
    const now = clockOf(options.now, '--now');
    const statuses: readonly Status[] = status ? [status] : OPEN_STATUSES;

    return withOpsRegister('requests list', { global, output }, {}, async (target) => {
      const { jurisdiction } = target;
      const counter = new DueCounter(jurisdiction);
      const dueBefore = overdue ? now : dueWithin !== null ? counter.dueWithinEnd(dueWithin, now) : undefined;
      target.onItemsRead(progressReporter(output));
      const found: RegisteredRequest[] = [];
      for (const each of statuses) {
        const read = await target.register.requestsByStatus(each, {
          ...(dueBefore ? { dueBefore } : {}),
          // One more than shown tells whether there are more; a kind is filtered here, so read further.
          limit: kind ? MAX_READ_PER_STATUS : limit + 1,
        });
        found.push(...read.filter((request) => kind === null || request.kind === kind));
      }
      target.onItemsRead(null);
      found.sort(
        (a, b) =>
          (a.dueAt ?? '').localeCompare(b.dueAt ?? '') ||
          a.receivedAt.localeCompare(b.receivedAt) ||
          a.requestId.localeCompare(b.requestId),
      );
      const shown = found.slice(0, limit);
      const more = found.length > limit;
      const entries = shown.map((request) => {
        // A closed request has no deadline left to stand against.
        const standing = isOpen(request.status)
          ? counter.standing(request.dueAt, now)
          : { overdueDays: null, workingDaysLeft: null, text: closedText(request, jurisdiction.timeZone) };
        return {
          requestId: request.requestId,
          kind: request.kind,
          status: request.status,
          receivedAt: request.receivedAt,
          dueAt: request.dueAt,
          originalDueAt: request.originalDueAt,
          overdueDays: standing.overdueDays,
          workingDaysLeft: standing.workingDaysLeft,
          standing: standing.text,
        };
      });
      const warning = uncoveredWarning(jurisdiction, counter.uncoveredYears());
      if (warning) output.err(`${warning}\n`);
      const zone = jurisdiction.timeZone;

      if (global.json) {
        const document = {
          operator: target.operator,
          source: target.source,
          jurisdiction: jurisdiction.id,
          timeZone: zone,
          now: now.toISOString(),
          filter: {
            statuses,
            kind,
            overdue,
            dueWithin,
            dueBefore: dueBefore?.toISOString() ?? null,
          },
          count: entries.length,
          more,
          warnings: warning ? [warning] : [],
          requests: entries,
        };
        output.out(`${JSON.stringify(document, null, 2)}\n`);
        return 0;
      }
      const which = [
        status ? `Requests with status ${status}` : `Open requests (${OPEN_STATUSES.join(', ')})`,
        kind ? `, kind ${kind}` : '',
        overdue ? ', overdue' : '',
        dueBefore && !overdue
          ? `, due within ${dueWithin} working day${dueWithin === 1 ? '' : 's'} (before ${zonedMinute(dueBefore.toISOString(), zone)})`
          : '',
      ].join('');
      const title = `${which}, soonest due first\n(operator ${target.operator}, ${target.where}; times ${zone})`;
      if (entries.length === 0) {
        output.out(`${title}\n\nNone.\n`);
        return 0;
      }
      const rows = entries.map((entry) => [
        entry.requestId,
        entry.kind ?? '-',
        entry.status,
        zonedMinute(entry.receivedAt, zone),
        `${zonedMinute(entry.dueAt, zone)}${entry.originalDueAt ? ' (extended)' : ''}`,
        entry.standing,
      ]);
      const count = more
        ? `The first ${entries.length} shown; there are more (--limit N shows up to ${MAX_LIST_LIMIT}).`
        : `${entries.length} request${entries.length === 1 ? '' : 's'}.`;
      output.out(
        `${title}\n\n${textTable(['ID', 'KIND', 'STATUS', 'RECEIVED', 'DUE', 'DEADLINE'], rows)}\n\n${count}\n`,
      );
      return 0;
    });
  },
};

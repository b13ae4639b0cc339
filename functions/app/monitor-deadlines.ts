/**
 * The deadline monitor: which open requests are past their legal due date, which are due within the
 * operator's `dueSoonWorkingDays` working days, whether the official calendar has the current and the
 * next year; metrics for the alarms, and once a local day a digest to the data-protection officer.
 *
 * Run hourly by λ deadline-monitor and on demand by `makul monitor`. Time is the caller's (`at`): the
 * monitor never reads a clock and never waits, so tests move it anywhere.
 *
 * - Reads the register by status and due date (the `by-status-due` index), one Query per open status,
 *   never a Scan. Only ids, kinds, statuses and due dates leave this file: the entries' sealed fields
 *   are never read.
 * - For each overdue or due-soon request of a kind carried out in the operator's systems, its tasks are
 *   read (one Query each, only for the requests listed, at most MONITOR_TASK_READS a run): the systems
 *   whose tasks are still open are what the request waits for, and the open tasks of overdue requests
 *   are counted on their own gauge (FulfilmentTasksOverdue, alarmed as TasksOverdue).
 * - Requests `awaiting-verification` are not yet proven to be the subject's (the link in the reply is
 *   not confirmed; anyone can send mail in someone's name). They are listed apart and counted on their
 *   own metric, but raise no alarm and no digest: a flood of forged requests must not page the DPO.
 *   Their term still runs from arrival, so the digest mentions how many there are.
 * - "Due soon" ends at the end of the local day that is N working days after today, counted on the
 *   jurisdiction's calendar (today itself not counted; with N = 0, the end of today).
 * - The digest goes out on the first run at or after the configured local hour, only when something is
 *   overdue or due soon, at most once per local day: the day's marker is taken (a conditional write)
 *   before the send, and given back only after a send that surely did not reach the mail service, as
 *   the outbound claim does (./deliver-outbound.ts). A send whose outcome is unknown keeps the marker:
 *   no second digest that day, and tomorrow's run sends again.
 */
import { randomUUID } from 'node:crypto';
import { type FulfilmentTask, isFulfilmentKind } from '../domain/fulfilment/tasks';
import type { DeploymentProfile, Jurisdiction } from '../domain/operators/operator-profile';
import { type DigestEntry, renderDeadlineDigest } from '../domain/replies/deadline-digest';
import {
  localDate,
  localDateTime,
  missingCalendarYears,
  nextLocalMidnight,
  type PlainDate,
  WorkingDays,
} from '../domain/requests/deadlines';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { RequestKind } from '../domain/requests/request-kinds';
import { OPEN_STATUSES, type OpenStatus } from '../domain/requests/request-policies';
import type { DigestMarker, DigestMarkerState } from '../ports/digest-marker';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import { MailNotSentError, type MailSender } from '../ports/mail-sender';
import type { MetricsRecorder } from '../ports/metrics';
import type { RequestListing } from '../ports/request-register';
import { describeError, type Logger } from '../shared/log';

/** The digest goes out on the first run at or after this local hour unless configured otherwise. */
export const DEFAULT_DIGEST_LOCAL_HOUR = 9;

/**
 * Requests read per status and run. A register with more open requests than this due within days has
 * a problem no list solves; the report says it is incomplete and the counts are lower bounds.
 */
export const MONITOR_LIMIT_PER_STATUS = 1000;

/**
 * Requests whose tasks one run reads (one Query each). Past it the report says it is incomplete: the
 * first ones, most overdue first, are read, so the worst are always shown.
 */
export const MONITOR_TASK_READS = 500;
/** Task reads in flight at once: a short run without a burst on the table. */
const TASK_READ_CONCURRENCY = 8;

/** A marker outlives its local day (at most ~26 hours in any zone) with room to spare; TTL deletes it. */
const DIGEST_MARKER_TTL_MS = 3 * 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAYS_SCANNED = 366;

/** Where the calendar's yearly files live and how a year is added: named in the warning. */
export const CALENDAR_README = 'config/calendars/README.md';

/** The digest's needs; without them the monitor only reports (the CLI without --send-digest). */
export interface DigestDependencies {
  readonly marker: DigestMarker;
  readonly mailSender: MailSender;
  /** Local hour (0–23, the jurisdiction's zone) from which the day's digest may go out. */
  readonly fromLocalHour: number;
  /**
   * The CLI's global options that point at this deployment (`--operator x2 --requests-table NAME`,
   * `--local`): the digest's commands then work when pasted.
   */
  readonly cliTarget: string;
}

export interface MonitorDependencies {
  readonly profile: DeploymentProfile;
  readonly listing: RequestListing;
  /**
   * The fulfilment tasks of the requests listed: what each waits for.
   * @default - tasks are not read (every request waits for no system)
   */
  readonly tasks?: Pick<FulfilmentRegister, 'tasksOf'>;
  readonly metrics: MetricsRecorder;
  readonly log: Logger;
  /** @default - no digest is sent */
  readonly digest?: DigestDependencies;
}

/** One request as the monitor reports it: what and when, nothing about the person. */
export interface MonitoredRequest {
  readonly requestId: string;
  readonly kind: RequestKind | null;
  readonly status: OpenStatus;
  /** The due instant (ISO, UTC). */
  readonly dueAt: string;
  /** The due date and time in the jurisdiction's zone, `YYYY-MM-DD HH:MM`. */
  readonly dueLocal: string;
  /**
   * Local days since the due date's day (0: it passed today, as an immediate duty does), as
   * `requests list` counts them; null when not yet due.
   */
  readonly daysOverdue: number | null;
  /** The data systems whose tasks are still open (ids, sorted); none for a request without tasks. */
  readonly waitingFor: readonly string[];
}

export type DigestOutcome =
  /** No digest asked for (the CLI without --send-digest). */
  | { readonly outcome: 'not-asked' }
  /** Nothing overdue or due soon: no mail. */
  | { readonly outcome: 'nothing-due' }
  /** Too early in the local day; a later run sends it. */
  | { readonly outcome: 'before-hour'; readonly fromLocalHour: number }
  | { readonly outcome: 'sent'; readonly day: PlainDate; readonly messageId: string }
  /** Another run took the day's marker: it sent the digest, is sending it, or its send is in doubt. */
  | { readonly outcome: 'already-taken'; readonly day: PlainDate; readonly state: DigestMarkerState }
  /** The mail service surely did not take it: the marker is given back and the next run tries again. */
  | { readonly outcome: 'failed'; readonly day: PlainDate; readonly errorName: string }
  /** Whether the mail service took it is unknown: not sent again today (at most one digest a day). */
  | { readonly outcome: 'in-doubt'; readonly day: PlainDate };

export interface DeadlineReport {
  readonly operator: string;
  readonly jurisdiction: string;
  readonly timeZone: string;
  /** When the monitor looked (ISO), and that day in the jurisdiction's zone. */
  readonly at: string;
  readonly today: PlainDate;
  readonly dueSoonWorkingDays: number;
  /** The end of the "due soon" window (exclusive, ISO): the next local midnight after its last working day. */
  readonly dueSoonUntil: string;
  /** Past due, most overdue first (alarmed: DeadlinesOverdue). */
  readonly overdue: readonly MonitoredRequest[];
  /** Due before dueSoonUntil, soonest first (alarmed: DeadlinesDueSoon). */
  readonly dueSoon: readonly MonitoredRequest[];
  /** Awaiting the sender's confirmation, overdue or due soon, soonest due first: listed, never alarmed. */
  readonly awaitingVerification: readonly MonitoredRequest[];
  /**
   * A status had more than MONITOR_LIMIT_PER_STATUS entries in the window, or more requests had tasks
   * than MONITOR_TASK_READS: the counts are lower bounds.
   */
  readonly incomplete: boolean;
  /** Open tasks of overdue requests (alarmed: TasksOverdue). */
  readonly tasksOverdue: number;
  /** The current and the next local year, and those the official calendar lacks (alarmed: CalendarYearMissing). */
  readonly calendar: { readonly years: readonly number[]; readonly missing: readonly number[] };
  readonly digest: DigestOutcome;
}

/**
 * The end of the "due soon" window: the first instant after the local day that is `workingDays`
 * working days after the day of `at` (the day of `at` itself not counted; 0 = the end of today).
 * Steps from midnight to midnight in the zone, so days of 23 or 25 hours count as one day.
 */
export function dueSoonWindowEnd(jurisdiction: Jurisdiction, at: Date, workingDays: number): Date {
  const days = new WorkingDays(jurisdiction);
  const zone = jurisdiction.timeZone;
  let dayStart = at;
  // A profile whose every day is off would loop for ever; no real calendar has a year without work.
  for (let remaining = workingDays, steps = 0; remaining > 0; steps += 1) {
    if (steps > MAX_DAYS_SCANNED)
      throw new Error(`no ${workingDays} working days within a year: check the calendar`);
    dayStart = nextLocalMidnight(dayStart, zone);
    if (!days.dayOff(localDate(dayStart, zone))) remaining -= 1;
  }
  return nextLocalMidnight(dayStart, zone);
}

/** The local hour (0–23) of an instant in the zone. */
export function localHour(at: Date, timeZone: string): number {
  return Number(localDateTime(at, timeZone).slice(11, 13));
}

export async function monitorDeadlines(deps: MonitorDependencies, at: Date): Promise<DeadlineReport> {
  const { operator, jurisdiction } = deps.profile;
  const zone = jurisdiction.timeZone;
  const today = localDate(at, zone);
  const dueSoonUntil = dueSoonWindowEnd(jurisdiction, at, operator.dueSoonWorkingDays);

  // One Query per open status, each bounded by the window's end: nothing due later is read.
  const lists = await Promise.all(
    OPEN_STATUSES.map((status) =>
      deps.listing.requestsByStatus(status, { dueBefore: dueSoonUntil, limit: MONITOR_LIMIT_PER_STATUS + 1 }),
    ),
  );
  const listsIncomplete = lists.some((list) => list.length > MONITOR_LIMIT_PER_STATUS);
  const found = lists.flatMap((list) => list.slice(0, MONITOR_LIMIT_PER_STATUS).flatMap(monitored(at, zone)));
  const byDue = (a: MonitoredRequest, b: MonitoredRequest) =>
    a.dueAt.localeCompare(b.dueAt) || a.requestId.localeCompare(b.requestId);
  const proven = found.filter((request) => request.status !== 'awaiting-verification').sort(byDue);
  const waiting = await openTasks(deps, proven);
  const withTasks = (request: MonitoredRequest): MonitoredRequest => ({
    ...request,
    waitingFor: waiting.bySystem.get(request.requestId) ?? [],
  });
  const overdue = proven.filter((request) => Date.parse(request.dueAt) < at.getTime()).map(withTasks);
  const dueSoon = proven.filter((request) => Date.parse(request.dueAt) >= at.getTime()).map(withTasks);
  const tasksOverdue = overdue.reduce((sum, request) => sum + request.waitingFor.length, 0);
  const incomplete = listsIncomplete || waiting.incomplete;
  const awaitingVerification = found
    .filter((request) => request.status === 'awaiting-verification')
    .sort(byDue);

  deps.metrics.gauge('RequestsOverdue', overdue.length, 'Count');
  deps.metrics.gauge('RequestsDueSoon', dueSoon.length, 'Count');
  deps.metrics.gauge('RequestsAwaitingVerification', awaitingVerification.length, 'Count');
  deps.metrics.gauge('FulfilmentTasksOverdue', tasksOverdue, 'Count');
  if (incomplete) {
    deps.log.warn('more open requests in the window than one run reads: the counts are lower bounds', {
      limitPerStatus: MONITOR_LIMIT_PER_STATUS,
      taskReads: MONITOR_TASK_READS,
    });
  }

  const calendar = checkCalendar(deps, today);
  const digest = await sendDigest(deps, at, today, { overdue, dueSoon, awaitingVerification });
  deps.log.info('deadlines checked', {
    overdue: overdue.length,
    dueSoon: dueSoon.length,
    awaitingVerification: awaitingVerification.length,
    tasksOverdue,
    dueSoonUntil: dueSoonUntil.toISOString(),
    digest: digest.outcome,
  });
  return {
    operator: operator.id,
    jurisdiction: jurisdiction.id,
    timeZone: zone,
    at: at.toISOString(),
    today,
    dueSoonWorkingDays: operator.dueSoonWorkingDays,
    dueSoonUntil: dueSoonUntil.toISOString(),
    overdue,
    dueSoon,
    awaitingVerification,
    incomplete,
    tasksOverdue,
    calendar,
    digest,
  };
}

/**
 * The systems each listed request still waits for: its open tasks, read for in-progress requests of a
 * kind carried out in the operator's systems (the others have none), most overdue first, at most
 * MONITOR_TASK_READS of them, a few at a time.
 */
async function openTasks(
  deps: MonitorDependencies,
  listed: readonly MonitoredRequest[],
): Promise<{ readonly bySystem: Map<string, readonly string[]>; readonly incomplete: boolean }> {
  const bySystem = new Map<string, readonly string[]>();
  const tasks = deps.tasks;
  if (!tasks) return { bySystem, incomplete: false };
  const concerned = listed.filter(
    (request) => request.status === 'in-progress' && isFulfilmentKind(request.kind),
  );
  const read = concerned.slice(0, MONITOR_TASK_READS);
  for (let next = 0; next < read.length; next += TASK_READ_CONCURRENCY) {
    const batch = read.slice(next, next + TASK_READ_CONCURRENCY);
    const answers = await Promise.all(batch.map((request) => tasks.tasksOf(request.requestId)));
    batch.forEach((request, index) => {
      const open = (answers[index] ?? []).filter((task: FulfilmentTask) => task.state === 'open');
      bySystem.set(request.requestId, open.map((task) => task.systemId).sort());
    });
  }
  return { bySystem, incomplete: concerned.length > read.length };
}

/** The entry's what and when, copied field by field: nothing else of it goes further. */
function monitored(at: Date, zone: string) {
  return (request: RegisteredRequest): MonitoredRequest[] => {
    if (request.dueAt === null) return [];
    const due = new Date(request.dueAt);
    const overdue = due.getTime() < at.getTime();
    const daysSince = Date.parse(localDate(at, zone)) - Date.parse(localDate(due, zone));
    return [
      {
        requestId: request.requestId,
        kind: request.kind,
        status: request.status as OpenStatus,
        dueAt: due.toISOString(),
        dueLocal: localDateTime(due, zone),
        daysOverdue: overdue ? Math.max(0, Math.round(daysSince / DAY_MS)) : null,
        waitingFor: [],
      },
    ];
  };
}

/**
 * Whether the official calendar has the current and the next local year. A missing one is counted with
 * weekends only (domain/requests/deadlines.ts): never a later due date than the law's, maybe an earlier
 * one; the next year is checked too, so there is a year's notice before due dates reach it.
 */
function checkCalendar(deps: MonitorDependencies, today: PlainDate): DeadlineReport['calendar'] {
  const { jurisdiction } = deps.profile;
  const year = Number(today.slice(0, 4));
  const years = [year, year + 1];
  const missing = missingCalendarYears(jurisdiction, years);
  deps.metrics.gauge('CalendarYearMissing', missing.length, 'Count');
  if (missing.length > 0) {
    deps.log.warn(
      `the official working-day calendar lacks ${missing.join(' and ')}: due dates there count weekends only; add the year (${CALENDAR_README})`,
      { jurisdiction: jurisdiction.id, country: jurisdiction.country ?? null, years: missing.join(',') },
    );
  }
  return { years, missing };
}

async function sendDigest(
  deps: MonitorDependencies,
  at: Date,
  today: PlainDate,
  found: {
    readonly overdue: readonly MonitoredRequest[];
    readonly dueSoon: readonly MonitoredRequest[];
    readonly awaitingVerification: readonly MonitoredRequest[];
  },
): Promise<DigestOutcome> {
  const settings = deps.digest;
  if (!settings) return { outcome: 'not-asked' };
  if (found.overdue.length + found.dueSoon.length === 0) return { outcome: 'nothing-due' };
  const { operator, jurisdiction } = deps.profile;
  if (localHour(at, jurisdiction.timeZone) < settings.fromLocalHour) {
    return { outcome: 'before-hour', fromLocalHour: settings.fromLocalHour };
  }
  // Written before the marker is taken: a mistake in it must not use up the day's digest.
  const entry = (request: MonitoredRequest): DigestEntry => ({
    requestId: request.requestId,
    kind: request.kind,
    status: request.status,
    dueAt: new Date(request.dueAt),
    daysOverdue: request.daysOverdue,
    waitingFor: request.waitingFor,
  });
  const digest = renderDeadlineDigest({
    language: operator.staffLanguage ?? operator.defaultLanguage,
    operatorId: operator.id,
    jurisdiction: jurisdiction.id,
    timeZone: jurisdiction.timeZone,
    at,
    dueSoonWorkingDays: operator.dueSoonWorkingDays,
    overdue: found.overdue.map(entry),
    dueSoon: found.dueSoon.map(entry),
    awaitingVerification: found.awaitingVerification.length,
    cliTarget: settings.cliTarget,
  });
  const log = deps.log.child({ digestDay: today });

  const claimId = randomUUID();
  let claim: Awaited<ReturnType<DigestMarker['claim']>>;
  try {
    claim = await settings.marker.claim(today, {
      claimId,
      at,
      expiresAt: new Date(at.getTime() + DIGEST_MARKER_TTL_MS),
      overdue: found.overdue.length,
      dueSoon: found.dueSoon.length,
    });
  } catch (error) {
    // Whether the marker was written is unknown: a later run finds it (no digest today) or takes it.
    log.error('deadline digest not sent: its marker could not be taken', describeError(error));
    return { outcome: 'failed', day: today, errorName: describeError(error).errorName };
  }
  if (claim.outcome === 'taken') {
    log.info('deadline digest already taken today', { state: claim.state, claimedAt: claim.claimedAt });
    return { outcome: 'already-taken', day: today, state: claim.state };
  }

  let messageId: string;
  try {
    messageId = await settings.mailSender.sendReply({
      // From the operator's sending identity, its first support address, to the DPO of the profile
      // (the profile schema requires at least one support address).
      from: operator.supportAddresses[0] as string,
      to: operator.dpoEmail,
      subject: digest.subject,
      text: digest.text,
      html: digest.html,
      // A message makul writes on its own (RFC 3834 §5), not a reply: other responders stay silent.
      headers: [
        { name: 'Auto-Submitted', value: 'auto-generated' },
        { name: 'X-Auto-Response-Suppress', value: 'All' },
      ],
    });
  } catch (error) {
    if (error instanceof MailNotSentError) {
      // Nothing went out: give the day back, so the next run (an hour later) sends it.
      await settings.marker.release(today, claimId, at).catch((releaseError: unknown) => {
        log.error('deadline digest marker not given back: no digest today', describeError(releaseError));
      });
      log.error('deadline digest not sent: the next run tries again', describeError(error));
      return { outcome: 'failed', day: today, errorName: describeError(error).errorName };
    }
    // The mail service may have taken it (a timeout, a reset, a 5xx): sending again could make two.
    log.error('deadline digest in doubt: not sent again today', describeError(error));
    return { outcome: 'in-doubt', day: today };
  }
  try {
    await settings.marker.markSent(today, claimId, messageId, at);
  } catch (error) {
    // Sent either way; the marker stays taken ("sending"), so no run sends a second one today.
    log.error('deadline digest sent, but not recorded as sent', describeError(error));
  }
  log.info('deadline digest sent', {
    overdue: found.overdue.length,
    dueSoon: found.dueSoon.length,
    sesMessageId: messageId,
  });
  return { outcome: 'sent', day: today, messageId };
}

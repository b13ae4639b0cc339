/**
 * Executes confirmed erasures and consent withdrawals whose operator systems have all answered (issue
 * 11 point 4), one request at a time:
 *   1. decide: in progress (never cancelled, rejected or completed), of kind erasure or withdraw-consent,
 *      every task done (or no system concerned with the kind at all); a refused task goes to ops, never here;
 *   2. forget makul's own personal data of the subject: the sealed address and details on every entry
 *      of the subject (the by-subject index), their raw mail in S3, the request's link tokens. Each step
 *      is idempotent, so a run that failed in the middle is simply run again;
 *   3. write the destruction act (with the audit-log extract) and complete the request in one
 *      conditional transaction, only if it is still in progress.
 * The subject's record (keyed by the HMAC of the address) is never touched: the suppression stays, and
 * the status API keeps answering "suppressed". Until step 3 succeeds the request stays in progress and
 * due, so the deadline monitor alarms on it; a failure is logged (ids only) and counted.
 */
import {
  actIdOf,
  actRegisterMonth,
  buildDestructionAct,
  type DestructionAct,
} from '../domain/fulfilment/destruction-act';
import { answeredBySystems, type FulfilmentTask, progressOf } from '../domain/fulfilment/tasks';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { AuditEvent, RegisteredRequest } from '../domain/requests/registered-request';
import { openAddress } from '../domain/subjects/sealed-address';
import type { ErasureRegister } from '../ports/erasure-register';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import type { MetricsRecorder } from '../ports/metrics';
import type { RawMailRemover } from '../ports/raw-mail-store';
import type { LinkRegister, RequestListing } from '../ports/request-register';
import { describeError, type Logger } from '../shared/log';
import { FULFILMENT_KEYS } from '../shared/table-design';

/** The kinds the executor carries out: both end in the destruction of the data (152-FZ art. 21 part 5). */
export const ERASURE_KINDS = ['erasure', 'withdraw-consent'] as const;

export const EXECUTION_EVENT = 'erasure-executed';

export interface ErasureDependencies {
  readonly profile: DeploymentProfile;
  readonly listing: RequestListing;
  readonly register: Pick<LinkRegister, 'get' | 'requestsOfSubject' | 'auditTrail'>;
  readonly fulfilment: Pick<FulfilmentRegister, 'tasksOf'>;
  readonly erasure: ErasureRegister;
  readonly rawMail: RawMailRemover;
  readonly metrics: MetricsRecorder;
  readonly log: Logger;
  /**
   * The operator's secret, to open the address for an act that names it (destructionActNamesAddress);
   * never asked for otherwise.
   */
  readonly hmacKey?: () => Promise<string>;
}

export interface ErasureRunOptions {
  /** List what would be done; change nothing. */
  readonly dryRun?: boolean;
  /** Called after each request, for progress on long runs (the CLI). */
  readonly onProgress?: (done: number, of: number, outcome: ErasureOutcome) => void;
}

/** Why a request in progress is not executed (yet). */
export type SkipReason =
  /** Some system has not answered yet. */
  | 'tasks-waiting'
  /** A system refused its task: ops decide (makul tasks, requests complete or reject). */
  | 'task-refused'
  /** Systems are concerned with the kind but its tasks are not made yet (the stream processor's turn). */
  | 'tasks-not-created'
  /** No subject key (no valid sender): nothing of a subject to destroy; ops handle it. */
  | 'no-subject'
  /**
   * A message to the subject (or a forward of their mail) is still to go out, on this request or
   * another of theirs: it needs the address or the mail, so the erasure waits for it (minutes, or a
   * rate-limit window).
   */
  | 'reply-pending'
  /** Its status moved (cancelled, completed) between the listing and the write. */
  | 'request-moved';

/** Each reason in words, for the people who read a run's outcome (the CLI, the local stack). */
export const SKIP_REASON_TEXT: Readonly<Record<SkipReason, string>> = {
  'tasks-waiting': 'a system has not answered its task yet',
  'task-refused': 'a system refused its task: ops decide (makul requests show ID)',
  'tasks-not-created': 'its systems have no tasks yet (the fulfilment-tasks function makes them)',
  'no-subject': 'no subject key: nothing of a subject to destroy (ops handle it)',
  'reply-pending': 'a message to the subject is still to go out (it needs the address): the next run',
  'request-moved': 'no longer in progress (cancelled or completed meanwhile)',
};

export interface ErasureWork {
  /** Register entries of the subject (requests and notices) whose sealed data is forgotten. */
  readonly entries: number;
  /** Raw mail objects deleted. */
  readonly rawMail: number;
  /** Link tokens of the request deleted. */
  readonly tokens: number;
}

export type ErasureOutcome =
  | {
      readonly requestId: string;
      readonly kind: string;
      readonly outcome: 'executed';
      readonly actId: string;
      readonly work: ErasureWork;
    }
  | {
      readonly requestId: string;
      readonly kind: string;
      readonly outcome: 'would-execute';
      readonly work: ErasureWork;
    }
  | {
      readonly requestId: string;
      readonly kind: string;
      readonly outcome: 'skipped';
      readonly reason: SkipReason;
    }
  | {
      readonly requestId: string;
      readonly kind: string;
      readonly outcome: 'failed';
      readonly errorName: string;
    };

export interface ErasureRunReport {
  readonly operator: string;
  readonly at: string;
  readonly dryRun: boolean;
  /** Erasures and withdrawals in progress, considered in this run. */
  readonly considered: number;
  readonly outcomes: readonly ErasureOutcome[];
  /** Of those, the ones still in progress and past their due date after the run (alarmed). */
  readonly overdue: readonly string[];
  /** More in progress than one run reads: the rest wait for the next run. */
  readonly incomplete: boolean;
}

/** Requests read per kind and run: a run every 15 minutes clears a backlog quickly enough. */
const RUN_LIMIT = 500;

export async function executeErasures(
  deps: ErasureDependencies,
  now: Date,
  options: ErasureRunOptions = {},
): Promise<ErasureRunReport> {
  const dryRun = options.dryRun === true;
  const candidates: RegisteredRequest[] = [];
  let incomplete = false;
  const inProgress = await deps.listing.requestsByStatus('in-progress', { limit: RUN_LIMIT });
  if (inProgress.length >= RUN_LIMIT) incomplete = true;
  for (const request of inProgress) {
    if ((ERASURE_KINDS as readonly string[]).includes(request.kind ?? '')) candidates.push(request);
  }
  const outcomes: ErasureOutcome[] = [];
  for (const request of candidates) {
    const outcome = await executeOne(deps, request, now, dryRun);
    outcomes.push(outcome);
    options.onProgress?.(outcomes.length, candidates.length, outcome);
  }
  const done = new Set(outcomes.filter((o) => o.outcome === 'executed').map((o) => o.requestId));
  const overdue = candidates
    .filter(
      (request) =>
        !done.has(request.requestId) && request.dueAt !== null && request.dueAt <= now.toISOString(),
    )
    .map((request) => request.requestId);
  if (!dryRun) {
    deps.metrics.gauge('ErasuresOverdue', overdue.length, 'Count');
    if (overdue.length > 0)
      deps.log.warn('erasures overdue', {
        count: overdue.length,
        requestIds: overdue.slice(0, 20).join(' '),
      });
  }
  return {
    operator: deps.profile.operator.id,
    at: now.toISOString(),
    dryRun,
    considered: candidates.length,
    outcomes,
    overdue,
    incomplete,
  };
}

/** Whether the request's systems have all answered "done" (or none is concerned with its kind). */
export function readiness(
  request: RegisteredRequest,
  tasks: readonly FulfilmentTask[],
  profile: DeploymentProfile,
): 'ready' | Exclude<SkipReason, 'request-moved'> {
  if (request.subjectKey === null) return 'no-subject';
  const progress = progressOf(tasks);
  if (progress === 'refused') return 'task-refused';
  if (progress === 'waiting') return 'tasks-waiting';
  if (progress === 'no-tasks' && answeredBySystems(request.kind, profile.operator.dataSystems))
    return 'tasks-not-created';
  return 'ready';
}

async function executeOne(
  deps: ErasureDependencies,
  listed: RegisteredRequest,
  now: Date,
  dryRun: boolean,
): Promise<ErasureOutcome> {
  const { requestId } = listed;
  const kind = listed.kind ?? 'unknown';
  const log = deps.log.child({ requestId });
  try {
    // Read again, consistently: the listing comes from an index, which may lag a cancellation.
    const request = await deps.register.get(requestId);
    if (request === null || request.status !== 'in-progress')
      return { requestId, kind, outcome: 'skipped', reason: 'request-moved' };
    const tasks = await deps.fulfilment.tasksOf(requestId);
    const ready = readiness(request, tasks, deps.profile);
    if (ready !== 'ready') return { requestId, kind, outcome: 'skipped', reason: ready };
    const subjectKey = request.subjectKey as string;

    const entries = (await deps.register.requestsOfSubject(subjectKey)).filter(
      (entry) => entry.subjectKey === subjectKey,
    );
    if (!entries.some((entry) => entry.requestId === requestId)) entries.push(request);
    if (entries.some(awaitsSending)) return { requestId, kind, outcome: 'skipped', reason: 'reply-pending' };
    const rawMail = uniqueObjects(entries);
    const tokenHashes = await deps.erasure.tokensOf(requestId);
    if (dryRun) {
      return {
        requestId,
        kind,
        outcome: 'would-execute',
        work: { entries: entries.length, rawMail: rawMail.length, tokens: tokenHashes.length },
      };
    }

    // Opened before it is forgotten; on a re-run after a failure it may be gone: then the act omits it.
    const address = await actAddress(deps, request);
    // The tokens first: from here on no link of the request acts ("this was not me" included), so the
    // subject cannot cancel a request whose data is being destroyed.
    const tokens = await deps.erasure.deleteTokens(requestId);
    for (const entry of entries) await deps.erasure.forgetPersonalData(entry.requestId);
    for (const object of rawMail) await deps.rawMail.delete(object.bucket, object.key);

    const at = now;
    const work = { entries: entries.length, rawMail: rawMail.length, tokens };
    const audit: AuditEvent = {
      at: at.toISOString(),
      event: EXECUTION_EVENT,
      detail: {
        actId: actIdOf(requestId),
        entries: work.entries,
        rawMailDeleted: work.rawMail,
        tokensDeleted: work.tokens,
        systems: tasks.length,
      },
    };
    const act: DestructionAct = buildDestructionAct({
      request,
      tasks,
      profile: deps.profile,
      auditTrail: await deps.register.auditTrail(requestId),
      executionEvent: audit,
      address,
      executedAt: at,
    });
    const keepUntil = new Date(at);
    keepUntil.setUTCFullYear(keepUntil.getUTCFullYear() + FULFILMENT_KEYS.actRetentionYears);
    const result = await deps.erasure.completeErasure({
      requestId,
      act,
      registerMonth: actRegisterMonth(act),
      keepUntil,
      at,
      audit,
    });
    if (result.outcome === 'request-moved') {
      log.warn('erasure not completed: the request moved meanwhile', { kind });
      return { requestId, kind, outcome: 'skipped', reason: 'request-moved' };
    }
    // No dimension beyond the function's own: the alarms and the dashboard read {operator, service}.
    deps.metrics.count('ErasuresExecuted');
    log.info('erasure executed', { kind, actId: act.actId, ...work });
    return { requestId, kind, outcome: 'executed', actId: act.actId, work };
  } catch (error) {
    // Ids and the error's name only: an SDK message may echo a key, never an address, but keep it short.
    const { errorName } = describeError(error);
    if (!dryRun) deps.metrics.count('ErasureFailures');
    log.error('erasure failed; the request stays in progress and the next run tries again', {
      kind,
      errorName,
    });
    return { requestId, kind, outcome: 'failed', errorName };
  }
}

async function actAddress(deps: ErasureDependencies, request: RegisteredRequest): Promise<string | null> {
  if (!deps.profile.operator.destructionActNamesAddress || request.sealedContact === null) return null;
  if (!deps.hmacKey) throw new Error('the act names the address, but no key to open it was given');
  return openAddress(request.sealedContact, await deps.hmacKey(), request.requestId);
}

/** Outbound states in which the message has yet to go out (in-doubt is final: never sent again). */
const UNSENT: ReadonlySet<RegisteredRequest['outboundState']> = new Set(['pending', 'sending', 'deferred']);

function awaitsSending(entry: RegisteredRequest): boolean {
  return entry.outbound !== 'none' && UNSENT.has(entry.outboundState);
}

function uniqueObjects(entries: readonly RegisteredRequest[]): { bucket: string; key: string }[] {
  const seen = new Map<string, { bucket: string; key: string }>();
  for (const entry of entries) {
    const { bucket, key } = entry.rawMail;
    if (bucket === '' || key === '') continue;
    seen.set(`${bucket}/${key}`, { bucket, key });
  }
  return [...seen.values()];
}

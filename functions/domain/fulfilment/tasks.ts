/**
 * Fulfilment tasks: a request is carried out in every operator system that holds the data (issue 11).
 * Each data system of the operator profile concerned with the request's kind gets one task; the system
 * (through the systems API) or a person (through `makul tasks`) answers it: done, with an outcome, or
 * refused, with a reason. The request completes only when every task is done; a refused task sends it
 * to ops. Pure: the register stores tasks, the use cases decide with these rules.
 */
import type { OperatorProfile } from '../operators/operator-profile';
import type { RegisteredRequest } from '../requests/registered-request';
import { FULFILMENT_KINDS, type FulfilmentKind, type RequestKind } from '../requests/request-kinds';

export type DataSystem = OperatorProfile['dataSystems'][number];

/** What a system did: the words of the register export and the destruction act. */
export const TASK_OUTCOMES = ['erased', 'corrected', 'restricted', 'provided', 'not-held'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** The outcomes that answer each kind; `not-held` answers every kind (the system has nothing of theirs). */
export const OUTCOMES_FOR: Readonly<Record<FulfilmentKind, readonly TaskOutcome[]>> = {
  'update-data': ['corrected', 'not-held'],
  // Withdrawal ends processing: the data are destroyed within the legal term (152-FZ art. 21 part 5).
  'withdraw-consent': ['erased', 'not-held'],
  access: ['provided', 'not-held'],
  erasure: ['erased', 'not-held'],
  restrict: ['restricted', 'not-held'],
  // Dissemination stops by removing the published data, or by blocking its publication.
  'stop-dissemination': ['erased', 'restricted', 'not-held'],
};

export type TaskState = 'open' | 'done' | 'refused';

/** Who answered a task: a system through the API (its caller's IAM ARN), or a person through the CLI. */
export type TaskAnswerer =
  | { readonly via: 'api'; readonly caller: string }
  | { readonly via: 'cli'; readonly person: string };

export interface FulfilmentTask {
  readonly requestId: string;
  readonly systemId: string;
  readonly kind: FulfilmentKind;
  /** The request's due date when the task was made (the event carries it). */
  readonly dueAt: string | null;
  /** Keyed hash of the subject's address: all a task event says about the person. */
  readonly subjectKey: string | null;
  readonly toldBy: DataSystem['toldBy'];
  readonly state: TaskState;
  readonly createdAt: string;
  readonly outcome: TaskOutcome | null;
  /** A refusal's reason, as the system or person wrote it (no personal data). */
  readonly reason: string | null;
  /** access: the data the system holds, by category id, sealed to the task (personal data). */
  readonly sealedData: string | null;
  readonly answeredAt: string | null;
  readonly answeredBy: TaskAnswerer | null;
  /** When the "Fulfilment Task Created" event went out (systems told by event); null before. */
  readonly publishedAt: string | null;
}

export function isFulfilmentKind(kind: RequestKind | null): kind is FulfilmentKind {
  return kind !== null && (FULFILMENT_KINDS as readonly string[]).includes(kind);
}

/** The systems that get a task for a request of this kind. */
export function systemsConcerned(kind: FulfilmentKind, systems: readonly DataSystem[]): DataSystem[] {
  return systems.filter((system) => system.kinds.includes(kind));
}

/**
 * The tasks a request gets once it stands (in progress, proved): one per system concerned. None for a
 * request without a fulfilment kind, or one not (yet) proved to be the subject's.
 */
export function tasksFor(
  request: RegisteredRequest,
  systems: readonly DataSystem[],
  at: Date,
): FulfilmentTask[] {
  const kind = request.kind;
  if (!isFulfilmentKind(kind) || request.status !== 'in-progress' || request.noticeOf) return [];
  return systemsConcerned(kind, systems).map((system) => ({
    requestId: request.requestId,
    systemId: system.id,
    kind,
    dueAt: request.dueAt,
    subjectKey: request.subjectKey,
    toldBy: system.toldBy,
    state: 'open',
    createdAt: at.toISOString(),
    outcome: null,
    reason: null,
    sealedData: null,
    answeredAt: null,
    answeredBy: null,
    publishedAt: null,
  }));
}

/** An answer to a task, as the API or the CLI received it (data in the clear, not yet sealed). */
export type TaskReport =
  | {
      readonly state: 'done';
      readonly outcome: TaskOutcome;
      /** access and `provided` only: the values held, by category id. */
      readonly data?: Readonly<Record<string, readonly string[]>>;
    }
  | { readonly state: 'refused'; readonly reason: string };

/** Why a report cannot be taken for this task (a clear 400 / usage error), or null when it can. */
export function reportProblem(task: FulfilmentTask, system: DataSystem, report: TaskReport): string | null {
  if (report.state === 'refused') return report.reason.trim() === '' ? 'a refusal needs a reason' : null;
  if (!OUTCOMES_FOR[task.kind].includes(report.outcome))
    return `"${report.outcome}" does not answer ${task.kind}: one of ${OUTCOMES_FOR[task.kind].join(', ')}`;
  const categories = Object.keys(report.data ?? {});
  if (report.outcome !== 'provided' && categories.length > 0)
    return 'data goes with an access request\'s "provided" outcome only';
  if (report.outcome === 'provided' && categories.length === 0)
    return '"provided" lists the data held, by category';
  const unknown = categories.filter((category) => !system.categories.includes(category));
  if (unknown.length > 0)
    return `${system.id} holds no category ${unknown.join(', ')}; it holds ${system.categories.join(', ')}`;
  return null;
}

/**
 * A report on a task already answered: the same answer again is a retry (taken, nothing changes); a
 * different one is a conflict (refused: the first answer stands, ops can see both in the audit trail).
 */
export function isSameAnswer(task: FulfilmentTask, report: TaskReport): boolean {
  if (task.state !== report.state) return false;
  return report.state === 'refused' ? task.reason === report.reason : task.outcome === report.outcome;
}

/** Where a request stands across its systems. */
export type FulfilmentProgress = 'no-tasks' | 'waiting' | 'refused' | 'all-done';

export function progressOf(tasks: readonly FulfilmentTask[]): FulfilmentProgress {
  if (tasks.length === 0) return 'no-tasks';
  if (tasks.some((task) => task.state === 'refused')) return 'refused';
  return tasks.every((task) => task.state === 'done') ? 'all-done' : 'waiting';
}

/**
 * Whether the operator's systems answer requests of this kind (at least one system is concerned): then
 * the request completes only when they have, and an access report waits for their answers.
 */
export function answeredBySystems(kind: RequestKind | null, systems: readonly DataSystem[]): boolean {
  return isFulfilmentKind(kind) && systemsConcerned(kind, systems).length > 0;
}

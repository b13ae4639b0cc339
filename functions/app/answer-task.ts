/**
 * A data system answers its fulfilment task (issue 11): through the systems API (the caller's IAM ARN)
 * or a person through `makul tasks complete|refuse` (their name). The one place to read "what happens
 * when a system reports back":
 *
 *   - the answer is checked against the task (domain/fulfilment/tasks.ts reportProblem), the data of an
 *     access answer sealed to `<requestId>#<systemId>` (personal data: the table holds ciphertext), and
 *     stored only while the task is open, with who answered, in the audit trail;
 *   - the same answer again is a retry (`same`); a different one a `conflict`: the first answer stands;
 *   - a refusal puts the request on the `refused` ops list: it does not complete, ops decide;
 *   - once every task is done: update-data, restrict and stop-dissemination complete; access records the
 *     access report (to the verified address only) and completes; erasure and withdraw-consent stay in
 *     progress for the erasure executor, which destroys makul's own data and completes them.
 *
 * A retry of an answer whose follow-up was lost (the process died after the task was stored) settles the
 * request again: completion is conditional on the status read, so it happens once.
 */
import {
  type DataSystem,
  type FulfilmentProgress,
  type FulfilmentTask,
  isSameAnswer,
  progressOf,
  reportProblem,
  type TaskAnswerer,
  type TaskReport,
} from '../domain/fulfilment/tasks';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { FulfilmentKind } from '../domain/requests/request-kinds';
import { sealText } from '../domain/subjects/sealed-address';
import type { FulfilmentRegister, StoredAnswer } from '../ports/fulfilment-register';
import type { LinkRegister } from '../ports/request-register';
import { noticeFor } from './notice-for';

export interface AnswerTaskDependencies {
  readonly register: Pick<LinkRegister, 'get' | 'redeemToken'>;
  readonly fulfilment: FulfilmentRegister;
  readonly profile: DeploymentProfile;
  readonly hmacKey: string;
  readonly now: () => Date;
}

/** What became of the request after an answer that completed its set of answers, or not. */
export type Settlement =
  /** Some systems have not answered yet. */
  | 'waiting'
  /** A task is refused: the request is on the `refused` ops list. */
  | 'refused'
  /** Every system is done and the request is completed (access: with the report recorded). */
  | 'completed'
  /** Every system is done; erasure and withdraw-consent wait for the erasure executor. */
  | 'awaiting-erasure'
  /** Every system is done but the request moved meanwhile (cancelled, completed by ops): nothing changed. */
  | 'request-moved';

export type AnswerTaskOutcome =
  | { readonly outcome: 'unknown-request' }
  /** The operator's profile names no such system. */
  | { readonly outcome: 'unknown-system' }
  /** The request has no task for this system (not a kind it carries out, or no tasks yet). */
  | { readonly outcome: 'unknown-task' }
  /** A system with a caller role answered through the API from another identity. */
  | { readonly outcome: 'forbidden' }
  /** The answer does not fit the task (an outcome of another kind, data of an unknown category …). */
  | { readonly outcome: 'invalid'; readonly reason: string }
  /** The task is still open but the request is not in progress any more (cancelled, rejected, completed by ops). */
  | { readonly outcome: 'closed'; readonly status: RegisteredRequest['status'] }
  | { readonly outcome: 'answered'; readonly task: FulfilmentTask; readonly settlement: Settlement }
  /** Answered before with the same answer: a retry, nothing changes. */
  | { readonly outcome: 'same'; readonly task: FulfilmentTask; readonly settlement: Settlement }
  /** Answered before differently: the first answer stands. */
  | { readonly outcome: 'conflict'; readonly task: FulfilmentTask };

/** Kinds that complete as soon as every system is done (the systems' work is the whole request). */
const COMPLETE_WHEN_DONE: readonly FulfilmentKind[] = ['update-data', 'restrict', 'stop-dissemination'];

/** The key an access answer's data is sealed to: the request and the system, so it cannot be moved. */
export function taskSealId(requestId: string, systemId: string): string {
  return `${requestId}#${systemId}`;
}

/** Who answered, for the audit trail: the caller's IAM ARN, or the person's name. */
export function answererText(by: TaskAnswerer): string {
  return by.via === 'api' ? by.caller : by.person;
}

/**
 * Whether an API caller may answer for this system: any signed caller the API's IAM policy lets in,
 * unless the system names its role; then only a session of that role
 * (`arn:aws:sts::<account>:assumed-role/<role name>/<session>`; the role's path is not in it).
 */
export function callerMayAnswer(system: DataSystem, by: TaskAnswerer): boolean {
  if (by.via !== 'api' || system.callerRoleArn === undefined) return true;
  const role = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(system.callerRoleArn);
  if (!role) return false;
  const [, partition, account, name] = role;
  const prefix = `arn:${partition}:sts::${account}:assumed-role/${name}/`;
  return by.caller.startsWith(prefix) && by.caller.length > prefix.length;
}

export async function answerTask(
  requestId: string,
  systemId: string,
  report: TaskReport,
  by: TaskAnswerer,
  deps: AnswerTaskDependencies,
): Promise<AnswerTaskOutcome> {
  const request = await deps.register.get(requestId);
  if (!request || request.noticeOf) return { outcome: 'unknown-request' };
  const system = deps.profile.operator.dataSystems.find((candidate) => candidate.id === systemId);
  if (!system) return { outcome: 'unknown-system' };
  if (!callerMayAnswer(system, by)) return { outcome: 'forbidden' };
  const tasks = await deps.fulfilment.tasksOf(requestId);
  const task = tasks.find((candidate) => candidate.systemId === systemId);
  if (!task) return { outcome: 'unknown-task' };
  if (task.state !== 'open') return answeredBefore(request, task, report, deps);
  const problem = reportProblem(task, system, report);
  if (problem !== null) return { outcome: 'invalid', reason: problem };
  if (request.status !== 'in-progress') return { outcome: 'closed', status: request.status };

  const at = deps.now();
  const answer: StoredAnswer =
    report.state === 'refused'
      ? { state: 'refused', reason: report.reason.trim() }
      : {
          state: 'done',
          outcome: report.outcome,
          sealedData:
            report.data && Object.keys(report.data).length > 0
              ? sealText(JSON.stringify(report.data), deps.hmacKey, taskSealId(requestId, systemId))
              : null,
        };
  const result = await deps.fulfilment.answerTask(requestId, systemId, answer, by, at, {
    at: at.toISOString(),
    event: 'task-answered',
    detail: {
      system: systemId,
      state: answer.state,
      outcome: answer.state === 'done' ? answer.outcome : null,
      reason: answer.state === 'refused' ? answer.reason : null,
      via: by.via,
      // Who answered, for the regulator: the system's IAM identity, or the person who confirmed it.
      by: answererText(by),
    },
  });
  switch (result.outcome) {
    case 'unknown-task':
      return { outcome: 'unknown-task' };
    case 'already-answered':
      // Another answer got there between the read and the write.
      return answeredBefore(request, result.task, report, deps);
    case 'answered': {
      const now = await deps.fulfilment.tasksOf(requestId);
      return { outcome: 'answered', task: result.task, settlement: await settle(request, now, deps, true) };
    }
  }
}

async function answeredBefore(
  request: RegisteredRequest,
  task: FulfilmentTask,
  report: TaskReport,
  deps: AnswerTaskDependencies,
): Promise<AnswerTaskOutcome> {
  if (!isSameAnswer(task, report)) return { outcome: 'conflict', task };
  const settlement =
    request.status === 'in-progress'
      ? await settle(request, await deps.fulfilment.tasksOf(request.requestId), deps, false)
      : progressSettlement(progressOf(await deps.fulfilment.tasksOf(request.requestId)), request);
  return { outcome: 'same', task, settlement };
}

/** What the request's state says, without changing anything (a retry on a request already closed). */
function progressSettlement(progress: FulfilmentProgress, request: RegisteredRequest): Settlement {
  if (progress === 'refused') return 'refused';
  if (progress !== 'all-done') return 'waiting';
  return request.status === 'completed' ? 'completed' : 'request-moved';
}

/**
 * Moves the request on from its tasks' progress. `fresh`: this call stored an answer (a retry after a
 * lost follow-up passes false: the audit-only steps, which are not conditional, are not written twice).
 */
async function settle(
  request: RegisteredRequest,
  tasks: readonly FulfilmentTask[],
  deps: AnswerTaskDependencies,
  fresh: boolean,
): Promise<Settlement> {
  const progress = progressOf(tasks);
  const at = deps.now();
  const systems = tasks.map((task) => task.systemId).join(',');
  if (progress === 'waiting' || progress === 'no-tasks') return 'waiting';
  if (progress === 'refused') {
    if (!fresh && request.opsQueue === 'refused') return 'refused';
    const refused = tasks.filter((task) => task.state === 'refused').map((task) => task.systemId);
    const result = await deps.register.redeemToken({
      tokenHash: null,
      at,
      requestId: request.requestId,
      request: { fromStatuses: ['in-progress'], joinOpsQueue: 'refused' },
      audit: {
        at: at.toISOString(),
        event: 'task-refused',
        detail: { refusedBy: refused.join(','), opsQueue: 'refused' },
      },
      notices: [],
    });
    return result.outcome === 'done' ? 'refused' : 'request-moved';
  }
  const kind = request.kind;
  if (kind === 'erasure' || kind === 'withdraw-consent') {
    // The erasure executor reads progressOf and completes it once makul's own data are destroyed.
    if (!fresh) return 'awaiting-erasure';
    const result = await deps.register.redeemToken({
      tokenHash: null,
      at,
      requestId: request.requestId,
      request: { fromStatuses: ['in-progress'] },
      audit: { at: at.toISOString(), event: 'all-systems-done', detail: { systems } },
      notices: [],
    });
    return result.outcome === 'done' ? 'awaiting-erasure' : 'request-moved';
  }
  if (kind !== 'access' && !(kind !== null && COMPLETE_WHEN_DONE.includes(kind as FulfilmentKind)))
    return 'waiting';
  // The report goes only to the address that made the (verified) request, sealed again for the notice.
  const report = kind === 'access' ? noticeFor(request, 'access-report', at, deps.hmacKey, null) : null;
  const result = await deps.register.redeemToken({
    tokenHash: null,
    at,
    requestId: request.requestId,
    request: { fromStatuses: ['in-progress'], toStatus: 'completed', stamp: 'closedAt' },
    audit: {
      at: at.toISOString(),
      event: 'completed-all-systems-done',
      detail: {
        systems,
        notices: report ? 'access-report' : null,
        ...(kind === 'access' && !report ? { reportNotSent: 'no address kept' } : {}),
      },
    },
    notices: report ? [report] : [],
  });
  return result.outcome === 'done' ? 'completed' : 'request-moved';
}

/**
 * Fulfilment tasks in the register (DynamoDB; key design in shared/table-design.ts: `REQ#<id>` /
 * `TASK#<system>`). Every change is conditional, so a retried stream record, API call or CLI command
 * never makes a task twice, nor answers one twice differently.
 */
import type { FulfilmentTask, TaskAnswerer, TaskOutcome } from '../domain/fulfilment/tasks';
import type { AuditEvent } from '../domain/requests/registered-request';

/** An answer as stored: the data of an access answer already sealed to the task. */
export type StoredAnswer =
  | { readonly state: 'done'; readonly outcome: TaskOutcome; readonly sealedData: string | null }
  | { readonly state: 'refused'; readonly reason: string };

export type AnswerResult =
  | { readonly outcome: 'answered'; readonly task: FulfilmentTask }
  /** Already answered: `task` is as it stands (the caller compares, domain/fulfilment/tasks.ts isSameAnswer). */
  | { readonly outcome: 'already-answered'; readonly task: FulfilmentTask }
  | { readonly outcome: 'unknown-task' };

export interface FulfilmentRegister {
  /**
   * Writes the request's tasks, each only if absent, with an audit event for the ones made (all or
   * nothing). A retry finds them there and makes none; the result lists the tasks as they stand.
   */
  createTasks(tasks: readonly FulfilmentTask[], audit: AuditEvent): Promise<FulfilmentTask[]>;
  /** The request's tasks, by system id. */
  tasksOf(requestId: string): Promise<FulfilmentTask[]>;
  /** open → done or refused, with the answer, who gave it and an audit event; only while open. */
  answerTask(
    requestId: string,
    systemId: string,
    answer: StoredAnswer,
    by: TaskAnswerer,
    at: Date,
    audit: AuditEvent,
  ): Promise<AnswerResult>;
  /** Notes that the task's event went out (only once: a second call changes nothing). */
  markPublished(requestId: string, systemId: string, at: Date): Promise<void>;
}

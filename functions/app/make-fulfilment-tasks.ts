/**
 * Fulfilment tasks are made, stored and announced from the requests table's stream (λ fulfilment-tasks):
 *
 *   a request stands     its register entry became `in-progress` (an authenticated request recorded so,
 *                        or a confirmed link moved it there) with a fulfilment kind: one task per data
 *                        system concerned (domain/fulfilment/tasks.ts tasksFor), written all at once;
 *   a task was written   a system told by event gets its "Fulfilment Task Created" event, then the task
 *                        notes it went out.
 *
 * Every step is safe to run again, because the stream delivers a record again after any failure:
 * making tasks writes each only if absent (a retry writes nothing and counts nothing), and a task's
 * event goes out only while a fresh read of the task shows no `publishedAt`. Publishing and noting it
 * are two writes to two services: if the note fails after the bus took the event, the retry publishes it
 * again, so consumers deduplicate on requestId + system (docs/events/fulfilment-task-created.md).
 */
import { isFulfilmentKind, tasksFor } from '../domain/fulfilment/tasks';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import type { MetricsRecorder } from '../ports/metrics';
import type { TaskEventPublisher } from '../ports/task-events';
import type { LogFields, Logger } from '../shared/log';

export interface FulfilmentTaskDependencies {
  readonly profile: DeploymentProfile;
  readonly tasks: FulfilmentRegister;
  readonly events: TaskEventPublisher;
  readonly metrics: MetricsRecorder;
  readonly now: () => Date;
  readonly log: Logger;
}

/** A request entry that just became in-progress. */
export async function makeFulfilmentTasks(
  request: RegisteredRequest,
  deps: FulfilmentTaskDependencies,
): Promise<LogFields> {
  const at = deps.now();
  const wanted = tasksFor(request, deps.profile.operator.dataSystems, at);
  if (wanted.length === 0) {
    return {
      requestId: request.requestId,
      outcome: isFulfilmentKind(request.kind) ? 'no-system' : 'no-kind',
    };
  }
  const stored = await deps.tasks.createTasks(wanted, {
    at: at.toISOString(),
    event: 'tasks-created',
    detail: { kind: request.kind, systems: wanted.map((task) => task.systemId).join(',') },
  });
  // A retry finds the tasks of the first time: they carry its creation time, not this one.
  const made = stored.filter((task) => task.createdAt === at.toISOString());
  for (const task of made)
    deps.metrics.count('FulfilmentTasksCreated', { kind: task.kind, system: task.systemId });
  return {
    requestId: request.requestId,
    outcome: made.length > 0 ? 'tasks-created' : 'tasks-existed',
    tasks: stored.length,
  };
}

/** A task just written: its event, once, if its system is told by event. */
export async function announceFulfilmentTask(
  requestId: string,
  systemId: string,
  deps: FulfilmentTaskDependencies,
): Promise<LogFields> {
  const fields = { requestId, system: systemId };
  const task = (await deps.tasks.tasksOf(requestId)).find((candidate) => candidate.systemId === systemId);
  if (task === undefined) return { ...fields, outcome: 'no-task' };
  if (task.toldBy !== 'event') return { ...fields, outcome: 'told-by-person' };
  if (task.publishedAt !== null) return { ...fields, outcome: 'already-published' };
  await deps.events.publish(task);
  deps.metrics.count('FulfilmentEventsPublished', { system: systemId });
  await deps.tasks.markPublished(requestId, systemId, deps.now());
  return { ...fields, outcome: 'published' };
}

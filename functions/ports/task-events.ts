/**
 * Where a fulfilment task is announced to the system that carries it out (EventBridge in AWS:
 * adapters/eventbridge/task-event-publisher.ts). Only tasks of systems told by event are announced;
 * a person learns of theirs from `makul tasks` and the deadline monitor.
 */
import type { FulfilmentTask } from '../domain/fulfilment/tasks';

export interface TaskEventPublisher {
  /** Puts the task's "Fulfilment Task Created" event on the bus; an error when the bus did not take it. */
  publish(task: FulfilmentTask): Promise<void>;
}

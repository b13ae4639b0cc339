/**
 * The "Fulfilment Task Created" event on the operator's EventBridge bus (documented in
 * docs/events/fulfilment-task-created.md, schema beside it): the request id, the system, the kind, the
 * due date and the keyed hash of the address, never the address nor the fields. The system fetches
 * those from the systems API, which audits every read. A rule per system (lib/fulfilment-tasks.ts)
 * sends the system's events to its own queue.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { FulfilmentTask } from '../../domain/fulfilment/tasks';
import type { FulfilmentKind } from '../../domain/requests/request-kinds';
import type { TaskEventPublisher } from '../../ports/task-events';
import { EventNotPublishedError, statusEventSource } from './status-event-publisher';

export const TASK_EVENT_DETAIL_TYPE = 'Fulfilment Task Created';

/** The same source as the status events (`makul.<operator>`): one bus may carry several deployments. */
export const taskEventSource = statusEventSource;

/** Everything the event says: ids, the kind and dates. Consumers deduplicate on requestId + system. */
export interface TaskEventDetail {
  readonly requestId: string;
  readonly system: string;
  readonly kind: FulfilmentKind;
  readonly dueAt: string | null;
  readonly subjectKey: string | null;
  readonly operator: string;
  readonly createdAt: string;
}

export function taskEventDetail(task: FulfilmentTask, operatorId: string): TaskEventDetail {
  return {
    requestId: task.requestId,
    system: task.systemId,
    kind: task.kind,
    dueAt: task.dueAt,
    subjectKey: task.subjectKey,
    operator: operatorId,
    createdAt: task.createdAt,
  };
}

export class EventBridgeTaskEventPublisher implements TaskEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly operatorId: string,
  ) {}

  async publish(task: FulfilmentTask): Promise<void> {
    const response = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: taskEventSource(this.operatorId),
            DetailType: TASK_EVENT_DETAIL_TYPE,
            Detail: JSON.stringify(taskEventDetail(task, this.operatorId)),
            Time: new Date(task.createdAt),
          },
        ],
      }),
    );
    // PutEvents answers 200 with the entry failed inside (throttled, internal error): not published.
    if ((response.FailedEntryCount ?? 0) > 0) {
      const failed = response.Entries?.[0];
      throw new EventNotPublishedError(
        `EventBridge refused the event: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}

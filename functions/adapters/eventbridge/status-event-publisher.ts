/**
 * The "Subject Status Changed" event on the operator's EventBridge bus (documented in
 * docs/events/subject-status-changed.md, schema beside it). It carries the keyed hash of the address,
 * never the address: a rule, an archive or a target in another account sees no personal data.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type FeedEntry, feedEntryOf } from '../../domain/subjects/subject-status';
import type { StatusEventPublisher } from '../../ports/status-events';
import type { StatusChange } from '../../ports/subject-status';

export const STATUS_EVENT_DETAIL_TYPE = 'Subject Status Changed';

/** The event's source: one per operator, so one bus can carry several deployments' events. */
export const statusEventSource = (operatorId: string): string => `makul.${operatorId}`;

/**
 * The change as the change feed shows it (its `sequence`, 1, 2, 3, … without gaps, is what consumers
 * deduplicate on), and the operator it belongs to.
 */
export interface StatusEventDetail extends FeedEntry {
  readonly operator: string;
}

export function statusEventDetail(change: StatusChange, operatorId: string): StatusEventDetail {
  return { ...feedEntryOf(change), operator: operatorId };
}

/** Raised when the bus refused the entry: the record is retried, nothing was published. */
export class EventNotPublishedError extends Error {
  override readonly name = 'EventNotPublishedError';
}

export class EventBridgeStatusEventPublisher implements StatusEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly operatorId: string,
  ) {}

  async publish(change: StatusChange): Promise<void> {
    const response = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: statusEventSource(this.operatorId),
            DetailType: STATUS_EVENT_DETAIL_TYPE,
            Detail: JSON.stringify(statusEventDetail(change, this.operatorId)),
            Time: new Date(change.changedAt),
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

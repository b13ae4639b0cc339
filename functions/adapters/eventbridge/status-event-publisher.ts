/**
 * The "Subject Status Changed" event on the operator's EventBridge bus (documented in
 * docs/events/subject-status-changed.md, schema beside it). It carries the keyed hash of the address,
 * never the address: a rule, an archive or a target in another account sees no personal data.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { StatusReason } from '../../domain/subjects/subject-status';
import type { StatusEventPublisher } from '../../ports/status-events';
import type { StatusChange } from '../../ports/subject-status';

export const STATUS_EVENT_DETAIL_TYPE = 'Subject Status Changed';

/** The event's source: one per operator, so one bus can carry several deployments' events. */
export const statusEventSource = (operatorId: string): string => `makul.${operatorId}`;

export interface StatusEventDetail {
  /** The change's place in the feed: 1, 2, 3, … without gaps; consumers deduplicate on it. */
  readonly sequence: number;
  readonly sid: string;
  readonly changedAt: string;
  readonly marketing: { readonly previous: string; readonly current: string };
  readonly processing: { readonly previous: string; readonly current: string };
  /** Why the state is what it is now (null: nothing holds it back). */
  readonly reason: StatusReason;
  readonly operator: string;
}

export function statusEventDetail(change: StatusChange, operatorId: string): StatusEventDetail {
  return {
    sequence: change.sequence,
    sid: change.sid,
    changedAt: change.changedAt,
    marketing: { previous: change.previous.marketing, current: change.current.marketing },
    processing: { previous: change.previous.processing, current: change.current.processing },
    reason: change.current.reason,
    operator: operatorId,
  };
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

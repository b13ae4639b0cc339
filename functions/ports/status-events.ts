/**
 * What the status-change processor writes to: the change feed (gap-free, each stream record appended
 * once) and the bus that tells operator systems about each change (EventBridge in AWS).
 */
import type { SubjectStateChange } from '../domain/subjects/status-change';
import type { StatusChange } from './subject-status';

export interface FeedAppend {
  readonly sequence: number;
  /** When the change's event was published; null until it is (always null for a first append). */
  readonly publishedAt: string | null;
  /** False when this stream record had appended the change before (a retried record). */
  readonly appended: boolean;
}

export interface StatusFeedWriter {
  /**
   * Appends the change a stream record reports, once per record: the same `recordId` (the stream's
   * eventID) again gets back the sequence it got the first time.
   */
  append(recordId: string, change: SubjectStateChange): Promise<FeedAppend>;
  /** Notes that the entry's event is on the bus, so a retried record does not publish it again. */
  markPublished(sequence: number, at: Date): Promise<void>;
}

export interface StatusEventPublisher {
  /** Puts the change's event on the bus; an error when the bus did not take it. */
  publish(change: StatusChange): Promise<void>;
}

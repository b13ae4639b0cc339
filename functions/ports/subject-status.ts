/**
 * What the status API and the status-change processor need from storage: the subjects' records as
 * states (strongly consistent reads) and the change feed, an append-only, gap-free sequence of state
 * changes (functions/shared/table-design.ts: `FEED` items of the subjects table).
 */
import type { StatusFlags, SubjectState } from '../domain/subjects/subject-status';

/** A subject's record as the status needs it. */
export interface SubjectStatusRecord {
  readonly flags: StatusFlags;
  /** When the record last changed (ISO 8601). */
  readonly updatedAt: string;
}

/** A key the store could not read after its retries (throttling): answered in place as unavailable. */
export const UNAVAILABLE = 'unavailable';

export interface SubjectStatusReader {
  /** One subject's record, or null when makul has none (strongly consistent). */
  read(sid: string): Promise<SubjectStatusRecord | null>;
  /**
   * Many at once (distinct sids, any number): each sid maps to its record, null (no record) or
   * UNAVAILABLE when the store still had not answered for it after its retries.
   */
  readMany(
    sids: readonly string[],
  ): Promise<ReadonlyMap<string, SubjectStatusRecord | null | typeof UNAVAILABLE>>;
}

/** One change of a subject's state, as the feed keeps it and the events carry it. */
export interface StatusChange {
  /** 1, 2, 3, … with no gaps: the order the changes were appended in. */
  readonly sequence: number;
  readonly sid: string;
  /** When the subject's record changed (ISO 8601). */
  readonly changedAt: string;
  readonly previous: SubjectState;
  readonly current: SubjectState;
}

export interface StatusFeedPage {
  readonly changes: readonly StatusChange[];
  /** The sequence of the last change returned, or the one asked after when there were none. */
  readonly lastSequence: number;
  /** More changes are already there after this page. */
  readonly more: boolean;
}

export interface StatusFeedReader {
  /** Up to `limit` changes with a sequence above `afterSequence`, oldest first (strongly consistent). */
  changesAfter(afterSequence: number, limit: number): Promise<StatusFeedPage>;
}

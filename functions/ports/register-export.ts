/**
 * The register as the regulator's export reads it: request entries by the time they were received and
 * destruction acts by the time they were executed, month by month through the `register-by-month`
 * index (functions/shared/table-design.ts), one Query per month and page, never a Scan.
 */
import type { DestructionAct } from '../domain/fulfilment/destruction-act';
import type { RegisteredRequest } from '../domain/requests/registered-request';

/** One page of a month's entries: the month (`2026-03`) is what progress on long exports names. */
export interface ExportPage<T> {
  readonly month: string;
  readonly items: readonly T[];
}

export interface RegisterExport {
  /** Request entries received from `from` (inclusive) to `to` (exclusive), oldest first; never notices. */
  requestsReceived(from: Date, to: Date): AsyncIterable<ExportPage<RegisteredRequest>>;
  /** Destruction acts executed from `from` (inclusive) to `to` (exclusive), oldest first. */
  actsExecuted(from: Date, to: Date): AsyncIterable<ExportPage<DestructionAct>>;
}

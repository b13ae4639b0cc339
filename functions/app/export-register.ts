/**
 * The register export (`makul register export`): the requests received and the destruction acts
 * executed in a period of local days, read month by month from the register (ports/register-export.ts)
 * and shaped by domain/fulfilment/register-export.ts. Tasks are read only for requests of a kind that
 * has them, one Query each. Time is the caller's: "open-overdue" is judged at `at`.
 */
import {
  type ActRow,
  actRow,
  type RegisterExportDocument,
  type RequestRow,
  requestRow,
} from '../domain/fulfilment/register-export';
import { type FulfilmentTask, isFulfilmentKind } from '../domain/fulfilment/tasks';
import type { Jurisdiction } from '../domain/operators/operator-profile';
import { addDays, startOfLocalDay } from '../domain/requests/deadlines';
import type { RegisterExport } from '../ports/register-export';

export interface ExportRegisterDependencies {
  readonly register: RegisterExport;
  /** The request's tasks (ports/fulfilment-register.ts tasksOf); none where the register has none. */
  readonly tasksOf: (requestId: string) => Promise<readonly FulfilmentTask[]>;
  readonly operatorId: string;
  /** The deployment's jurisdiction: the period's days are its local days, its deadlines name the statute. */
  readonly jurisdiction: Jurisdiction;
  /** Called after each page read: what was read so far, and the month it came from. */
  readonly onProgress?: (progress: ExportProgress) => void;
}

export interface ExportProgress {
  readonly what: 'requests' | 'destruction acts';
  readonly total: number;
  readonly month: string;
}

export interface ExportRequest {
  /** Local days, inclusive, `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
  readonly withPersonalData: boolean;
}

export async function exportRegister(
  deps: ExportRegisterDependencies,
  request: ExportRequest,
  at: Date,
): Promise<RegisterExportDocument> {
  const zone = deps.jurisdiction.timeZone;
  const start = startOfLocalDay(request.from, zone);
  const end = startOfLocalDay(addDays(request.to, 1), zone);

  const requests: RequestRow[] = [];
  for await (const page of deps.register.requestsReceived(start, end)) {
    for (const entry of page.items) {
      const tasks = isFulfilmentKind(entry.kind) ? await deps.tasksOf(entry.requestId) : [];
      const jurisdiction = entry.jurisdiction === deps.jurisdiction.id ? deps.jurisdiction : null;
      requests.push(requestRow(entry, tasks, jurisdiction, at, request.withPersonalData));
    }
    deps.onProgress?.({ what: 'requests', total: requests.length, month: page.month });
  }
  const acts: ActRow[] = [];
  for await (const page of deps.register.actsExecuted(start, end)) {
    for (const act of page.items) acts.push(actRow(act, request.withPersonalData));
    deps.onProgress?.({ what: 'destruction acts', total: acts.length, month: page.month });
  }
  const byTime =
    <T>(key: (row: T) => string, id: (row: T) => string) =>
    (a: T, b: T) =>
      key(a).localeCompare(key(b)) || id(a).localeCompare(id(b));
  requests.sort(
    byTime(
      (row) => row.receivedAt,
      (row) => row.requestId,
    ),
  );
  acts.sort(
    byTime(
      (row) => row.executedAt,
      (row) => row.actId,
    ),
  );
  return {
    operator: deps.operatorId,
    period: { from: request.from, to: request.to, timeZone: zone },
    generatedAt: at.toISOString(),
    personalData: request.withPersonalData ? 'included' : 'none',
    requests,
    destructionActs: acts,
  };
}

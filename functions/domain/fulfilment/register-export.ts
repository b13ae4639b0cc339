/**
 * The register export for the regulator (issue 11 point 6): the requests of a period with their kinds,
 * dates, whether each deadline was met, and their outcomes across the operator's systems, and the
 * destruction acts executed in the period. Pure: the caller reads the register and gives the time.
 *
 * No personal data unless asked for: without it, neither the subject's keyed hash nor an address is in
 * the export; with it, the keyed hash (and an act's address, where the act has one) is added and the
 * export says so in its `personalData` field (JSON) and its first section (CSV).
 *
 * CSV is one file in UTF-8 with a byte-order mark (Excel then reads Cyrillic as Cyrillic), RFC 4180
 * quoting and CRLF line ends, in three tables one after the other, a blank line apart, each with its
 * header row: the export's particulars (field, value), the requests, the destruction acts. Excel opens
 * it as one sheet.
 */
import type { Jurisdiction } from '../operators/operator-profile';
import type { RegisteredRequest } from '../requests/registered-request';
import type { DestructionAct } from './destruction-act';
import type { FulfilmentTask } from './tasks';

/**
 * How a request stands against its deadline: closed (completed or rejected) on or before its due date
 * (the extended one after an extension) is `met`, after it `missed`; still open, `open` or
 * `open-overdue` at the export's time; `none` for an entry without a deadline (dropped or duplicate
 * mail) or one that ended without being carried out (cancelled by the subject).
 */
export type DeadlineVerdict = 'met' | 'missed' | 'open' | 'open-overdue' | 'none';

const OPEN: ReadonlySet<RegisteredRequest['status']> = new Set([
  'awaiting-verification',
  'in-progress',
  'needs-human',
  'held',
]);

export function deadlineVerdict(request: RegisteredRequest, at: Date): DeadlineVerdict {
  if (request.dueAt === null) return 'none';
  const due = Date.parse(request.dueAt);
  if (OPEN.has(request.status)) return at.getTime() > due ? 'open-overdue' : 'open';
  if (request.closedAt === null) return 'none';
  return Date.parse(request.closedAt) <= due ? 'met' : 'missed';
}

export interface RequestRow {
  readonly requestId: string;
  readonly kind: string | null;
  readonly channel: string;
  readonly status: string;
  readonly jurisdiction: string;
  readonly receivedAt: string;
  readonly dueAt: string | null;
  readonly originalDueAt: string | null;
  readonly extendedAt: string | null;
  readonly closedAt: string | null;
  readonly deadline: DeadlineVerdict;
  /** The status, then what each system did: `completed; player-accounts: erased; helpdesk: not-held`. */
  readonly outcome: string;
  /** The article of law the deadline comes from (and the extension's, after one). */
  readonly statute: string | null;
  /** With the personal-data option only: the subject's keyed hash. */
  readonly subjectKey?: string | null;
}

export interface ActRow {
  readonly actId: string;
  readonly requestId: string;
  readonly executedAt: string;
  readonly systems: string;
  readonly categories: string;
  readonly method: string;
  readonly ground: string;
  /** With the personal-data option only. */
  readonly subjectKey?: string | null;
  readonly address?: string | null;
}

export interface ExportPeriod {
  /** Local days, inclusive (`YYYY-MM-DD`), in the jurisdiction's zone. */
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
}

export interface RegisterExportDocument {
  readonly operator: string;
  readonly period: ExportPeriod;
  readonly generatedAt: string;
  /** What personal data the export holds: none, or the subjects' keyed hashes and acts' addresses. */
  readonly personalData: 'none' | 'included';
  readonly requests: readonly RequestRow[];
  readonly destructionActs: readonly ActRow[];
}

/** What a task says in the outcome: the outcome when done, else its state (open, refused). */
function taskOutcome(task: FulfilmentTask): string {
  return `${task.systemId}: ${task.state === 'done' ? (task.outcome ?? 'done') : task.state}`;
}

function statuteOf(request: RegisteredRequest, jurisdiction: Jurisdiction | null): string | null {
  if (jurisdiction === null || request.kind === null) return null;
  const deadline = jurisdiction.deadlines[request.kind];
  const extension = request.extendedAt !== null ? deadline.extension?.source : undefined;
  return extension ? `${deadline.source}; extended: ${extension}` : deadline.source;
}

export function requestRow(
  request: RegisteredRequest,
  tasks: readonly FulfilmentTask[],
  jurisdiction: Jurisdiction | null,
  at: Date,
  withPersonalData: boolean,
): RequestRow {
  const systems = [...tasks].sort((a, b) => a.systemId.localeCompare(b.systemId)).map(taskOutcome);
  return {
    requestId: request.requestId,
    kind: request.kind,
    channel: request.channel,
    status: request.status,
    jurisdiction: request.jurisdiction,
    receivedAt: request.receivedAt,
    dueAt: request.dueAt,
    originalDueAt: request.originalDueAt,
    extendedAt: request.extendedAt,
    closedAt: request.closedAt,
    deadline: deadlineVerdict(request, at),
    outcome: [request.status, ...systems].join('; '),
    statute: statuteOf(request, jurisdiction),
    ...(withPersonalData ? { subjectKey: request.subjectKey } : {}),
  };
}

/**
 * A destruction act (./destruction-act.ts) as the export shows it: the act, the request, the date, the
 * information systems, the categories destroyed, the method in each system and the ground, names in
 * Russian (the act's language for the regulator); the subject (keyed hash, and the address where the
 * act has one) only with the personal-data option.
 */
export function actRow(act: DestructionAct, withPersonalData: boolean): ActRow {
  return {
    actId: act.actId,
    requestId: act.ground.requestId,
    executedAt: act.executedAt,
    systems: act.informationSystems.map((system) => system.ru).join('; '),
    categories: act.categories.map((category) => category.ru).join('; '),
    method: act.destroyedBy.map((destroyer) => `${destroyer.systemId}: ${destroyer.method.ru}`).join('; '),
    ground: `${act.ground.requestId} (${act.ground.kind}); ${act.ground.statute}`,
    ...(withPersonalData ? { subjectKey: act.subject.subjectKey, address: act.subject.address } : {}),
  };
}

export function exportJson(document: RegisterExportDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** UTF-8's byte-order mark: without it Excel reads a CSV in the system's code page and garbles Cyrillic. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or leading or trailing
 * space, quotes doubled. A cell that starts with = + @ (or a tab or CR) would be a formula to Excel
 * (CSV injection): it gets a leading apostrophe, which Excel shows as text.
 */
export function csvField(value: string | null | undefined): string {
  let cell = value ?? '';
  if (/^[=+@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function csvTable(
  header: readonly string[],
  rows: readonly (readonly (string | null | undefined)[])[],
): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n');
}

export const REQUEST_COLUMNS = [
  'requestId',
  'kind',
  'channel',
  'status',
  'jurisdiction',
  'receivedAt',
  'dueAt',
  'originalDueAt',
  'extendedAt',
  'closedAt',
  'deadline',
  'outcome',
  'statute',
] as const;

export const ACT_COLUMNS = [
  'actId',
  'requestId',
  'executedAt',
  'systems',
  'categories',
  'method',
  'ground',
] as const;

export function exportCsv(document: RegisterExportDocument): string {
  const withPersonalData = document.personalData === 'included';
  const about = csvTable(
    ['field', 'value'],
    [
      ['export', 'makul register export'],
      ['operator', document.operator],
      ['period from', document.period.from],
      ['period to', document.period.to],
      ['time zone', document.period.timeZone],
      ['generated at', document.generatedAt],
      [
        'personal data',
        withPersonalData
          ? 'INCLUDED: subject keyed hashes and the addresses in destruction acts (--with-personal-data)'
          : 'none',
      ],
      ['requests', String(document.requests.length)],
      ['destruction acts', String(document.destructionActs.length)],
    ],
  );
  const requestColumns = [...REQUEST_COLUMNS, ...(withPersonalData ? (['subjectKey'] as const) : [])];
  const requests = csvTable(
    requestColumns,
    document.requests.map((row) => requestColumns.map((column) => row[column])),
  );
  const actColumns = [...ACT_COLUMNS, ...(withPersonalData ? (['subjectKey', 'address'] as const) : [])];
  const acts = csvTable(
    actColumns,
    document.destructionActs.map((row) => actColumns.map((column) => row[column])),
  );
  return `${UTF8_BOM}${[about, requests, acts].join('\r\n\r\n')}\r\n`;
}

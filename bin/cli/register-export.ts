/**
 * `makul register export --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json [--with-personal-data]
 * [--out FILE]`: the register for the regulator (functions/app/export-register.ts): the requests
 * received and the destruction acts executed in a period of the jurisdiction's local days, read month
 * by month through the `register-by-month` index (never a Scan), with progress on stderr on long ones.
 *
 * No personal data unless --with-personal-data: then the subjects' keyed hashes (and the address of an
 * act that names one) are added, the export says so, and so does stderr.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbRegisterExport } from '../../functions/adapters/dynamodb/register-export';
import { exportRegister } from '../../functions/app/export-register';
import { exportCsv, exportJson } from '../../functions/domain/fulfilment/register-export';
import { type CliCommand, type CommandOutput, UsageError } from './command';
import { CommandFailure, withOpsRegister } from './ops-register';
import { clockOf } from './ops-text';

/** Progress on stderr once an export has read this many requests, and every as many more. */
export const EXPORT_PROGRESS_EVERY = 1_000;

const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** `1 000`: thousands apart, as progress lines print them. */
function grouped(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A real calendar day, `YYYY-MM-DD`. */
function dayOf(value: string | boolean | undefined, option: string): string {
  if (value === undefined) throw new UsageError(`${option} YYYY-MM-DD is required`);
  const day = typeof value === 'string' ? value : '';
  const parsed = new Date(`${day}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(day) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== day
  )
    throw new UsageError(`${option} takes a day as YYYY-MM-DD, got "${String(value)}"`);
  return day;
}

function formatOf(value: string | boolean | undefined, json: boolean): Format {
  if (value === undefined) return json ? 'json' : 'csv';
  const format = FORMATS.find((candidate) => candidate === value);
  if (format === undefined) throw new UsageError(`--format is csv or json, got "${String(value)}"`);
  if (json && format !== 'json') throw new UsageError('--json asks for JSON: leave it out with --format csv');
  return format;
}

/** Says on stderr how far a long export has read, at every EXPORT_PROGRESS_EVERY requests. */
function progressLine(output: CommandOutput) {
  let said = 0;
  return ({ what, total, month }: { what: string; total: number; month: string }) => {
    if (what !== 'requests') return;
    const step = Math.floor(total / EXPORT_PROGRESS_EVERY);
    if (step > said) {
      said = step;
      output.err(`read ${grouped(total)} requests (${month})…\n`);
    }
  };
}

export const registerExportCommand: CliCommand = {
  name: 'register export',
  synopsis:
    'makul register export --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|json] [--with-personal-data] [--out FILE] [--local | --operator ID]',
  help: `Exports the register for the regulator: the requests received and the destruction acts executed
from --from to --to (both days included, local days of the jurisdiction's zone), from the register
the global options choose. Each request: requestId, kind, channel, status, jurisdiction, receivedAt,
dueAt, originalDueAt (before an extension), extendedAt, closedAt, deadline, outcome, statute.
  deadline   met (closed by its due date, the extended one after an extension), missed (closed
             later), open, open-overdue (still open past it now), none (no deadline: dropped or
             duplicate mail, or cancelled by the subject)
  outcome    the status, then each system's answer: "completed; crm: erased; helpdesk: not-held"
  statute    the article of law the deadline comes from (and the extension's)
Each destruction act: actId, requestId, executedAt, systems, categories, method, ground (names in
Russian, as the act gives them to the regulator).

  --format csv    (default) one CSV file, UTF-8 with a byte-order mark so that Excel reads Cyrillic,
                  RFC 4180 quoting, CRLF line ends, in three tables a blank line apart, each with its
                  header row: the export's particulars (field,value: operator, period, time zone,
                  generated at, personal data, counts), the requests, the destruction acts. Excel opens
                  it as one sheet (double-click the file, or Data > From Text/CSV)
  --format json   {"operator", "period": {from, to, timeZone}, "generatedAt", "personalData":
                  "none"|"included", "requests": [...], "destructionActs": [...]} (also --json)
  --with-personal-data
                  add the subject's keyed hash to each request and act, and an act's address where the
                  operator's profile has acts name it; the export says "personal data: included".
                  Without it the export holds no subject key and no address
  --out FILE      write the export to FILE (created or replaced, readable by its owner only) instead
                  of stdout
  --at ISO        the time to judge open requests by (default: now)
  --local         the running local stack (npm start); otherwise the operator's deployment in AWS

Progress goes to stderr on long exports ("read 2 000 requests (2026-03)…").
Exit codes: 0 done, 1 the register could not be read or the file not written, 2 usage.`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
    'with-personal-data': { type: 'boolean' },
    out: { type: 'string' },
    at: { type: 'string' },
  },
  async run({ positionals, options, global, output }) {
    if (positionals.length > 0)
      throw new UsageError(`register export takes no arguments (got ${positionals.join(' ')})`);
    const from = dayOf(options.from, '--from');
    const to = dayOf(options.to, '--to');
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    const format = formatOf(options.format, global.json);
    const withPersonalData = options['with-personal-data'] === true;
    if (options.out !== undefined && (typeof options.out !== 'string' || options.out === ''))
      throw new UsageError('--out takes a file name');
    const outFile = typeof options.out === 'string' ? resolve(options.out) : null;
    const at = clockOf(options.at, '--at');

    return withOpsRegister('register export', { global, output }, {}, async (target) => {
      const { client, name } = target.requestsTable;
      const tasks = new DynamoDbFulfilmentRegister(client, name);
      const document = await exportRegister(
        {
          register: new DynamoDbRegisterExport(client, name),
          tasksOf: (requestId) => tasks.tasksOf(requestId),
          operatorId: target.operator,
          jurisdiction: target.jurisdiction,
          onProgress: progressLine(output),
        },
        { from, to, withPersonalData },
        at,
      );
      const text = format === 'csv' ? exportCsv(document) : exportJson(document);
      const counts = `${grouped(document.requests.length)} requests and ${grouped(document.destructionActs.length)} destruction acts from ${from} to ${to} (${target.where})`;
      if (withPersonalData)
        output.err(
          'makul register export: WITH PERSONAL DATA (subject keyed hashes, act addresses): keep the file accordingly\n',
        );
      if (outFile === null) {
        output.out(text);
        return 0;
      }
      try {
        await writeFile(outFile, text, { encoding: 'utf8', mode: 0o600 });
      } catch (error) {
        throw new CommandFailure(`cannot write ${outFile}: ${(error as Error).message}`);
      }
      output.err(`wrote ${counts} to ${outFile}\n`);
      return 0;
    });
  },
};

/**
 * `makul monitor [--at ISO] [--send-digest] [--json]`: the deadline monitor's run (the same use case as
 * λ deadline-monitor, functions/app/monitor-deadlines.ts) on the register the global options choose:
 * what is overdue, what is due within the operator's `dueSoonWorkingDays` working days, what awaits the
 * sender's confirmation (listed, never alarmed), and whether the official calendar has this year and
 * the next. With --send-digest it also mails the day's digest to the DPO, through the local stack's SES
 * emulator (--local) or SES in the operator's region, at most once per local day whoever sends it (the
 * scheduled function and this command share the day's marker).
 *
 * Ids, kinds, statuses and dates only: never an address.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbDigestMarker } from '../../functions/adapters/dynamodb/digest-marker';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { SesMailSender } from '../../functions/adapters/ses/mail-sender';
import {
  type DeadlineReport,
  type DigestDependencies,
  type DigestOutcome,
  type MonitoredRequest,
  monitorDeadlines,
} from '../../functions/app/monitor-deadlines';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { localDateTime } from '../../functions/domain/requests/deadlines';
import { CountingMetrics } from '../../functions/ports/metrics';
import { AWS_CALL_TIMEOUTS, sdkClientTimeouts, sesRetryStrategy } from '../../functions/shared/aws-timeouts';
import { createLogger, type Logger } from '../../functions/shared/log';
import { runningLocalStack } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS } from '../../local/loopback';
import { type CliCommand, type CommandOutput, type GlobalOptions, UsageError } from './command';
import { type OpsRegister, opsProfile, withOpsRegister } from './ops-register';
import { clockOf, textTable } from './ops-text';

/**
 * The digest's adapters, on the same deployment as the register: the day's marker in its requests table,
 * and mail through the local stack's SES emulator or SES in the operator's region (standard AWS
 * credentials; the sending identity's default configuration set applies, lib/mail-sending-identity.ts).
 */
function openDigest(
  global: GlobalOptions,
  target: OpsRegister,
  profile: DeploymentProfile,
): { readonly deps: DigestDependencies; close(): void } {
  const sesLimits = sdkClientTimeouts(AWS_CALL_TIMEOUTS.ses);
  const sesRetries = {
    maxAttempts: sesLimits.maxAttempts,
    retryStrategy: sesRetryStrategy(sesLimits.maxAttempts),
  };
  let dynamodb: DynamoDBClient;
  let ses: SESv2Client;
  let requestsTable: string;
  let cliTarget: string;
  if (target.source.local) {
    const stack = runningLocalStack(target.source.dataDirectory);
    const local = { region: stack.region, credentials: LOCAL_CREDENTIALS };
    dynamodb = new DynamoDBClient({ ...local, endpoint: stack.dynamodbEndpoint, maxAttempts: 1 });
    ses = new SESv2Client({ ...local, endpoint: stack.sesEndpoint, ...sesRetries });
    requestsTable = stack.requestsTableName;
    cliTarget = global.dataDir ? `--local --data-dir ${global.dataDir}` : '--local';
  } else {
    const { region } = profile.operator.env;
    dynamodb = new DynamoDBClient({ region, ...sdkClientTimeouts(AWS_CALL_TIMEOUTS.dynamodb) });
    ses = new SESv2Client({ region, ...sesRetries });
    requestsTable = target.source.requestsTable;
    cliTarget = `--operator ${target.operator}`;
  }
  return {
    deps: {
      marker: new DynamoDbDigestMarker(dynamodb, requestsTable),
      mailSender: new SesMailSender(ses, undefined),
      // Asked for by a person: now, whatever the hour (still at most one digest a local day).
      fromLocalHour: 0,
      cliTarget,
    },
    close: () => {
      dynamodb.destroy();
      ses.destroy();
    },
  };
}

/** The use case's warnings and errors as lines on stderr (stdout stays the result, one JSON document with --json). */
function stderrLogger(output: CommandOutput): Logger {
  return createLogger('WARN', {}, (line) => {
    const { level, message } = JSON.parse(line) as { level: string; message: string };
    output.err(`makul monitor: ${level.toLowerCase()}: ${message}\n`);
  });
}

function requestsTable(title: string, requests: readonly MonitoredRequest[], zone: string): string {
  if (requests.length === 0) return `${title}: none.`;
  const rows = requests.map((request) => [
    request.requestId,
    request.kind ?? '-',
    request.status,
    request.dueLocal,
    request.daysOverdue === null ? '-' : String(request.daysOverdue),
    request.waitingFor.length > 0 ? request.waitingFor.join(', ') : '-',
  ]);
  return `${title} (${requests.length}):\n${textTable(['REQUEST', 'KIND', 'STATUS', `DUE (${zone})`, 'DAYS OVERDUE', 'WAITING FOR'], rows)}`;
}

function digestText(digest: DigestOutcome): string {
  switch (digest.outcome) {
    case 'not-asked':
      return 'Digest: not sent (add --send-digest to mail it to the DPO).';
    case 'nothing-due':
      return 'Digest: nothing overdue or due soon, so none is sent.';
    case 'before-hour':
      return `Digest: not before ${String(digest.fromLocalHour).padStart(2, '0')}:00 local time.`;
    case 'sent':
      return `Digest: sent to the DPO for ${digest.day} (message id ${digest.messageId}).`;
    case 'already-taken':
      return digest.state === 'sent'
        ? `Digest: already sent for ${digest.day}; none sent again.`
        : `Digest: another run took ${digest.day}'s digest and its send is unfinished or in doubt; none sent again today.`;
    case 'failed':
      return `Digest: NOT sent (${digest.errorName}); the next run tries again.`;
    case 'in-doubt':
      return `Digest: IN DOUBT for ${digest.day} (no clear answer from the mail service); not sent again today.`;
  }
}

function reportText(report: DeadlineReport, where: string): string {
  const zone = report.timeZone;
  const local = (iso: string) => localDateTime(new Date(iso), zone);
  const { calendar } = report;
  return [
    `Deadlines of operator ${report.operator} (${report.jurisdiction}; ${where}), at ${local(report.at)} ${zone}.`,
    `Due soon: within ${report.dueSoonWorkingDays} working day${report.dueSoonWorkingDays === 1 ? '' : 's'} on the official calendar (before ${local(report.dueSoonUntil)}).`,
    '',
    requestsTable('Overdue', report.overdue, zone),
    '',
    requestsTable('Due soon', report.dueSoon, zone),
    '',
    requestsTable(
      "Awaiting the sender's confirmation (not alarmed: not yet proven to be the subject's)",
      report.awaitingVerification,
      zone,
    ),
    '',
    `Open tasks of overdue requests: ${report.tasksOverdue}.`,
    '',
    ...(report.incomplete
      ? ['More open requests than one run reads: the counts above are lower bounds.', '']
      : []),
    calendar.missing.length === 0
      ? `Calendar: ${calendar.years.join(' and ')} covered.`
      : `Calendar: MISSING ${calendar.missing.join(' and ')} (due dates there count weekends only): add the year, config/calendars/README.md.`,
    digestText(report.digest),
  ].join('\n');
}

export const monitorCommand: CliCommand = {
  name: 'monitor',
  synopsis: 'makul monitor [--at ISO] [--send-digest] [--local | --operator ID] [--json]',
  help: `Runs the deadline monitor once, as the hourly function does, on the register the global options
choose: open requests past their legal due date, those due within the operator's dueSoonWorkingDays
working days (the jurisdiction's official calendar; the window ends at the end of that local day),
and, apart, those awaiting the sender's confirmation (never alarmed: not yet proven to be the
subject's). For each overdue or due-soon request, the operator's systems whose fulfilment tasks are
still open (WAITING FOR), and how many tasks of overdue requests are open. Says whether the official
calendar has this year and the next.

  --at ISO        the time to judge by (default: now), e.g. 2026-12-31T10:00:00+06:00
  --send-digest   also mail the day's digest to the DPO when something is overdue or due soon, now,
                  whatever the hour; at most one digest per local day, whoever sends it (the hourly
                  function and this command share the day's marker). --local sends through the local
                  stack's SES emulator (its web page shows the mail)
  --local         the running local stack (npm start); otherwise the operator's deployment in AWS
  --json          one JSON document: {source, operator, jurisdiction, timeZone, at, today,
                  dueSoonWorkingDays, dueSoonUntil, overdue, dueSoon, awaitingVerification: [{requestId,
                  kind, status, dueAt, dueLocal, daysOverdue, waitingFor: [system ids]}], incomplete,
                  tasksOverdue, calendar: {years, missing},
                  digest: {outcome, …}}

Exit codes: 0 done (also when requests are overdue), 1 the register could not be read or the digest
was not sent (failed or in doubt), 2 usage.`,
  options: {
    at: { type: 'string' },
    'send-digest': { type: 'boolean' },
  },
  async run({ positionals, options, global, output }) {
    if (positionals.length > 0)
      throw new UsageError(`monitor takes no arguments (got ${positionals.join(' ')})`);
    const at = clockOf(options.at, '--at');
    const sendDigest = options['send-digest'] === true;

    return withOpsRegister('monitor', { global, output }, {}, async (target) => {
      const profile = opsProfile(global, target);
      const digest = sendDigest ? openDigest(global, target, profile) : null;
      try {
        const report = await monitorDeadlines(
          {
            profile,
            listing: target.register,
            tasks: new DynamoDbFulfilmentRegister(target.requestsTable.client, target.requestsTable.name),
            // Nothing publishes metrics from a person's terminal: counted and dropped.
            metrics: new CountingMetrics(),
            log: stderrLogger(output),
            ...(digest ? { digest: digest.deps } : {}),
          },
          at,
        );
        if (global.json) output.out(`${JSON.stringify({ source: target.source, ...report }, null, 2)}\n`);
        else output.out(`${reportText(report, target.where)}\n`);
        return report.digest.outcome === 'failed' || report.digest.outcome === 'in-doubt' ? 1 : 0;
      } finally {
        digest?.close();
      }
    });
  },
};

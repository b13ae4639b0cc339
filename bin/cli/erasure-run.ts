/**
 * `makul erasure run [--dry-run] [--at ISO] [--json]`: the erasure executor's run (the same use case as
 * λ erasure-executor, functions/app/execute-erasure.ts) on the register the global options choose: each
 * erasure and consent withdrawal in progress, executed (makul's own data of the subject destroyed, the
 * destruction act written, the request completed) or skipped with the reason. Raw mail is deleted
 * through the local stack's S3 emulator (--local) or S3 in the operator's region, with the standard
 * AWS credentials. --dry-run says what would be done and changes nothing.
 *
 * Ids, kinds and counts only: never an address.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { signedFetchClient } from '../../functions/adapters/aws-signed-fetch';
import { DynamoDbErasureRegister } from '../../functions/adapters/dynamodb/erasure-register';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { S3RawMailStore } from '../../functions/adapters/s3/raw-mail-store';
import {
  type ErasureOutcome,
  type ErasureRunReport,
  executeErasures,
  SKIP_REASON_TEXT,
} from '../../functions/app/execute-erasure';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { CountingMetrics } from '../../functions/ports/metrics';
import type { RawMailRemover } from '../../functions/ports/raw-mail-store';
import { createLogger, type Logger } from '../../functions/shared/log';
import { runningLocalStack } from '../../local/local-stack-state';
import { LOCAL_CREDENTIALS } from '../../local/loopback';
import { type CliCommand, type CommandOutput, UsageError } from './command';
import { CommandFailure, NO_CREDENTIALS } from './ops-failure';
import { type OpsRegister, opsProfile, withOpsRegister } from './ops-register';
import { clockOf } from './ops-text';

/**
 * Raw mail on the same deployment as the register: the local stack's S3 emulator, or S3 in the
 * operator's region with the credentials the register's client resolved (the standard chain).
 */
async function rawMailOf(target: OpsRegister, profile: DeploymentProfile): Promise<RawMailRemover> {
  if (target.source.local) {
    const stack = runningLocalStack(target.source.dataDirectory);
    const fetcher = signedFetchClient({
      region: stack.region,
      service: 's3',
      environment: {
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
    });
    return new S3RawMailStore(fetcher, stack.region, stack.s3Endpoint);
  }
  const { region } = profile.operator.env;
  let credentials: Awaited<ReturnType<DynamoDBClient['config']['credentials']>>;
  try {
    credentials = await target.requestsTable.client.config.credentials();
  } catch {
    throw new CommandFailure(NO_CREDENTIALS);
  }
  const fetcher = signedFetchClient({
    region,
    service: 's3',
    environment: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    },
  });
  return new S3RawMailStore(fetcher, region, undefined);
}

/** The use case's warnings and errors as lines on stderr (stdout stays the result). */
function stderrLogger(output: CommandOutput): Logger {
  return createLogger('WARN', {}, (line) => {
    const { level, message, requestId, errorName } = JSON.parse(line) as Record<string, string | undefined>;
    const about = [requestId, errorName].filter(Boolean).join(' ');
    output.err(
      `makul erasure run: ${String(level).toLowerCase()}: ${message}${about ? ` (${about})` : ''}\n`,
    );
  });
}

function outcomeLine(outcome: ErasureOutcome): string {
  const head = `${outcome.requestId}  ${outcome.kind}: `;
  switch (outcome.outcome) {
    case 'executed':
      return `${head}executed, act ${outcome.actId} (${workText(outcome.work)} destroyed)`;
    case 'would-execute':
      return `${head}would execute (${workText(outcome.work)})`;
    case 'skipped':
      return `${head}skipped: ${SKIP_REASON_TEXT[outcome.reason]}`;
    case 'failed':
      return `${head}FAILED (${outcome.errorName}): it stays in progress; run again`;
  }
}

function workText(work: { entries: number; rawMail: number; tokens: number }): string {
  return `sealed data of ${work.entries} entr${work.entries === 1 ? 'y' : 'ies'}, ${work.rawMail} stored mail, ${work.tokens} token${work.tokens === 1 ? '' : 's'}`;
}

function reportText(report: ErasureRunReport, where: string): string {
  const executed = report.outcomes.filter((outcome) => outcome.outcome === 'executed').length;
  const failed = report.outcomes.filter((outcome) => outcome.outcome === 'failed').length;
  return [
    `Erasure executor for operator ${report.operator} (${where}), at ${report.at}${report.dryRun ? ' — DRY RUN: nothing changed' : ''}.`,
    `${report.considered} erasure${report.considered === 1 ? '' : 's'} or consent withdrawal${report.considered === 1 ? '' : 's'} in progress considered.`,
    '',
    ...(report.outcomes.length === 0 ? ['Nothing to do.'] : report.outcomes.map(outcomeLine)),
    '',
    report.dryRun
      ? `Would execute ${report.outcomes.filter((outcome) => outcome.outcome === 'would-execute').length}.`
      : `Executed ${executed}, failed ${failed}.`,
    report.overdue.length === 0
      ? 'None is past its due date.'
      : `PAST THEIR DUE DATE and not executed: ${report.overdue.join(', ')}.`,
    ...(report.incomplete ? ['More in progress than one run reads: run again for the rest.'] : []),
  ].join('\n');
}

export const erasureRunCommand: CliCommand = {
  name: 'erasure run',
  synopsis: 'makul erasure run [--dry-run] [--at ISO] [--local | --operator ID] [--json]',
  help: `Runs the erasure executor once, as the function does every 15 minutes, on the register the global
options choose. For each erasure and consent withdrawal in progress whose systems have all answered
"done" (or, when the operator has no data systems for the kind, at once): makul's own personal data of
the subject is destroyed (the sealed address and details of every request of the subject, their
stored mail, the request's link tokens), the destruction act and its audit-log extract are written
(kept 3 years; makul acts show ID), and the request is completed. The subject's record stays, so the
address stays suppressed. A request with a refused task, or cancelled by the subject, is never
executed. Each step can be repeated: after a failure, run again.

  --dry-run   list what would be done; change nothing
  --at ISO    the time to execute at (default: now)
  --local     the running local stack (npm start), its S3 emulator included; otherwise the
              operator's deployment in AWS (standard AWS credentials)
  --json      one JSON document: {source, operator, at, dryRun, considered, outcomes: [{requestId,
              kind, outcome, reason | actId | errorName, work}], overdue, incomplete}

Progress goes to stderr. Exit codes: 0 done (also when some were skipped), 1 an execution failed or
the register could not be read, 2 usage.`,
  options: {
    'dry-run': { type: 'boolean' },
    at: { type: 'string' },
  },
  async run({ positionals, options, global, output }) {
    if (positionals.length > 0)
      throw new UsageError(`erasure run takes no arguments (got ${positionals.join(' ')})`);
    const at = clockOf(options.at, '--at');
    const dryRun = options['dry-run'] === true;

    return withOpsRegister('erasure run', { global, output }, {}, async (target) => {
      const profile = opsProfile(global, target);
      const { client, name } = target.requestsTable;
      const report = await executeErasures(
        {
          profile,
          listing: target.register,
          register: target.register,
          fulfilment: new DynamoDbFulfilmentRegister(client, name),
          erasure: new DynamoDbErasureRegister(client, name),
          rawMail: dryRun ? { delete: async () => undefined } : await rawMailOf(target, profile),
          // Nothing publishes metrics from a person's terminal: counted and dropped.
          metrics: new CountingMetrics(),
          log: stderrLogger(output),
          hmacKey: () => target.hmacKey(),
        },
        at,
        {
          dryRun,
          onProgress: (done, of) => {
            if (!global.json) output.err(`makul erasure run: ${done}/${of}\n`);
          },
        },
      );
      if (global.json) output.out(`${JSON.stringify({ source: target.source, ...report }, null, 2)}\n`);
      else output.out(`${reportText(report, target.where)}\n`);
      return report.outcomes.some((outcome) => outcome.outcome === 'failed') ? 1 : 0;
    });
  },
};

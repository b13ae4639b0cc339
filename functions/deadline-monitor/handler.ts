/**
 * λ deadline-monitor, run hourly by a schedule: reports open requests that are overdue or due soon and
 * whether the official calendar has the current and next year (metrics for the alarms), and once a
 * local day mails the digest to the DPO (functions/app/monitor-deadlines.ts).
 *
 * It reads ids, kinds, statuses and due dates only, and which systems' tasks are open, so it gets no
 * HMAC key (no secret to read), no raw mail and no register writes: the shared setup
 * (shared/function-setup.ts) would load the key first, so this handler builds its few adapters itself,
 * from the same configuration contract.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbDigestMarker } from '../adapters/dynamodb/digest-marker';
import { DynamoDbFulfilmentRegister } from '../adapters/dynamodb/fulfilment-register';
import { DynamoDbRequestRegister } from '../adapters/dynamodb/request-register';
import { SesMailSender } from '../adapters/ses/mail-sender';
import { type DeadlineReport, monitorDeadlines } from '../app/monitor-deadlines';
import { AWS_CALL_TIMEOUTS } from '../shared/aws-timeouts';
import { loadFunctionConfig } from '../shared/config';
import { createLogger, type Logger } from '../shared/log';
import { functionMetrics } from '../shared/metrics';
import { createAwsClients } from '../shared/runtime';
import { FUNCTION_NAME, readDigestLocalHour } from './settings';

export type DeadlineMonitorHandler = (event: unknown, context: Context) => Promise<DeadlineReport>;

/**
 * `now` is the clock the run is measured by; tests give their own (the schedule's event carries no
 * time the function needs).
 */
export function createDeadlineMonitorHandler(
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
  now: () => Date = () => new Date(),
): DeadlineMonitorHandler {
  const config = loadFunctionConfig(environment, FUNCTION_NAME);
  const fromLocalHour = readDigestLocalHour(environment);
  const { profile } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: FUNCTION_NAME, operator: profile.operator.id });
  const clients = createAwsClients(config, environment, AWS_CALL_TIMEOUTS);
  const listing = new DynamoDbRequestRegister(clients.dynamodb, {
    requestsTableName: config.requestsTableName,
    subjectsTableName: config.subjectsTableName,
  });
  const tasks = new DynamoDbFulfilmentRegister(clients.dynamodb, config.requestsTableName);
  const marker = new DynamoDbDigestMarker(clients.dynamodb, config.requestsTableName);
  const mailSender = new SesMailSender(clients.ses, config.sesConfigurationSet);
  const metrics = functionMetrics(FUNCTION_NAME, profile.operator.id, environment);
  // The CLI finds the deployment's tables from the operator's stack outputs (bin/cli/ops-register.ts).
  const cliTarget = `--operator ${profile.operator.id}`;

  return middy<unknown, DeadlineReport>()
    .use([...metrics.middleware])
    .handler(async (_event, context) =>
      monitorDeadlines(
        {
          profile,
          listing,
          tasks,
          metrics: metrics.recorder,
          log: log.child({ awsRequestId: context.awsRequestId }),
          digest: { marker, mailSender, fromLocalHour, cliTarget },
        },
        now(),
      ),
    );
}

/**
 * λ deferred-outbound, run by a schedule: sends the replies and forwards that waited for a rate-limit
 * window (functions/app/send-deferred-outbound.ts) and reports what waits, for the dashboard and alarm.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbFulfilmentRegister } from '../adapters/dynamodb/fulfilment-register';
import { noticeComposer } from '../app/prepare-notice';
import { type DeferredRunReport, sendDeferredOutbound } from '../app/send-deferred-outbound';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import { AWS_CALL_TIMEOUTS } from '../shared/aws-timeouts';
import { setUpFunction } from '../shared/function-setup';
import type { Logger } from '../shared/log';
import { linkRegisterOn } from '../shared/register-runtime';
import { createRuntime } from '../shared/runtime';

export type DeferredOutboundHandler = (event: unknown, context: Context) => Promise<DeferredRunReport>;

export function createDeferredOutboundHandler(
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
): DeferredOutboundHandler {
  // The access report reads what the data systems answered: their tasks, on the same client and table.
  let fulfilment: FulfilmentRegister | undefined;
  const setup = setUpFunction(
    'deferred-outbound',
    environment,
    (config, env) =>
      createRuntime(config, env, AWS_CALL_TIMEOUTS, (dynamodb, runtimeConfig) => {
        fulfilment = new DynamoDbFulfilmentRegister(dynamodb, runtimeConfig.requestsTableName);
        return linkRegisterOn(dynamodb, runtimeConfig);
      }),
    logger,
  );
  return middy<unknown, DeferredRunReport>()
    .use([...setup.middleware])
    .handler(async (_event, context) => {
      const basics = setup.dependencies(context);
      const deps = {
        ...basics,
        composeNotice: noticeComposer({ ...basics, ...(fulfilment ? { fulfilment } : {}) }),
      };
      const report = await sendDeferredOutbound(deps);
      deps.log.info('deferred messages handled', {
        due: report.due,
        waiting: report.waiting,
        ...report.results,
      });
      return report;
    });
}

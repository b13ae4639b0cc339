/**
 * λ deferred-outbound, run by a schedule: sends the replies and forwards that waited for a rate-limit
 * window (functions/app/send-deferred-outbound.ts) and reports what waits, for the dashboard and alarm.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type DeferredRunReport, sendDeferredOutbound } from '../app/send-deferred-outbound';
import { setUpFunction } from '../shared/function-setup';
import type { Logger } from '../shared/log';

export type DeferredOutboundHandler = (event: unknown, context: Context) => Promise<DeferredRunReport>;

export function createDeferredOutboundHandler(
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
): DeferredOutboundHandler {
  const setup = setUpFunction('deferred-outbound', environment, logger);
  return middy<unknown, DeferredRunReport>()
    .use([...setup.middleware])
    .handler(async (_event, context) => {
      const deps = setup.dependencies(context);
      const report = await sendDeferredOutbound(deps);
      deps.log.info('deferred messages handled', {
        due: report.due,
        waiting: report.waiting,
        ...report.results,
      });
      return report;
    });
}

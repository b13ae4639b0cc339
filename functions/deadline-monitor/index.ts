/** Lambda's entry for λ deadline-monitor (`index.handler`): the handler built from the function's environment. */
import { createDeadlineMonitorHandler, type DeadlineMonitorHandler } from './handler';

export const handler: DeadlineMonitorHandler = createDeadlineMonitorHandler(process.env);

/** Lambda's entry for λ status-changes (`index.handler`): the handler built from the function's environment. */
import { createStatusChangesHandler, type StatusChangesHandler } from './handler';

export const handler: StatusChangesHandler = createStatusChangesHandler(process.env);

/** Lambda's entry for λ fulfilment-tasks (`index.handler`): the handler built from the function's environment. */
import { createFulfilmentTasksHandler, type FulfilmentTasksHandler } from './handler';

export const handler: FulfilmentTasksHandler = createFulfilmentTasksHandler(process.env);

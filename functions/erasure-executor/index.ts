/** Lambda's entry for λ erasure-executor (`index.handler`): the handler built from the function's environment. */
import { createErasureExecutorHandler, type ErasureExecutorHandler } from './handler';

export const handler: ErasureExecutorHandler = createErasureExecutorHandler(process.env);

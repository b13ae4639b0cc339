/** Lambda's entry for λ deferred-outbound (`index.handler`): the handler built from the function's environment. */
import { createDeferredOutboundHandler, type DeferredOutboundHandler } from './handler';

export const handler: DeferredOutboundHandler = createDeferredOutboundHandler(process.env);

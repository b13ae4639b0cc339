/** Lambda's entry for λ inbound-email (`index.handler`): the handler built from the function's environment. */
import { createInboundHandler, type InboundHandler } from './handler';

export const handler: InboundHandler = createInboundHandler(process.env);

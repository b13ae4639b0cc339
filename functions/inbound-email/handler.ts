/**
 * λ inbound-email: SQS (SES receipt notifications via SNS) → the inbound pipeline.
 * Configuration, clients and logger are built here once per cold start; the HMAC key on the first call.
 */
import { createInboundHandler, type InboundHandler } from './runtime';

export const handler: InboundHandler = createInboundHandler(process.env);

/**
 * Plumbing for makul's HTTP functions (confirmation pages, the status API): one place maps a typed
 * error to a response, and every response, errors included, carries the security headers.
 *
 *   throw httpError(404, 'unknown request')  →  404, body "unknown request", security headers
 *   throw new Error(<anything>)              →  500, a fixed body; the error is logged by name and
 *                                               masked message, never echoed to the caller
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpSecurityHeaders from '@middy/http-security-headers';
import { createError, type HttpError } from '@middy/util';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { describeError, type Logger } from './log';

/** The body of every unexpected failure: it names nothing about the request or the system. */
export const INTERNAL_ERROR_BODY = 'Internal error';

/**
 * An error whose status and message the caller may see (4xx). Messages must not carry personal data:
 * they go to the client as they are. A 5xx is never shown: the client gets INTERNAL_ERROR_BODY.
 */
export function httpError(statusCode: number, message: string): HttpError {
  return createError(statusCode, message, { expose: statusCode < 500 });
}

export type HttpSecurityOptions = Parameters<typeof httpSecurityHeaders>[0];

export interface HttpFunctionOptions {
  readonly log: Logger;
  /**
   * Overrides of @middy/http-security-headers' defaults (helmet's). A page with a form widens
   * `form-action`; everything else keeps the strict default.
   */
  readonly securityHeaders?: HttpSecurityOptions;
}

/**
 * A middy function for a private JSON API (the status API) that machines call with SigV4: the error
 * handler alone. The browser security headers of `httpFunction` guard pages a person opens; an API
 * that answers JSON to signed requests has no use for them, and they cost its bundle 5 KB.
 */
export function jsonApiFunction<TResult extends APIGatewayProxyResultV2 = APIGatewayProxyResultV2>(
  log: Logger,
) {
  return middy<APIGatewayProxyEventV2, TResult, Error, Context>().use(errorHandler(log));
}

function errorHandler(log: Logger) {
  return httpErrorHandler({
    logger: (error: unknown) => {
      const statusCode = (error as { statusCode?: number }).statusCode ?? 500;
      if (statusCode >= 500) log.error('request failed', describeError(error));
    },
    fallbackMessage: INTERNAL_ERROR_BODY,
  });
}

/**
 * A middy function for API Gateway HTTP API (payload 2.0) events. Security headers are registered
 * before the error handler: middy runs `onError` in reverse order, so the headers are added to the
 * response the error handler builds, not only to successful ones.
 */
export function httpFunction<TResult extends APIGatewayProxyResultV2 = APIGatewayProxyResultV2>(
  options: HttpFunctionOptions,
) {
  return middy<APIGatewayProxyEventV2, TResult, Error, Context>()
    .use(
      httpSecurityHeaders({
        // Links in mail carry tokens in their path: no page may leak its URL to another site.
        referrerPolicy: { policy: 'no-referrer' },
        ...options.securityHeaders,
      }),
    )
    .use(errorHandler(options.log));
}

/**
 * λ pages: the public HTTP API (API Gateway HTTP API, payload 2.0) behind the links in makul's mail.
 *
 *   GET  /c/{token}  what the link is for          POST /c/{token}  the button pressed (confirm | cancel)
 *   GET  /u/{token}  a page with an unsubscribe    POST /u/{token}  RFC 8058 one-click unsubscribe
 *                    button                                          (`List-Unsubscribe=One-Click`)
 *   anything else    404 page
 *
 * Tokens travel in the path, so nothing here logs a path or a query: log lines carry the route
 * template and the outcome only, and API Gateway's access log format omits them too (lib/).
 * Every response, errors included, carries the pages' security headers.
 */
import type middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { actOnLink, type LinkDependencies, showLink } from '../app/confirmation-links';
import { showUnsubscribe, unsubscribeOneClick } from '../app/one-click-unsubscribe';
import { PAGE_SECURITY_HEADERS } from '../domain/pages/page-style';
import type { PageView } from '../domain/pages/page-view';
import { renderPage } from '../domain/pages/render-page';
import { LANGUAGES, type Language } from '../domain/requests/request-kinds';
import { setUpFunction } from '../shared/function-setup';
import { httpFunction } from '../shared/http';
import type { Logger } from '../shared/log';
import { createRegisterRuntime } from '../shared/register-runtime';

export type PagesHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * @middy/http-security-headers sets helmet's headers on every response, errors included; the pages'
 * own Content-Security-Policy (no script at all, the one stylesheet by its hash, forms only to this
 * origin, never framed) comes with each page instead (PAGE_SECURITY_HEADERS), because helmet's CSP
 * defaults add `sandbox` (which blocks the buttons) and `upgrade-insecure-requests` (which breaks the
 * local stack's plain http on 127.0.0.1) and cannot be switched off one by one.
 */
const SECURITY_MIDDLEWARE_OPTIONS = {
  contentSecurityPolicy: false,
  strictTransportSecurity: { maxAge: 2 * 365 * 24 * 60 * 60, includeSubDomains: true, preload: false },
} as const;

/** The form fields the pages post; a parsed urlencoded body, or the raw text of another kind of body. */
type FormBody = Readonly<Record<string, string | string[] | undefined>> | string | undefined;

export function createPagesHandler(environment: NodeJS.ProcessEnv, logger?: Logger): PagesHandler {
  const setup = setUpFunction('pages', environment, createRegisterRuntime, logger);
  const { operator, jurisdiction } = setup.config.profile;

  const respond = (
    view: PageView,
    event: APIGatewayProxyEventV2,
    language: Language,
  ): APIGatewayProxyStructuredResultV2 => {
    const rendered = renderPage(view, {
      language,
      operatorName: operator.displayName[language],
      supportAddress: operator.supportAddresses[0] ?? operator.humanSupportInbox,
      timeZone: jurisdiction.timeZone,
      selfPath: event.rawPath,
    });
    const headers: Record<string, string> = { ...PAGE_SECURITY_HEADERS };
    // Too many attempts: the source's hourly count starts again within the hour.
    if (rendered.statusCode === 429) headers['Retry-After'] = '3600';
    return { statusCode: rendered.statusCode, headers, body: rendered.html };
  };

  const invocation = (event: APIGatewayProxyEventV2, lambdaContext: Context) => {
    const deps: LinkDependencies = setup.dependencies(lambdaContext);
    const asked = requestedLanguage(event);
    const sourceIp = event.requestContext.http.sourceIp;
    const token = event.pathParameters?.token ?? '';
    return { deps, asked, sourceIp, token, fallback: asked ?? operator.defaultLanguage };
  };

  const routes = [
    {
      method: 'GET' as const,
      path: '/c/{token}',
      handler: async (event: APIGatewayProxyEventV2, lambdaContext: Context) => {
        const { deps, asked, sourceIp, token, fallback } = invocation(event, lambdaContext);
        const shown = await showLink(token, sourceIp, asked, deps);
        return respond(shown.view, event, asked ?? shown.requestLanguage ?? fallback);
      },
    },
    {
      method: 'POST' as const,
      path: '/c/{token}',
      handler: async (event: APIGatewayProxyEventV2, lambdaContext: Context) => {
        const { deps, sourceIp, token, fallback } = invocation(event, lambdaContext);
        const form = formOf(event);
        const asked = languageFrom(field(form, 'lang')) ?? requestedLanguage(event);
        const acted = await actOnLink(token, field(form, 'action') ?? '', sourceIp, asked, deps);
        return respond(acted.view, event, asked ?? acted.requestLanguage ?? fallback);
      },
    },
    {
      method: 'GET' as const,
      path: '/u/{token}',
      handler: async (event: APIGatewayProxyEventV2, lambdaContext: Context) => {
        const { deps, sourceIp, token, fallback } = invocation(event, lambdaContext);
        return respond(await showUnsubscribe(token, sourceIp, deps), event, fallback);
      },
    },
    {
      method: 'POST' as const,
      path: '/u/{token}',
      handler: async (event: APIGatewayProxyEventV2, lambdaContext: Context) => {
        const { deps, sourceIp, token } = invocation(event, lambdaContext);
        const form = formOf(event);
        const asked = languageFrom(field(form, 'lang')) ?? requestedLanguage(event);
        // RFC 8058 §3.1: the POST carries List-Unsubscribe=One-Click; anything else is not that POST.
        if (!isOneClick(form))
          return respond({ page: 'unavailable' }, event, asked ?? operator.defaultLanguage);
        const view = await unsubscribeOneClick(token, sourceIp, asked, deps);
        return respond(view, event, asked ?? operator.defaultLanguage);
      },
    },
  ];

  const router = httpRouterHandler({
    routes,
    // Any other path: the not-found page, which names nothing of the path it was asked for.
    notFoundResponse: () =>
      respond({ page: 'not-found' }, { rawPath: '/' } as APIGatewayProxyEventV2, operator.defaultLanguage),
  });

  return httpFunction<APIGatewayProxyStructuredResultV2>({
    log: setup.log,
    securityHeaders: SECURITY_MIDDLEWARE_OPTIONS,
  })
    .use([...setup.middleware])
    .use(routeBelowBasePath(new URL(operator.confirmBaseUrl).pathname))
    .use(
      // Forms post urlencoded bodies; RFC 8058 also allows multipart, which is then read as text below.
      httpUrlencodeBodyParser({ disableContentTypeError: true }),
    )
    .handler(router as unknown as PagesHandler) as unknown as PagesHandler;
}

/**
 * Links are `<confirmBaseUrl>/c/<token>`, and the base may have a path (`https://privacy.x2.kg/confirm`,
 * served through an API mapping): routes are matched below it. HTTP APIs keep a mapping's path in the
 * event, so it is removed here for the router only; the pages still post back to the path as sent.
 */
function routeBelowBasePath(basePath: string): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  const base = basePath.replace(/\/+$/, '');
  return {
    before: (request) => {
      const http = request.event.requestContext.http;
      if (base && (http.path === base || http.path.startsWith(`${base}/`))) {
        http.path = http.path.slice(base.length) || '/';
      }
    },
  };
}

function requestedLanguage(event: APIGatewayProxyEventV2): Language | null {
  return languageFrom(event.queryStringParameters?.lang);
}

function languageFrom(value: string | undefined): Language | null {
  return value && (LANGUAGES as readonly string[]).includes(value) ? (value as Language) : null;
}

/**
 * The parsed form, or a body the parser left alone (another content type) as text: HTTP APIs hand
 * form posts over base64-encoded.
 */
function formOf(event: APIGatewayProxyEventV2): FormBody {
  const body = event.body as FormBody;
  if (typeof body === 'string' && event.isBase64Encoded) return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

function field(form: FormBody, name: string): string | undefined {
  if (!form || typeof form === 'string') return undefined;
  const value = form[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The one-click body: urlencoded (as mail providers send it), or multipart form data (RFC 8058 allows both). */
function isOneClick(form: FormBody): boolean {
  if (typeof form === 'string') return /name="List-Unsubscribe"\s+One-Click/.test(form);
  return field(form, 'List-Unsubscribe') === 'One-Click';
}

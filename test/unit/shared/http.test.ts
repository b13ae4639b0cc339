import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpError, httpFunction, INTERNAL_ERROR_BODY } from '../../../functions/shared/http';
import { createLogger } from '../../../functions/shared/log';

function event(path: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: '127.0.0.1' },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r1',
      routeKey: `GET ${path}`,
      stage: '$default',
      time: '01/Dec/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
  };
}

const context = { awsRequestId: 'test' } as Context;

function withLog() {
  const lines: string[] = [];
  return { lines, log: createLogger('DEBUG', {}, (line) => lines.push(line)) };
}

describe('httpFunction', () => {
  it('answers a typed client error with its status and message, and the security headers', async () => {
    const { log, lines } = withLog();
    const handler = httpFunction<APIGatewayProxyStructuredResultV2>({ log }).handler(async () => {
      throw httpError(404, 'no such request');
    });

    const response = (await handler(event('/v1/requests/x'), context)) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(404);
    expect(response.body).toBe('no such request');
    expect(response.headers?.['Referrer-Policy']).toBe('no-referrer');
    expect(response.headers?.['X-Content-Type-Options']).toBe('nosniff');
    expect(lines).toEqual([]);
  });

  it('hides an unexpected error behind a fixed body and logs it masked', async () => {
    const { log, lines } = withLog();
    const handler = httpFunction<APIGatewayProxyStructuredResultV2>({ log }).handler(async () => {
      throw new Error('DynamoDB refused ivan@example.ru');
    });

    const response = (await handler(event('/'), context)) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(500);
    expect(response.body).toBe(INTERNAL_ERROR_BODY);
    expect(response.headers?.['Referrer-Policy']).toBe('no-referrer');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('request failed');
    expect(lines[0]).not.toContain('ivan@example.ru');
  });

  it('never shows the message of a 5xx raised on purpose', async () => {
    const { log } = withLog();
    const handler = httpFunction<APIGatewayProxyStructuredResultV2>({ log }).handler(async () => {
      throw httpError(503, 'table makul-x2-requests is throttled');
    });

    const response = (await handler(event('/'), context)) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(500);
    expect(response.body).toBe(INTERNAL_ERROR_BODY);
  });

  it('adds the security headers to a successful response too', async () => {
    const { log } = withLog();
    const handler = httpFunction<APIGatewayProxyStructuredResultV2>({ log }).handler(async () => ({
      statusCode: 200,
      body: 'ok',
    }));

    const response = (await handler(event('/'), context)) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Referrer-Policy']).toBe('no-referrer');
    expect(response.headers?.['Content-Security-Policy']).toContain("frame-ancestors 'none'");
  });
});

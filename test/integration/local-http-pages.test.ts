/**
 * The local stand-in for API Gateway's HTTP API (local/http-pages.ts), driven over real HTTP with a
 * fake pages handler that records what it is given and answers what the test tells it to.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HttpPagesHandle,
  type HttpPagesOptions,
  MAX_LOCAL_BODY_BYTES,
  startHttpPages,
} from '../../local/http-pages';
import { LOOPBACK_HOST } from '../../local/loopback';
import { acceptsConnections, outsideAddresses } from '../support/reachability';

interface Recorder {
  readonly events: APIGatewayProxyEventV2[];
  readonly contexts: { functionName: string; awsRequestId: string; remainingMs: number }[];
  /** What the handler does next: return this, or run it. */
  answer: unknown;
}

const started: HttpPagesHandle[] = [];

async function startRecording(
  options: Partial<HttpPagesOptions> = {},
): Promise<{ server: HttpPagesHandle; recorder: Recorder; lines: string[] }> {
  const lines: string[] = [];
  const recorder: Recorder = { events: [], contexts: [], answer: { statusCode: 204 } };
  const handler = async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyResultV2> => {
    recorder.events.push(event);
    recorder.contexts.push({
      functionName: context.functionName,
      awsRequestId: context.awsRequestId,
      remainingMs: context.getRemainingTimeInMillis(),
    });
    const { answer } = recorder;
    return (typeof answer === 'function' ? await answer() : answer) as APIGatewayProxyResultV2;
  };
  const server = await startHttpPages({ handler, port: 0, log: (line) => lines.push(line), ...options });
  started.push(server);
  return { server, recorder, lines };
}

/**
 * One request written byte for byte on a fresh connection (fetch would merge repeated headers), and
 * the raw response read back until the server closes.
 */
async function rawRequest(port: number, head: readonly string[], body = ''): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: LOOPBACK_HOST, port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(`${[...head, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`);
  });
}

function onlyEvent(recorder: Recorder): APIGatewayProxyEventV2 {
  expect(recorder.events).toHaveLength(1);
  const [event] = recorder.events;
  if (event === undefined) throw new Error('no event');
  return event;
}

afterEach(async () => {
  for (const server of started.splice(0)) await server.dispose();
});

describe('startHttpPages: the request as a payload format 2.0 event', () => {
  it('maps method, path, query, headers, cookies and the request context as API Gateway does', async () => {
    const { server, recorder } = await startRecording();
    const before = Date.now();
    const response = await rawRequest(server.port, [
      'GET /c/abc%2Fdef?lang=ru&x=1&x=2&q=a+b%20c&empty= HTTP/1.1',
      `Host: 127.0.0.1:${server.port}`,
      'User-Agent: test-agent/1.0',
      'X-Custom: one',
      'x-custom: two',
      'Accept-Language: ky, ru;q=0.8',
      'Cookie: session=s1; theme=dark',
      'Cookie: lang=ky',
    ]);
    expect(response).toMatch(/^HTTP\/1\.1 204 /);

    const event = onlyEvent(recorder);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/c/abc%2Fdef',
      rawQueryString: 'lang=ru&x=1&x=2&q=a+b%20c&empty=',
      cookies: ['session=s1', 'theme=dark', 'lang=ky'],
      queryStringParameters: { lang: 'ru', x: '1,2', q: 'a b c', empty: '' },
      isBase64Encoded: false,
    });
    expect(event.body).toBeUndefined();
    // Lower-cased, repeated headers joined with ',', the Cookie header moved into cookies.
    expect(event.headers).toMatchObject({
      host: `127.0.0.1:${server.port}`,
      'user-agent': 'test-agent/1.0',
      'x-custom': 'one,two',
      'accept-language': 'ky, ru;q=0.8',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(server.port),
    });
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers.cookie).toBeUndefined();

    const context = event.requestContext;
    expect(context).toMatchObject({
      accountId: 'local',
      apiId: 'local',
      domainName: `127.0.0.1:${server.port}`,
      domainPrefix: '127',
      http: {
        method: 'GET',
        path: '/c/abc%2Fdef',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test-agent/1.0',
      },
      routeKey: '$default',
      stage: '$default',
    });
    expect(context.requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(context.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(context.timeEpoch).toBeLessThanOrEqual(Date.now());
  });

  it('leaves out cookies and queryStringParameters when the request has none, and gives each request its own ids', async () => {
    const { server, recorder } = await startRecording();
    await fetch(`${server.url}/`);
    await fetch(`${server.url}/`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const [first, second] = recorder.events;
    expect(first?.rawQueryString).toBe('');
    expect(first).not.toHaveProperty('cookies');
    expect(first).not.toHaveProperty('queryStringParameters');
    expect(first?.requestContext.requestId).not.toBe(second?.requestContext.requestId);
    // A forwarded-for the client sent is kept, and the address API Gateway saw is appended.
    expect(second?.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(second?.requestContext.http.sourceIp).toBe('127.0.0.1');
    const [firstContext, secondContext] = recorder.contexts;
    expect(firstContext?.awsRequestId).not.toBe(secondContext?.awsRequestId);
  });

  it('gives the handler a Lambda-like context named pages with a 10 s budget', async () => {
    const { server, recorder } = await startRecording();
    await fetch(`${server.url}/`);
    const [context] = recorder.contexts;
    expect(context?.functionName).toBe('pages');
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context?.remainingMs).toBeGreaterThan(9_000);
    expect(context?.remainingMs).toBeLessThanOrEqual(10_000);
  });

  it('passes textual bodies as UTF-8 text', async () => {
    const { server, recorder } = await startRecording();
    const text = 'Отказ от уведомлений — жок кылуу';
    await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: text,
    });
    await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":"б"}',
    });
    expect(recorder.events.map((event) => [event.body, event.isBase64Encoded])).toEqual([
      [text, false],
      ['{"a":"б"}', false],
    ]);
    expect(recorder.events[0]?.requestContext.http.method).toBe('POST');
  });

  it('base64-encodes form posts and binary bodies, as API Gateway does', async () => {
    const { server, recorder } = await startRecording();
    const form = 'token=abc&choice=%D0%B4%D0%B0';
    await fetch(`${server.url}/c/abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const bytes = randomBytes(300);
    await fetch(`${server.url}/upload`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const [formEvent, binaryEvent] = recorder.events;
    expect(formEvent?.isBase64Encoded).toBe(true);
    expect(Buffer.from(formEvent?.body ?? '', 'base64').toString('utf8')).toBe(form);
    expect(binaryEvent?.isBase64Encoded).toBe(true);
    expect(Buffer.from(binaryEvent?.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it(`accepts a body of exactly ${MAX_LOCAL_BODY_BYTES} bytes and answers 413 above it without calling the handler`, async () => {
    const { server, recorder, lines } = await startRecording();
    const atCap = await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'a'.repeat(MAX_LOCAL_BODY_BYTES),
    });
    expect(atCap.status).toBe(204);
    expect(recorder.events[0]?.body).toHaveLength(MAX_LOCAL_BODY_BYTES);

    const over = await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'a'.repeat(MAX_LOCAL_BODY_BYTES + 1),
    });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ message: 'Request Entity Too Large' });

    // A chunked body declares no length: it is counted as it arrives.
    const chunk = new Uint8Array(16 * 1024).fill(98);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= MAX_LOCAL_BODY_BYTES + chunk.length) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const chunked = await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    expect(recorder.events).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('HTTP POST 413 '))).toHaveLength(2);
  });
});

describe('startHttpPages: the result written back', () => {
  it('writes status, headers and body, and each cookie as its own Set-Cookie header', async () => {
    const { server, recorder } = await startRecording();
    recorder.answer = {
      statusCode: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-n': 3 },
      cookies: ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure; SameSite=Strict'],
      body: '<p>Макул</p>',
    };
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-n')).toBe('3');
    expect(response.headers.get('apigw-requestid')).toBe(recorder.events[0]?.requestContext.requestId);
    expect(response.headers.getSetCookie()).toEqual([
      'a=1; Path=/; HttpOnly',
      'b=2; Path=/; Secure; SameSite=Strict',
    ]);
    expect(await response.text()).toBe('<p>Макул</p>');
  });

  it('passes a header value with commas as one header, and ignores multiValueHeaders (format 2.0 has none), saying so once', async () => {
    const { server, recorder, lines } = await startRecording();
    recorder.answer = {
      statusCode: 303,
      headers: { location: '/done', vary: 'accept-language,cookie' },
      multiValueHeaders: { 'x-dropped': ['1', '2'] },
    };
    const first = await fetch(`${server.url}/`, { redirect: 'manual' });
    await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/done');
    expect(first.headers.get('vary')).toBe('accept-language,cookie');
    expect(first.headers.get('x-dropped')).toBeNull();
    expect(lines.filter((line) => line.includes('multiValueHeaders'))).toHaveLength(1);
  });

  it('decodes a base64 body marked isBase64Encoded', async () => {
    const { server, recorder } = await startRecording();
    const bytes = randomBytes(200);
    recorder.answer = {
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
    const response = await fetch(`${server.url}/logo.png`);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('infers 200 and application/json for a result without statusCode', async () => {
    const { server, recorder } = await startRecording();
    recorder.answer = { message: 'hello' };
    const object = await fetch(`${server.url}/`);
    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toEqual({ message: 'hello' });
    recorder.answer = 'Hello from Lambda!';
    expect(await (await fetch(`${server.url}/`)).text()).toBe('Hello from Lambda!');
  });

  it('answers 502 {"message":"Internal Server Error"} when the handler throws, without the error text', async () => {
    const { server, recorder, lines } = await startRecording();
    recorder.answer = () => {
      throw new TypeError('subject ivan@example.com not found');
    };
    const response = await fetch(`${server.url}/c/abc`);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"message":"Internal Server Error"}');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^HTTP GET 502 \d+ ms: the handler threw TypeError/);
    expect(lines.join('\n')).not.toContain('ivan@example.com');
  });

  it('answers 502 for a malformed result and for a handler that outlives its time budget', async () => {
    const { server, recorder, lines } = await startRecording({ timeoutMs: 100 });
    recorder.answer = { statusCode: 'ok' };
    expect((await fetch(`${server.url}/`)).status).toBe(502);
    recorder.answer = { statusCode: 200, headers: { 'x-bad': 'a\r\nInjected: yes' } };
    const injected = await fetch(`${server.url}/`);
    expect(injected.status).toBe(502);
    expect(injected.headers.get('injected')).toBeNull();
    recorder.answer = () => new Promise(() => {});
    const hung = await fetch(`${server.url}/`);
    expect(hung.status).toBe(502);
    expect(await hung.json()).toEqual({ message: 'Internal Server Error' });
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^HTTP GET 502 \d+ ms: malformed result \(statusCode is not an HTTP status\)$/),
      expect.stringMatching(/^HTTP GET 502 \d+ ms: malformed result \(a header name or value/),
      expect.stringMatching(/^HTTP GET 502 \d+ ms: the handler did not answer within 100 ms/),
    ]);
  });
});

describe('startHttpPages: the server', () => {
  it('listens on 127.0.0.1 only', async () => {
    const { server } = await startRecording();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.endpoint).toBe(server.url);
    expect(await acceptsConnections(LOOPBACK_HOST, server.port)).toBe(true);
    expect(await acceptsConnections('::1', server.port)).toBe(false);
    for (const address of outsideAddresses()) {
      expect(await acceptsConnections(address, server.port), `reachable on ${address}`).toBe(false);
    }
  });

  it('logs one line per request with method, status and time, never the path or the query', async () => {
    const { server, recorder, lines } = await startRecording();
    const token = 'Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ';
    recorder.answer = { statusCode: 200, body: 'ok' };
    await fetch(`${server.url}/c/${token}?email=ivan%40example.com`);
    await fetch(`${server.url}/u/${token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(lines[0]).toBe(`HTTP API (pages): ready at ${server.url}`);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^HTTP GET 200 \d+ ms$/),
      expect.stringMatching(/^HTTP POST 200 \d+ ms$/),
    ]);
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('/c/');
    expect(all).not.toContain('example.com');
  });

  it('stops after the requests in progress are answered, and starts again on the same port', async () => {
    const { server, recorder, lines } = await startRecording();
    let release: () => void = () => {};
    recorder.answer = () =>
      new Promise((resolve) => {
        release = () => resolve({ statusCode: 200, body: 'late' });
      });
    const slow = fetch(`${server.url}/`);
    await expect.poll(() => recorder.events.length).toBe(1);
    const stopped = server.stop();
    setTimeout(() => release(), 100);
    const response = await slow;
    expect(await response.text()).toBe('late');
    await stopped;
    expect(lines.at(-1)).toBe('HTTP API (pages): stopped');
    expect(await acceptsConnections(LOOPBACK_HOST, server.port)).toBe(false);

    await server.start();
    recorder.answer = { statusCode: 204 };
    expect((await fetch(`${server.url}/`)).status).toBe(204);
  });

  it('names the port when it is taken', async () => {
    const { server } = await startRecording();
    await expect(
      startHttpPages({ handler: async () => ({ statusCode: 200 }), port: server.port, log: () => {} }),
    ).rejects.toThrow(`HTTP API (pages): port ${server.port} on 127.0.0.1 is already in use`);
  });
});

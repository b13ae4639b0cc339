/**
 * What the small AWS stand-ins share (eventbridge-stand-in.ts, ses-contacts-stand-in.ts): an HTTP server
 * on 127.0.0.1 that the real SDK clients call, answering in the service's JSON, stoppable and startable
 * again on the same port with what it recorded kept.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  closeHttpServer,
  endpointFor,
  findFreePort,
  type LocalServiceHandle,
  listenOnLoopback,
  type ProgressReporter,
  printProgress,
} from './loopback';

/** Requests to a stand-in are a few kilobytes; anything far larger is a mistake, refused unread. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface StandInOptions {
  readonly port?: number;
  readonly report?: ProgressReporter;
}

export type StandInRoute = (request: IncomingMessage, body: string, response: ServerResponse) => void;

export async function startStandInServer(
  serviceName: string,
  route: StandInRoute,
  options: StandInOptions = {},
): Promise<LocalServiceHandle> {
  const report = options.report ?? printProgress;
  const port = options.port ?? (await findFreePort());
  const endpoint = endpointFor(port);
  let server: ReturnType<typeof createServer> | null = null;

  const start = async (): Promise<void> => {
    if (server !== null) return;
    const starting = createServer((request, response) => {
      readBody(request)
        .then((body) => route(request, body, response))
        .catch((error: unknown) => {
          sendJson(response, 400, { message: error instanceof Error ? error.message : String(error) });
        });
    });
    await listenOnLoopback(starting, port, serviceName);
    server = starting;
    report(`${serviceName}: ready at ${endpoint}`);
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (running === null) return;
    server = null;
    await closeHttpServer(running);
    report(`${serviceName}: stopped`);
  };

  await start();
  return { endpoint, port, start, stop, dispose: stop };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

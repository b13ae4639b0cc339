/**
 * EventBridge's PutEvents on 127.0.0.1, for the local stack and the tests: the real SDK client
 * (awsJson1_1, `X-Amz-Target: AWSEvents.PutEvents`) puts events here, and the stand-in records them
 * and answers as EventBridge does. No rules, no targets: tests read what was put.
 *
 * It can be told to fail the next calls, either way EventBridge fails:
 *   'server-error'  HTTP 500 InternalException: the SDK retries it on its own
 *   'failed-entry'  HTTP 200 with the entry refused inside (FailedEntryCount 1): the SDK does not
 *                   retry it, so the caller sees the failure (a Lambda's record is delivered again)
 * A failed call records nothing.
 */
import { randomUUID } from 'node:crypto';
import type { LocalServiceHandle } from './loopback';
import { type StandInOptions, sendJson, startStandInServer } from './stand-in-server';

export interface PutEvent {
  readonly eventId: string;
  readonly eventBusName: string | undefined;
  readonly source: string;
  readonly detailType: string;
  /** Detail, parsed: EventBridge requires it to be a JSON object. */
  readonly detail: unknown;
  /** Epoch seconds, as the SDK sends `Time`; undefined when not given. */
  readonly time: number | undefined;
}

export type PutEventsFailure = 'server-error' | 'failed-entry';

export interface EventBridgeStandInHandle extends LocalServiceHandle {
  /** Every event put since start or the last clear, oldest first. */
  readonly events: readonly PutEvent[];
  /** PutEvents calls answered, failed ones included. */
  readonly calls: number;
  /** The next `count` PutEvents calls fail in the way given. */
  failNext(count: number, failure?: PutEventsFailure): void;
  clear(): void;
}

const JSON_1_1 = { 'content-type': 'application/x-amz-json-1.1' };
/** PutEvents takes at most 10 entries a call. */
const MAX_ENTRIES = 10;

interface PutEventsEntry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Time?: number;
}

export async function startEventBridgeStandIn(
  options: StandInOptions = {},
): Promise<EventBridgeStandInHandle> {
  const events: PutEvent[] = [];
  const failures: PutEventsFailure[] = [];
  let calls = 0;

  const server = await startStandInServer(
    'EventBridge stand-in',
    (request, body, response) => {
      const target = request.headers['x-amz-target'];
      if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
        sendJson(
          response,
          400,
          { __type: 'UnknownOperationException', message: `not served: ${target}` },
          JSON_1_1,
        );
        return;
      }
      calls += 1;
      const entries = (JSON.parse(body) as { Entries?: PutEventsEntry[] }).Entries ?? [];
      if (entries.length === 0 || entries.length > MAX_ENTRIES) {
        sendJson(response, 400, { __type: 'ValidationException', message: '1 to 10 entries' }, JSON_1_1);
        return;
      }
      const failure = failures.shift();
      if (failure === 'server-error') {
        sendJson(response, 500, { __type: 'InternalException', message: 'told to fail' }, JSON_1_1);
        return;
      }
      if (failure === 'failed-entry') {
        sendJson(
          response,
          200,
          {
            FailedEntryCount: entries.length,
            Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'told to fail' })),
          },
          JSON_1_1,
        );
        return;
      }
      const answered = entries.map((entry) => {
        const problem = entryProblem(entry);
        if (problem) return { ErrorCode: 'MalformedDetail', ErrorMessage: problem };
        const eventId = randomUUID();
        events.push({
          eventId,
          eventBusName: entry.EventBusName,
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          detail: JSON.parse(entry.Detail ?? 'null'),
          time: entry.Time,
        });
        return { EventId: eventId };
      });
      const failed = answered.filter((entry) => 'ErrorCode' in entry).length;
      sendJson(response, 200, { FailedEntryCount: failed, Entries: answered }, JSON_1_1);
    },
    options,
  );

  return {
    ...server,
    get events() {
      return events;
    },
    get calls() {
      return calls;
    },
    failNext(count, failure = 'failed-entry') {
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    clear() {
      events.length = 0;
      failures.length = 0;
      calls = 0;
    },
  };
}

/** What EventBridge itself refuses in an entry: missing fields, or a Detail that is not a JSON object. */
function entryProblem(entry: PutEventsEntry): string | null {
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
    return 'Source, DetailType and Detail are required';
  }
  try {
    const detail: unknown = JSON.parse(entry.Detail);
    return detail !== null && typeof detail === 'object' && !Array.isArray(detail)
      ? null
      : 'Detail is not a JSON object';
  } catch {
    return 'Detail is not valid JSON';
  }
}

/**
 * The event at the edge: a DynamoDB Streams record of the requests table (NEW_AND_OLD_IMAGES), as Lambda
 * hands it over. Two writes matter (key design: functions/shared/table-design.ts):
 *   `REQ#<id>` / `META`         a request entry, not a notice, that became `in-progress` with a
 *                               fulfilment kind: new at in-progress (an authenticated request), or moved
 *                               there from another status (a confirmed link);
 *   `REQ#<id>` / `TASK#<system>` a task inserted for a system told by event.
 * Everything else is skipped. The event source mapping filters the same way (lib/fulfilment-tasks.ts);
 * this check stays because the local stream poller applies no filter. Validated by schema: only the
 * fields makul relies on are required.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { toRequest } from '../adapters/dynamodb/request-items';
import { isFulfilmentKind } from '../domain/fulfilment/tasks';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { RequestKind } from '../domain/requests/request-kinds';
import { describeSchemaErrors } from '../shared/schema-errors';
import { FULFILMENT_KEYS } from '../shared/table-design';

const REQUEST_PREFIX = 'REQ#';
const META = 'META';
const IN_PROGRESS = 'in-progress';

const image = z.record(z.string(), z.unknown());

export const requestsStreamRecordSchema = z.object({
  eventID: z.string().check(z.minLength(1)),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: z.object({ pk: z.object({ S: z.string() }), sk: z.object({ S: z.string() }) }),
    SequenceNumber: z.string().check(z.minLength(1)),
    NewImage: z.optional(image),
    OldImage: z.optional(image),
  }),
});

export class InvalidStreamRecordError extends Error {
  override readonly name = 'InvalidStreamRecordError';
}

export type FulfilmentRecord =
  | { readonly type: 'request-in-progress'; readonly request: RegisteredRequest }
  | { readonly type: 'task-created'; readonly requestId: string; readonly systemId: string };

/** What a stream record asks of the processor, or null for any other write to the table. */
export function fulfilmentRecordOf(record: DynamoDBRecord): FulfilmentRecord | null {
  const parsed = requestsStreamRecordSchema.safeParse(record);
  if (!parsed.success) {
    throw new InvalidStreamRecordError(
      `not a requests-table stream record: ${describeSchemaErrors(parsed.error)}`,
    );
  }
  const { eventName, dynamodb } = parsed.data;
  const { pk, sk } = dynamodb.Keys;
  if (eventName === 'REMOVE' || !pk.S.startsWith(REQUEST_PREFIX)) return null;
  const newImage = dynamodb.NewImage as Record<string, AttributeValue> | undefined;
  const oldImage = dynamodb.OldImage as Record<string, AttributeValue> | undefined;
  // Without the images nothing can be told: the stream is not NEW_AND_OLD_IMAGES (a deployment
  // mistake that must fail loudly, not skip every request).
  if (!newImage || (eventName === 'MODIFY' && !oldImage)) {
    throw new InvalidStreamRecordError(`a ${eventName} record without the images it needs`);
  }
  if (sk.S === META) {
    if (newImage.status?.S !== IN_PROGRESS || oldImage?.status?.S === IN_PROGRESS) return null;
    // A notice entry (`REQ#<id>.<notice>`) holds noticeOf; a request entry holds it NULL or not at all.
    if (newImage.noticeOf?.S !== undefined) return null;
    if (!isFulfilmentKind((newImage.kind?.S ?? null) as RequestKind | null)) return null;
    return { type: 'request-in-progress', request: toRequest(newImage as Record<string, SdkAttributeValue>) };
  }
  if (sk.S.startsWith(FULFILMENT_KEYS.taskPrefix) && eventName === 'INSERT') {
    if (newImage.toldBy?.S !== 'event') return null;
    return {
      type: 'task-created',
      requestId: pk.S.slice(REQUEST_PREFIX.length),
      systemId: sk.S.slice(FULFILMENT_KEYS.taskPrefix.length),
    };
  }
  return null;
}

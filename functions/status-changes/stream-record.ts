/**
 * The event at the edge: a DynamoDB Streams record of the subjects table (NEW_AND_OLD_IMAGES), as Lambda
 * hands it over. Only a subject's record (`SUB#<hmac>` / `PROFILE`) is of interest; the table's other
 * items (reply counters, page counters, the change feed and its markers) are skipped. Validated by
 * schema: only the fields makul relies on are required.
 */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { StatusRecord } from '../app/publish-status-change';
import { SUBJECT_FLAGS } from '../domain/requests/request-policies';
import type { ProfileImage } from '../domain/subjects/status-change';
import type { StatusFlags } from '../domain/subjects/subject-status';
import type { SubjectFlag } from '../ports/request-register';
import { describeSchemaErrors } from '../shared/schema-errors';

/** functions/shared/table-design.ts: a subject's record is `SUB#<hmac hex>` / `PROFILE`. */
const SUBJECT_PREFIX = 'SUB#';
const PROFILE_SORT_KEY = 'PROFILE';

const image = z.record(z.string(), z.unknown());

export const subjectsStreamRecordSchema = z.object({
  eventID: z.string().check(z.minLength(1)),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: z.object({ pk: z.object({ S: z.string() }), sk: z.object({ S: z.string() }) }),
    SequenceNumber: z.string().check(z.minLength(1)),
    /** Epoch seconds. */
    ApproximateCreationDateTime: z.optional(z.number()),
    NewImage: z.optional(image),
    OldImage: z.optional(image),
  }),
});

export class InvalidStreamRecordError extends Error {
  override readonly name = 'InvalidStreamRecordError';
}

/** The subject's record write a stream record reports, or null for any other item of the table. */
export function statusRecordOf(record: DynamoDBRecord): StatusRecord | null {
  const parsed = subjectsStreamRecordSchema.safeParse(record);
  if (!parsed.success) {
    throw new InvalidStreamRecordError(
      `not a subjects-table stream record: ${describeSchemaErrors(parsed.error)}`,
    );
  }
  const { eventID, eventName, dynamodb } = parsed.data;
  const { pk, sk } = dynamodb.Keys;
  if (!pk.S.startsWith(SUBJECT_PREFIX) || sk.S !== PROFILE_SORT_KEY) return null;
  const oldImage = dynamodb.OldImage as Record<string, AttributeValue> | undefined;
  const newImage = dynamodb.NewImage as Record<string, AttributeValue> | undefined;
  // Without both images no change can be told: the stream is not NEW_AND_OLD_IMAGES (a deployment
  // mistake that must fail loudly, not publish wrong states).
  if ((eventName !== 'INSERT' && !oldImage) || (eventName !== 'REMOVE' && !newImage)) {
    throw new InvalidStreamRecordError(`a ${eventName} record without the images it needs`);
  }
  const at = dynamodb.ApproximateCreationDateTime;
  return {
    recordId: eventID,
    write: {
      sid: pk.S.slice(SUBJECT_PREFIX.length),
      before: oldImage && eventName !== 'INSERT' ? profileImage(oldImage) : null,
      after: newImage && eventName !== 'REMOVE' ? profileImage(newImage) : null,
      at: new Date(at === undefined ? Date.now() : at * 1000).toISOString(),
    },
    optOutRequestIds: newImage ? optOutHolders(newImage) : [],
    optOutAdded: newImage ? addsOptOutHolder(oldImage, newImage) : false,
  };
}

/** Whether the write added a request to those holding the marketing opt-out (a second one included). */
function addsOptOutHolder(
  oldImage: Record<string, AttributeValue> | undefined,
  newImage: Record<string, AttributeValue>,
): boolean {
  const before = new Set(oldImage?.marketingOptOutBy?.SS ?? []);
  return (newImage.marketingOptOutBy?.SS ?? []).some((id) => !before.has(id));
}

function profileImage(item: Record<string, AttributeValue>): ProfileImage {
  const flags: Partial<Record<SubjectFlag, boolean>> = {};
  for (const flag of SUBJECT_FLAGS) if (item[flag]?.BOOL === true) flags[flag] = true;
  return { flags: flags as StatusFlags, updatedAt: item.updatedAt?.S ?? null };
}

/**
 * The requests that hold the opt-out, the last one to write the record first (usually the request that
 * made this change, and the likeliest to still hold the address), then the others in id order.
 */
function optOutHolders(item: Record<string, AttributeValue>): string[] {
  const holders = [...(item.marketingOptOutBy?.SS ?? [])].sort();
  const last = item.lastRequestId?.S;
  return last ? [last, ...holders.filter((id) => id !== last)] : holders;
}

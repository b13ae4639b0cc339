/**
 * The status API's answers, as docs/status-api.openapi.json describes them. Not used by the handler
 * (its bundle carries only the request schemas): the tests parse every answer the real handler gives
 * with these, so the document cannot promise what the API does not answer.
 */
import * as z from 'zod/mini';

const sid = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const isoTime = z.iso.datetime();
const marketing = z.enum(['allowed', 'suppressed']);
const processing = z.enum(['allowed', 'withdrawn', 'restricted']);
const reason = z.nullable(
  z.enum([
    'erasure-requested',
    'consent-withdrawn',
    'processing-restricted',
    'unsubscribed',
    'operator-default',
  ]),
);

export const subjectStatusSchema = z.object({
  sid,
  known: z.boolean(),
  marketing,
  processing,
  changedAt: z.nullable(isoTime),
  reason,
});

const entryError = z.strictObject({
  error: z.strictObject({
    code: z.enum(['invalid-email', 'invalid-sid', 'unavailable']),
    message: z.string(),
    retryable: z.boolean(),
  }),
});

/** One answer of a batch: the entry as given, then its status or the error in its place. */
/** An entry by sid echoes it as `sid`, which is also the status's own field. */
const statusByEmail = z.strictObject({ email: z.string(), ...subjectStatusSchema.shape });
const statusBySid = z.strictObject({ ...subjectStatusSchema.shape });
export const singleStatusSchema = z.union([statusByEmail, statusBySid]);

export const batchResultSchema = z.union([
  statusByEmail,
  statusBySid,
  z.strictObject({ email: z.string(), ...entryError.shape }),
  z.strictObject({ sid: z.string(), ...entryError.shape }),
]);

export const batchResponseSchema = z.strictObject({ results: z.array(batchResultSchema) });

const transition = <T extends z.ZodMiniType>(state: T) => z.strictObject({ previous: state, current: state });

export const statusChangeSchema = z.strictObject({
  sequence: z.int().check(z.positive()),
  sid,
  changedAt: isoTime,
  marketing: transition(marketing),
  processing: transition(processing),
  reason,
});

export const changesResponseSchema = z.strictObject({
  changes: z.array(statusChangeSchema),
  next: z.string(),
  more: z.boolean(),
});

export const errorResponseSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(['invalid-request', 'not-found']),
    field: z.optional(z.string()),
    message: z.string(),
  }),
});

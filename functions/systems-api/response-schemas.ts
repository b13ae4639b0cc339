/**
 * The systems API's answers, as docs/systems-api.openapi.json describes them. Not used by the handler:
 * the tests parse every answer the real handler gives with these, so the document cannot promise what
 * the API does not answer.
 */
import * as z from 'zod/mini';
import { TASK_OUTCOMES } from '../domain/fulfilment/tasks';
import { FULFILMENT_KINDS, LANGUAGES } from '../domain/requests/request-kinds';

const isoTime = z.iso.datetime();

export const taskViewSchema = z.strictObject({
  system: z.string(),
  state: z.enum(['open', 'done', 'refused']),
  outcome: z.nullable(z.enum(TASK_OUTCOMES)),
  reason: z.nullable(z.string()),
  answeredAt: z.nullable(isoTime),
});

export const requestViewSchema = z.strictObject({
  requestId: z.string(),
  kind: z.enum(FULFILMENT_KINDS),
  status: z.string(),
  language: z.nullable(z.enum(LANGUAGES)),
  receivedAt: isoTime,
  dueAt: z.nullable(isoTime),
  /** HMAC-SHA256 of the normalised address: the `sid` of the status API and of the task events. */
  subjectKey: z.nullable(z.string()),
  /** The subject's address, while makul keeps it; the system needs it to find the person. */
  address: z.nullable(z.string()),
  /** update-data: the values to correct, by field; null for other kinds or once they are forgotten. */
  corrections: z.nullable(z.array(z.strictObject({ field: z.string(), value: z.string() }))),
  /** stop-dissemination: the categories of data the subject named. */
  dataItems: z.nullable(z.array(z.string())),
  tasks: z.array(taskViewSchema),
});

export const taskAnswerSchema = z.strictObject({
  requestId: z.string(),
  task: taskViewSchema,
  /** `answered`: this call stored it; `same`: the same answer was stored before (a retry). */
  result: z.enum(['answered', 'same']),
});

export const systemsErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(['invalid-request', 'not-found', 'forbidden', 'conflict']),
    field: z.optional(z.string()),
    message: z.string(),
  }),
});

/**
 * The systems API's requests, as the handler validates them and as docs/systems-api.openapi.json
 * describes them (bin/openapi-systems.ts generates the document from these schemas and from
 * response-schemas.ts, so the two cannot disagree). A malformed request gets a 400 naming the field.
 */
import * as z from 'zod/mini';
import { TASK_OUTCOMES } from '../domain/fulfilment/tasks';

/** A refusal's reason is read by ops and quoted in the register: a sentence, not a document. */
export const MAX_REASON_CHARS = 500;
/** Values per category, and characters per value: an access answer lists data, it does not attach files. */
export const MAX_VALUES_PER_CATEGORY = 100;
export const MAX_VALUE_CHARS = 1000;

/** `MK-` and letters or digits (domain/requests/request-id.ts makes 12), as the ops CLI takes them. */
export const requestIdSchema = z.string().check(z.regex(/^MK-[A-Z0-9]{4,32}$/, 'a request id (MK-…)'));
/** A data system's id, as the operator profile names it. */
export const systemIdSchema = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'a data system id'));

const category = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'a data category id'));
const value = z.string().check(z.minLength(1), z.maxLength(MAX_VALUE_CHARS));

/** `POST /v1/requests/{id}/tasks/{system}`: done with an outcome (access: with the data), or refused. */
export const taskReportSchema = z.discriminatedUnion('state', [
  z.strictObject({
    state: z.literal('done'),
    outcome: z.enum(TASK_OUTCOMES),
    /** access with `provided`: the values held, by data category id (the profile's dataHeld ids). */
    data: z.optional(
      z.record(category, z.array(value).check(z.minLength(1), z.maxLength(MAX_VALUES_PER_CATEGORY))),
    ),
  }),
  z.strictObject({
    state: z.literal('refused'),
    /** Why the system cannot carry it out (no personal data: ops read it, the register keeps it). */
    reason: z.string().check(z.minLength(1), z.maxLength(MAX_REASON_CHARS)),
  }),
]);

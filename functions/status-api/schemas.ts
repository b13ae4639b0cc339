/**
 * The status API's requests, as the handler validates them and as docs/status-api.openapi.json
 * describes them: the document is generated from these schemas (bin/openapi.ts), so the two cannot
 * disagree. A malformed request gets a 400 naming the field; a malformed *entry* of a well-formed
 * batch (a string that is not an address) is answered in place instead (functions/app/subject-status.ts).
 */
import * as z from 'zod/mini';

/** Entries per batch call (issue #9): ten BatchGetItem chunks, answered within the API's timeout. */
export const MAX_BATCH_ENTRIES = 1000;
/** Changes per feed page, and the page size when none is asked for. */
export const MAX_FEED_LIMIT = 1000;
export const DEFAULT_FEED_LIMIT = 100;
/** RFC 5321 caps an address at 254 octets; a longer entry is refused before it is looked at. */
const MAX_ENTRY_CHARS = 320;

const entry = z.string().check(z.maxLength(MAX_ENTRY_CHARS));
const entries = z.array(entry).check(z.minLength(1), z.maxLength(MAX_BATCH_ENTRIES));

/** `POST /v1/subjects/status:batch` by address. */
export const emailsBatchSchema = z.strictObject({ emails: entries });
/** `POST /v1/subjects/status:batch` by keyed hash, for systems that must not send addresses. */
export const sidsBatchSchema = z.strictObject({ sids: entries });

/** `GET /v1/subjects/status?email=…` or `?sid=…`: exactly one of them. */
export const emailQuerySchema = z.strictObject({ email: entry });
export const sidQuerySchema = z.strictObject({ sid: entry });

/** `GET /v1/suppressions/changes?since=…&limit=…`. */
export const changesQuerySchema = z.strictObject({
  /** A cursor from an earlier page's `next`; without it the feed starts at the first change. */
  since: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  limit: z.optional(z.string().check(z.regex(/^[1-9][0-9]{0,3}$/, 'a whole number from 1 to 1000'))),
});

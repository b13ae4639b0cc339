/**
 * The values an update-data request asks for, kept sealed with the request (AES-GCM, bound to its id):
 * opened where they are shown or acted on, and the new email address among them, if any.
 */
import { normaliseAddress } from '../domain/mail/sender-address';
import type { ExtractedField } from '../domain/requests/data-field-names';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import { openText } from '../domain/subjects/sealed-address';

export function updateFieldsOf(request: RegisteredRequest, hmacKey: string): ExtractedField[] | null {
  if (request.kind !== 'update-data' || !request.sealedDetails) return null;
  return JSON.parse(openText(request.sealedDetails, hmacKey, request.requestId)) as ExtractedField[];
}

/** The new email address the values name, normalised as senders are; null when they name none. */
export function newAddressOf(fields: readonly ExtractedField[] | null): string | null {
  const value = fields?.find((field) => field.field === 'email')?.value;
  return value ? normaliseAddress(value) : null;
}

/**
 * The details two kinds cannot do without, read from the mail's text when it arrives: update-data
 * needs the values to change, stop-dissemination the data it names (policy 004 §5.8.3). Without them
 * the request cannot be carried out automatically, so it goes to a person with the reason.
 */
import type { ExtractedField, OwnDataField } from './data-field-names';
import { extractUpdateFields, namedDataItems } from './data-fields';
import type { RequestKind } from './request-kinds';

export type RequestDetails =
  | {
      readonly ok: true;
      readonly fields: readonly ExtractedField[] | null;
      readonly dataItems: readonly string[] | null;
    }
  | { readonly ok: false; readonly reason: string };

const NONE: RequestDetails = { ok: true, fields: null, dataItems: null };

export function requestDetails(
  kind: RequestKind,
  text: string,
  ownFields: readonly OwnDataField[],
): RequestDetails {
  if (kind === 'update-data') {
    const extraction = extractUpdateFields(text, ownFields);
    if (!extraction.ok) return { ok: false, reason: `update-data:${extraction.reason}` };
    return { ok: true, fields: extraction.fields, dataItems: null };
  }
  if (kind === 'stop-dissemination') {
    const items = namedDataItems(text, ownFields);
    if (items.length === 0) return { ok: false, reason: 'stop-dissemination:no-data-named' };
    return { ok: true, fields: null, dataItems: items };
  }
  return NONE;
}

/**
 * The requests a data subject can make by email, and the languages makul answers in.
 * Sources for each kind are in ../shared/DESIGN.md ("The requests").
 */
export const REQUEST_KINDS = [
  'unsubscribe',
  'update-data',
  'withdraw-consent',
  'access',
  'erasure',
  'restrict',
  'stop-dissemination',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const LANGUAGES = ['ky', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Kinds that change or destroy data, or disclose it: acting on a forged From address would harm the
 * real person, so they wait for proof (an authenticated sender or a confirmed link).
 * `unsubscribe` only ever reduces contact, so it takes effect at once (38-FZ art. 18: immediately).
 */
const KINDS_NEEDING_PROOF: ReadonlySet<RequestKind> = new Set(
  REQUEST_KINDS.filter((kind) => kind !== 'unsubscribe'),
);

export function needsProofOfSender(kind: RequestKind): boolean {
  return KINDS_NEEDING_PROOF.has(kind);
}

/**
 * Kinds carried out in the operator's own systems, each of which gets a fulfilment task
 * (domain/fulfilment/tasks.ts). `unsubscribe` is not: marketing systems follow it through the status API.
 */
export const FULFILMENT_KINDS = [
  'update-data',
  'withdraw-consent',
  'access',
  'erasure',
  'restrict',
  'stop-dissemination',
] as const satisfies readonly RequestKind[];
export type FulfilmentKind = (typeof FULFILMENT_KINDS)[number];

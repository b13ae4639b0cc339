import { answeredBySystems } from '../domain/fulfilment/tasks';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { PageView } from '../domain/pages/page-view';
import { type ExtractedField, fieldName } from '../domain/requests/data-field-names';
import { type LinkAction, type LinkPlan, planLinkAction } from '../domain/requests/link-actions';
import { newNoticeEntry } from '../domain/requests/notice-entry';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { Language, RequestKind } from '../domain/requests/request-kinds';
import { REQUEST_POLICIES } from '../domain/requests/request-policies';
import { maskEmail } from '../domain/subjects/masking';
import { subjectKey } from '../domain/subjects/subject-key';
import { hashToken } from '../domain/tokens/verification-token';
import type { TokenRecord, TokenRedemption } from '../ports/request-register';
import type { Logger } from '../shared/log';
import { noticeFor } from './notice-for';
import { type AdmissionDependencies, admitToken, UNAVAILABLE } from './page-admission';
import { newAddressOf, updateFieldsOf } from './update-fields';

export interface LinkDependencies extends AdmissionDependencies {
  readonly profile: DeploymentProfile;
  readonly log: Logger;
}

export interface LinkPage {
  readonly view: PageView;
  /** The language of the request the link belongs to, when known: the page's default language. */
  readonly requestLanguage: Language | null;
}

const neutral = (): LinkPage => ({ view: UNAVAILABLE, requestLanguage: null });

/** GET: what the link is for. Changes nothing but the token's attempt count. */
export async function showLink(
  token: string,
  sourceIp: string,
  language: Language | null,
  deps: LinkDependencies,
): Promise<LinkPage> {
  const admitted = await admitToken(token, sourceIp, deps);
  if (!admitted.admitted) return { view: admitted.view, requestLanguage: null };
  const request = await deps.register.get(admitted.token.requestId);
  if (!request?.kind) return neutral();
  const pageLanguage = language ?? request.language ?? deps.profile.operator.defaultLanguage;
  const view = await viewFor(admitted.token, request, pageLanguage, deps);
  deps.metrics.count('PagesShown', { page: view.page });
  return { view, requestLanguage: request.language };
}

/** POST: the button pressed on the page. */
export async function actOnLink(
  token: string,
  action: string,
  sourceIp: string,
  language: Language | null,
  deps: LinkDependencies,
): Promise<LinkPage> {
  const admitted = await admitToken(token, sourceIp, deps);
  if (!admitted.admitted) return { view: admitted.view, requestLanguage: null };
  if (action !== 'confirm' && action !== 'cancel') return neutral();
  const stored = admitted.token;
  // A concurrent change of the subject's record refuses the write; reading again once settles it.
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const request = await deps.register.get(stored.requestId);
    if (!request?.kind) return neutral();
    const result = await act(token, stored, request, action, deps);
    if (result !== 'retry') {
      deps.metrics.count('PageActions', { purpose: stored.purpose, outcome: resultName(result) });
      return { view: result, requestLanguage: request.language ?? language };
    }
  }
  throw new Error('the subject record kept changing during a page action');
}

function resultName(view: PageView): string {
  return view.page === 'result' ? view.outcome : view.page;
}

async function viewFor(
  token: TokenRecord,
  request: RegisteredRequest,
  language: Language,
  deps: LinkDependencies,
): Promise<PageView> {
  const kind = request.kind;
  if (!kind) return UNAVAILABLE;
  const receivedAt = new Date(request.receivedAt);
  const dueAt = new Date(request.dueAt ?? request.receivedAt);
  switch (token.purpose) {
    case 'verify': {
      if (request.status !== 'awaiting-verification') return UNAVAILABLE;
      const fields = updateFieldsOf(request, deps.hmacKey);
      const normalised = fields ? await normalisedChanges(fields, language, deps) : null;
      return {
        page: 'confirm',
        kind,
        requestId: request.requestId,
        receivedAt,
        dueAt,
        ...(normalised ?? {}),
        ...(request.dataItems
          ? { dataItems: request.dataItems.map((item) => fieldName(item, language, ownFields(deps))) }
          : {}),
        ...(destroys(kind) ? { destructionBy: dueAt } : {}),
      };
    }
    case 'dispute':
      if (request.status === 'completed')
        return { page: 'result', outcome: 'too-late', kind, requestId: request.requestId };
      if (request.status !== 'in-progress') return UNAVAILABLE;
      return { page: 'dispute', kind, requestId: request.requestId, receivedAt };
    case 'lift-restriction': {
      const record = request.subjectKey ? await deps.register.subjectRecord(request.subjectKey) : null;
      const restricted = record?.flags.processingRestricted;
      if (!restricted) return UNAVAILABLE;
      return {
        page: 'lift-restriction',
        requestId: request.requestId,
        restrictedSince: new Date(restricted.since),
      };
    }
    case 'confirm-address': {
      const newAddress = newAddressOf(updateFieldsOf(request, deps.hmacKey));
      if (request.status !== 'in-progress' || !newAddress) return UNAVAILABLE;
      return { page: 'confirm-address', requestId: request.requestId, maskedAddress: maskEmail(newAddress) };
    }
  }
}

async function act(
  token: string,
  stored: TokenRecord,
  request: RegisteredRequest,
  action: LinkAction,
  deps: LinkDependencies,
): Promise<PageView | 'retry'> {
  const kind = request.kind;
  if (!kind) return UNAVAILABLE;
  const fields = updateFieldsOf(request, deps.hmacKey);
  const newAddress = newAddressOf(fields);
  const plan = planLinkAction(
    stored.purpose,
    action,
    kind,
    newAddress !== null,
    kind === 'access' && answeredBySystems(kind, deps.profile.operator.dataSystems),
  );
  if (!plan) return UNAVAILABLE;
  const now = deps.now();
  const outcome = plan.outcome;
  // An update-data request whose values all turn out invalid (the pages validate more strictly than
  // the inbound check) cannot be carried out automatically: confirmed, it goes to a person instead.
  const toStaff =
    stored.purpose === 'verify' &&
    action === 'confirm' &&
    fields !== null &&
    (await normaliseForJurisdiction(fields, deps)).valid.length === 0;

  const redemption = await redemptionFor(token, request, kind, newAddress, plan, toStaff, now, deps);
  const result = await deps.register.redeemToken(redemption);
  switch (result.outcome) {
    case 'token-spent':
      return UNAVAILABLE;
    case 'request-moved':
      return stored.purpose === 'dispute'
        ? { page: 'result', outcome: 'too-late', kind, requestId: request.requestId }
        : UNAVAILABLE;
    case 'subject-changed':
      return 'retry';
    case 'done':
      break;
  }
  deps.log.info('page action', {
    requestId: request.requestId,
    outcome: toStaff ? 'sent-to-staff' : outcome,
  });
  const dueAt = new Date(request.dueAt ?? request.receivedAt);
  return {
    page: 'result',
    outcome: toStaff ? 'sent-to-staff' : outcome,
    kind,
    requestId: request.requestId,
    ...(outcome === 'confirmed' ? { dueAt } : {}),
    ...(outcome === 'confirmed' && destroys(kind) ? { destructionBy: dueAt } : {}),
  };
}

async function redemptionFor(
  token: string,
  request: RegisteredRequest,
  kind: RequestKind,
  newAddress: string | null,
  plan: LinkPlan,
  toStaff: boolean,
  now: Date,
  deps: LinkDependencies,
): Promise<TokenRedemption> {
  let subject: TokenRedemption['subject'];
  if (request.subjectKey && !toStaff) {
    const key = request.subjectKey;
    if (plan.subject === 'apply') {
      subject = {
        key,
        apply: REQUEST_POLICIES[kind].effect,
        ...(request.dataItems ? { disseminationStoppedItems: request.dataItems } : {}),
      };
    } else if (plan.subject === 'release') {
      const current = await deps.register.subjectRecord(key);
      subject = current ? { key, release: { effect: REQUEST_POLICIES[kind].effect, current } } : undefined;
    } else if (plan.subject === 'lift') {
      subject = { key, clear: 'processingRestricted' };
    }
  }
  const notices = toStaff
    ? [forwardToStaff(request, now)]
    : plan.notices.flatMap((notice) => {
        const entry = noticeFor(request, notice, now, deps.hmacKey, newAddress);
        return entry ? [entry] : [];
      });
  const event = toStaff ? 'sent-to-staff' : `link-${plan.outcome}`;
  return {
    tokenHash: hashToken(token),
    at: now,
    requestId: request.requestId,
    request: toStaff
      ? { fromStatuses: plan.fromStatuses, toStatus: 'needs-human', proof: 'confirmed-link' }
      : pickPlan(plan),
    ...(subject ? { subject } : {}),
    audit: {
      at: now.toISOString(),
      event,
      detail: {
        // Who acted, as the register knows them: the keyed hash of the mailbox the link was sent to.
        who:
          plan.outcome === 'address-confirmed'
            ? newAddress && subjectKey(newAddress, deps.hmacKey)
            : request.subjectKey,
        proof: 'confirmed-link',
        purpose: plan.outcome,
        subjectEffect: subject?.apply ? Object.keys(subject.apply).join(',') : null,
        released: subject?.release ? Object.keys(subject.release.effect).join(',') : null,
        notices: notices.map((entry) => entry.notice ?? entry.outbound).join(','),
      },
    },
    notices,
  };
}

function pickPlan(plan: LinkPlan): TokenRedemption['request'] {
  return {
    fromStatuses: plan.fromStatuses,
    ...(plan.toStatus ? { toStatus: plan.toStatus } : {}),
    ...(plan.proof ? { proof: plan.proof } : {}),
    ...(plan.stamp ? { stamp: plan.stamp } : {}),
  };
}

/** The request's mail, forwarded to the human support inbox with the reason (the usual forward). */
function forwardToStaff(request: RegisteredRequest, now: Date): RegisteredRequest {
  return {
    ...newNoticeEntry(request, 'confirmed', now, { sealedContact: '', replyLimitKey: null }),
    requestId: `${request.requestId}.to-staff`,
    sesMessageId: `${request.sesMessageId}#to-staff`,
    action: 'review',
    reason: 'update-data:invalid-values',
    status: 'needs-human',
    sealedContact: null,
    outbound: 'forward',
    notice: null,
  };
}

/**
 * The values of an update-data request, validated and normalised for the operator's country. Imported
 * when first needed: the phone-number library and its metadata are about 55 KB of the pages' bundle that
 * only update-data pages use, and esbuild runs a dynamically imported module on first use, so the cold
 * start of every other page does not pay for it (issue #8 point 14).
 */
async function normaliseForJurisdiction(fields: readonly ExtractedField[], deps: LinkDependencies) {
  const [{ normaliseFields }, { jurisdictionCountry }] = await Promise.all([
    import('../domain/requests/normalise-fields'),
    import('../domain/subjects/phone-number'),
  ]);
  return normaliseFields(fields, jurisdictionCountry(deps.profile.jurisdiction.id));
}

async function normalisedChanges(
  fields: readonly ExtractedField[],
  language: Language,
  deps: LinkDependencies,
) {
  const own = ownFields(deps);
  const { valid, invalid } = await normaliseForJurisdiction(fields, deps);
  return {
    changes: valid.map((field) => ({ label: fieldName(field.field, language, own), masked: field.masked })),
    rejected: invalid.map((field) => ({
      label: fieldName(field.field, language, own),
      reason: field.reason,
    })),
  };
}

function ownFields(deps: LinkDependencies) {
  return deps.profile.operator.ownDataFields;
}

/** Kinds whose data are destroyed at the due date: the page and the result say when. */
function destroys(kind: RegisteredRequest['kind']): boolean {
  return kind === 'withdraw-consent' || kind === 'erasure';
}

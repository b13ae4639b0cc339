/**
 * The text of a notice entry (domain/requests/notice-entry.ts), composed when it is sent: the links it
 * carries are issued then (the same link on a retry, as for replies), and an access report reads the
 * register at that moment, so it shows what is true when the person reads it. The `extended` and
 * `rejected` notices read what they say from the entry itself (it copied its request's due dates and
 * ops' reason when it was recorded).
 */

import { answeredBySystems, systemsConcerned } from '../domain/fulfilment/tasks';
import type { DeploymentProfile } from '../domain/operators/operator-profile';
import type { AccessReport, AccessReportSystem } from '../domain/replies/access-report';
import { type RenderNoticeInput, renderNotice } from '../domain/replies/notice-templates';
import type { RenderedReply } from '../domain/replies/reply-templates';
import { fieldName } from '../domain/requests/data-field-names';
import { LIFT_LINK_DAYS } from '../domain/requests/link-actions';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { Language } from '../domain/requests/request-kinds';
import { openText } from '../domain/subjects/sealed-address';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import type { LinkRegister } from '../ports/request-register';
import { taskSealId } from './answer-task';
import { issueLink } from './issue-link';
import type { NoticeComposer } from './send-outbound';
import { newAddressOf, updateFieldsOf } from './update-fields';

export interface NoticeDependencies {
  readonly profile: DeploymentProfile;
  readonly register: LinkRegister;
  readonly hmacKey: string;
  readonly now: () => Date;
  /**
   * The request's fulfilment tasks: an access report carries what each data system answered. Needed
   * when the operator names data systems that answer access requests.
   */
  readonly fulfilment?: Pick<FulfilmentRegister, 'tasksOf'>;
}

/** The composer the deferred-outbound job gives its outbound delivery (send-outbound.ts). */
export function noticeComposer(deps: NoticeDependencies): NoticeComposer {
  return (notice, language) => renderNoticeFor(notice, language, deps);
}

export async function renderNoticeFor(
  notice: RegisteredRequest,
  language: Language,
  deps: NoticeDependencies,
): Promise<RenderedReply> {
  const { operator, jurisdiction } = deps.profile;
  const parentId = notice.noticeOf ?? notice.requestId;
  const common = {
    language,
    operatorName: operator.displayName[language],
    timeZone: jurisdiction.timeZone,
  };
  const kind = notice.kind;
  const receivedAt = new Date(notice.receivedAt);
  const dueAt = new Date(notice.dueAt ?? notice.receivedAt);
  let input: RenderNoticeInput;
  switch (notice.notice) {
    case 'confirmed': {
      if (!kind) throw new Error('a confirmed notice needs the kind of its request');
      const lift =
        kind === 'restrict' ? await issueLink('lift-restriction', parentId, LIFT_LINK_DAYS * 24, deps) : null;
      input = {
        ...common,
        notice: 'confirmed',
        kind,
        requestId: parentId,
        receivedAt,
        dueAt,
        ...(kind === 'withdraw-consent' || kind === 'erasure' ? { destructionBy: dueAt } : {}),
        ...(lift ? { liftUrl: lift.url, liftExpiresAt: lift.expiresAt } : {}),
        ...(kind === 'update-data' ? { newAddressLinkSent: await asksNewAddress(parentId, deps) } : {}),
      };
      break;
    }
    case 'cancelled':
      if (!kind) throw new Error('a cancelled notice needs the kind of its request');
      input = { ...common, notice: 'cancelled', kind, requestId: parentId, receivedAt };
      break;
    case 'restriction-lifted':
      input = { ...common, notice: 'restriction-lifted', requestId: parentId };
      break;
    case 'confirm-address': {
      const link = await issueLink('confirm-address', parentId, operator.verificationTokenHours, deps);
      input = {
        ...common,
        notice: 'confirm-address',
        requestId: parentId,
        actionUrl: link.url,
        actionExpiresAt: link.expiresAt,
      };
      break;
    }
    case 'access-report':
      input = {
        ...common,
        notice: 'access-report',
        requestId: parentId,
        report: await accessReport(notice, language, deps),
        dueAt,
      };
      break;
    case 'extended':
      if (!kind || !notice.originalDueAt || !notice.dueAt || notice.extensionReason === null)
        throw new Error('an extended notice needs the kind, both due dates and the reason of its request');
      input = {
        ...common,
        notice: 'extended',
        kind,
        requestId: parentId,
        originalDueAt: new Date(notice.originalDueAt),
        dueAt: new Date(notice.dueAt),
        reason: notice.extensionReason,
      };
      break;
    case 'rejected':
      if (!kind || notice.closingReason === null)
        throw new Error('a rejected notice needs the kind and the reason of its request');
      input = { ...common, notice: 'rejected', kind, requestId: parentId, reason: notice.closingReason };
      break;
    default:
      throw new Error('not a notice entry');
  }
  return renderNotice(input);
}

async function asksNewAddress(parentId: string, deps: NoticeDependencies): Promise<boolean> {
  const parent = await deps.register.get(parentId);
  return parent !== null && newAddressOf(updateFieldsOf(parent, deps.hmacKey)) !== null;
}

/** What makul holds about the subject now: the flags of their record and their requests. */
async function accessReport(
  notice: RegisteredRequest,
  language: Language,
  deps: NoticeDependencies,
): Promise<AccessReport> {
  const key = notice.subjectKey;
  const record = key ? await deps.register.subjectRecord(key) : null;
  const requests = key ? await deps.register.requestsOfSubject(key) : [];
  const since = (flag: keyof NonNullable<typeof record>['flags']): Date | null => {
    const value = record?.flags[flag]?.since;
    return value ? new Date(value) : null;
  };
  const own = deps.profile.operator.ownDataFields;
  // The destruction date is the due date of the request that asked for it.
  const erasureRequest = requests.find(
    (request) =>
      !request.noticeOf &&
      (request.kind === 'erasure' || request.kind === 'withdraw-consent') &&
      request.status === 'in-progress',
  );
  return {
    generatedAt: deps.now(),
    marketingOptOutSince: since('marketingOptOut'),
    consentWithdrawnSince: since('consentWithdrawn'),
    processingRestrictedSince: since('processingRestricted'),
    disseminationStoppedSince: since('disseminationStopped'),
    disseminationStoppedItems: (record?.disseminationStoppedItems ?? []).map((item) =>
      fieldName(item, language, own),
    ),
    erasureRequestedSince: since('erasureRequested'),
    erasureDueBy: erasureRequest?.dueAt ? new Date(erasureRequest.dueAt) : null,
    requests: requests
      .filter((request) => !request.noticeOf)
      .map((request) => ({
        requestId: request.requestId,
        kind: request.kind,
        receivedAt: new Date(request.receivedAt),
        status: request.status,
        outcome: request.status,
      })),
    dataHeldByOperator: deps.profile.operator.dataHeld.map((category) => category.name[language]),
    ...(answeredBySystems('access', deps.profile.operator.dataSystems)
      ? { systems: await systemsAnswers(notice.noticeOf ?? notice.requestId, language, deps) }
      : {}),
  };
}

/**
 * What each data system answered the access request, in the profile's order, its data opened (sealed
 * to the task) and its categories named in the language. A system without a done task says nothing:
 * the report is recorded only once every task is done (app/answer-task.ts).
 */
async function systemsAnswers(
  requestId: string,
  language: Language,
  deps: NoticeDependencies,
): Promise<AccessReportSystem[]> {
  if (!deps.fulfilment)
    throw new Error('an access report of an operator with data systems needs the fulfilment register');
  const tasks = await deps.fulfilment.tasksOf(requestId);
  const { dataHeld, dataSystems } = deps.profile.operator;
  const categoryName = (id: string): string =>
    dataHeld.find((category) => category.id === id)?.name[language] ?? id;
  return systemsConcerned('access', dataSystems).flatMap((system) => {
    const task = tasks.find((candidate) => candidate.systemId === system.id);
    if (task?.state !== 'done') return [];
    const held: Record<string, string[]> = task.sealedData
      ? JSON.parse(openText(task.sealedData, deps.hmacKey, taskSealId(requestId, system.id)))
      : {};
    // In the order the system's categories are listed, so every report reads alike.
    const data = system.categories
      .filter((category) => (held[category]?.length ?? 0) > 0)
      .map((category) => ({ category: categoryName(category), values: held[category] ?? [] }));
    return [
      {
        name: system.name[language],
        purpose: system.purpose[language],
        data: task.outcome === 'not-held' || data.length === 0 ? null : data,
      },
    ];
  });
}

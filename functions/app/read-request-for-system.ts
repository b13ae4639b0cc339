/**
 * A data system reads the request its task is about (systems API `GET /v1/requests/{id}`): what it
 * needs to carry the request out, personal data included (the address to find the person, the values
 * of an update-data request), opened from their seals. Every read is written to the request's audit
 * trail with the caller's IAM ARN, before anything is given out: a read that cannot be recorded is not
 * answered (the regulator may ask who saw the data).
 *
 * Only requests with fulfilment tasks are shown: a request no system carries out is none of theirs.
 */
import type { FulfilmentTask } from '../domain/fulfilment/tasks';
import { isFulfilmentKind } from '../domain/fulfilment/tasks';
import type { RegisteredRequest } from '../domain/requests/registered-request';
import type { FulfilmentKind } from '../domain/requests/request-kinds';
import { openAddress } from '../domain/subjects/sealed-address';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import type { LinkRegister } from '../ports/request-register';
import { updateFieldsOf } from './update-fields';

export interface ReadForSystemDependencies {
  readonly register: Pick<LinkRegister, 'get' | 'appendAudit'>;
  readonly fulfilment: Pick<FulfilmentRegister, 'tasksOf'>;
  readonly hmacKey: string;
  readonly now: () => Date;
}

/** A task as a system sees it: never another system's data. */
export interface TaskView {
  readonly system: string;
  readonly state: FulfilmentTask['state'];
  readonly outcome: FulfilmentTask['outcome'];
  readonly reason: string | null;
  readonly answeredAt: string | null;
}

export interface RequestForSystem {
  readonly requestId: string;
  readonly kind: FulfilmentKind;
  readonly status: RegisteredRequest['status'];
  readonly language: RegisteredRequest['language'];
  readonly receivedAt: string;
  readonly dueAt: string | null;
  readonly subjectKey: string | null;
  readonly address: string | null;
  readonly corrections: { readonly field: string; readonly value: string }[] | null;
  readonly dataItems: readonly string[] | null;
  readonly tasks: TaskView[];
}

export function taskView(task: FulfilmentTask): TaskView {
  return {
    system: task.systemId,
    state: task.state,
    outcome: task.outcome,
    reason: task.reason,
    answeredAt: task.answeredAt,
  };
}

export async function readRequestForSystem(
  requestId: string,
  caller: string,
  deps: ReadForSystemDependencies,
): Promise<RequestForSystem | null> {
  const request = await deps.register.get(requestId);
  if (!request || request.noticeOf || !isFulfilmentKind(request.kind)) return null;
  const tasks = await deps.fulfilment.tasksOf(requestId);
  if (tasks.length === 0) return null;
  const address = request.sealedContact
    ? openAddress(request.sealedContact, deps.hmacKey, request.requestId)
    : null;
  const fields = updateFieldsOf(request, deps.hmacKey);
  await deps.register.appendAudit(requestId, {
    at: deps.now().toISOString(),
    event: 'read-by-system',
    detail: {
      // Who read it (the caller's IAM ARN, as API Gateway's IAM authorisation saw it), and what it got.
      caller,
      address: address !== null,
      corrections: fields !== null,
    },
  });
  return {
    requestId: request.requestId,
    kind: request.kind,
    status: request.status,
    language: request.language,
    receivedAt: request.receivedAt,
    dueAt: request.dueAt,
    subjectKey: request.subjectKey,
    address,
    corrections: fields ? fields.map(({ field, value }) => ({ field, value })) : null,
    dataItems: request.dataItems,
    tasks: tasks.map(taskView),
  };
}

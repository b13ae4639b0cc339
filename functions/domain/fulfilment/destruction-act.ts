/**
 * The destruction act of an executed erasure (Roskomnadzor order No. 179 of 28.10.2022, in force until
 * 1 March 2029): who operates the data, who destroyed it, whose it was, which categories, in which
 * information systems, how, on what ground and when; with the matching extract of the audit log. Built
 * once, by the erasure executor, from the request, its tasks, the operator profile and the audit trail,
 * and kept 3 years beside the register. Acts are for the regulator: names in Russian and English.
 * Pure: no clock, no I/O.
 */
import type { DeploymentProfile } from '../operators/operator-profile';
import { localDate, localDateTime } from '../requests/deadlines';
import type { AuditEvent, RegisteredRequest } from '../requests/registered-request';
import type { FulfilmentTask } from './tasks';

/** A name as an act carries it: for the regulator, Russian and English. */
export interface ActName {
  readonly ru: string;
  readonly en: string;
}

/** The component of makul that destroys makul's own records (the register's `destroyedBy`). */
export const MAKUL_COMPONENT = 'makul erasure executor';
/** makul's own information system, as acts name it. */
export const MAKUL_SYSTEM_ID = 'makul';
const MAKUL_SYSTEM_NAME: ActName = {
  ru: 'makul (реестр обращений субъектов персональных данных)',
  en: 'makul (register of data subjects’ requests)',
};
/** What makul itself held of the subject: the address (sealed), the values of a correction, their mail. */
const MAKUL_CATEGORIES: readonly ActName[] = [
  { ru: 'адрес электронной почты', en: 'email address' },
  { ru: 'сведения, указанные в обращении', en: 'data given in the request' },
  { ru: 'электронные письма субъекта (обращения)', en: 'the subject’s email messages (requests)' },
];
const MAKUL_METHOD: ActName = {
  ru: 'удаление записей и хранимых писем',
  en: 'deletion of the records and the stored mail',
};
const ERASED_METHOD: ActName = { ru: 'уничтожение (сообщено системой: erased)', en: 'erased (as reported)' };

export interface ActDestroyer {
  /** `makul`, or the data system's id from the operator profile. */
  readonly systemId: string;
  readonly systemName: ActName;
  /** makul's component, or the system's answer through the systems API (its caller). */
  readonly component: string;
  /** The person who confirmed the task through the CLI; null when a system or makul did it. */
  readonly person: string | null;
  readonly categories: readonly ActName[];
  readonly method: ActName;
  /** When it was done: the task's answer, or makul's execution. */
  readonly at: string;
}

/** One audit event of the request: ids, reasons and times only (never addresses or mail text). */
export interface ExtractEvent {
  readonly at: string;
  readonly event: string;
  readonly detail: AuditEvent['detail'];
}

export interface DestructionAct {
  /** `DA-<request id>`: one act per request. */
  readonly actId: string;
  readonly operator: { readonly name: string; readonly address: string; readonly operatorId: string };
  readonly subject: {
    /** Keyed hash (HMAC) of the subject's address: identifies them without naming them. */
    readonly subjectKey: string;
    /** Only when the profile asks for it (destructionActNamesAddress) and makul still knew it. */
    readonly address: string | null;
  };
  readonly destroyedBy: readonly ActDestroyer[];
  /** Every category destroyed, once each, across the systems. */
  readonly categories: readonly ActName[];
  /** The information systems the data were destroyed in. */
  readonly informationSystems: readonly ActName[];
  /** Systems that answered they held nothing of the subject (not destroyers; listed for completeness). */
  readonly notHeldIn: readonly ActName[];
  readonly ground: {
    readonly requestId: string;
    readonly kind: string;
    readonly receivedAt: string;
    readonly jurisdiction: string;
    /** The statute (the jurisdiction deadline's source). */
    readonly statute: string;
  };
  /** When makul executed the erasure (UTC), and the same day in the jurisdiction's zone. */
  readonly executedAt: string;
  readonly executedLocal: string;
  readonly timeZone: string;
  /** The audit-log extract of the request, oldest first, with the execution's own event last. */
  readonly logExtract: readonly ExtractEvent[];
}

export interface DestructionActInput {
  readonly request: RegisteredRequest;
  readonly tasks: readonly FulfilmentTask[];
  readonly profile: DeploymentProfile;
  /** The request's audit trail as read, and the execution's own event (written with the act). */
  readonly auditTrail: readonly AuditEvent[];
  readonly executionEvent: AuditEvent;
  /** The subject's address, opened, when the profile asks for it and makul still holds it; else null. */
  readonly address: string | null;
  readonly executedAt: Date;
}

export function actIdOf(requestId: string): string {
  return `DA-${requestId}`;
}

function nameOf(name: { readonly ru: string; readonly en: string }): ActName {
  return { ru: name.ru, en: name.en };
}

export function buildDestructionAct(input: DestructionActInput): DestructionAct {
  const { request, profile, executedAt } = input;
  const { operator, jurisdiction } = profile;
  if (request.subjectKey === null)
    throw new Error(`request ${request.requestId} has no subject key: there is no subject to name`);
  const kind = request.kind ?? 'unknown';
  const executedIso = executedAt.toISOString();
  const categoryName = new Map(operator.dataHeld.map((category) => [category.id, nameOf(category.name)]));
  const systemById = new Map(operator.dataSystems.map((system) => [system.id, system]));

  const makul: ActDestroyer = {
    systemId: MAKUL_SYSTEM_ID,
    systemName: MAKUL_SYSTEM_NAME,
    component: MAKUL_COMPONENT,
    person: null,
    categories: MAKUL_CATEGORIES,
    method: MAKUL_METHOD,
    at: executedIso,
  };
  const systems = [...input.tasks].sort((a, b) => a.systemId.localeCompare(b.systemId));
  const erasedBy: ActDestroyer[] = systems
    .filter((task) => task.state === 'done' && task.outcome === 'erased')
    .map((task) => {
      const system = systemById.get(task.systemId);
      const answeredBy = task.answeredBy;
      return {
        systemId: task.systemId,
        systemName: system ? nameOf(system.name) : { ru: task.systemId, en: task.systemId },
        component: answeredBy?.via === 'api' ? `systems API caller ${answeredBy.caller}` : task.systemId,
        person: answeredBy?.via === 'cli' ? answeredBy.person : null,
        categories: (system?.categories ?? []).map((id) => categoryName.get(id) ?? { ru: id, en: id }),
        method: ERASED_METHOD,
        at: task.answeredAt ?? executedIso,
      };
    });
  const notHeldIn = systems
    .filter((task) => task.state === 'done' && task.outcome === 'not-held')
    .map((task) => {
      const system = systemById.get(task.systemId);
      return system ? nameOf(system.name) : { ru: task.systemId, en: task.systemId };
    });
  const destroyedBy = [makul, ...erasedBy];
  const categories = uniqueNames(destroyedBy.flatMap((destroyer) => destroyer.categories));
  const trail = [...input.auditTrail, input.executionEvent].sort((a, b) => a.at.localeCompare(b.at));

  return {
    actId: actIdOf(request.requestId),
    operator: {
      name: operator.legalEntity.name,
      address: operator.legalEntity.address,
      operatorId: operator.id,
    },
    subject: {
      subjectKey: request.subjectKey,
      address: operator.destructionActNamesAddress ? input.address : null,
    },
    destroyedBy,
    categories,
    informationSystems: destroyedBy.map((destroyer) => destroyer.systemName),
    notHeldIn,
    ground: {
      requestId: request.requestId,
      kind,
      receivedAt: request.receivedAt,
      jurisdiction: jurisdiction.id,
      statute: request.kind ? jurisdiction.deadlines[request.kind].source : jurisdiction.name,
    },
    executedAt: executedIso,
    executedLocal: localDateTime(executedAt, jurisdiction.timeZone),
    timeZone: jurisdiction.timeZone,
    logExtract: trail.map((event) => ({ at: event.at, event: event.event, detail: event.detail })),
  };
}

/** The local month of execution, `yyyy-mm`: the act's place in the register by month. */
export function actRegisterMonth(act: Pick<DestructionAct, 'executedAt' | 'timeZone'>): string {
  return localDate(new Date(act.executedAt), act.timeZone).slice(0, 7);
}

function uniqueNames(names: readonly ActName[]): ActName[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = `${name.ru}\u0000${name.en}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const both = (name: ActName): string => `${name.ru} / ${name.en}`;

function detailText(detail: AuditEvent['detail']): string {
  const entries = Object.entries(detail);
  return entries.length === 0
    ? ''
    : ` (${entries.map(([key, value]) => `${key}=${String(value)}`).join(', ')})`;
}

/**
 * The act and its extract as plain text, Russian and English side by side, for printing and export.
 * Lines only: no markup, so it reads the same in a terminal, a file and on paper.
 */
export function renderDestructionAct(act: DestructionAct): string {
  const lines: string[] = [
    `АКТ ОБ УНИЧТОЖЕНИИ ПЕРСОНАЛЬНЫХ ДАННЫХ / PERSONAL DATA DESTRUCTION ACT № ${act.actId}`,
    'Приказ Роскомнадзора от 28.10.2022 № 179 / Roskomnadzor order No. 179 of 28.10.2022',
    '',
    `Оператор / Operator: ${act.operator.name}; ${act.operator.address}`,
    `Дата уничтожения / Date of destruction: ${act.executedLocal} (${act.timeZone}); ${act.executedAt}`,
    `Субъект / Subject: ключевой хеш адреса / keyed hash of the address ${act.subject.subjectKey}` +
      (act.subject.address ? `; адрес / address ${act.subject.address}` : ''),
    `Основание / Ground: обращение / request ${act.ground.requestId} (${act.ground.kind}), ` +
      `получено / received ${act.ground.receivedAt}; ${act.ground.statute} (${act.ground.jurisdiction})`,
    '',
    'Категории уничтоженных данных / Categories destroyed:',
    ...act.categories.map((category) => `  - ${both(category)}`),
    '',
    'Информационные системы / Information systems:',
    ...act.informationSystems.map((system) => `  - ${both(system)}`),
    ...(act.notHeldIn.length > 0
      ? [
          'Данных субъекта не содержали / Held no data of the subject:',
          ...act.notHeldIn.map((s) => `  - ${both(s)}`),
        ]
      : []),
    '',
    'Кем уничтожены, способ / Destroyed by, method:',
  ];
  for (const destroyer of act.destroyedBy) {
    lines.push(
      `  - ${both(destroyer.systemName)}: ${destroyer.component}` +
        (destroyer.person ? `, подтвердил(а) / confirmed by ${destroyer.person}` : '') +
        `; ${both(destroyer.method)}; ${destroyer.at}`,
      `    ${destroyer.categories.map((category) => category.ru).join('; ')}`,
      `    ${destroyer.categories.map((category) => category.en).join('; ')}`,
    );
  }
  lines.push(
    '',
    `ВЫГРУЗКА ИЗ ЖУРНАЛА СОБЫТИЙ / AUDIT LOG EXTRACT (${act.actId})`,
    `Субъект / Subject: ${act.subject.subjectKey}`,
    `Категории / Categories: ${act.categories.map((category) => category.en).join('; ')}`,
    `Системы / Systems: ${act.informationSystems.map((system) => system.en).join('; ')}`,
    `Основание / Ground: ${act.ground.requestId} (${act.ground.kind}); ${act.ground.statute}`,
    `Дата / Date: ${act.executedAt}`,
    ...act.logExtract.map((event) => `  ${event.at}  ${event.event}${detailText(event.detail)}`),
  );
  return `${lines.join('\n')}\n`;
}

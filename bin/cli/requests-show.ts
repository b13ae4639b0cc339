/**
 * `makul requests show ID`: one register entry, what ops need to act on it, and its audit trail in
 * time order. Never personal data: the sealed address and sealed details are not printed (only
 * whether they are kept), nor the original Message-ID and References (they often carry the sender's
 * address or host); the entry's fields are listed one by one, so a field added later is not printed
 * until someone decides it may be.
 */
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import type { FulfilmentTask, TaskAnswerer } from '../../functions/domain/fulfilment/tasks';
import type { Jurisdiction } from '../../functions/domain/operators/operator-profile';
import type { AuditEvent, RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { isOpen } from '../../functions/domain/requests/request-policies';
import { loadJurisdictions } from '../../functions/shared/jurisdiction-files';
import type { CliCommand } from './command';
import { DueCounter } from './due-status';
import { withOpsRegister } from './ops-register';
import { clockOf, detailText, requestIdOf, withoutAddress, zonedMinute } from './ops-text';

const USAGE = 'makul requests show ID';

/** The jurisdiction a request was registered under (the deployment's, unless it changed since). */
function jurisdictionOf(request: RegisteredRequest, deployment: Jurisdiction): Jurisdiction | null {
  if (request.jurisdiction === deployment.id) return deployment;
  return loadJurisdictions().find((jurisdiction) => jurisdiction.id === request.jurisdiction) ?? null;
}

export interface ShownRequest {
  readonly requestId: string;
  readonly kind: RegisteredRequest['kind'];
  readonly status: RegisteredRequest['status'];
  readonly channel: RegisteredRequest['channel'];
  readonly action: RegisteredRequest['action'];
  readonly reason: string;
  readonly language: RegisteredRequest['language'];
  readonly jurisdiction: string;
  readonly receivedAt: string;
  readonly dueAt: string | null;
  /** The deadline's statute (the jurisdiction profile's source for the kind). */
  readonly statute: string | null;
  readonly extension: {
    /** The law allows one extension of this kind's term, and by what rule (null: none). */
    readonly allowedBy: string | null;
    readonly extendedAt: string | null;
    readonly originalDueAt: string | null;
    readonly reason: string | null;
  };
  readonly closedAt: string | null;
  readonly closingReason: string | null;
  readonly proof: RegisteredRequest['proof'];
  readonly provedAt: string | null;
  readonly senderAuthenticated: boolean;
  readonly exactTag: boolean;
  /** Whether makul still keeps the subject's address (sealed), to write to them; never the address. */
  readonly addressKept: boolean;
  /** Whether update-data values are kept (sealed); never the values. */
  readonly detailsKept: boolean;
  readonly subjectKey: string | null;
  readonly outbound: RegisteredRequest['outbound'];
  readonly outboundState: RegisteredRequest['outboundState'];
  readonly opsQueue: RegisteredRequest['opsQueue'];
  readonly opsQueueAt: string | null;
  readonly duplicateOf: string | null;
  readonly dataItems: readonly string[] | null;
}

export function shownRequest(request: RegisteredRequest, jurisdiction: Jurisdiction | null): ShownRequest {
  const deadline = request.kind && jurisdiction ? jurisdiction.deadlines[request.kind] : null;
  return {
    requestId: request.requestId,
    kind: request.kind,
    status: request.status,
    channel: request.channel,
    action: request.action,
    reason: withoutAddress(request.reason),
    language: request.language,
    jurisdiction: request.jurisdiction,
    receivedAt: request.receivedAt,
    dueAt: request.dueAt,
    statute: deadline?.source ?? null,
    extension: {
      allowedBy: deadline?.extension?.source ?? null,
      extendedAt: request.extendedAt,
      originalDueAt: request.originalDueAt,
      reason: request.extensionReason,
    },
    closedAt: request.closedAt,
    closingReason: request.closingReason,
    proof: request.proof,
    provedAt: request.provedAt,
    senderAuthenticated: request.senderAuthenticated,
    exactTag: request.exactTag,
    addressKept: request.sealedContact !== null,
    detailsKept: request.sealedDetails !== null,
    subjectKey: request.subjectKey,
    outbound: request.outbound,
    outboundState: request.outboundState,
    opsQueue: request.opsQueue,
    opsQueueAt: request.opsQueueAt,
    duplicateOf: request.duplicateOf,
    dataItems: request.dataItems,
  };
}

/**
 * A fulfilment task as ops see it: which system, where it stands, who answered and when. The data an
 * access answer carries stay sealed (only whether there are any); a person's name is shown, as it is
 * in the audit trail.
 */
export interface ShownTask {
  readonly system: string;
  readonly state: FulfilmentTask['state'];
  readonly outcome: FulfilmentTask['outcome'];
  readonly reason: string | null;
  readonly dueAt: string | null;
  readonly createdAt: string;
  readonly publishedAt: string | null;
  readonly answeredAt: string | null;
  /** The caller's IAM ARN (API) or the person's name (CLI). */
  readonly answeredBy: string | null;
  readonly answeredVia: TaskAnswerer['via'] | null;
  readonly dataKept: boolean;
}

export function shownTask(task: FulfilmentTask): ShownTask {
  const by = task.answeredBy;
  return {
    system: task.systemId,
    state: task.state,
    outcome: task.outcome,
    reason: task.reason === null ? null : withoutAddress(task.reason),
    dueAt: task.dueAt,
    createdAt: task.createdAt,
    publishedAt: task.publishedAt,
    answeredAt: task.answeredAt,
    answeredBy: by === null ? null : by.via === 'api' ? by.caller : withoutAddress(by.person),
    answeredVia: by?.via ?? null,
    dataKept: task.sealedData !== null,
  };
}

function taskText(task: ShownTask, zone: string): string {
  const what =
    task.state === 'open'
      ? `open since ${zonedMinute(task.createdAt, zone)}`
      : `${task.state}${task.outcome ? ` (${task.outcome})` : ''}${task.reason ? `: ${JSON.stringify(task.reason)}` : ''}` +
        ` ${zonedMinute(task.answeredAt, zone)}${task.answeredBy ? ` by ${task.answeredBy}` : ''}`;
  return `  ${task.system.padEnd(20)}  ${what}`;
}

/** The audit trail in time order (events of one moment in the order written); addresses hidden. */
export function auditInOrder(trail: readonly AuditEvent[]): AuditEvent[] {
  return trail
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at.localeCompare(b.event.at) || a.index - b.index)
    .map(({ event }) => ({
      at: event.at,
      event: event.event,
      detail: Object.fromEntries(
        Object.entries(event.detail).map(([name, value]) => [
          name,
          typeof value === 'string' ? withoutAddress(value) : value,
        ]),
      ),
    }));
}

function extensionText(shown: ShownRequest, zone: string, open: boolean): string {
  const { extension } = shown;
  if (extension.extendedAt)
    return (
      `extended ${zonedMinute(extension.extendedAt, zone)} from ${zonedMinute(extension.originalDueAt, zone)} ` +
      `to ${zonedMinute(shown.dueAt, zone)}: ${JSON.stringify(extension.reason ?? '')}`
    );
  if (!extension.allowedBy) return 'none; the law allows none for this kind';
  return open
    ? `not extended; allowed once: ${extension.allowedBy} (makul requests extend ${shown.requestId} --reason TEXT)`
    : `not extended (${extension.allowedBy})`;
}

export const requestsShowCommand: CliCommand = {
  name: 'requests show',
  synopsis: `${USAGE} [--local | --operator ID] [--json]`,
  help: `Shows one register request: kind, status, when it was received and is due, the statute of its
deadline, whether it was extended (and whether the law allows it), how it was closed, how the
subject proved it was theirs, whether makul still keeps their address (never the address itself),
its outbound message, its tasks in the operator's data systems (state, outcome, who answered
and when), and its audit trail, oldest first.

  ID       the request id (MK-…), as in the reply, the forward or makul requests list
  --local  the running local stack (npm start); otherwise the operator's deployment in AWS
  --json   one JSON document: {request, tasks: [{system, state, outcome, answeredAt, answeredBy, …}],
           auditTrail: [{at, event, detail}]}

Exit codes: 0 shown, 1 no such request or the register could not be read, 2 usage.`,
  options: { now: { type: 'string' } },
  async run({ positionals, options, global, output }) {
    const requestId = requestIdOf(positionals, USAGE);
    const now = clockOf(options.now, '--now');
    return withOpsRegister('requests show', { global, output }, {}, async (target) => {
      const request = await target.register.get(requestId);
      if (request === null || request.noticeOf !== null) {
        output.err(`makul requests show: no request ${requestId} in the register (${target.where})\n`);
        return 1;
      }
      const jurisdiction = jurisdictionOf(request, target.jurisdiction);
      const shown = shownRequest(request, jurisdiction);
      const trail = auditInOrder(await target.register.auditTrail(requestId));
      const fulfilment = new DynamoDbFulfilmentRegister(
        target.requestsTable.client,
        target.requestsTable.name,
      );
      const tasks = (await fulfilment.tasksOf(requestId)).map(shownTask);
      if (global.json) {
        output.out(`${JSON.stringify({ request: shown, tasks, auditTrail: trail }, null, 2)}\n`);
        return 0;
      }
      const zone = (jurisdiction ?? target.jurisdiction).timeZone;
      const open = isOpen(request.status);
      const standing =
        open && jurisdiction ? `: ${new DueCounter(jurisdiction).standing(request.dueAt, now).text}` : '';
      const lines: [string, string | null][] = [
        ['received', `${zonedMinute(shown.receivedAt, zone)} (${shown.channel}, ${shown.reason})`],
        ['due', shown.dueAt ? `${zonedMinute(shown.dueAt, zone)}${standing}` : 'no due date'],
        ['statute', shown.statute ? `${shown.statute} (${shown.jurisdiction})` : shown.jurisdiction],
        ['extension', shown.kind ? extensionText(shown, zone, open) : null],
        [
          'closed',
          shown.closedAt
            ? `${zonedMinute(shown.closedAt, zone)}${shown.closingReason ? `: ${JSON.stringify(shown.closingReason)}` : ''}`
            : null,
        ],
        ['proof', shown.proof ? `${shown.proof}, ${zonedMinute(shown.provedAt, zone)}` : 'none'],
        [
          'address',
          shown.addressKept ? 'kept (sealed), for the mail makul still owes the subject' : 'not kept',
        ],
        ['details', shown.detailsKept ? 'the values to update are kept (sealed)' : null],
        ['outbound', `${shown.outbound} ${shown.outboundState}`],
        [
          'ops list',
          shown.opsQueue ? `${shown.opsQueue} since ${zonedMinute(shown.opsQueueAt, zone)}` : null,
        ],
        ['duplicate of', shown.duplicateOf],
        ['data items', shown.dataItems?.length ? shown.dataItems.join(', ') : null],
        ['subject key', shown.subjectKey],
      ];
      const body = lines
        .filter((line): line is [string, string] => line[1] !== null)
        .map(([label, value]) => `  ${label.padEnd(12)}  ${value}`)
        .join('\n');
      const events =
        trail.length === 0
          ? '  (none)'
          : trail
              .map((event) =>
                `  ${zonedMinute(event.at, zone)}  ${event.event}  ${detailText(event.detail)}`.trimEnd(),
              )
              .join('\n');
      output.out(
        `${shown.requestId}  ${shown.kind ?? '-'}  ${shown.status}\n` +
          `(operator ${target.operator}, ${target.where}; times ${zone})\n\n` +
          `${body}\n\n${tasks.length > 0 ? `Tasks in the data systems:\n${tasks.map((task) => taskText(task, zone)).join('\n')}\n\n` : ''}` +
          `Audit trail, oldest first:\n${events}\n`,
      );
      return 0;
    });
  },
};

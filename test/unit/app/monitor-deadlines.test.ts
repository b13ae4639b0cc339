/**
 * The deadline monitor's decisions with an injected clock and in-memory ports: what is overdue, what is
 * due soon across weekends, holidays and the year end, what is listed apart, the calendar warning, and
 * when the digest goes out (once a day, given back only after a send that surely failed).
 */
import { describe, expect, it } from 'vitest';
import {
  type DigestDependencies,
  dueSoonWindowEnd,
  localHour,
  MONITOR_LIMIT_PER_STATUS,
  MONITOR_TASK_READS,
  type MonitorDependencies,
  monitorDeadlines,
} from '../../../functions/app/monitor-deadlines';
import type { FulfilmentTask } from '../../../functions/domain/fulfilment/tasks';
import type { DeploymentProfile, Jurisdiction } from '../../../functions/domain/operators/operator-profile';
import type { RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import { OPEN_STATUSES } from '../../../functions/domain/requests/request-policies';
import type { DigestClaim, DigestClaimInput, DigestMarker } from '../../../functions/ports/digest-marker';
import { MailNotSentError, type MailSender, type OutgoingReply } from '../../../functions/ports/mail-sender';
import { CountingMetrics } from '../../../functions/ports/metrics';
import type { RequestListing } from '../../../functions/ports/request-register';
import { loadJurisdictions } from '../../../functions/shared/jurisdiction-files';
import { createLogger } from '../../../functions/shared/log';
import { sampleProfile } from '../../support/sample-profile';
import { sampleRequest } from '../../support/sample-request';

/**
 * A Kyrgyz profile (Asia/Bishkek, UTC+6 all year) with a calendar of its own for 2031 and 2032:
 * Monday 10 March 2031 is a holiday in it.
 */
function profile(
  operator: Partial<DeploymentProfile['operator']> = {},
  calendar: Jurisdiction['calendar'] = {
    '2031': { holidays: ['03-10'], movedDaysOff: [], workingWeekends: [] },
    '2032': { holidays: [], movedDaysOff: [], workingWeekends: [] },
  },
): DeploymentProfile {
  const base = sampleProfile(operator);
  return { ...base, jurisdiction: { ...base.jurisdiction, country: 'KG', calendar } };
}

/** An instant given as Bishkek wall-clock time (UTC+6). */
const bishkek = (local: string) => new Date(`${local}+06:00`);
/** The end of a Bishkek day, as due dates of day-based terms are stored. */
const endOfDay = (day: string) => bishkek(`${day}T23:59:59`).toISOString();

/** Friday 7 March 2031, 10:00 in Bishkek. */
const FRIDAY = bishkek('2031-03-07T10:00:00');

class MemoryListing implements RequestListing {
  readonly calls: Array<{ status: string; dueFrom?: Date; dueBefore?: Date; limit?: number }> = [];
  constructor(private readonly entries: readonly RegisteredRequest[]) {}

  async requestsByStatus(
    status: RegisteredRequest['status'],
    options: { dueFrom?: Date; dueBefore?: Date; limit?: number } = {},
  ): Promise<RegisteredRequest[]> {
    this.calls.push({ status, ...options });
    return this.entries
      .filter((entry) => entry.status === status && entry.dueAt !== null)
      .filter((entry) => !options.dueBefore || Date.parse(entry.dueAt ?? '') < options.dueBefore.getTime())
      .sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''))
      .slice(0, options.limit ?? 1000);
  }
}

class MemoryMarker implements DigestMarker {
  readonly days = new Map<string, { claimId: string; state: 'sending' | 'sent'; claimedAt: string }>();
  readonly claims: Array<{ day: string; input: DigestClaimInput }> = [];
  released = 0;

  async claim(day: string, input: DigestClaimInput): Promise<DigestClaim> {
    this.claims.push({ day, input });
    const taken = this.days.get(day);
    if (taken) return { outcome: 'taken', state: taken.state, claimedAt: taken.claimedAt };
    this.days.set(day, { claimId: input.claimId, state: 'sending', claimedAt: input.at.toISOString() });
    return { outcome: 'claimed' };
  }

  async markSent(day: string, claimId: string): Promise<void> {
    const marker = this.days.get(day);
    if (marker?.claimId !== claimId || marker.state !== 'sending') throw new Error('not this claim');
    marker.state = 'sent';
  }

  async release(day: string, claimId: string): Promise<void> {
    if (this.days.get(day)?.claimId === claimId && this.days.get(day)?.state === 'sending') {
      this.days.delete(day);
      this.released += 1;
    }
  }
}

class MemoryMail implements MailSender {
  readonly sent: OutgoingReply[] = [];
  failWith: Error | null = null;

  async sendReply(reply: OutgoingReply): Promise<string> {
    if (this.failWith) throw this.failWith;
    this.sent.push(reply);
    return `ses-${this.sent.length}`;
  }

  async sendRaw(): Promise<string> {
    throw new Error('the digest is not raw mail');
  }
}

let serial = 0;
function open(overrides: Partial<RegisteredRequest>): RegisteredRequest {
  serial += 1;
  return sampleRequest(serial, {
    requestId: `MK-MON${String(serial).padStart(5, '0')}`,
    kind: 'access',
    status: 'in-progress',
    closedAt: null,
    jurisdiction: 'KG-58',
    ...overrides,
  });
}

interface Run {
  readonly deps: MonitorDependencies;
  readonly listing: MemoryListing;
  readonly metrics: CountingMetrics;
  readonly logs: Array<Record<string, unknown>>;
  readonly marker: MemoryMarker;
  readonly mail: MemoryMail;
}

/** Tasks by request id, and the requests whose tasks were read. */
class MemoryTasks {
  readonly reads: string[] = [];
  constructor(private readonly byRequest: ReadonlyMap<string, readonly FulfilmentTask[]>) {}

  async tasksOf(requestId: string): Promise<FulfilmentTask[]> {
    this.reads.push(requestId);
    return [...(this.byRequest.get(requestId) ?? [])];
  }
}

function task(request: RegisteredRequest, systemId: string, state: FulfilmentTask['state']): FulfilmentTask {
  return {
    requestId: request.requestId,
    systemId,
    kind: 'erasure',
    dueAt: request.dueAt,
    subjectKey: request.subjectKey,
    toldBy: 'event',
    state,
    createdAt: request.receivedAt,
    outcome: state === 'done' ? 'erased' : null,
    reason: state === 'refused' ? 'legal hold' : null,
    sealedData: null,
    answeredAt: state === 'open' ? null : request.receivedAt,
    answeredBy: state === 'open' ? null : { via: 'cli', person: 'ops' },
    publishedAt: null,
  };
}

function setUp(
  entries: readonly RegisteredRequest[],
  options: {
    profile?: DeploymentProfile;
    digest?: Partial<DigestDependencies> | false;
    tasks?: MemoryTasks;
  } = {},
): Run {
  const listing = new MemoryListing(entries);
  const metrics = new CountingMetrics();
  const logs: Array<Record<string, unknown>> = [];
  const marker = new MemoryMarker();
  const mail = new MemoryMail();
  const log = createLogger('DEBUG', {}, (line) => logs.push(JSON.parse(line)));
  const digest: DigestDependencies | undefined =
    options.digest === false
      ? undefined
      : { marker, mailSender: mail, fromLocalHour: 9, cliTarget: '--operator x2', ...options.digest };
  const deps: MonitorDependencies = {
    profile: options.profile ?? profile(),
    listing,
    metrics,
    log,
    ...(digest ? { digest } : {}),
    ...(options.tasks ? { tasks: options.tasks } : {}),
  };
  return { deps, listing, metrics, logs, marker, mail };
}

const ids = (requests: ReadonlyArray<{ requestId: string }>) => requests.map((request) => request.requestId);

describe('the due-soon window', () => {
  it('ends at the end of the local day two working days on, skipping the weekend', () => {
    const thursday = bishkek('2031-03-13T15:00:00');

    expect(dueSoonWindowEnd(profile().jurisdiction, thursday, 2)).toEqual(bishkek('2031-03-18T00:00:00'));
  });

  it('skips a weekend and a holiday: from Friday, Monday the 10th off, it runs to the end of Wednesday', () => {
    expect(dueSoonWindowEnd(profile().jurisdiction, FRIDAY, 2)).toEqual(bishkek('2031-03-13T00:00:00'));
  });

  it('is the end of today with no working days, also on a day off', () => {
    const saturday = bishkek('2031-03-08T12:00:00');

    expect(dueSoonWindowEnd(profile().jurisdiction, FRIDAY, 0)).toEqual(bishkek('2031-03-08T00:00:00'));
    expect(dueSoonWindowEnd(profile().jurisdiction, saturday, 0)).toEqual(bishkek('2031-03-09T00:00:00'));
  });

  it('crosses the year end and the New Year holidays on the official Russian calendar', () => {
    const russia = loadJurisdictions().find((jurisdiction) => jurisdiction.id === 'RU-152FZ');
    if (!russia) throw new Error('no RU-152FZ profile in config/jurisdictions');
    // Wednesday 30 December 2026, noon in Moscow: 31 December is a moved day off (decree No. 1466),
    // 1–8 January 2027 are holidays, 9–10 January a weekend: Monday 11 and Tuesday 12 are the two days.
    const at = new Date('2026-12-30T09:00:00Z');

    expect(dueSoonWindowEnd(russia, at, 2)).toEqual(new Date('2027-01-12T21:00:00Z'));
  });
});

describe('monitorDeadlines', () => {
  it('finds overdue and due-soon requests around a weekend and a holiday, and nothing due later', async () => {
    const overdue = open({ dueAt: endOfDay('2031-03-06') });
    const longOverdue = open({ dueAt: endOfDay('2031-02-26'), status: 'needs-human', kind: null });
    const dueToday = open({ dueAt: endOfDay('2031-03-07') });
    const dueMonday = open({ dueAt: endOfDay('2031-03-10'), status: 'held' });
    // Wednesday 12 March is the second working day after Friday (Monday 10 is a holiday).
    const dueWednesday = open({ dueAt: endOfDay('2031-03-12') });
    const dueThursday = open({ dueAt: endOfDay('2031-03-13') });
    const closed = open({ dueAt: endOfDay('2031-03-01'), status: 'completed' });
    const run = setUp([overdue, longOverdue, dueToday, dueMonday, dueWednesday, dueThursday, closed]);

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(ids(report.overdue)).toEqual(ids([longOverdue, overdue]));
    expect(ids(report.dueSoon)).toEqual(ids([dueToday, dueMonday, dueWednesday]));
    expect(report.overdue.map((request) => request.daysOverdue)).toEqual([9, 1]);
    expect(report.dueSoon.every((request) => request.daysOverdue === null)).toBe(true);
    expect(report.overdue[1]).toEqual({
      requestId: overdue.requestId,
      kind: 'access',
      status: 'in-progress',
      dueAt: '2031-03-06T17:59:59.000Z',
      dueLocal: '2031-03-06 23:59',
      daysOverdue: 1,
      waitingFor: [],
    });
    expect(report).toMatchObject({
      operator: 'x2',
      jurisdiction: 'KG-58',
      timeZone: 'Asia/Bishkek',
      today: '2031-03-07',
      dueSoonWorkingDays: 2,
      dueSoonUntil: bishkek('2031-03-13T00:00:00').toISOString(),
      incomplete: false,
    });
    expect(run.metrics.gauges.get('RequestsOverdue')).toBe(2);
    expect(run.metrics.gauges.get('RequestsDueSoon')).toBe(3);
  });

  it('reads one Query per open status, bounded by the window, and never a closed status', async () => {
    const run = setUp([]);

    await monitorDeadlines(run.deps, FRIDAY);

    expect(run.listing.calls.map((call) => call.status).sort()).toEqual([...OPEN_STATUSES].sort());
    for (const call of run.listing.calls) {
      expect(call.dueBefore).toEqual(bishkek('2031-03-13T00:00:00'));
      expect(call.limit).toBe(MONITOR_LIMIT_PER_STATUS + 1);
    }
  });

  it('lists requests awaiting verification apart: not overdue, not due soon, not alarmed', async () => {
    const unproven = open({ status: 'awaiting-verification', dueAt: endOfDay('2031-03-05') });
    const unprovenSoon = open({ status: 'awaiting-verification', dueAt: endOfDay('2031-03-11') });
    const run = setUp([unproven, unprovenSoon]);

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(ids(report.awaitingVerification)).toEqual(ids([unproven, unprovenSoon]));
    expect(report.awaitingVerification.map((request) => request.daysOverdue)).toEqual([2, null]);
    expect(report.overdue).toEqual([]);
    expect(report.dueSoon).toEqual([]);
    expect(run.metrics.gauges.get('RequestsOverdue')).toBe(0);
    expect(run.metrics.gauges.get('RequestsDueSoon')).toBe(0);
    expect(run.metrics.gauges.get('RequestsAwaitingVerification')).toBe(2);
    // Nothing alarmed: no digest either.
    expect(report.digest).toEqual({ outcome: 'nothing-due' });
    expect(run.mail.sent).toEqual([]);
  });

  it('counts days overdue by local days, as requests list does: an immediate duty late today is 0 days overdue', async () => {
    const unsubscribe = open({ kind: 'unsubscribe', dueAt: bishkek('2031-03-07T07:30:00').toISOString() });
    const run = setUp([unsubscribe]);

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(report.overdue).toEqual([
      expect.objectContaining({ requestId: unsubscribe.requestId, daysOverdue: 0 }),
    ]);
  });

  it('says when a status had more entries than one run reads', async () => {
    const many = Array.from({ length: MONITOR_LIMIT_PER_STATUS + 1 }, () =>
      open({ dueAt: endOfDay('2031-03-06') }),
    );
    const run = setUp(many, { digest: false });

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(report.incomplete).toBe(true);
    expect(report.overdue).toHaveLength(MONITOR_LIMIT_PER_STATUS);
    expect(
      run.logs.some((line) => line.level === 'WARN' && String(line.message).includes('lower bounds')),
    ).toBe(true);
  });

  it('reports no personal data: the sealed contact and the raw mail never reach the report or the logs', async () => {
    const entry = open({
      dueAt: endOfDay('2031-03-06'),
      sealedContact: 'v1.sealed-person@example.kg',
      rawMail: { bucket: 'raw', key: 'inbound/person@example.kg' },
    });
    const run = setUp([entry]);

    const report = await monitorDeadlines(run.deps, FRIDAY);

    const everything = JSON.stringify([report, run.logs, run.mail.sent]);
    expect(everything).not.toContain('person@example.kg');
    expect(everything).not.toContain('sealed');
  });
});

describe('tasks of the requests listed', () => {
  it('names the systems an overdue or due-soon request waits for, and counts the open tasks of overdue ones', async () => {
    const late = open({ kind: 'erasure', dueAt: endOfDay('2031-03-05') });
    const soon = open({ kind: 'erasure', dueAt: endOfDay('2031-03-11') });
    const tasks = new MemoryTasks(
      new Map([
        [
          late.requestId,
          [task(late, 'helpdesk', 'open'), task(late, 'crm', 'open'), task(late, 'player-accounts', 'done')],
        ],
        [soon.requestId, [task(soon, 'crm', 'open'), task(soon, 'helpdesk', 'refused')]],
      ]),
    );
    const run = setUp([late, soon], { tasks });

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(report.overdue.map((request) => request.waitingFor)).toEqual([['crm', 'helpdesk']]);
    expect(report.dueSoon.map((request) => request.waitingFor)).toEqual([['crm']]);
    expect(report.tasksOverdue).toBe(2);
    expect(run.metrics.gauges.get('FulfilmentTasksOverdue')).toBe(2);
  });

  it('reads tasks only for the in-progress requests it lists that have a kind carried out in systems', async () => {
    const late = open({ kind: 'erasure', dueAt: endOfDay('2031-03-05') });
    const unsubscribe = open({ kind: 'unsubscribe', dueAt: endOfDay('2031-03-05') });
    const review = open({ kind: null, status: 'needs-human', dueAt: endOfDay('2031-03-05') });
    const unconfirmed = open({
      kind: 'erasure',
      status: 'awaiting-verification',
      dueAt: endOfDay('2031-03-06'),
    });
    const later = open({ kind: 'erasure', dueAt: endOfDay('2031-04-30') });
    const tasks = new MemoryTasks(new Map());
    const run = setUp([late, unsubscribe, review, unconfirmed, later], { tasks });

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(tasks.reads).toEqual([late.requestId]);
    expect(report.awaitingVerification.map((request) => request.waitingFor)).toEqual([[]]);
    expect(report.tasksOverdue).toBe(0);
    expect(run.metrics.gauges.get('FulfilmentTasksOverdue')).toBe(0);
  });

  it('reads at most MONITOR_TASK_READS requests a run, the most overdue first, and says the report is incomplete', async () => {
    const entries = Array.from({ length: MONITOR_TASK_READS + 3 }, (_, index) =>
      open({
        kind: 'erasure',
        dueAt: new Date(bishkek('2031-03-01T00:00:00').getTime() + index * 60_000).toISOString(),
      }),
    );
    const tasks = new MemoryTasks(
      new Map(entries.map((entry) => [entry.requestId, [task(entry, 'crm', 'open')]])),
    );
    const run = setUp(entries, { tasks, digest: false });

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(tasks.reads).toHaveLength(MONITOR_TASK_READS);
    expect(tasks.reads[0]).toBe(entries[0]?.requestId);
    expect(report.tasksOverdue).toBe(MONITOR_TASK_READS);
    expect(report.incomplete).toBe(true);
  });

  it('puts what each request waits for in the digest', async () => {
    const late = open({ kind: 'erasure', dueAt: endOfDay('2031-03-05') });
    const tasks = new MemoryTasks(
      new Map([[late.requestId, [task(late, 'helpdesk', 'open'), task(late, 'crm', 'open')]]]),
    );
    const run = setUp([late], { tasks });

    await monitorDeadlines(run.deps, FRIDAY);

    expect(run.mail.sent).toHaveLength(1);
    expect(run.mail.sent[0]?.text).toMatch(new RegExp(`${late.requestId}\\s.*crm, helpdesk`));
  });
});

describe('the calendar check', () => {
  it('in December, warns that next year is missing, names it and where to add it, and counts it', async () => {
    const run = setUp([], {
      profile: profile({}, { '2031': { holidays: [], movedDaysOff: [], workingWeekends: [] } }),
    });

    const report = await monitorDeadlines(run.deps, bishkek('2031-12-15T10:00:00'));

    expect(report.calendar).toEqual({ years: [2031, 2032], missing: [2032] });
    expect(run.metrics.gauges.get('CalendarYearMissing')).toBe(1);
    const warning = run.logs.find((line) => line.level === 'WARN');
    expect(warning).toMatchObject({ jurisdiction: 'KG-58', country: 'KG', years: '2032' });
    expect(String(warning?.message)).toContain('2032');
    expect(String(warning?.message)).toContain('config/calendars/README.md');
  });

  it('counts both years when neither is there, and none when both are', async () => {
    const none = setUp([], { profile: profile({}, {}) });
    const both = setUp([]);

    expect((await monitorDeadlines(none.deps, FRIDAY)).calendar.missing).toEqual([2031, 2032]);
    expect(none.metrics.gauges.get('CalendarYearMissing')).toBe(2);
    expect((await monitorDeadlines(both.deps, FRIDAY)).calendar.missing).toEqual([]);
    expect(both.metrics.gauges.get('CalendarYearMissing')).toBe(0);
    expect(both.logs.filter((line) => line.level === 'WARN')).toEqual([]);
  });

  it('counts a year listed as incomplete (a feast not yet dated) as missing', async () => {
    const run = setUp([], {
      profile: profile(
        {},
        {
          '2031': { holidays: [], movedDaysOff: [], workingWeekends: [], incomplete: true },
          '2032': { holidays: [], movedDaysOff: [], workingWeekends: [] },
        },
      ),
    });

    expect((await monitorDeadlines(run.deps, FRIDAY)).calendar.missing).toEqual([2031]);
  });
});

describe('the daily digest', () => {
  const overdueEntry = () => open({ dueAt: endOfDay('2031-03-06') });

  it('goes to the DPO from the support address, in the staff language, once a day', async () => {
    const run = setUp([overdueEntry(), open({ dueAt: endOfDay('2031-03-11') })], {
      profile: profile({ staffLanguage: 'ru' }),
    });

    const first = await monitorDeadlines(run.deps, FRIDAY);
    const second = await monitorDeadlines(run.deps, bishkek('2031-03-07T11:00:00'));

    expect(first.digest).toEqual({ outcome: 'sent', day: '2031-03-07', messageId: 'ses-1' });
    expect(second.digest).toEqual({ outcome: 'already-taken', day: '2031-03-07', state: 'sent' });
    expect(run.mail.sent).toHaveLength(1);
    const [mail] = run.mail.sent;
    expect(mail).toMatchObject({ from: 'support@x2.kg', to: 'dpo@x2.kg' });
    expect(mail?.subject).toBe('[makul x2] Сроки запросов: просрочено — 1, срок скоро истекает — 1');
    expect(mail?.headers).toContainEqual({ name: 'Auto-Submitted', value: 'auto-generated' });
    expect(run.marker.claims[0]?.input).toMatchObject({ overdue: 1, dueSoon: 1 });
    // The marker outlives its day, and is deleted by TTL a few days later.
    const expiresAt = run.marker.claims[0]?.input.expiresAt.getTime() ?? 0;
    expect(expiresAt - FRIDAY.getTime()).toBe(3 * 24 * 60 * 60 * 1000);
  });

  it('writes in the default language when no staff language is set', async () => {
    const run = setUp([overdueEntry()]);

    await monitorDeadlines(run.deps, FRIDAY);

    expect(run.mail.sent[0]?.subject).toContain('Суроо-талаптардын мөөнөттөрү');
  });

  it('waits for the local hour: a run before it sends nothing and takes no marker', async () => {
    const run = setUp([overdueEntry()], { digest: { fromLocalHour: 9 } });

    const early = await monitorDeadlines(run.deps, bishkek('2031-03-07T08:59:00'));
    const onTime = await monitorDeadlines(run.deps, bishkek('2031-03-07T09:00:00'));

    expect(early.digest).toEqual({ outcome: 'before-hour', fromLocalHour: 9 });
    expect(onTime.digest.outcome).toBe('sent');
    expect(run.marker.claims).toHaveLength(1);
  });

  it('reads the hour in the jurisdiction’s zone', () => {
    expect(localHour(new Date('2031-03-07T03:00:00Z'), 'Asia/Bishkek')).toBe(9);
    expect(localHour(new Date('2031-03-07T03:00:00Z'), 'Europe/Moscow')).toBe(6);
  });

  it('is not sent when nothing is overdue or due soon, nor when not asked for', async () => {
    const quiet = setUp([open({ dueAt: endOfDay('2031-03-20') })]);
    const notAsked = setUp([overdueEntry()], { digest: false });

    expect((await monitorDeadlines(quiet.deps, FRIDAY)).digest).toEqual({ outcome: 'nothing-due' });
    expect((await monitorDeadlines(notAsked.deps, FRIDAY)).digest).toEqual({ outcome: 'not-asked' });
    expect(quiet.mail.sent).toEqual([]);
    expect(quiet.marker.claims).toEqual([]);
  });

  it('is sent again the next local day', async () => {
    const run = setUp([overdueEntry()]);

    await monitorDeadlines(run.deps, FRIDAY);
    const saturday = await monitorDeadlines(run.deps, bishkek('2031-03-08T09:05:00'));

    expect(saturday.digest).toEqual({ outcome: 'sent', day: '2031-03-08', messageId: 'ses-2' });
  });

  it('gives the day back after a send that surely failed, so the next run sends it', async () => {
    const run = setUp([overdueEntry()]);
    run.mail.failWith = new MailNotSentError('throttled');

    const failed = await monitorDeadlines(run.deps, FRIDAY);
    run.mail.failWith = null;
    const retried = await monitorDeadlines(run.deps, bishkek('2031-03-07T11:05:00'));

    expect(failed.digest).toEqual({ outcome: 'failed', day: '2031-03-07', errorName: 'MailNotSentError' });
    expect(run.marker.released).toBe(1);
    expect(retried.digest.outcome).toBe('sent');
    expect(run.mail.sent).toHaveLength(1);
  });

  it('keeps the day after a send whose outcome is unknown: no second digest that day', async () => {
    const run = setUp([overdueEntry()]);
    run.mail.failWith = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });

    const inDoubt = await monitorDeadlines(run.deps, FRIDAY);
    run.mail.failWith = null;
    const later = await monitorDeadlines(run.deps, bishkek('2031-03-07T11:05:00'));

    expect(inDoubt.digest).toEqual({ outcome: 'in-doubt', day: '2031-03-07' });
    expect(run.marker.released).toBe(0);
    expect(later.digest).toEqual({ outcome: 'already-taken', day: '2031-03-07', state: 'sending' });
    expect(run.mail.sent).toEqual([]);
  });

  it('still reports and counts when the marker cannot be written', async () => {
    const run = setUp([overdueEntry()]);
    run.marker.claim = async () => {
      throw new Error('DynamoDB unavailable');
    };

    const report = await monitorDeadlines(run.deps, FRIDAY);

    expect(report.digest).toEqual({ outcome: 'failed', day: '2031-03-07', errorName: 'Error' });
    expect(report.overdue).toHaveLength(1);
    expect(run.metrics.gauges.get('RequestsOverdue')).toBe(1);
    expect(run.mail.sent).toEqual([]);
  });
});

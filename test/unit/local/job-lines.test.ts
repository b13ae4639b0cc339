import { describe, expect, it } from 'vitest';
import type { ErasureRunReport } from '../../../functions/app/execute-erasure';
import type { DeadlineReport, MonitoredRequest } from '../../../functions/app/monitor-deadlines';
import { eventLine } from '../../../local/decision-line';
import { deferredRunLine, erasureRunLine, monitorRunLine, onlyWhenChanged } from '../../../local/job-lines';

function monitored(requestId: string): MonitoredRequest {
  return {
    requestId,
    kind: 'erasure',
    status: 'in-progress',
    dueAt: '2026-12-10T18:00:00.000Z',
    dueLocal: '2026-12-11 00:00',
    daysOverdue: null,
    waitingFor: ['crm'],
  };
}

function monitorReport(overrides: Partial<DeadlineReport> = {}): DeadlineReport {
  return {
    operator: 'x2',
    jurisdiction: 'KG-58',
    timeZone: 'Asia/Bishkek',
    at: '2026-12-02T10:00:00.000Z',
    today: '2026-12-02',
    dueSoonWorkingDays: 2,
    dueSoonUntil: '2026-12-04T18:00:00.000Z',
    overdue: [],
    dueSoon: [],
    awaitingVerification: [],
    incomplete: false,
    tasksOverdue: 0,
    calendar: { years: [2026, 2027], missing: [] },
    digest: { outcome: 'nothing-due' },
    ...overrides,
  };
}

function erasureReport(overrides: Partial<ErasureRunReport> = {}): ErasureRunReport {
  return {
    operator: 'x2',
    at: '2026-12-02T10:00:00.000Z',
    dryRun: false,
    considered: 0,
    outcomes: [],
    overdue: [],
    incomplete: false,
    ...overrides,
  };
}

describe('what npm start prints for a run of each scheduled function', () => {
  it('deferred-outbound: counts per outcome, nothing for a run with nothing due', () => {
    expect(deferredRunLine({ due: 0, results: {}, waiting: 3, oldestWaitingHours: 1 })).toBeNull();
    expect(
      deferredRunLine({ due: 3, results: { sent: 2, deferred: 1 }, waiting: 1, oldestWaitingHours: 0 }),
    ).toBe('3 due → 2 sent, 1 deferred again; 1 still waiting');
  });

  it('deadline-monitor: counts with the ids, the open tasks, a missing calendar and a digest sent', () => {
    expect(monitorRunLine(monitorReport())).toBe('0 overdue, 0 due soon, 0 awaiting confirmation');
    expect(
      monitorRunLine(
        monitorReport({
          overdue: [monitored('MK-AAAAAAAAAAAA')],
          dueSoon: ['MK-1', 'MK-2', 'MK-3', 'MK-4', 'MK-5', 'MK-6'].map(monitored),
          tasksOverdue: 2,
          calendar: { years: [2026, 2027], missing: [2027] },
          digest: { outcome: 'sent', day: '2026-12-02', messageId: 'm-1' },
        }),
      ),
    ).toBe(
      '1 overdue (MK-AAAAAAAAAAAA), 6 due soon (MK-1, MK-2, MK-3, MK-4, MK-5, …), 0 awaiting confirmation; ' +
        '2 task(s) of overdue requests open; calendar lacks 2027 (due dates counted without it); ' +
        'digest sent to the DPO for 2026-12-02',
    );
  });

  it('erasure-executor: each request with what happened, the overdue ones named, nothing for an empty run', () => {
    expect(erasureRunLine(erasureReport())).toBeNull();
    expect(
      erasureRunLine(
        erasureReport({
          considered: 3,
          outcomes: [
            {
              requestId: 'MK-EXECUTED0001',
              kind: 'erasure',
              outcome: 'executed',
              actId: 'ACT-1',
              work: { entries: 2, rawMail: 1, tokens: 1 },
            },
            {
              requestId: 'MK-WAITING00001',
              kind: 'withdraw-consent',
              outcome: 'skipped',
              reason: 'tasks-waiting',
            },
            { requestId: 'MK-FAILED000001', kind: 'erasure', outcome: 'failed', errorName: 'TimeoutError' },
          ],
          overdue: ['MK-FAILED000001'],
        }),
      ),
    ).toBe(
      'MK-EXECUTED0001 erasure executed, destruction act ACT-1; ' +
        'MK-WAITING00001 withdraw-consent waits: a system has not answered its task yet; ' +
        'MK-FAILED000001 erasure FAILED (TimeoutError), stays in progress; PAST DUE: MK-FAILED000001',
    );
  });

  it('a function that repeats what it finds speaks only when that changes', () => {
    const line = onlyWhenChanged(monitorRunLine);
    expect(line(monitorReport())).toBe('0 overdue, 0 due soon, 0 awaiting confirmation');
    expect(line(monitorReport())).toBeNull();
    const overdue = monitorReport({ overdue: [monitored('MK-AAAAAAAAAAAA')] });
    expect(line(overdue)).toBe('1 overdue (MK-AAAAAAAAAAAA), 0 due soon, 0 awaiting confirmation');
    expect(line(overdue)).toBeNull();
    expect(line(monitorReport())).toBe('0 overdue, 0 due soon, 0 awaiting confirmation');
  });
});

describe('eventLine (handler log lines that mark an event a person follows)', () => {
  it('says what a page did, what a one-click unsubscribe recorded, and what tasks were made', () => {
    expect(eventLine('page action', { requestId: 'MK-1', outcome: 'confirmed' })).toBe(
      'page: request MK-1 → confirmed',
    );
    expect(eventLine('one-click unsubscribe', { requestId: 'MK-2', recorded: 'recorded' })).toBe(
      'one-click unsubscribe: request MK-2 → recorded',
    );
    expect(
      eventLine('fulfilment record handled', { requestId: 'MK-3', outcome: 'tasks-created', tasks: 3 }),
    ).toBe('fulfilment-tasks: request MK-3 → 3 fulfilment task(s) made, one per data system concerned');
    expect(
      eventLine('fulfilment record handled', { requestId: 'MK-3', outcome: 'published', system: 'crm' }),
    ).toBe('fulfilment-tasks: request MK-3 → task for crm published as an event to its queue');
  });

  it('says what a system answered through the systems API', () => {
    expect(
      eventLine('task answered', { requestId: 'MK-4', system: 'crm', answer: 'erased', result: 'answered' }),
    ).toBe('systems-api: request MK-4 → crm answered erased (answered)');
  });

  it('stays quiet for the rest, and never prints a value that looks like an address', () => {
    expect(
      eventLine('fulfilment record handled', { requestId: 'MK-3', outcome: 'tasks-existed' }),
    ).toBeNull();
    expect(eventLine('answered', { route: 'GET /v1/subjects/status' })).toBeNull();
    expect(eventLine('page action', { requestId: 'someone@example.com', outcome: 'confirmed' })).toBe(
      'page: request [hidden] → confirmed',
    );
  });
});

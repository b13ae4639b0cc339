import { describe, expect, it } from 'vitest';
import {
  type DataSystem,
  type FulfilmentTask,
  isSameAnswer,
  progressOf,
  reportProblem,
  systemsConcerned,
  tasksFor,
} from '../../../../functions/domain/fulfilment/tasks';
import { sampleRequest } from '../../../support/sample-request';

const system = (
  id: string,
  kinds: DataSystem['kinds'],
  toldBy: DataSystem['toldBy'] = 'event',
): DataSystem => ({
  id,
  name: { ky: id, ru: id, en: id },
  purpose: { ky: 'p', ru: 'p', en: 'p' },
  categories: ['full-name', 'email'],
  toldBy,
  kinds,
});
const accounts = system('player-accounts', ['erasure', 'access', 'update-data']);
const marketing = system('marketing', ['erasure'], 'event');
const helpdesk = system('helpdesk', ['erasure', 'access'], 'person');
const AT = new Date('2026-12-02T08:00:00Z');

const task = (overrides: Partial<FulfilmentTask> = {}): FulfilmentTask => ({
  requestId: 'MK-TASKS0001',
  systemId: 'player-accounts',
  kind: 'access',
  dueAt: null,
  subjectKey: 'k'.repeat(64),
  toldBy: 'event',
  state: 'open',
  createdAt: AT.toISOString(),
  outcome: null,
  reason: null,
  sealedData: null,
  answeredAt: null,
  answeredBy: null,
  publishedAt: null,
  ...overrides,
});

describe('which systems get a task', () => {
  it('gives one task per system concerned with the kind of a request that stands', () => {
    const request = sampleRequest(1, { kind: 'access', status: 'in-progress' });
    const tasks = tasksFor(request, [accounts, marketing, helpdesk], AT);
    expect(tasks.map((made) => [made.systemId, made.toldBy, made.state])).toEqual([
      ['player-accounts', 'event', 'open'],
      ['helpdesk', 'person', 'open'],
    ]);
    expect(tasks[0]).toMatchObject({
      requestId: request.requestId,
      kind: 'access',
      subjectKey: request.subjectKey,
    });
    expect(systemsConcerned('erasure', [accounts, marketing, helpdesk])).toHaveLength(3);
  });

  it('gives none before the request stands, none for an unsubscribe and none for a notice', () => {
    expect(
      tasksFor(sampleRequest(1, { kind: 'access', status: 'awaiting-verification' }), [accounts], AT),
    ).toEqual([]);
    expect(
      tasksFor(sampleRequest(1, { kind: 'unsubscribe', status: 'in-progress' }), [accounts], AT),
    ).toEqual([]);
    expect(
      tasksFor(
        sampleRequest(1, { kind: 'access', status: 'in-progress', noticeOf: 'MK-PARENT01' }),
        [accounts],
        AT,
      ),
    ).toEqual([]);
  });
});

describe('reportProblem', () => {
  it('takes an outcome that answers the kind, and refuses one that does not, naming the ones that do', () => {
    expect(
      reportProblem(task({ kind: 'erasure' }), accounts, { state: 'done', outcome: 'erased' }),
    ).toBeNull();
    expect(reportProblem(task({ kind: 'erasure' }), accounts, { state: 'done', outcome: 'corrected' })).toBe(
      '"corrected" does not answer erasure: one of erased, not-held',
    );
  });

  it('wants the data held with an access answer, by categories the system holds, and nowhere else', () => {
    expect(reportProblem(task(), accounts, { state: 'done', outcome: 'provided' })).toMatch(
      /lists the data held/,
    );
    expect(
      reportProblem(task(), accounts, { state: 'done', outcome: 'provided', data: { email: ['a'] } }),
    ).toBeNull();
    expect(
      reportProblem(task(), accounts, { state: 'done', outcome: 'provided', data: { 'shoe-size': ['42'] } }),
    ).toMatch(/holds no category shoe-size/);
    expect(
      reportProblem(task({ kind: 'erasure' }), accounts, {
        state: 'done',
        outcome: 'erased',
        data: { email: ['a'] },
      }),
    ).toMatch(/"provided" outcome only/);
  });

  it('wants a reason with a refusal', () => {
    expect(reportProblem(task(), accounts, { state: 'refused', reason: '  ' })).toBe(
      'a refusal needs a reason',
    );
    expect(reportProblem(task(), accounts, { state: 'refused', reason: 'legal hold' })).toBeNull();
  });
});

describe('answers already given', () => {
  it('takes the same answer again as a retry, and a different one as a conflict', () => {
    const done = task({ state: 'done', outcome: 'not-held' });
    expect(isSameAnswer(done, { state: 'done', outcome: 'not-held' })).toBe(true);
    expect(isSameAnswer(done, { state: 'done', outcome: 'provided', data: { email: ['a'] } })).toBe(false);
    expect(isSameAnswer(done, { state: 'refused', reason: 'x' })).toBe(false);
    const refused = task({ state: 'refused', reason: 'legal hold' });
    expect(isSameAnswer(refused, { state: 'refused', reason: 'legal hold' })).toBe(true);
    expect(isSameAnswer(refused, { state: 'refused', reason: 'other' })).toBe(false);
  });
});

describe('progressOf', () => {
  it('waits while any task is open, stops at a refusal, and is done only when all are', () => {
    expect(progressOf([])).toBe('no-tasks');
    expect(progressOf([task({ state: 'done' }), task({ state: 'open' })])).toBe('waiting');
    expect(progressOf([task({ state: 'refused' }), task({ state: 'open' })])).toBe('refused');
    expect(progressOf([task({ state: 'done' }), task({ state: 'done' })])).toBe('all-done');
  });
});

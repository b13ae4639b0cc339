import { describe, expect, it } from 'vitest';
import {
  announceFulfilmentTask,
  type FulfilmentTaskDependencies,
  makeFulfilmentTasks,
} from '../../../functions/app/make-fulfilment-tasks';
import type { FulfilmentTask } from '../../../functions/domain/fulfilment/tasks';
import type { FulfilmentRegister } from '../../../functions/ports/fulfilment-register';
import { CountingMetrics } from '../../../functions/ports/metrics';
import { createLogger } from '../../../functions/shared/log';
import { loadDeploymentProfiles } from '../../../lib/operators-config';
import { SHIPPED_OPERATORS_FILE } from '../../cdk/synthesize';
import { sampleRequest } from '../../support/sample-request';

const X2 = loadDeploymentProfiles(SHIPPED_OPERATORS_FILE).find((profile) => profile.operator.id === 'x2');
const NOW = new Date('2026-12-02T10:00:00.000Z');

/** The register in memory, with the adapter's rules: a task is made once. */
class MemoryTasks implements FulfilmentRegister {
  readonly tasks = new Map<string, FulfilmentTask>();
  marks = 0;
  async createTasks(tasks: readonly FulfilmentTask[]) {
    const first = tasks[0];
    if (!first) return [];
    if (![...this.tasks.values()].some((task) => task.requestId === first.requestId))
      for (const task of tasks) this.tasks.set(`${task.requestId}/${task.systemId}`, task);
    return this.tasksOf(first.requestId);
  }
  async tasksOf(requestId: string) {
    return [...this.tasks.values()].filter((task) => task.requestId === requestId);
  }
  async answerTask(): Promise<never> {
    throw new Error('not used');
  }
  async markPublished(requestId: string, systemId: string, at: Date) {
    this.marks += 1;
    const task = this.tasks.get(`${requestId}/${systemId}`);
    if (task && task.publishedAt === null)
      this.tasks.set(`${requestId}/${systemId}`, { ...task, publishedAt: at.toISOString() });
  }
}

function deps(overrides: Partial<FulfilmentTaskDependencies> = {}) {
  if (!X2) throw new Error('no x2 profile');
  const published: FulfilmentTask[] = [];
  const tasks = new MemoryTasks();
  const metrics = new CountingMetrics();
  const built: FulfilmentTaskDependencies = {
    profile: X2,
    tasks,
    events: { publish: async (task) => void published.push(task) },
    metrics,
    now: () => NOW,
    log: createLogger('ERROR', {}, () => undefined),
    ...overrides,
  };
  return { built, tasks, published, metrics };
}

const inProgress = (kind: FulfilmentTask['kind']) =>
  sampleRequest(7, { kind, status: 'in-progress', closedAt: null });

describe('makeFulfilmentTasks', () => {
  it("gives stop-dissemination to X2's player accounts and helpdesk, not to the marketing platform", async () => {
    const { built, tasks } = deps();
    await makeFulfilmentTasks(inProgress('stop-dissemination'), built);
    expect([...tasks.tasks.values()].map((task) => task.systemId).sort()).toEqual([
      'helpdesk',
      'player-accounts',
    ]);
  });

  it('counts the tasks it made, and none on a retry', async () => {
    const { built, metrics } = deps();
    expect(await makeFulfilmentTasks(inProgress('erasure'), built)).toMatchObject({
      outcome: 'tasks-created',
      tasks: 3,
    });
    const later = { ...built, now: () => new Date(NOW.getTime() + 60_000) };
    expect(await makeFulfilmentTasks(inProgress('erasure'), later)).toMatchObject({
      outcome: 'tasks-existed',
      tasks: 3,
    });
    const created = [...metrics.counts.entries()].filter(([key]) => key.startsWith('FulfilmentTasksCreated'));
    expect(created.reduce((sum, [, count]) => sum + count, 0)).toBe(3);
  });
});

describe('announceFulfilmentTask', () => {
  it('publishes once, then finds the note and publishes nothing', async () => {
    const { built, published, tasks } = deps();
    await makeFulfilmentTasks(inProgress('erasure'), built);
    const requestId = inProgress('erasure').requestId;

    expect(await announceFulfilmentTask(requestId, 'player-accounts', built)).toMatchObject({
      outcome: 'published',
    });
    expect(await announceFulfilmentTask(requestId, 'player-accounts', built)).toMatchObject({
      outcome: 'already-published',
    });
    expect(await announceFulfilmentTask(requestId, 'helpdesk', built)).toMatchObject({
      outcome: 'told-by-person',
    });
    expect(published.map((task) => task.systemId)).toEqual(['player-accounts']);
    expect(tasks.marks).toBe(1);
  });

  it('does not note an event the bus refused: the retry publishes it', async () => {
    let refuse = true;
    const { built, tasks, published } = deps();
    const flaky = {
      ...built,
      events: {
        publish: async (task: FulfilmentTask) => {
          if (refuse) throw new Error('bus down');
          published.push(task);
        },
      },
    };
    await makeFulfilmentTasks(inProgress('access'), flaky);
    const requestId = inProgress('access').requestId;

    await expect(announceFulfilmentTask(requestId, 'marketing-platform', flaky)).rejects.toThrow('bus down');
    expect(tasks.marks).toBe(0);
    refuse = false;
    await announceFulfilmentTask(requestId, 'marketing-platform', flaky);
    expect(published.map((task) => task.systemId)).toEqual(['marketing-platform']);
  });
});

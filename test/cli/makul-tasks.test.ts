/**
 * `makul tasks complete|refuse` and the tasks in `makul requests show` end to end against DynamoDB
 * Local, on a data folder that looks to the commands exactly like a running local stack's, for the
 * sitronics operator of config/operators.json (its data systems crm and mailing-platform).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import { tasksFor } from '../../functions/domain/fulfilment/tasks';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import type { FulfilmentKind } from '../../functions/domain/requests/request-kinds';
import { sealAddress } from '../../functions/domain/subjects/sealed-address';
import { chooseOperator, loadOperatorProfiles } from '../../functions/shared/operators-file';
import { type DataFolderLock, lockDataFolder } from '../../local/data-folder-lock';
import { writeLocalStackState } from '../../local/local-stack-state';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { makulHere, makulProcess } from '../support/makul-cli';
import { PROJECT_ROOT } from '../support/paths';
import { sampleRequest } from '../support/sample-request';

const TABLES = {
  requestsTableName: 'makul-sitronics-requests',
  subjectsTableName: 'makul-sitronics-subjects',
};
const LOCAL_SECRET = 'tasks-cli-test-secret-0123456789abcdef0123456';
const ADDRESS = 'ivan.petrov@example.ru';
const PERSON = 'Мария Иванова';

let local: LocalRegister;
let register: DynamoDbLinkRegister;
let fulfilment: DynamoDbFulfilmentRegister;
let profile: DeploymentProfile;
let dataDirectory: string;
let lock: DataFolderLock;
let serial = 0;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  register = new DynamoDbLinkRegister(local.client, TABLES);
  fulfilment = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
  profile = chooseOperator(
    loadOperatorProfiles(join(PROJECT_ROOT, 'config', 'operators.json')),
    'sitronics',
    'config/operators.json',
  );
  dataDirectory = await mkdtemp(join(tmpdir(), 'makul-tasks-test-'));
  lock = lockDataFolder(dataDirectory);
  writeLocalStackState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDirectory,
    operator: 'sitronics',
    jurisdiction: 'RU-152FZ',
    region: 'us-east-1',
    dynamodbEndpoint: local.dynamodb.endpoint,
    ...TABLES,
    sesEndpoint: 'http://127.0.0.1:1',
    sesWebPage: 'http://127.0.0.1:1/',
    s3Endpoint: 'http://127.0.0.1:2',
    rawMailBucketName: 'makul-sitronics-raw-mail-local',
    smtp: '127.0.0.1:3',
    deferredOutboundEverySeconds: 30,
  });
  await writeFile(join(dataDirectory, 'hmac-key'), `${LOCAL_SECRET}\n`, { mode: 0o600 });
});

afterAll(async () => {
  lock?.release();
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
  await local?.stop();
});

/** An in-progress request of the sitronics deployment with a task in each of its systems concerned. */
async function standing(kind: FulfilmentKind): Promise<RegisteredRequest> {
  serial += 1;
  const requestId = `MK-TASKCLI${String(serial).padStart(4, '0')}`;
  const request = sampleRequest(serial, {
    requestId,
    kind,
    status: 'in-progress',
    closedAt: null,
    dueAt: '2026-12-10T20:59:59.000Z',
    jurisdiction: 'RU-152FZ',
    subjectKey: `subject-tasks-${serial}`,
    sealedContact: sealAddress(ADDRESS, LOCAL_SECRET, requestId),
    outboundState: 'sent',
  });
  const at = new Date();
  await register.recordNew(request, { at: at.toISOString(), event: 'received', detail: {} }, null, null);
  const tasks = tasksFor(request, profile.operator.dataSystems, at);
  expect(tasks.length).toBeGreaterThan(1);
  await fulfilment.createTasks(tasks, { at: at.toISOString(), event: 'tasks-created', detail: {} });
  return request;
}

const here = (...args: string[]) => makulHere([...args, '--local', '--data-dir', dataDirectory]);
const systemsOf = (kind: FulfilmentKind) =>
  profile.operator.dataSystems.filter((system) => system.kinds.includes(kind)).map((system) => system.id);

describe('makul tasks complete', () => {
  it('answers each system as the person named, and completes the request when the last one is done', async () => {
    const request = await standing('update-data');
    const [first, ...rest] = systemsOf('update-data');
    const result = await makulProcess([
      'tasks',
      'complete',
      request.requestId,
      first ?? '',
      '--outcome',
      'corrected',
      '--by',
      PERSON,
      '--local',
      '--data-dir',
      dataDirectory,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${request.requestId} ${first}: done (corrected)`);
    expect(result.stdout).toContain('other systems have not answered yet');
    for (const system of rest) {
      const answered = await here(
        'tasks',
        'complete',
        request.requestId,
        system,
        '--outcome',
        'not-held',
        '--by',
        PERSON,
      );
      expect(answered.code).toBe(0);
    }
    expect((await register.get(request.requestId))?.status).toBe('completed');
    const answers = (await register.auditTrail(request.requestId)).filter(
      (event) => event.event === 'task-answered',
    );
    expect(answers.map((event) => event.detail)).toEqual(
      expect.arrayContaining([expect.objectContaining({ via: 'cli', by: PERSON, system: first })]),
    );
  });

  it('takes the same answer twice (exit 0) and refuses a different one (exit 1)', async () => {
    const request = await standing('erasure');
    const [system] = systemsOf('erasure');
    const args = [
      'tasks',
      'complete',
      request.requestId,
      system ?? '',
      '--outcome',
      'erased',
      '--by',
      PERSON,
    ];
    expect((await here(...args)).code).toBe(0);
    const again = await here(...args, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'same', state: 'done', taskOutcome: 'erased' });
    const other = await here(
      'tasks',
      'complete',
      request.requestId,
      system ?? '',
      '--outcome',
      'not-held',
      '--by',
      PERSON,
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('the first answer stands');
  });

  it('refuses an outcome that does not answer the kind, and usage mistakes', async () => {
    const request = await standing('restrict');
    const [system] = systemsOf('restrict');
    const wrong = await here(
      'tasks',
      'complete',
      request.requestId,
      system ?? '',
      '--outcome',
      'erased',
      '--by',
      PERSON,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('does not answer restrict');
    expect(
      (await here('tasks', 'complete', request.requestId, system ?? '', '--outcome', 'erased')).code,
    ).toBe(2);
    expect(
      (
        await here(
          'tasks',
          'complete',
          request.requestId,
          system ?? '',
          '--outcome',
          'shredded',
          '--by',
          PERSON,
        )
      ).code,
    ).toBe(2);
    const noSystem = await here(
      'tasks',
      'complete',
      request.requestId,
      'helpdesk',
      '--outcome',
      'restricted',
      '--by',
      PERSON,
    );
    expect(noSystem.code).toBe(1);
    expect(noSystem.stderr).toContain('names no data system helpdesk');
  });
});

describe('makul tasks refuse', () => {
  it('puts the request on the refused list and shows the tasks in requests show', async () => {
    const request = await standing('restrict');
    const [system] = systemsOf('restrict');
    const refused = await here(
      'tasks',
      'refuse',
      request.requestId,
      system ?? '',
      '--reason',
      'contract dispute open',
      '--by',
      PERSON,
    );
    expect(refused.code).toBe(0);
    expect(refused.stdout).toContain('refused list');
    expect(await register.get(request.requestId)).toMatchObject({
      status: 'in-progress',
      opsQueue: 'refused',
    });
    const queue = await here('queue', 'refused', '--json');
    expect(queue.code).toBe(0);
    expect(queue.stdout).toContain(request.requestId);

    const shown = await here('requests', 'show', request.requestId, '--json');
    expect(shown.code).toBe(0);
    const document = JSON.parse(shown.stdout) as { tasks: Record<string, unknown>[] };
    expect(document.tasks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          system,
          state: 'refused',
          reason: 'contract dispute open',
          answeredBy: PERSON,
          answeredVia: 'cli',
        }),
      ]),
    );
    expect(document.tasks.filter((task) => task.state === 'open').length).toBeGreaterThan(0);
    const text = await here('requests', 'show', request.requestId);
    expect(text.stdout).toContain('Tasks in the data systems:');
    expect(text.stdout).toContain(`refused: "contract dispute open"`);
    expect(text.stdout).toContain(`by ${PERSON}`);
    expect(text.stdout).not.toContain(ADDRESS);
  });

  it('leaves the refused list when ops complete the request after all', async () => {
    const request = await standing('restrict');
    const [system] = systemsOf('restrict');
    await here(
      'tasks',
      'refuse',
      request.requestId,
      system ?? '',
      '--reason',
      'awaiting the owner',
      '--by',
      PERSON,
    );
    const completed = await here('requests', 'complete', request.requestId, '--note', 'restricted by hand');
    expect(completed.code).toBe(0);
    expect(await register.get(request.requestId)).toMatchObject({ status: 'completed', opsQueue: null });
    expect((await register.listOpsQueue('refused')).map((entry) => entry.requestId)).not.toContain(
      request.requestId,
    );
  });

  it('needs a reason without personal data', async () => {
    const request = await standing('restrict');
    const [system] = systemsOf('restrict');
    expect((await here('tasks', 'refuse', request.requestId, system ?? '', '--by', PERSON)).code).toBe(2);
    expect(
      (
        await here(
          'tasks',
          'refuse',
          request.requestId,
          system ?? '',
          '--reason',
          'write to a@b.ru',
          '--by',
          PERSON,
        )
      ).code,
    ).toBe(2);
  });
});

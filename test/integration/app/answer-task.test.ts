/**
 * A data system answers its task (functions/app/answer-task.ts) against DynamoDB Local, through the
 * functions' own adapters: the request completes when every system is done, an access report is
 * assembled from what the systems answered in the subject's language, a refusal goes to ops, and a
 * retried or conflicting answer changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFulfilmentRegister } from '../../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbLinkRegister } from '../../../functions/adapters/dynamodb/link-register';
import { type AnswerTaskDependencies, answerTask, callerMayAnswer } from '../../../functions/app/answer-task';
import { renderNoticeFor } from '../../../functions/app/prepare-notice';
import { type DataSystem, tasksFor } from '../../../functions/domain/fulfilment/tasks';
import { noticeId } from '../../../functions/domain/requests/link-actions';
import type { RegisteredRequest } from '../../../functions/domain/requests/registered-request';
import type { FulfilmentKind, Language } from '../../../functions/domain/requests/request-kinds';
import { openAddress, sealAddress } from '../../../functions/domain/subjects/sealed-address';
import { type LocalRegister, startLocalRegister } from '../../support/local-register';
import { sampleProfile } from '../../support/sample-profile';
import { sampleRequest } from '../../support/sample-request';

const TABLES = { requestsTableName: 'answer-task-requests', subjectsTableName: 'answer-task-subjects' };
const HMAC_KEY = 'answer-task-test-key-0123456789abcdef0123456789';
const NOW = new Date('2026-12-02T09:00:00.000Z');
const ADDRESS = 'ivan.petrov@example.kg';
const ROLE = 'arn:aws:iam::123456789012:role/integrations/makul-crm';

const system = (id: string, en: string, ru: string, ky: string, categories: string[]): DataSystem => ({
  id,
  name: { en, ru, ky },
  purpose: {
    en: 'to run the lottery games',
    ru: 'для проведения лотерей',
    ky: 'лотереялык оюндарды өткөрүү үчүн',
  },
  categories,
  toldBy: 'event',
  kinds: ['update-data', 'withdraw-consent', 'access', 'erasure', 'restrict', 'stop-dissemination'],
});
const ACCOUNTS = system('accounts', 'player accounts', 'учётные записи игроков', 'оюнчулардын эсептери', [
  'full-name',
  'email',
]);
const CRM = { ...system('crm', 'CRM', 'CRM', 'CRM', ['email']), callerRoleArn: ROLE };
const PROFILE = sampleProfile({ dataSystems: [ACCOUNTS, CRM] });
const PERSON = { via: 'cli', person: 'Айгуль Осмонова' } as const;
const CRM_CALLER = {
  via: 'api',
  caller: 'arn:aws:sts::123456789012:assumed-role/makul-crm/sync-42',
} as const;

let local: LocalRegister;
let register: DynamoDbLinkRegister;
let fulfilment: DynamoDbFulfilmentRegister;
let serial = 0;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  register = new DynamoDbLinkRegister(local.client, TABLES);
  fulfilment = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
});

afterAll(async () => {
  await local?.stop();
});

let tick = 0;
/**
 * A clock a millisecond on at every reading: audit entries are keyed by time and event, and two systems
 * answering in the same millisecond is a retry's business, not these tests'.
 */
const clock = () => new Date(NOW.getTime() + ++tick);

const deps = (): AnswerTaskDependencies => ({
  register,
  fulfilment,
  profile: PROFILE,
  hmacKey: HMAC_KEY,
  now: clock,
});

/** An in-progress request of the kind, its address sealed, with a task in each system. */
async function standing(kind: FulfilmentKind, language: Language = 'ru'): Promise<RegisteredRequest> {
  serial += 1;
  const requestId = `MK-ANSWER${String(serial).padStart(4, '0')}`;
  const request = sampleRequest(serial, {
    requestId,
    kind,
    language,
    status: 'in-progress',
    closedAt: null,
    dueAt: '2026-12-10T18:00:00.000Z',
    subjectKey: `subject-answer-${serial}`,
    sealedContact: sealAddress(ADDRESS, HMAC_KEY, requestId),
    outboundState: 'sent',
    jurisdiction: 'KG-58',
  });
  const received = { at: NOW.toISOString(), event: 'received', detail: {} };
  expect(await register.recordNew(request, received, null, null)).toEqual({ outcome: 'recorded' });
  await fulfilment.createTasks(tasksFor(request, PROFILE.operator.dataSystems, NOW), {
    at: NOW.toISOString(),
    event: 'tasks-created',
    detail: { systems: 'accounts,crm' },
  });
  return request;
}

const eventsOf = async (requestId: string) =>
  (await register.auditTrail(requestId)).map((event) => event.event);

describe('answerTask', () => {
  it('completes an update-data request once every system is done, and audits who answered', async () => {
    const request = await standing('update-data');
    const first = await answerTask(
      request.requestId,
      'accounts',
      { state: 'done', outcome: 'corrected' },
      PERSON,
      deps(),
    );
    expect(first).toMatchObject({ outcome: 'answered', settlement: 'waiting' });
    expect((await register.get(request.requestId))?.status).toBe('in-progress');

    const last = await answerTask(
      request.requestId,
      'crm',
      { state: 'done', outcome: 'not-held' },
      CRM_CALLER,
      deps(),
    );
    expect(last).toMatchObject({ outcome: 'answered', settlement: 'completed' });
    const completed = await register.get(request.requestId);
    expect(completed?.status).toBe('completed');
    expect(Date.parse(completed?.closedAt ?? '')).toBeGreaterThan(NOW.getTime());
    const trail = await register.auditTrail(request.requestId);
    const answers = trail.filter((event) => event.event === 'task-answered');
    expect(answers.map((event) => event.detail.by).sort()).toEqual([PERSON.person, CRM_CALLER.caller].sort());
    expect(trail.map((event) => event.event)).toContain('completed-all-systems-done');
  });

  it('assembles the access report from two systems in the subject’s language and completes', async () => {
    const request = await standing('access', 'ru');
    const provided = await answerTask(
      request.requestId,
      'accounts',
      {
        state: 'done',
        outcome: 'provided',
        data: { email: [ADDRESS], 'full-name': ['Иван <b>Петров</b>'] },
      },
      PERSON,
      deps(),
    );
    expect(provided).toMatchObject({ outcome: 'answered', settlement: 'waiting' });
    // The data are sealed to the task: the table holds no value in the clear.
    const stored = (await fulfilment.tasksOf(request.requestId)).find((task) => task.systemId === 'accounts');
    expect(stored?.sealedData).toMatch(/^v1\./);
    expect(stored?.sealedData).not.toContain('Петров');
    expect(await register.get(noticeId(request.requestId, 'access-report'))).toBeNull();

    const last = await answerTask(
      request.requestId,
      'crm',
      { state: 'done', outcome: 'not-held' },
      CRM_CALLER,
      deps(),
    );
    expect(last).toMatchObject({ outcome: 'answered', settlement: 'completed' });
    expect((await register.get(request.requestId))?.status).toBe('completed');
    const notice = await register.get(noticeId(request.requestId, 'access-report'));
    expect(notice).toMatchObject({
      notice: 'access-report',
      noticeOf: request.requestId,
      outboundState: 'pending',
    });
    // Sent only to the address that made the request, sealed again for the notice.
    expect(openAddress(notice?.sealedContact ?? '', HMAC_KEY, notice?.requestId ?? '')).toBe(ADDRESS);

    const mail = await renderNoticeFor(notice as RegisteredRequest, 'ru', {
      profile: PROFILE,
      register,
      hmacKey: HMAC_KEY,
      now: () => NOW,
      fulfilment,
    });
    expect(mail.text).toContain('хранит в своих информационных системах следующие ваши персональные данные');
    expect(mail.text).toContain('Система: учётные записи игроков. Цель обработки: для проведения лотерей.');
    // Categories named in the language, in the system's order; values as the system gave them.
    expect(mail.text).toContain('- фамилия, имя, отчество: Иван <b>Петров</b>');
    expect(mail.text).toContain(`- адрес электронной почты: ${ADDRESS}`);
    expect(mail.text.indexOf('фамилия, имя')).toBeLessThan(mail.text.indexOf('адрес электронной почты:'));
    expect(mail.text).toContain('Система: CRM.');
    expect(mail.text).toContain('В этой системе ваших персональных данных нет.');
    expect(mail.text).not.toContain('предоставит сведения о вас из своих информационных систем отдельно');
    expect(mail.html).toContain('Иван &lt;b&gt;Петров&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Петров');
  });

  it('puts a request with a refused task on the refused ops list, and never completes it', async () => {
    const request = await standing('restrict');
    const refused = await answerTask(
      request.requestId,
      'accounts',
      { state: 'refused', reason: 'legal hold on the account until the audit ends' },
      PERSON,
      deps(),
    );
    expect(refused).toMatchObject({ outcome: 'answered', settlement: 'refused' });
    const last = await answerTask(
      request.requestId,
      'crm',
      { state: 'done', outcome: 'restricted' },
      CRM_CALLER,
      deps(),
    );
    expect(last).toMatchObject({ outcome: 'answered', settlement: 'refused' });
    expect(await register.get(request.requestId)).toMatchObject({
      status: 'in-progress',
      opsQueue: 'refused',
    });
    expect((await register.listOpsQueue('refused')).map((entry) => entry.requestId)).toContain(
      request.requestId,
    );
    expect(await eventsOf(request.requestId)).toContain('task-refused');
    expect(await eventsOf(request.requestId)).not.toContain('completed-all-systems-done');
  });

  it('takes the same answer twice once, and refuses a different one', async () => {
    const request = await standing('update-data');
    const report = { state: 'done', outcome: 'corrected' } as const;
    expect(await answerTask(request.requestId, 'accounts', report, PERSON, deps())).toMatchObject({
      outcome: 'answered',
    });
    const again = await answerTask(request.requestId, 'accounts', report, PERSON, deps());
    expect(again).toMatchObject({ outcome: 'same', task: { state: 'done', outcome: 'corrected' } });
    const other = await answerTask(
      request.requestId,
      'accounts',
      { state: 'refused', reason: 'changed our mind' },
      PERSON,
      deps(),
    );
    expect(other).toMatchObject({ outcome: 'conflict', task: { state: 'done', outcome: 'corrected' } });
    expect((await eventsOf(request.requestId)).filter((event) => event === 'task-answered')).toHaveLength(1);
  });

  it('leaves an erasure done in every system in progress, for the erasure executor', async () => {
    const request = await standing('erasure');
    await answerTask(request.requestId, 'accounts', { state: 'done', outcome: 'erased' }, PERSON, deps());
    const last = await answerTask(
      request.requestId,
      'crm',
      { state: 'done', outcome: 'not-held' },
      CRM_CALLER,
      deps(),
    );
    expect(last).toMatchObject({ outcome: 'answered', settlement: 'awaiting-erasure' });
    expect((await register.get(request.requestId))?.status).toBe('in-progress');
    expect(await eventsOf(request.requestId)).toContain('all-systems-done');
  });

  it('answers nothing for a request that is no longer in progress', async () => {
    const request = await standing('update-data');
    const cancelled = await register.redeemToken({
      tokenHash: null,
      at: NOW,
      requestId: request.requestId,
      request: { fromStatuses: ['in-progress'], toStatus: 'cancelled', stamp: 'cancelledAt' },
      audit: { at: NOW.toISOString(), event: 'link-cancelled', detail: {} },
      notices: [],
    });
    expect(cancelled).toEqual({ outcome: 'done' });
    const result = await answerTask(
      request.requestId,
      'accounts',
      { state: 'done', outcome: 'corrected' },
      PERSON,
      deps(),
    );
    expect(result).toEqual({ outcome: 'closed', status: 'cancelled' });
    expect((await fulfilment.tasksOf(request.requestId)).every((task) => task.state === 'open')).toBe(true);
  });

  it('refuses answers that do not fit, and unknown requests, systems and callers', async () => {
    const request = await standing('update-data');
    expect(
      await answerTask(request.requestId, 'accounts', { state: 'done', outcome: 'erased' }, PERSON, deps()),
    ).toMatchObject({ outcome: 'invalid', reason: expect.stringContaining('does not answer update-data') });
    expect(
      await answerTask('MK-NOSUCHREQ01', 'accounts', { state: 'done', outcome: 'corrected' }, PERSON, deps()),
    ).toEqual({ outcome: 'unknown-request' });
    expect(
      await answerTask(
        request.requestId,
        'helpdesk',
        { state: 'done', outcome: 'corrected' },
        PERSON,
        deps(),
      ),
    ).toEqual({ outcome: 'unknown-system' });
    expect(
      await answerTask(
        request.requestId,
        'crm',
        { state: 'done', outcome: 'corrected' },
        { via: 'api', caller: 'arn:aws:sts::123456789012:assumed-role/someone-else/x' },
        deps(),
      ),
    ).toEqual({ outcome: 'forbidden' });
  });
});

describe('callerMayAnswer', () => {
  it('takes only a session of the system’s role, whatever the role’s path', () => {
    expect(callerMayAnswer(CRM, CRM_CALLER)).toBe(true);
    expect(
      callerMayAnswer(CRM, { via: 'api', caller: 'arn:aws:sts::123456789012:assumed-role/makul-crm/' }),
    ).toBe(false);
    expect(
      callerMayAnswer(CRM, { via: 'api', caller: 'arn:aws:sts::999999999999:assumed-role/makul-crm/s' }),
    ).toBe(false);
    expect(callerMayAnswer(CRM, { via: 'api', caller: 'arn:aws:iam::123456789012:user/makul-crm' })).toBe(
      false,
    );
    expect(callerMayAnswer(ACCOUNTS, { via: 'api', caller: 'arn:aws:iam::123456789012:user/anyone' })).toBe(
      true,
    );
    expect(callerMayAnswer(CRM, PERSON)).toBe(true);
  });
});

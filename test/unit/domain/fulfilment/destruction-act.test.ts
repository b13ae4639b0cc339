import { describe, expect, it } from 'vitest';
import {
  actRegisterMonth,
  buildDestructionAct,
  MAKUL_COMPONENT,
  renderDestructionAct,
} from '../../../../functions/domain/fulfilment/destruction-act';
import type { FulfilmentTask } from '../../../../functions/domain/fulfilment/tasks';
import type { DeploymentProfile } from '../../../../functions/domain/operators/operator-profile';
import type { AuditEvent } from '../../../../functions/domain/requests/registered-request';
import { sampleProfile } from '../../../support/sample-profile';
import { sampleRequest } from '../../../support/sample-request';

const EXECUTED = new Date('2026-11-30T19:30:00Z'); // 01:30 on 1 December in Bishkek

function profile(overrides: Partial<DeploymentProfile['operator']> = {}): DeploymentProfile {
  const base = sampleProfile({
    legalEntity: { name: 'ОсОО «Х2»', address: '720040, Бишкек, ул. Тестовая, 1' },
    dataSystems: [
      {
        id: 'player-accounts',
        name: { ky: 'Оюнчулар', ru: 'Учётные записи игроков', en: 'Player accounts' },
        purpose: { ky: 'оюн', ru: 'игры', en: 'games' },
        categories: ['full-name', 'email'],
        toldBy: 'event',
        kinds: ['erasure', 'withdraw-consent'],
      },
      {
        id: 'helpdesk',
        name: { ky: 'Колдоо', ru: 'Служба поддержки', en: 'Helpdesk' },
        purpose: { ky: 'колдоо', ru: 'поддержка', en: 'support' },
        categories: ['email'],
        toldBy: 'person',
        kinds: ['erasure', 'withdraw-consent'],
      },
      {
        id: 'crm',
        name: { ky: 'CRM', ru: 'CRM', en: 'CRM' },
        purpose: { ky: 'crm', ru: 'crm', en: 'crm' },
        categories: ['full-name'],
        toldBy: 'event',
        kinds: ['erasure'],
      },
    ],
    ...overrides,
  });
  return {
    ...base,
    jurisdiction: {
      ...base.jurisdiction,
      deadlines: {
        ...base.jurisdiction.deadlines,
        erasure: { amount: 7, unit: 'working-days', source: 'KG Law No. 58 art. 17' },
      },
    },
  };
}

function task(systemId: string, overrides: Partial<FulfilmentTask>): FulfilmentTask {
  return {
    requestId: 'MK-TEST00001',
    systemId,
    kind: 'erasure',
    dueAt: null,
    subjectKey: 'subject-1',
    toldBy: 'event',
    state: 'done',
    createdAt: '2026-11-21T08:00:00.000Z',
    outcome: 'erased',
    reason: null,
    sealedData: null,
    answeredAt: '2026-11-25T08:00:00.000Z',
    answeredBy: { via: 'api', caller: 'arn:aws:iam::123456789012:role/players' },
    publishedAt: null,
    ...overrides,
  };
}

const request = sampleRequest(1, { kind: 'erasure', status: 'in-progress', subjectKey: 'subject-1' });
const trail: AuditEvent[] = [
  { at: '2026-11-20T08:00:00.000Z', event: 'received', detail: { kind: 'erasure' } },
  { at: '2026-11-20T09:00:00.000Z', event: 'link-confirmed', detail: { purpose: 'verify' } },
];
const executionEvent: AuditEvent = {
  at: EXECUTED.toISOString(),
  event: 'erasure-executed',
  detail: { actId: 'DA-MK-TEST00001' },
};
const tasks = [
  task('player-accounts', {}),
  task('helpdesk', { toldBy: 'person', answeredBy: { via: 'cli', person: 'a.dpo' } }),
  task('crm', { outcome: 'not-held' }),
];

function act(options: { address?: string | null; profile?: DeploymentProfile } = {}) {
  return buildDestructionAct({
    request,
    tasks,
    profile: options.profile ?? profile(),
    auditTrail: trail,
    executionEvent,
    address: options.address ?? null,
    executedAt: EXECUTED,
  });
}

describe('buildDestructionAct', () => {
  it('names the operator as the law knows it, the ground with its statute, and the date', () => {
    const built = act();

    expect(built.actId).toBe('DA-MK-TEST00001');
    expect(built.operator).toEqual({
      name: 'ОсОО «Х2»',
      address: '720040, Бишкек, ул. Тестовая, 1',
      operatorId: 'x2',
    });
    expect(built.ground).toMatchObject({
      requestId: 'MK-TEST00001',
      kind: 'erasure',
      statute: 'KG Law No. 58 art. 17',
    });
    expect(built.executedAt).toBe(EXECUTED.toISOString());
    expect(built.executedLocal).toBe('2026-12-01 01:30');
    expect(actRegisterMonth(built)).toBe('2026-12');
  });

  it('lists makul and every system that erased, with the person who confirmed a task by the CLI', () => {
    const built = act();

    expect(built.destroyedBy.map((d) => [d.systemId, d.component, d.person])).toEqual([
      ['makul', MAKUL_COMPONENT, null],
      ['helpdesk', 'helpdesk', 'a.dpo'],
      ['player-accounts', 'systems API caller arn:aws:iam::123456789012:role/players', null],
    ]);
    expect(built.informationSystems.map((system) => system.en)).toEqual([
      expect.stringContaining('makul'),
      'Helpdesk',
      'Player accounts',
    ]);
    expect(built.notHeldIn).toEqual([{ ru: 'CRM', en: 'CRM' }]);
    expect(built.destroyedBy[0]?.method.en).toBe('deletion of the records and the stored mail');
    expect(built.destroyedBy[2]?.categories).toEqual([
      { ru: 'фамилия, имя, отчество', en: 'full name' },
      { ru: 'адрес электронной почты', en: 'email address' },
    ]);
  });

  it('names each category destroyed once, in Russian and English', () => {
    const names = act().categories.map((category) => category.en);

    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['email address', 'full name']));
  });

  it('identifies the subject by the keyed hash, and by the address only when the profile asks', () => {
    expect(act({ address: 'ivan@example.kg' }).subject).toEqual({ subjectKey: 'subject-1', address: null });
    const naming = profile({ destructionActNamesAddress: true });
    expect(act({ profile: naming, address: 'ivan@example.kg' }).subject.address).toBe('ivan@example.kg');
    expect(act({ profile: naming, address: null }).subject.address).toBeNull();
  });

  it('carries the audit-log extract in order, the execution last', () => {
    expect(act().logExtract.map((event) => event.event)).toEqual([
      'received',
      'link-confirmed',
      'erasure-executed',
    ]);
  });

  it('refuses a request without a subject key', () => {
    expect(() =>
      buildDestructionAct({
        request: { ...request, subjectKey: null },
        tasks: [],
        profile: profile(),
        auditTrail: [],
        executionEvent,
        address: null,
        executedAt: EXECUTED,
      }),
    ).toThrow(/no subject key/);
  });
});

describe('renderDestructionAct', () => {
  it('prints the act and its extract in Russian and English, without the address unless named', () => {
    const text = renderDestructionAct(act({ address: 'ivan@example.kg' }));

    expect(text).toContain(
      'АКТ ОБ УНИЧТОЖЕНИИ ПЕРСОНАЛЬНЫХ ДАННЫХ / PERSONAL DATA DESTRUCTION ACT № DA-MK-TEST00001',
    );
    expect(text).toContain('Оператор / Operator: ОсОО «Х2»; 720040, Бишкек, ул. Тестовая, 1');
    expect(text).toContain('KG Law No. 58 art. 17');
    expect(text).toContain('confirmed by a.dpo');
    expect(text).toContain('AUDIT LOG EXTRACT');
    expect(text).toMatch(/2026-11-30T19:30:00.000Z {2}erasure-executed \(actId=DA-MK-TEST00001\)/);
    expect(text).not.toContain('ivan@example.kg');
  });

  it('prints the address when the act names it', () => {
    const naming = profile({ destructionActNamesAddress: true });
    expect(renderDestructionAct(act({ profile: naming, address: 'ivan@example.kg' }))).toContain(
      'адрес / address ivan@example.kg',
    );
  });
});

/** A valid deployment profile for tests that do not read config/operators.json. */
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { REQUEST_KINDS } from '../../functions/domain/requests/request-kinds';

export function sampleProfile(overrides: Partial<DeploymentProfile['operator']> = {}): DeploymentProfile {
  const sevenWorkingDays = { amount: 7, unit: 'working-days', source: 'test' } as const;
  return {
    operator: {
      id: 'x2',
      displayName: { ky: '«Х2» ЖЧК', ru: 'ОсОО «Х2»', en: 'X2 LLC' },
      jurisdiction: 'KG-58',
      env: { region: 'eu-west-1' },
      supportAddresses: ['support@x2.kg'],
      ownAddresses: ['noreply@x2.kg'],
      humanSupportInbox: 'team@x2.kg',
      dpoEmail: 'dpo@x2.kg',
      defaultLanguage: 'ky',
      dataHeld: [
        { id: 'full-name', name: { ky: 'аты-жөнү', ru: 'фамилия, имя, отчество', en: 'full name' } },
        {
          id: 'email',
          name: { ky: 'электрондук почта дареги', ru: 'адрес электронной почты', en: 'email address' },
        },
      ],
      legalEntity: { name: 'ОсОО «Х2»', address: 'Bishkek (test)' },
      dataSystems: [],
      destructionActNamesAddress: false,
      confirmBaseUrl: 'https://privacy.x2.kg/confirm',
      rawMailRetentionDays: 7,
      verificationTokenHours: 72,
      maxRepliesPerAddressPerDay: 10,
      maxRepliesPerHour: 300,
      maxForwardsPerHour: 100,
      maxMessageBytes: 10 * 1024 * 1024,
      ownDataFields: [],
      unknownAddressMarketing: 'allowed',
      dueSoonWorkingDays: 2,
      ...overrides,
    },
    jurisdiction: {
      id: 'KG-58',
      name: 'Kyrgyz Republic, Law No. 58',
      timeZone: 'Asia/Bishkek',
      weekendDays: [6, 7],
      calendar: {},
      termEndingOnDayOff: { rule: 'next-working-day', source: 'test' },
      deadlines: {
        ...Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, sevenWorkingDays])),
        unsubscribe: { amount: 0, unit: 'hours', source: 'test' },
      } as DeploymentProfile['jurisdiction']['deadlines'],
    },
  };
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_KINDS } from '../../functions/domain/requests/request-kinds';
import { loadDeploymentProfiles } from '../../lib/operators-config';
import { SHIPPED_OPERATORS_FILE } from './synthesize';

const PROJECT_ROOT = path.resolve(path.dirname(SHIPPED_OPERATORS_FILE), '..');

type MutableJurisdiction = Record<string, unknown> & { deadlines: Record<string, unknown> };
type MutableOperatorsFile = {
  jurisdictions?: MutableJurisdiction[];
  operators: Array<Record<string, unknown> & { env: Record<string, unknown> }>;
};

let workDirectory: string;

beforeEach(() => {
  workDirectory = mkdtempSync(path.join(tmpdir(), 'makul-operators-'));
});

afterEach(() => rmSync(workDirectory, { recursive: true, force: true }));

function shippedFile(): MutableOperatorsFile {
  return JSON.parse(readFileSync(SHIPPED_OPERATORS_FILE, 'utf8')) as MutableOperatorsFile;
}

function writeOperatorsFile(content: unknown): string {
  const filePath = path.join(workDirectory, 'operators.json');
  writeFileSync(filePath, typeof content === 'string' ? content : JSON.stringify(content));
  return filePath;
}

function builtInJurisdiction(id: string): MutableJurisdiction {
  return JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'config/jurisdictions', `${id}.json`), 'utf8'),
  ) as MutableJurisdiction;
}

function loadError(filePath: string): string {
  try {
    loadDeploymentProfiles(filePath);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the operators file to be rejected');
}

describe('the shipped operators file', () => {
  it('defines X2 under KG No. 58 and Sitronics under RU 152-FZ', () => {
    const profiles = loadDeploymentProfiles(SHIPPED_OPERATORS_FILE);

    expect(profiles.map(({ operator, jurisdiction }) => [operator.id, jurisdiction.id])).toEqual([
      ['x2', 'KG-58'],
      ['sitronics', 'RU-152FZ'],
    ]);
  });

  it('uses the support address that policy 004 names for Sitronics', () => {
    const sitronics = loadDeploymentProfiles(SHIPPED_OPERATORS_FILE).find(
      ({ operator }) => operator.id === 'sitronics',
    );

    expect(sitronics?.operator.supportAddresses).toEqual(['support.ezs@sitronics.com']);
  });

  it('gives every request kind a deadline with its source in both jurisdictions', () => {
    const profiles = loadDeploymentProfiles(SHIPPED_OPERATORS_FILE);

    expect(new Set(profiles.map(({ jurisdiction }) => jurisdiction.id))).toEqual(
      new Set(['KG-58', 'RU-152FZ']),
    );
    for (const { jurisdiction } of profiles) {
      expect(Object.keys(jurisdiction.deadlines).sort()).toEqual([...REQUEST_KINDS].sort());
      for (const deadline of Object.values(jurisdiction.deadlines)) {
        expect(deadline.source.length).toBeGreaterThan(20);
      }
    }
  });

  it('keeps the statutory terms of the design notes', () => {
    const byJurisdiction = new Map(
      loadDeploymentProfiles(SHIPPED_OPERATORS_FILE).map(({ jurisdiction }) => [
        jurisdiction.id,
        jurisdiction,
      ]),
    );
    const russia = byJurisdiction.get('RU-152FZ');
    const kyrgyzstan = byJurisdiction.get('KG-58');

    expect(russia?.deadlines.access).toMatchObject({ amount: 10, unit: 'working-days' });
    expect(russia?.deadlines['update-data']).toMatchObject({ amount: 7, unit: 'working-days' });
    expect(russia?.deadlines['withdraw-consent']).toMatchObject({ amount: 30, unit: 'calendar-days' });
    expect(russia?.deadlines['stop-dissemination']).toMatchObject({ amount: 3, unit: 'working-days' });
    expect(russia?.deadlines.unsubscribe).toMatchObject({ amount: 0, unit: 'hours' });
    expect(kyrgyzstan?.deadlines.access).toMatchObject({ amount: 7, unit: 'calendar-days' });
    expect([russia?.timeZone, kyrgyzstan?.timeZone]).toEqual(['Europe/Moscow', 'Asia/Bishkek']);
  });
});

describe('loadDeploymentProfiles', () => {
  it('names the bad field when an address is not an email address', () => {
    const file = shippedFile();
    (file.operators[0] as Record<string, unknown>).dpoEmail = 'not-an-address';

    const message = loadError(writeOperatorsFile(file));

    expect(message).toContain('operators.json is not a valid operators file');
    expect(message).toMatch(/^operators\.0\.dpoEmail: /m);
  });

  it('names the missing deadline when a jurisdiction of the file leaves a request kind out', () => {
    const file = shippedFile();
    const ownRussia = builtInJurisdiction('RU-152FZ');
    delete ownRussia.deadlines.erasure;
    file.jurisdictions = [ownRussia];

    const message = loadError(writeOperatorsFile(file));

    expect(message).toMatch(/^jurisdictions\.0\.deadlines\.erasure: /m);
  });

  it('lets a jurisdiction of the file replace makul’s own of the same id, calendar included', () => {
    const file = shippedFile();
    const ownRussia = builtInJurisdiction('RU-152FZ');
    (ownRussia.deadlines.access as Record<string, unknown>).amount = 5;
    file.jurisdictions = [ownRussia];

    const sitronics = loadDeploymentProfiles(writeOperatorsFile(file)).find(
      ({ operator }) => operator.id === 'sitronics',
    );

    expect(sitronics?.jurisdiction.deadlines.access.amount).toBe(5);
    // The calendar comes from config/calendars/RU whoever defines the profile.
    expect(Object.keys(sitronics?.jurisdiction.calendar ?? {})).toEqual(['2025', '2026', '2027']);
  });

  it('applies an operator’s stricter choice for terms ending on a day off, naming both rules', () => {
    const file = shippedFile();
    (file.operators[1] as Record<string, unknown>).dueDateOnDayOff = 'keep';

    const [, sitronics] = loadDeploymentProfiles(writeOperatorsFile(file));

    expect(sitronics?.jurisdiction.termEndingOnDayOff.rule).toBe('keep');
    expect(sitronics?.jurisdiction.termEndingOnDayOff.source).toContain('operator sitronics');
    expect(sitronics?.jurisdiction.termEndingOnDayOff.source).toContain('art. 193');
  });

  it('names an operator whose jurisdiction is not defined', () => {
    const file = shippedFile();
    (file.operators[1] as Record<string, unknown>).jurisdiction = 'KZ-94';

    const message = loadError(writeOperatorsFile(file));

    expect(message).toMatch(/^operators\.1\.jurisdiction: unknown jurisdiction "KZ-94"/m);
  });

  it('names a data system’s category that the operator does not hold, and a system named twice', () => {
    const file = shippedFile();
    const systems = (file.operators[0] as unknown as { dataSystems: Array<Record<string, unknown>> })
      .dataSystems;
    (systems[0] as { categories: string[] }).categories.push('shoe-size');
    systems.push({ ...systems[1], kinds: ['access'] });

    const message = loadError(writeOperatorsFile(file));

    expect(message).toMatch(
      /^operators\.0\.dataSystems\.0\.categories\.6: "shoe-size" is not in dataHeld; known: full-name, /m,
    );
    expect(message).toMatch(/^operators\.0\.dataSystems\.3\.id: duplicate data system "marketing-platform"/m);
  });

  it('names every data category in the three languages the access report speaks', () => {
    const file = shippedFile();
    const categories = (file.operators[1] as unknown as { dataHeld: Array<{ name: Record<string, string> }> })
      .dataHeld;
    delete categories[0]?.name.ky;

    expect(loadError(writeOperatorsFile(file))).toMatch(/^operators\.1\.dataHeld\.0\.name\.ky: /m);
  });

  it('names the field when a region is missing', () => {
    const file = shippedFile();
    delete (file.operators[0] as MutableOperatorsFile['operators'][number]).env.region;

    const message = loadError(writeOperatorsFile(file));

    expect(message).toMatch(/^operators\.0\.env\.region: /m);
  });

  it('rejects two operators that would share one account and region, naming both', () => {
    const file = shippedFile();
    (file.operators[1] as MutableOperatorsFile['operators'][number]).env.region = 'eu-west-1';

    const message = loadError(writeOperatorsFile(file));

    expect(message).toContain('operators.1.env');
    expect(message).toContain('"sitronics"');
    expect(message).toContain('"x2"');
    expect(message).toContain('one active receipt rule set per account and region');
  });

  it('accepts the same region for operators in different accounts', () => {
    const file = shippedFile();
    const [first, second] = file.operators as [
      MutableOperatorsFile['operators'][number],
      MutableOperatorsFile['operators'][number],
    ];
    first.env = { account: '111111111111', region: 'eu-west-1' };
    second.env = { account: '222222222222', region: 'eu-west-1' };

    const profiles = loadDeploymentProfiles(writeOperatorsFile(file));

    expect(profiles.map(({ operator }) => operator.env)).toEqual([first.env, second.env]);
  });

  it('names the file when it is not JSON', () => {
    const filePath = writeOperatorsFile('{ "jurisdictions": [');

    expect(loadError(filePath)).toContain(`${filePath} is not valid JSON`);
  });

  it('names the file when it cannot be read', () => {
    const missing = path.join(workDirectory, 'missing.json');

    expect(loadError(missing)).toContain(`cannot read the operators file ${missing}`);
  });
});

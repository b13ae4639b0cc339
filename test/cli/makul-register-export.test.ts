/**
 * `makul register export` end to end against DynamoDB Local, through a data folder that looks to it
 * exactly like a running local stack's: CSV to a file (BOM, three tables, Cyrillic), JSON to stdout,
 * the personal-data option, progress on a long export, and clear usage and failure messages. Run in a
 * child process once (as ops run it) and through the dispatcher otherwise; the clock is --at.
 */

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRequest, requestKey } from '../../functions/adapters/dynamodb/request-items';
import { type DataFolderLock, lockDataFolder } from '../../local/data-folder-lock';
import { writeLocalStackState } from '../../local/local-stack-state';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { makulHere, makulProcess } from '../support/makul-cli';
import {
  bishkek,
  csvTables,
  PERSON,
  SUBJECT_KEY,
  writeExportFixture,
} from '../support/register-export-fixture';
import { sampleRequest } from '../support/sample-request';

const TABLES = { requestsTableName: 'makul-x2-requests', subjectsTableName: 'makul-x2-subjects' };
const AT = '2026-04-05T12:00:00+06:00';
/** Requests written for the progress test, in June 2025 (away from the fixture's months). */
const BULK = 1_050;

let local: LocalRegister;
let dataDirectory: string;
let outDirectory: string;
let lock: DataFolderLock;

beforeAll(async () => {
  local = await startLocalRegister(TABLES);
  await writeExportFixture(local.client, local.register, TABLES.requestsTableName);
  dataDirectory = await mkdtemp(join(tmpdir(), 'makul-export-test-'));
  outDirectory = await mkdtemp(join(tmpdir(), 'makul-export-out-'));
  lock = lockDataFolder(dataDirectory);
  writeLocalStackState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDirectory,
    operator: 'x2',
    jurisdiction: 'KG-58',
    region: 'eu-west-1',
    dynamodbEndpoint: local.dynamodb.endpoint,
    ...TABLES,
    sesEndpoint: 'http://127.0.0.1:1',
    sesWebPage: 'http://127.0.0.1:1',
    s3Endpoint: 'http://127.0.0.1:2',
    rawMailBucketName: 'makul-x2-raw-mail-local',
    smtp: '127.0.0.1:3',
    deferredOutboundEverySeconds: 30,
  });
  const bulk = Array.from({ length: BULK }, (_, index) =>
    sampleRequest(index, {
      requestId: `MK-BULK${String(index).padStart(5, '0')}`,
      receivedAt: new Date(Date.parse(bishkek('2025-06-02T09:00:00')) + index * 60_000).toISOString(),
      jurisdiction: 'KG-58',
      registerMonth: '2025-06',
    }),
  );
  for (let start = 0; start < bulk.length; start += 25) {
    await local.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLES.requestsTableName]: bulk.slice(start, start + 25).map((request) => ({
            PutRequest: { Item: { ...requestKey(request.requestId), ...fromRequest(request) } },
          })),
        },
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  lock?.release();
  await local?.stop();
  for (const directory of [dataDirectory, outDirectory])
    if (directory) await rm(directory, { recursive: true, force: true });
});

const exportArgs = (...rest: string[]) => [
  'register',
  'export',
  '--local',
  '--data-dir',
  dataDirectory,
  '--at',
  AT,
  ...rest,
];
const PERIOD = ['--from', '2026-02-01', '--to', '2026-03-31'];

describe('makul register export', () => {
  it('writes the period as one CSV file for Excel: BOM, particulars, requests, acts', async () => {
    const file = join(outDirectory, 'register.csv');

    const { code, stdout, stderr } = await makulHere(exportArgs(...PERIOD, '--format', 'csv', '--out', file));

    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^wrote 6 requests and 1 destruction acts from 2026-02-01 to 2026-03-31 \(local stack on .*\) to .*register\.csv\n$/,
    );
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const [about, requests, acts] = csvTables(bytes.toString('utf8'));
    expect(about).toContainEqual({ field: 'personal data', value: 'none' });
    expect(about).toContainEqual({ field: 'operator', value: 'x2' });
    expect(requests?.map((row) => [row.requestId, row.deadline])).toEqual([
      ['MK-EXP-FIRST', 'met'],
      ['MK-EXP-MET', 'met'],
      ['MK-EXP-MISSED', 'missed'],
      ['MK-EXP-EXTENDED', 'met'],
      ['MK-EXP-ERASED', 'met'],
      ['MK-EXP-OVERDUE', 'open-overdue'],
    ]);
    // The deployment's own statutes (config/jurisdictions/KG-58.json), commas and all.
    expect(requests?.find((row) => row.requestId === 'MK-EXP-MET')?.statute).toMatch(
      /^KG No\. 58 art\. 17: .*, within one week$/,
    );
    expect(acts?.[0]?.categories).toContain('адрес электронной почты');
    expect(bytes.toString('utf8')).not.toContain(SUBJECT_KEY);
    expect(bytes.toString('utf8')).not.toContain(PERSON);
  });

  it('prints JSON to stdout with the period, the time and both lists', async () => {
    const { code, stdout } = await makulHere(exportArgs(...PERIOD, '--format', 'json'));

    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual([
      'operator',
      'period',
      'generatedAt',
      'personalData',
      'requests',
      'destructionActs',
    ]);
    expect(document.generatedAt).toBe(new Date(AT).toISOString());
    expect(document.requests).toHaveLength(6);
    expect(document.destructionActs.map((act: { actId: string }) => act.actId)).toEqual(['DA-MK-EXP-ERASED']);
    expect(stdout).not.toContain(SUBJECT_KEY);
  });

  it('adds personal data only with --with-personal-data, and says so on stderr and in the export', async () => {
    const { code, stdout, stderr } = await makulHere(exportArgs(...PERIOD, '--json', '--with-personal-data'));

    expect(code).toBe(0);
    expect(stderr).toContain('WITH PERSONAL DATA');
    const document = JSON.parse(stdout);
    expect(document.personalData).toBe('included');
    expect(document.requests[0].subjectKey).toBe(SUBJECT_KEY);
    expect(document.destructionActs[0].address).toBe(PERSON);
  });

  it('shows progress on stderr on a long export', async () => {
    const { code, stdout, stderr } = await makulHere(
      exportArgs('--from', '2025-06-01', '--to', '2025-06-30', '--format', 'json'),
    );

    expect(code).toBe(0);
    expect(JSON.parse(stdout).requests).toHaveLength(BULK);
    // Counted page by page: the line names the total read when it passed a thousand.
    expect(stderr).toMatch(/^read 1 0\d\d requests \(2025-06\)…\n/m);
  });

  it.each([
    [['--to', '2026-03-31'], '--from YYYY-MM-DD is required'],
    [['--from', '2026-02-30', '--to', '2026-03-31'], '--from takes a day as YYYY-MM-DD, got "2026-02-30"'],
    [['--from', '2026-04-01', '--to', '2026-03-31'], '--from 2026-04-01 is after --to 2026-03-31'],
    [[...PERIOD, '--format', 'xlsx'], '--format is csv or json, got "xlsx"'],
    [[...PERIOD, '--format', 'csv', '--json'], '--json asks for JSON'],
  ])('refuses %j as a usage mistake (exit 2)', async (args, message) => {
    const { code, stderr } = await makulHere(exportArgs(...args));

    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('says clearly when no local stack runs there (exit 1)', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'makul-export-none-'));
    try {
      const { code, stderr } = await makulHere([
        'register',
        'export',
        '--local',
        '--data-dir',
        empty,
        ...PERIOD,
      ]);

      expect(code).toBe(1);
      expect(stderr).toMatch(/^makul register export: .*local stack/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('runs as ops run it: a child process, CSV on stdout', async () => {
    const { code, stdout } = await makulProcess(exportArgs(...PERIOD, '--format', 'csv'));

    expect(code).toBe(0);
    expect(stdout.startsWith('\uFEFF')).toBe(true);
    expect(csvTables(stdout)[1]).toHaveLength(6);
  }, 60_000);

  it('explains itself with --help', async () => {
    const { code, stdout, stderr } = await makulHere(['register', 'export', '--help']);

    expect(code).toBe(0);
    expect(stdout + stderr).toContain('byte-order mark');
  });
});

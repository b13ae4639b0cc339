/**
 * `makul erasure run` and `makul acts show` against DynamoDB Local and the S3 emulator, through a data
 * folder that looks to them exactly like a running local stack's (the lock naming a live process, the
 * state file written by the stack's own writer), with the shipped x2 profile and an injected clock
 * (--at): a dry run that changes nothing, a run that executes one erasure and skips another, the act
 * printed as text and JSON, and the usage mistakes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actsShowCommand } from '../../bin/cli/acts-show';
import { type CliCommand, GLOBAL_OPTIONS, UsageError } from '../../bin/cli/command';
import { erasureRunCommand } from '../../bin/cli/erasure-run';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { type DataFolderLock, lockDataFolder } from '../../local/data-folder-lock';
import { writeLocalStackState } from '../../local/local-stack-state';
import { type S3EmulatorHandle, startS3Emulator } from '../../local/s3-emulator';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { sampleRequest } from '../support/sample-request';

const TABLES = { requestsTableName: 'makul-x2-requests', subjectsTableName: 'makul-x2-subjects' };
const BUCKET = 'makul-x2-raw-mail-local';
const AT = '2031-03-07T10:00:00+06:00';
/** The x2 profile's systems that carry out erasures (config/operators.json). */
const SYSTEMS = ['helpdesk', 'marketing-platform', 'player-accounts'];

let local: LocalRegister;
let s3: S3EmulatorHandle;
let dataDirectory: string;
let lock: DataFolderLock;

async function erasureOf(serial: number, answers: 'all-done' | 'one-refused'): Promise<RegisteredRequest> {
  const request = sampleRequest(serial, {
    requestId: `MK-ERASE${String(serial).padStart(2, '0')}`,
    kind: 'erasure',
    status: 'in-progress',
    closedAt: null,
    jurisdiction: 'KG-58',
    receivedAt: '2031-03-01T08:00:00.000Z',
    dueAt: '2031-03-12T17:59:59.000Z',
    subjectKey: `subject-cli-${serial}`,
    sealedContact: 'v1.sealed.contact',
    outboundState: 'sent',
    rawMail: { bucket: BUCKET, key: `raw/cli-${serial}` },
  });
  await local.register.recordNew(
    request,
    { at: request.receivedAt, event: 'received', detail: {} },
    { erasureRequested: true, marketingOptOut: true },
    null,
  );
  await s3.putObject(request.rawMail.key, new TextEncoder().encode('From: someone'));
  const tasks = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
  await tasks.createTasks(
    SYSTEMS.map((systemId) => ({
      requestId: request.requestId,
      systemId,
      kind: 'erasure' as const,
      dueAt: request.dueAt,
      subjectKey: request.subjectKey,
      toldBy: systemId === 'helpdesk' ? ('person' as const) : ('event' as const),
      state: 'open' as const,
      createdAt: request.receivedAt,
      outcome: null,
      reason: null,
      sealedData: null,
      answeredAt: null,
      answeredBy: null,
      publishedAt: null,
    })),
    { at: '2031-03-01T08:00:01.000Z', event: 'tasks-created', detail: {} },
  );
  for (const [index, systemId] of SYSTEMS.entries()) {
    const at = new Date(Date.parse('2031-03-02T08:00:00.000Z') + index * 1000);
    const refuse = answers === 'one-refused' && systemId === 'player-accounts';
    await tasks.answerTask(
      request.requestId,
      systemId,
      refuse
        ? { state: 'refused', reason: 'open dispute' }
        : { state: 'done', outcome: 'erased', sealedData: null },
      systemId === 'helpdesk' ? { via: 'cli', person: 'a.dpo' } : { via: 'api', caller: `role/${systemId}` },
      at,
      { at: at.toISOString(), event: refuse ? 'task-refused' : 'task-done', detail: { system: systemId } },
    );
  }
  return request;
}

beforeAll(async () => {
  [local, s3] = await Promise.all([
    startLocalRegister(TABLES),
    startS3Emulator({ bucketName: BUCKET, report: () => undefined }),
  ]);
  dataDirectory = await mkdtemp(join(tmpdir(), 'makul-erasure-test-'));
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
    sesEndpoint: 'http://127.0.0.1:4',
    sesWebPage: 'http://127.0.0.1:4',
    s3Endpoint: s3.endpoint,
    rawMailBucketName: BUCKET,
    smtp: '127.0.0.1:3',
    deferredOutboundEverySeconds: 30,
  });
  await erasureOf(1, 'all-done');
  await erasureOf(2, 'one-refused');
});

afterAll(async () => {
  lock?.release();
  await Promise.allSettled([local?.stop(), s3?.dispose()]);
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

/** The command as the dispatcher runs it: global and own options parsed together. */
async function run(command: CliCommand, ...args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...GLOBAL_OPTIONS, ...command.options },
  });
  let stdout = '';
  let stderr = '';
  const code = await command.run({
    positionals,
    options: values,
    global: {
      operator: values.operator as string | undefined,
      config: values.config as string | undefined,
      local: values.local === true,
      dataDir: values['data-dir'] as string | undefined,
      requestsTable: values['requests-table'] as string | undefined,
      subjectsTable: values['subjects-table'] as string | undefined,
      hmacSecretArn: values['hmac-secret-arn'] as string | undefined,
      json: values.json === true,
    },
    output: {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
    },
  });
  return { code, stdout, stderr };
}

const onLocalStack = () => ['--local', '--data-dir', dataDirectory];

describe('makul erasure run --local', () => {
  it('lists what it would do in a dry run, and changes nothing', async () => {
    const { code, stdout } = await run(erasureRunCommand, '--dry-run', '--at', AT, ...onLocalStack());

    expect(code).toBe(0);
    expect(stdout).toContain('DRY RUN: nothing changed');
    expect(stdout).toContain(
      'MK-ERASE01  erasure: would execute (sealed data of 1 entry, 1 stored mail, 0 tokens)',
    );
    expect(stdout).toContain('MK-ERASE02  erasure: skipped: a system refused its task');
    expect((await local.register.get('MK-ERASE01'))?.status).toBe('in-progress');
    expect(await s3.getObject('raw/cli-1')).not.toBeNull();
  });

  it('executes the erasure whose systems are all done, skips the refused one, and shows progress', async () => {
    const { code, stdout, stderr } = await run(erasureRunCommand, '--at', AT, ...onLocalStack());

    expect(code).toBe(0);
    expect(stdout).toContain('MK-ERASE01  erasure: executed, act DA-MK-ERASE01');
    expect(stdout).toContain('Executed 1, failed 0.');
    expect(stderr).toContain('makul erasure run: 2/2');
    expect(stdout).not.toContain('v1.sealed');
    const executed = await local.register.get('MK-ERASE01');
    expect(executed).toMatchObject({ status: 'completed', sealedContact: null });
    expect(await s3.getObject('raw/cli-1')).toBeNull();
    expect((await local.register.get('MK-ERASE02'))?.status).toBe('in-progress');
    expect(await s3.getObject('raw/cli-2')).not.toBeNull();
  });

  it('says as JSON that nothing is left to execute on a second run', async () => {
    const { code, stdout } = await run(erasureRunCommand, '--json', '--at', AT, ...onLocalStack());

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ operator: 'x2', dryRun: false, considered: 1 });
    expect(report.outcomes).toEqual([
      { requestId: 'MK-ERASE02', kind: 'erasure', outcome: 'skipped', reason: 'task-refused' },
    ]);
    expect(report.source.local).toBe(true);
  });

  it('takes no arguments', async () => {
    await expect(run(erasureRunCommand, 'MK-ERASE01', ...onLocalStack())).rejects.toThrow(UsageError);
  });
});

describe('makul acts show --local', () => {
  it('prints the act and its extract, in Russian and English', async () => {
    const { code, stdout } = await run(actsShowCommand, 'MK-ERASE01', ...onLocalStack());

    expect(code).toBe(0);
    expect(stdout).toContain('PERSONAL DATA DESTRUCTION ACT № DA-MK-ERASE01');
    expect(stdout).toContain('confirmed by a.dpo');
    expect(stdout).toContain('subject-cli-1');
    expect(stdout).toContain('AUDIT LOG EXTRACT');
    expect(stdout).toMatch(/erasure-executed \(actId=DA-MK-ERASE01/);
  });

  it('prints the act as JSON', async () => {
    const { code, stdout } = await run(actsShowCommand, 'MK-ERASE01', '--json', ...onLocalStack());

    expect(code).toBe(0);
    const act = JSON.parse(stdout);
    expect(act.actId).toBe('DA-MK-ERASE01');
    expect(act.destroyedBy.map((destroyer: { systemId: string }) => destroyer.systemId)).toEqual([
      'makul',
      ...SYSTEMS,
    ]);
    expect(act.ground.jurisdiction).toBe('KG-58');
  });

  it('takes the act id that erasure run prints as well as the request id', async () => {
    const { code, stdout } = await run(actsShowCommand, 'DA-MK-ERASE01', '--json', ...onLocalStack());

    expect(code).toBe(0);
    expect(JSON.parse(stdout).actId).toBe('DA-MK-ERASE01');
  });

  it('fails with a reason when the request has no act', async () => {
    const { code, stderr } = await run(actsShowCommand, 'MK-ERASE02', ...onLocalStack());

    expect(code).toBe(1);
    expect(stderr).toContain('no destruction act for MK-ERASE02');
  });

  it('wants one request id', async () => {
    await expect(run(actsShowCommand, ...onLocalStack())).rejects.toThrow(UsageError);
  });
});

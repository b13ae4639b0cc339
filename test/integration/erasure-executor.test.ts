/**
 * The erasure executor on DynamoDB Local and the S3 emulator, with an injected clock: a full erasure
 * (tasks answered → executor → raw mail, sealed data and tokens gone, the act and its extract written
 * with its TTL, the request completed, the subject's record and the status API's "suppressed" kept), a
 * refused task, a cancelled request, a re-run, a failure in the middle, a dry run, and a request that
 * moved between the executor's read and its write.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedFetchClient } from '../../functions/adapters/aws-signed-fetch';
import { actKey, DynamoDbErasureRegister } from '../../functions/adapters/dynamodb/erasure-register';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import { DynamoDbRegisterExport } from '../../functions/adapters/dynamodb/register-export';
import { DynamoDbSubjectStatusReader } from '../../functions/adapters/dynamodb/subject-status-reader';
import { S3RawMailStore } from '../../functions/adapters/s3/raw-mail-store';
import {
  type ErasureDependencies,
  type ErasureRunReport,
  executeErasures,
} from '../../functions/app/execute-erasure';
import type { FulfilmentTask, TaskAnswerer } from '../../functions/domain/fulfilment/tasks';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import type { RegisteredRequest } from '../../functions/domain/requests/registered-request';
import { openAddress, sealAddress } from '../../functions/domain/subjects/sealed-address';
import { stateOf } from '../../functions/domain/subjects/subject-status';
import { createErasureExecutorHandler } from '../../functions/erasure-executor/handler';
import { CountingMetrics } from '../../functions/ports/metrics';
import type { RawMailRemover } from '../../functions/ports/raw-mail-store';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { createLogger } from '../../functions/shared/log';
import { localLambdaContext } from '../../local/lambda-context';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { type S3EmulatorHandle, startS3Emulator } from '../../local/s3-emulator';
import { type LocalRegister, startLocalRegister } from '../support/local-register';
import { sampleProfile } from '../support/sample-profile';
import { sampleRequest } from '../support/sample-request';

const TABLES = { requestsTableName: 'erasure-requests', subjectsTableName: 'erasure-subjects' };
const BUCKET = 'erasure-raw-mail';
const KEY = 'test-hmac-key-of-the-erasure-executor-tests';
/** Now, to the second: DynamoDB Local's TTL deletes items dated in the past (lazily). */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const hoursFrom = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000);

const PROFILE: DeploymentProfile = sampleProfile({
  dataSystems: [
    {
      id: 'player-accounts',
      name: { ky: 'Оюнчулардын эсептери', ru: 'Учётные записи игроков', en: 'Player accounts' },
      purpose: { ky: 'оюндар', ru: 'игры', en: 'games' },
      categories: ['full-name', 'email'],
      toldBy: 'event',
      kinds: ['erasure', 'withdraw-consent', 'access'],
    },
    {
      id: 'helpdesk',
      name: { ky: 'Колдоо кызматы', ru: 'Служба поддержки', en: 'Helpdesk' },
      purpose: { ky: 'колдоо', ru: 'поддержка', en: 'support' },
      categories: ['email'],
      toldBy: 'person',
      kinds: ['erasure', 'withdraw-consent'],
    },
  ],
});

let local: LocalRegister;
let s3: S3EmulatorHandle;
let register: DynamoDbLinkRegister;
let fulfilment: DynamoDbFulfilmentRegister;
let erasure: DynamoDbErasureRegister;
let rawMail: S3RawMailStore;
let statusReader: DynamoDbSubjectStatusReader;
let serial = 0;

beforeAll(async () => {
  [local, s3] = await Promise.all([
    startLocalRegister(TABLES),
    startS3Emulator({ bucketName: BUCKET, report: () => undefined }),
  ]);
  register = new DynamoDbLinkRegister(local.client, TABLES);
  fulfilment = new DynamoDbFulfilmentRegister(local.client, TABLES.requestsTableName);
  erasure = new DynamoDbErasureRegister(local.client, TABLES.requestsTableName);
  const s3Fetch = signedFetchClient({
    region: LOCAL_REGION,
    service: 's3',
    environment: {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
  });
  rawMail = new S3RawMailStore(s3Fetch, LOCAL_REGION, s3.endpoint);
  statusReader = new DynamoDbSubjectStatusReader(local.client, TABLES.subjectsTableName);
});

afterAll(async () => {
  await Promise.all([local?.stop(), s3?.dispose()]);
});

interface Subject {
  readonly subjectKey: string;
  readonly erasure: RegisteredRequest;
  /** An earlier request of the same subject (an unsubscribe, completed), with its own mail and address. */
  readonly earlier: RegisteredRequest;
  readonly tokenHash: string;
}

/**
 * A subject with an earlier unsubscribe and an erasure (or withdrawal) in progress, recorded as the
 * inbound function records them: sealed addresses, raw mail in S3, the subject's flags, a link token,
 * and one open task per system concerned.
 */
async function subjectWithErasure(
  overrides: Partial<RegisteredRequest> = {},
  profile: DeploymentProfile = PROFILE,
): Promise<Subject> {
  serial += 1;
  const subjectKey = `subject-erasure-${serial}`;
  const earlier = sampleRequest(7000 + serial * 2, {
    subjectKey,
    receivedAt: hoursFrom(NOW, -48).toISOString(),
    outboundState: 'sent',
    rawMail: { bucket: BUCKET, key: `raw/earlier-${serial}` },
  });
  const erasureId = `MK-TEST${String(7001 + serial * 2).padStart(5, '0')}`;
  const request = sampleRequest(7001 + serial * 2, {
    kind: 'erasure',
    status: 'in-progress',
    subjectKey,
    receivedAt: hoursFrom(NOW, -24).toISOString(),
    dueAt: hoursFrom(NOW, 24 * 6).toISOString(),
    closedAt: null,
    outboundState: 'sent',
    sealedContact: sealAddress(`ivan.${serial}@example.kg`, KEY, erasureId),
    sealedDetails: 'v1.sealed.details',
    rawMail: { bucket: BUCKET, key: `raw/erasure-${serial}` },
    proof: 'confirmed-link',
    ...overrides,
  });
  const received = (at: string) => ({ at, event: 'received', detail: { kind: 'x' } });
  await register.recordNew(earlier, received(earlier.receivedAt), { marketingOptOut: true }, null);
  await register.recordNew(
    request,
    received(request.receivedAt),
    { erasureRequested: true, marketingOptOut: true },
    null,
  );
  const tokenHash = `${'e'.repeat(56)}${String(serial).padStart(8, '0')}`;
  await register.putToken({
    tokenHash,
    purpose: 'dispute',
    requestId: request.requestId,
    expiresAt: hoursFrom(NOW, 72),
  });
  await s3.putObject(earlier.rawMail.key, new TextEncoder().encode('From: earlier'));
  await s3.putObject(request.rawMail.key, new TextEncoder().encode('From: erasure'));
  const kind = request.kind === 'withdraw-consent' ? 'withdraw-consent' : 'erasure';
  const systems = profile.operator.dataSystems.filter((system) => system.kinds.includes(kind));
  if (systems.length > 0) {
    await fulfilment.createTasks(
      systems.map(
        (system): FulfilmentTask => ({
          requestId: request.requestId,
          systemId: system.id,
          kind,
          dueAt: request.dueAt,
          subjectKey,
          toldBy: system.toldBy,
          state: 'open',
          createdAt: request.receivedAt,
          outcome: null,
          reason: null,
          sealedData: null,
          answeredAt: null,
          answeredBy: null,
          publishedAt: null,
        }),
      ),
      { at: hoursFrom(NOW, -23).toISOString(), event: 'tasks-created', detail: { systems: systems.length } },
    );
  }
  return { subjectKey, erasure: request, earlier, tokenHash };
}

async function answer(
  subject: Subject,
  systemId: string,
  state: 'erased' | 'not-held' | 'refused',
  by: TaskAnswerer = { via: 'api', caller: 'arn:aws:iam::123456789012:role/players' },
): Promise<void> {
  const at = hoursFrom(NOW, -2 + Math.random());
  await fulfilment.answerTask(
    subject.erasure.requestId,
    systemId,
    state === 'refused'
      ? { state: 'refused', reason: 'the player has an open dispute' }
      : { state: 'done', outcome: state, sealedData: null },
    by,
    at,
    {
      at: at.toISOString(),
      event: state === 'refused' ? 'task-refused' : 'task-done',
      detail: { system: systemId },
    },
  );
}

async function allAnswered(subject: Subject): Promise<void> {
  await answer(subject, 'player-accounts', 'erased');
  await answer(subject, 'helpdesk', 'erased', { via: 'cli', person: 'a.dpo' });
}

function deps(
  overrides: Partial<ErasureDependencies> = {},
): ErasureDependencies & { metrics: CountingMetrics } {
  return {
    profile: PROFILE,
    listing: register,
    register,
    fulfilment,
    erasure,
    rawMail,
    metrics: new CountingMetrics(),
    log: createLogger('ERROR', {}, () => undefined),
    hmacKey: async () => KEY,
    ...overrides,
  } as ErasureDependencies & { metrics: CountingMetrics };
}

function outcomeOf(report: ErasureRunReport, requestId: string) {
  return report.outcomes.find((outcome) => outcome.requestId === requestId);
}

/** What makul holds of the subject, as the executor leaves it. */
async function heldOf(subject: Subject) {
  const [erasureEntry, earlierEntry, erasureMail, earlierMail, tokens, act, trail, record] =
    await Promise.all([
      register.get(subject.erasure.requestId),
      register.get(subject.earlier.requestId),
      s3.getObject(subject.erasure.rawMail.key),
      s3.getObject(subject.earlier.rawMail.key),
      erasure.tokensOf(subject.erasure.requestId),
      erasure.actOf(subject.erasure.requestId),
      register.auditTrail(subject.erasure.requestId),
      statusReader.read(subject.subjectKey),
    ]);
  return { erasureEntry, earlierEntry, erasureMail, earlierMail, tokens, act, trail, record };
}

describe('executeErasures', () => {
  it('executes an erasure whose tasks are all done: makul forgets the subject, keeps the suppression, writes the act', async () => {
    const subject = await subjectWithErasure();
    await allAnswered(subject);
    const run = deps();

    const report = await executeErasures(run, NOW);

    expect(outcomeOf(report, subject.erasure.requestId)).toMatchObject({
      outcome: 'executed',
      actId: `DA-${subject.erasure.requestId}`,
      work: { entries: 2, rawMail: 2, tokens: 1 },
    });
    const held = await heldOf(subject);
    expect(held.erasureMail).toBeNull();
    expect(held.earlierMail).toBeNull();
    expect(held.erasureEntry).toMatchObject({
      status: 'completed',
      closedAt: NOW.toISOString(),
      sealedContact: null,
      sealedDetails: null,
    });
    expect(held.earlierEntry?.sealedContact).toBeNull();
    expect(held.tokens).toEqual([]);
    expect(await register.touchToken(subject.tokenHash, 10)).toEqual({ outcome: 'unknown' });
    expect(held.trail.filter((event) => event.event === 'erasure-executed')).toHaveLength(1);
    // The subject's record stays: the status API still answers "suppressed".
    expect(held.record).not.toBeNull();
    expect(stateOf(held.record?.flags ?? {}).marketing).toBe('suppressed');
    expect(run.metrics.counts.get('ErasuresExecuted')).toBe(1);

    const act = held.act;
    expect(act?.destroyedBy.map((destroyer) => [destroyer.systemId, destroyer.person])).toEqual([
      ['makul', null],
      ['helpdesk', 'a.dpo'],
      ['player-accounts', null],
    ]);
    expect(act?.subject).toEqual({ subjectKey: subject.subjectKey, address: null });
    expect(act?.ground.statute).toBe('test');
    expect(act?.logExtract.map((event) => event.event)).toEqual([
      'received',
      'tasks-created',
      expect.stringMatching(/^task-done$/),
      'task-done',
      'erasure-executed',
    ]);
    const { Item } = await local.client.send(
      new GetItemCommand({ TableName: TABLES.requestsTableName, Key: actKey(subject.erasure.requestId) }),
    );
    const threeYears = new Date(NOW);
    threeYears.setUTCFullYear(threeYears.getUTCFullYear() + 3);
    expect(Item?.expiresAt?.N).toBe(String(Math.floor(threeYears.getTime() / 1000)));
    expect(Item?.registerMonth?.S).toMatch(/^ACT#\d{4}-\d{2}$/);
    expect(Item?.registerAt?.S).toBe(NOW.toISOString());
    // The register export finds it in the month index, as written.
    const exported: string[] = [];
    const reader = new DynamoDbRegisterExport(local.client, TABLES.requestsTableName);
    for await (const page of reader.actsExecuted(hoursFrom(NOW, -1), hoursFrom(NOW, 1)))
      exported.push(...page.items.map((found) => found.actId));
    expect(exported).toContain(`DA-${subject.erasure.requestId}`);
  });

  it('names the address in the act only when the profile asks, opened before it is forgotten', async () => {
    const naming = { ...PROFILE, operator: { ...PROFILE.operator, destructionActNamesAddress: true } };
    const subject = await subjectWithErasure({}, naming);
    await allAnswered(subject);

    await executeErasures(deps({ profile: naming }), NOW);

    const act = await erasure.actOf(subject.erasure.requestId);
    expect(act?.subject.address).toBe(
      openAddress(subject.erasure.sealedContact ?? '', KEY, subject.erasure.requestId),
    );
  });

  it('executes a withdrawal of consent the same way', async () => {
    const subject = await subjectWithErasure({ kind: 'withdraw-consent' });
    await allAnswered(subject);

    const report = await executeErasures(deps(), NOW);

    expect(outcomeOf(report, subject.erasure.requestId)?.outcome).toBe('executed');
    expect((await register.get(subject.erasure.requestId))?.status).toBe('completed');
  });

  it('never executes a request with a refused task: it waits for ops, nothing is touched', async () => {
    const subject = await subjectWithErasure();
    await answer(subject, 'player-accounts', 'refused');
    await answer(subject, 'helpdesk', 'erased', { via: 'cli', person: 'a.dpo' });

    const report = await executeErasures(deps(), NOW);

    expect(outcomeOf(report, subject.erasure.requestId)).toMatchObject({
      outcome: 'skipped',
      reason: 'task-refused',
    });
    const held = await heldOf(subject);
    expect(held.erasureEntry?.status).toBe('in-progress');
    expect(held.erasureEntry?.sealedContact).not.toBeNull();
    expect(held.erasureMail).not.toBeNull();
    expect(held.tokens).toHaveLength(1);
    expect(held.act).toBeNull();
  });

  it('waits while a system has not answered, and while tasks are not made yet', async () => {
    const waiting = await subjectWithErasure();
    await answer(waiting, 'player-accounts', 'erased');
    const untasked = await subjectWithErasure(
      {},
      { ...PROFILE, operator: { ...PROFILE.operator, dataSystems: [] } },
    );

    const report = await executeErasures(deps(), NOW);

    expect(outcomeOf(report, waiting.erasure.requestId)).toMatchObject({ reason: 'tasks-waiting' });
    expect(outcomeOf(report, untasked.erasure.requestId)).toMatchObject({ reason: 'tasks-not-created' });
  });

  it('waits while a message to the subject is still to go out (it needs the address)', async () => {
    const subject = await subjectWithErasure({ outboundState: 'deferred' });
    await allAnswered(subject);

    const report = await executeErasures(deps(), NOW);

    expect(outcomeOf(report, subject.erasure.requestId)).toMatchObject({
      outcome: 'skipped',
      reason: 'reply-pending',
    });
    expect((await register.get(subject.erasure.requestId))?.sealedContact).not.toBeNull();
  });

  it('counts no tasks as ready when the operator has no data systems', async () => {
    const noSystems = { ...PROFILE, operator: { ...PROFILE.operator, dataSystems: [] } };
    const subject = await subjectWithErasure({}, noSystems);

    const report = await executeErasures(deps({ profile: noSystems }), NOW);

    expect(outcomeOf(report, subject.erasure.requestId)?.outcome).toBe('executed');
  });

  it('never touches a cancelled request ("this was not me")', async () => {
    const subject = await subjectWithErasure({ status: 'cancelled' });
    await allAnswered(subject);

    const report = await executeErasures(deps(), NOW);

    expect(outcomeOf(report, subject.erasure.requestId)).toBeUndefined();
    const held = await heldOf(subject);
    expect(held.erasureEntry?.status).toBe('cancelled');
    expect(held.erasureEntry?.sealedContact).not.toBeNull();
    expect(held.erasureMail).not.toBeNull();
    expect(held.act).toBeNull();
  });

  it('writes nothing when the request moved between its read and the completion', async () => {
    const subject = await subjectWithErasure();
    await allAnswered(subject);
    // The subject cancels after the executor read the request in progress.
    const stale = (await register.get(subject.erasure.requestId)) as RegisteredRequest;
    await register.redeemToken({
      tokenHash: null,
      at: hoursFrom(NOW, -1),
      requestId: subject.erasure.requestId,
      request: { fromStatuses: ['in-progress'], toStatus: 'cancelled', stamp: 'cancelledAt' },
      audit: { at: hoursFrom(NOW, -1).toISOString(), event: 'cancelled', detail: {} },
      notices: [],
    });
    const staleRegister = {
      get: async () => stale,
      requestsOfSubject: (key: string) => register.requestsOfSubject(key),
      auditTrail: (id: string) => register.auditTrail(id),
    };
    const staleListing = { requestsByStatus: async () => [stale] };

    const report = await executeErasures(deps({ register: staleRegister, listing: staleListing }), NOW);

    expect(outcomeOf(report, subject.erasure.requestId)).toMatchObject({
      outcome: 'skipped',
      reason: 'request-moved',
    });
    const held = await heldOf(subject);
    expect(held.erasureEntry?.status).toBe('cancelled');
    expect(held.act).toBeNull();
    expect(held.trail.some((event) => event.event === 'erasure-executed')).toBe(false);
  });

  it('does nothing new on a re-run', async () => {
    const subject = await subjectWithErasure();
    await allAnswered(subject);
    await executeErasures(deps(), NOW);
    const before = await heldOf(subject);

    const again = deps();
    const report = await executeErasures(again, hoursFrom(NOW, 0.25));

    expect(outcomeOf(report, subject.erasure.requestId)).toBeUndefined();
    const after = await heldOf(subject);
    expect(after.trail).toEqual(before.trail);
    expect(after.act).toEqual(before.act);
    expect(again.metrics.counts.get('ErasuresExecuted')).toBeUndefined();
  });

  it('leaves a request in progress after a failure in the middle, and the next run finishes it', async () => {
    const subject = await subjectWithErasure();
    await allAnswered(subject);
    // S3 unreachable for one object: the erasure's own mail.
    const failing: RawMailRemover = {
      delete: async (bucket, key) => {
        if (key === subject.erasure.rawMail.key) throw new TypeError('fetch failed');
        await rawMail.delete(bucket, key);
      },
    };
    const first = deps({ rawMail: failing });

    const failed = await executeErasures(first, NOW);

    expect(outcomeOf(failed, subject.erasure.requestId)).toMatchObject({
      outcome: 'failed',
      errorName: 'TypeError',
    });
    expect(first.metrics.counts.get('ErasureFailures')).toBe(1);
    const half = await heldOf(subject);
    expect(half.erasureEntry?.status).toBe('in-progress');
    expect(half.erasureMail).not.toBeNull();
    expect(half.act).toBeNull();

    const second = await executeErasures(deps(), hoursFrom(NOW, 0.25));

    expect(outcomeOf(second, subject.erasure.requestId)?.outcome).toBe('executed');
    const done = await heldOf(subject);
    expect(done.erasureEntry?.status).toBe('completed');
    expect(done.erasureMail).toBeNull();
    expect(done.earlierMail).toBeNull();
    expect(done.act?.logExtract.at(-1)?.event).toBe('erasure-executed');
  });

  it('reports erasures past their due date that are not executed (the overdue alarm)', async () => {
    const subject = await subjectWithErasure({ dueAt: hoursFrom(NOW, -1).toISOString() });
    const run = deps();

    const report = await executeErasures(run, NOW);

    expect(report.overdue).toContain(subject.erasure.requestId);
    expect(run.metrics.gauges.get('ErasuresOverdue')).toBeGreaterThanOrEqual(1);
  });

  it('changes nothing in a dry run, and says what it would do', async () => {
    const subject = await subjectWithErasure();
    await allAnswered(subject);
    const before = await heldOf(subject);
    const run = deps();

    const report = await executeErasures(run, NOW, { dryRun: true });

    expect(report.dryRun).toBe(true);
    expect(outcomeOf(report, subject.erasure.requestId)).toMatchObject({
      outcome: 'would-execute',
      work: { entries: 2, rawMail: 2, tokens: 1 },
    });
    expect(await heldOf(subject)).toEqual(before);
    expect(run.metrics.counts.size).toBe(0);
    expect(run.metrics.gauges.size).toBe(0);
  });
});

describe('λ erasure-executor', () => {
  it('runs the executor from its environment: executes, names the address only in the act, logs no address', async () => {
    const naming = { ...PROFILE, operator: { ...PROFILE.operator, destructionActNamesAddress: true } };
    const subject = await subjectWithErasure({}, naming);
    await allAnswered(subject);
    const address = openAddress(subject.erasure.sealedContact ?? '', KEY, subject.erasure.requestId);
    const logLines: string[] = [];
    const handler = createErasureExecutorHandler(
      {
        ...functionEnvironment({
          profile: naming,
          ...TABLES,
          rawMailBucketName: BUCKET,
          hmac: { key: KEY },
          region: LOCAL_REGION,
          endpoints: { dynamodb: local.dynamodb.endpoint, s3: s3.endpoint },
        }),
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      createLogger('DEBUG', { fn: 'erasure-executor' }, (line) => logLines.push(line)),
      () => NOW,
    );

    const report = await handler(
      {},
      localLambdaContext({
        functionName: 'erasure-executor',
        region: LOCAL_REGION,
        timeoutMs: 120_000,
        memoryMb: 512,
      }),
    );

    expect(outcomeOf(report, subject.erasure.requestId)?.outcome).toBe('executed');
    expect((await erasure.actOf(subject.erasure.requestId))?.subject.address).toBe(address);
    expect(await s3.getObject(subject.erasure.rawMail.key)).toBeNull();
    expect(logLines.join('\n')).toContain(subject.erasure.requestId);
    expect(logLines.join('\n')).not.toContain(address);
  });
});

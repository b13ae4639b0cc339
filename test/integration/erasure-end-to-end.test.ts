/**
 * An erasure from the person's mail to the regulator's export, on the inbound harness (DynamoDB Local,
 * the S3 emulator, the SES v2 emulator): the mail arrives and is answered with a confirmation link, the
 * person confirms on the page, the outbox job tells them, the erasure executor destroys what makul holds
 * (the sample profile has no data systems, so no task waits), the act is in the register export, and the
 * status API's reader still answers "suppressed".
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedFetchClient } from '../../functions/adapters/aws-signed-fetch';
import { DynamoDbErasureRegister } from '../../functions/adapters/dynamodb/erasure-register';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import { DynamoDbLinkRegister } from '../../functions/adapters/dynamodb/link-register';
import { DynamoDbRegisterExport } from '../../functions/adapters/dynamodb/register-export';
import { DynamoDbSubjectStatusReader } from '../../functions/adapters/dynamodb/subject-status-reader';
import { S3RawMailStore } from '../../functions/adapters/s3/raw-mail-store';
import { answerTask } from '../../functions/app/answer-task';
import { executeErasures } from '../../functions/app/execute-erasure';
import { exportRegister } from '../../functions/app/export-register';
import { makeFulfilmentTasks } from '../../functions/app/make-fulfilment-tasks';
import { sendDeferredOutbound } from '../../functions/app/send-deferred-outbound';
import type { FulfilmentTask } from '../../functions/domain/fulfilment/tasks';
import { normaliseAddress } from '../../functions/domain/mail/sender-address';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { localDate } from '../../functions/domain/requests/deadlines';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import { subjectKey } from '../../functions/domain/subjects/subject-key';
import { stateOf } from '../../functions/domain/subjects/subject-status';
import { createPagesHandler, type PagesHandler } from '../../functions/pages/handler';
import { CountingMetrics } from '../../functions/ports/metrics';
import { createLogger } from '../../functions/shared/log';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { HMAC_KEY, InboundHarness, requestMail } from '../support/inbound-harness';

let harness: InboundHarness;
let pages: PagesHandler;

beforeAll(async () => {
  harness = await InboundHarness.start();
  // Its log lines join the harness's, where the tests look for personal data, not the test output.
  pages = createPagesHandler(
    harness.environment,
    createLogger('INFO', { fn: 'pages' }, (line) => (harness.logLines as string[]).push(line)),
  );
});

afterAll(async () => {
  await harness?.stop();
});

function post(path: string, body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.77', userAgent: 'test' },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    // HTTP APIs hand form posts over base64-encoded.
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  } as APIGatewayProxyEventV2;
}

describe('an erasure, from the mail to the export', () => {
  it('is confirmed, executed, proven by an act in the export, and the address stays suppressed', async () => {
    const sender = 'forget-me@example.kg';
    const delivery = await harness.deliver(requestMail({ from: sender, subject: 'delete my data' }));
    expect((await harness.runBatch([delivery.record])).batchItemFailures).toEqual([]);
    const requestId = requestIdFor(delivery.sesMessageId);
    const text = (await harness.sentTo(sender)).at(-1)?.body.text ?? '';
    const link = text.match(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]{43}/)?.[0] ?? '';
    expect(link).not.toBe('');

    const confirmed = await pages(post(new URL(link).pathname, 'action=confirm&lang=en'), {
      awsRequestId: 'pages-test',
    } as Context);
    expect(confirmed.statusCode).toBe(200);
    const tables = {
      requestsTableName: harness.config.requestsTableName,
      subjectsTableName: harness.config.subjectsTableName,
    };
    const register = new DynamoDbLinkRegister(harness.client, tables);
    const erasure = new DynamoDbErasureRegister(harness.client, tables.requestsTableName);
    const s3Fetch = signedFetchClient({
      region: LOCAL_REGION,
      service: 's3',
      environment: {
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
    });
    const logLines: string[] = [];
    const now = new Date();

    const deps = {
      profile: harness.config.profile,
      listing: register,
      register,
      fulfilment: new DynamoDbFulfilmentRegister(harness.client, tables.requestsTableName),
      erasure,
      rawMail: new S3RawMailStore(s3Fetch, LOCAL_REGION, harness.s3.endpoint),
      metrics: new CountingMetrics(),
      log: createLogger('DEBUG', {}, (line) => logLines.push(line)),
    };
    const early = await executeErasures(deps, now);
    expect(early.outcomes).toEqual([expect.objectContaining({ requestId, reason: 'reply-pending' })]);

    // The outbox job tells the person (the "confirmed" notice needs their address: the executor waits for it).
    await sendDeferredOutbound(harness.dependencies());
    expect(await harness.sentTo(sender)).toHaveLength(2);
    expect(await harness.s3.getObject(delivery.objectKey)).not.toBeNull();

    const report = await executeErasures(deps, now);

    expect(report.outcomes).toEqual([expect.objectContaining({ requestId, outcome: 'executed' })]);
    expect(await harness.s3.getObject(delivery.objectKey)).toBeNull();
    expect(await harness.requestItem(requestId)).toMatchObject({
      status: { S: 'completed' },
      executedAt: { S: now.toISOString() },
    });
    expect(await harness.requestItem(requestId)).not.toHaveProperty('sealedContact.S');
    expect(await harness.requestItem(`${requestId}.confirmed`)).not.toHaveProperty('sealedContact.S');
    expect(await erasure.tokensOf(requestId)).toEqual([]);
    expect(logLines.join('\n')).not.toContain(sender);

    const act = await erasure.actOf(requestId);
    expect(act?.logExtract.map((event) => event.event)).toEqual(
      expect.arrayContaining(['link-confirmed', 'erasure-executed']),
    );
    const exported: string[] = [];
    const reader = new DynamoDbRegisterExport(harness.client, tables.requestsTableName);
    for await (const page of reader.actsExecuted(
      new Date(now.getTime() - 60_000),
      new Date(now.getTime() + 60_000),
    ))
      exported.push(...page.items.map((found) => found.actId));
    expect(exported).toEqual([`DA-${requestId}`]);

    const key = subjectKey(normaliseAddress(sender), HMAC_KEY);
    const record = await new DynamoDbSubjectStatusReader(harness.client, tables.subjectsTableName).read(key);
    expect(stateOf(record?.flags ?? {}).marketing).toBe('suppressed');
  });

  it('waits for every system’s answer, then destroys, and the act names who destroyed what', async () => {
    // The operator holds the data in two systems: one told by event (answers through the API), one by a person.
    const base = harness.config.profile;
    const system = (id: string, toldBy: 'event' | 'person') => ({
      id,
      name: { ky: id, ru: id, en: id },
      purpose: { ky: 'иштетүү', ru: 'обработка', en: 'processing' },
      categories: ['full-name', 'email'],
      toldBy,
      kinds: ['erasure' as const],
    });
    const profile: DeploymentProfile = {
      ...base,
      operator: {
        ...base.operator,
        dataSystems: [system('player-accounts', 'event'), system('helpdesk', 'person')],
      },
    };
    const sender = 'forget-me-everywhere@example.kg';
    const delivery = await harness.deliver(requestMail({ from: sender, subject: 'delete my data' }));
    expect((await harness.runBatch([delivery.record], { profile })).batchItemFailures).toEqual([]);
    // The person confirms with the link in the reply: only then does the erasure stand, and get its tasks.
    const reply = (await harness.sentTo(sender)).at(-1)?.body.text ?? '';
    const link = reply.match(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]{43}/)?.[0];
    expect(link).toBeDefined();
    const confirmed = await pages(post(new URL(link ?? '').pathname, 'action=confirm&lang=en'), {
      awsRequestId: 'pages-test',
    } as Context);
    expect(confirmed.statusCode).toBe(200);
    const requestId = requestIdFor(delivery.sesMessageId);
    const tables = {
      requestsTableName: harness.config.requestsTableName,
      subjectsTableName: harness.config.subjectsTableName,
    };
    const register = new DynamoDbLinkRegister(harness.client, tables);
    const fulfilment = new DynamoDbFulfilmentRegister(harness.client, tables.requestsTableName);
    const erasure = new DynamoDbErasureRegister(harness.client, tables.requestsTableName);
    const logLines: string[] = [];
    const log = createLogger('DEBUG', {}, (line) => logLines.push(line));
    const metrics = new CountingMetrics();
    const now = new Date();
    const published: FulfilmentTask[] = [];

    // What the stream processor does when the entry moves to in progress (test/integration/fulfilment-tasks.test.ts
    // runs it through the stream itself).
    const request = await register.get(requestId);
    expect(request?.status).toBe('in-progress');
    await makeFulfilmentTasks(request as NonNullable<typeof request>, {
      profile,
      tasks: fulfilment,
      events: { publish: async (task) => void published.push(task) },
      metrics,
      now: () => now,
      log,
    });
    expect((await fulfilment.tasksOf(requestId)).map((task) => [task.systemId, task.state])).toEqual([
      ['helpdesk', 'open'],
      ['player-accounts', 'open'],
    ]);

    const s3Fetch = signedFetchClient({
      region: LOCAL_REGION,
      service: 's3',
      environment: {
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
    });
    const executorDeps = {
      profile,
      listing: register,
      register,
      fulfilment,
      erasure,
      rawMail: new S3RawMailStore(s3Fetch, LOCAL_REGION, harness.s3.endpoint),
      metrics,
      log,
    };
    await sendDeferredOutbound(harness.dependencies({ profile }));
    // No system has answered: nothing is destroyed yet.
    const waiting = await executeErasures(executorDeps, now);
    expect(waiting.outcomes).toEqual([expect.objectContaining({ requestId, reason: 'tasks-waiting' })]);

    const answerDeps = { register, fulfilment, profile, hmacKey: HMAC_KEY, now: () => now };
    const caller = 'arn:aws:sts::123456789012:assumed-role/player-accounts/worker';
    const api = await answerTask(
      requestId,
      'player-accounts',
      { state: 'done', outcome: 'erased' },
      { via: 'api', caller },
      answerDeps,
    );
    expect(api.outcome).toBe('answered');
    // Half answered: still waiting.
    expect((await executeErasures(executorDeps, now)).outcomes).toEqual([
      expect.objectContaining({ requestId, reason: 'tasks-waiting' }),
    ]);
    const person = await answerTask(
      requestId,
      'helpdesk',
      { state: 'done', outcome: 'erased' },
      { via: 'cli', person: 'Aida (support lead)' },
      answerDeps,
    );
    expect(person.outcome).toBe('answered');

    const executed = await executeErasures(executorDeps, now);

    expect(executed.outcomes).toEqual([expect.objectContaining({ requestId, outcome: 'executed' })]);
    expect(await harness.s3.getObject(delivery.objectKey)).toBeNull();
    expect(await harness.requestItem(requestId)).toMatchObject({ status: { S: 'completed' } });
    expect(await harness.requestItem(requestId)).not.toHaveProperty('sealedContact.S');
    const act = await erasure.actOf(requestId);
    const destroyers = (act?.destroyedBy ?? []).map((destroyer) => [destroyer.systemId, destroyer.person]);
    expect(destroyers).toEqual(
      expect.arrayContaining([
        ['player-accounts', null],
        ['helpdesk', 'Aida (support lead)'],
      ]),
    );
    expect(act?.logExtract.map((event) => event.event)).toEqual(
      expect.arrayContaining([
        'received',
        'link-confirmed',
        'tasks-created',
        'task-answered',
        'erasure-executed',
      ]),
    );

    const today = localDate(now, profile.jurisdiction.timeZone);
    const exported = await exportRegister(
      {
        register: new DynamoDbRegisterExport(harness.client, tables.requestsTableName),
        tasksOf: (id) => fulfilment.tasksOf(id),
        operatorId: profile.operator.id,
        jurisdiction: profile.jurisdiction,
      },
      { from: today, to: today, withPersonalData: false },
      now,
    );
    const row = exported.requests.find((candidate) => candidate.requestId === requestId);
    expect(row?.outcome).toBe('completed; helpdesk: erased; player-accounts: erased');
    expect(exported.destructionActs.map((found) => found.requestId)).toContain(requestId);
    expect(JSON.stringify(exported)).not.toContain(sender);
    expect(logLines.join('\n')).not.toContain(sender);

    const key = subjectKey(normaliseAddress(sender), HMAC_KEY);
    const record = await new DynamoDbSubjectStatusReader(harness.client, tables.subjectsTableName).read(key);
    expect(stateOf(record?.flags ?? {}).marketing).toBe('suppressed');
  });
});

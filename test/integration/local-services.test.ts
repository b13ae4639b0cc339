import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notificationFromRecord } from '../../functions/inbound-email/ses-notification';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../local/dynamodb-local';
import { buildEventFixtures, EVENT_FIXTURES_DIRECTORY } from '../../local/event-fixtures';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LOOPBACK_HOST } from '../../local/loopback';
import { createMakulTables } from '../../local/makul-tables';
import { type S3EmulatorHandle, startS3Emulator } from '../../local/s3-emulator';
import { signedByDomainVerdicts } from '../../local/sample-verdicts';
import { type SesEmulatorHandle, startSesEmulator } from '../../local/ses-emulator';
import {
  buildSesReceiptNotification,
  readHeaderFields,
  type SesReceiptNotification,
  withSesTraceHeaders,
} from '../../local/ses-receipt';
import { type DeliveryOutcome, type SmtpInboundHandle, startSmtpInbound } from '../../local/smtp-inbound';
import { buildSqsEventForNotification, localArns, type SnsNotificationEnvelope } from '../../local/sqs-event';
import { acceptsConnections, outsideAddresses } from '../support/reachability';
import { sendMail } from '../support/smtp-client';

const quiet = (): void => {};
const encoder = new TextEncoder();

function rawMessage(headers: readonly string[], body: string): Uint8Array {
  return encoder.encode(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

function startsWithBytes(whole: Uint8Array, prefix: Uint8Array): boolean {
  return Buffer.from(whole.subarray(0, prefix.length)).equals(Buffer.from(prefix));
}

function endsWithBytes(whole: Uint8Array, suffix: Uint8Array): boolean {
  return Buffer.from(whole.subarray(whole.length - suffix.length)).equals(Buffer.from(suffix));
}

/** Reachable on 127.0.0.1, refused on every other address this machine has (on a machine with none, only the first holds). */
async function expectLoopbackOnly(port: number): Promise<void> {
  expect(await acceptsConnections(LOOPBACK_HOST, port)).toBe(true);
  for (const address of outsideAddresses()) {
    expect(await acceptsConnections(address, port), `reachable on ${address}`).toBe(false);
  }
}

describe('DynamoDB Local', () => {
  let dynamo: DynamoDbLocalHandle;
  let client: DynamoDBClient;
  const tables = { requestsTableName: 'makul-test-requests', subjectsTableName: 'makul-test-subjects' };

  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({ report: quiet });
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.dispose();
  });

  it('answers on 127.0.0.1 only, although DynamoDB Local itself binds to every interface', async () => {
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${dynamo.port}`);
    await expectLoopbackOnly(dynamo.port);
  });

  it('creates both makul tables with string pk/sk keys and TTL on expiresAt, and does it again without error', async () => {
    await createMakulTables(dynamo.endpoint, tables);
    await createMakulTables(dynamo.endpoint, tables);

    for (const tableName of [tables.requestsTableName, tables.subjectsTableName]) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
      );
      expect(ttl.TimeToLiveDescription).toMatchObject({
        AttributeName: 'expiresAt',
        TimeToLiveStatus: 'ENABLED',
      });
    }
  });

  it('keeps its data when stopped and started again on the same port', async () => {
    await createMakulTables(dynamo.endpoint, tables);
    const key = { pk: { S: 'REQ#restart-check' }, sk: { S: 'META' } };
    await client.send(
      new PutItemCommand({ TableName: tables.requestsTableName, Item: { ...key, state: { S: 'open' } } }),
    );
    const portBefore = dynamo.port;

    await dynamo.stop();
    const whileStopped = client.send(new GetItemCommand({ TableName: tables.requestsTableName, Key: key }));
    await expect(whileStopped).rejects.toThrow();
    await dynamo.start();
    const { Item } = await client.send(new GetItemCommand({ TableName: tables.requestsTableName, Key: key }));

    expect(dynamo.port).toBe(portBefore);
    expect(Item?.state).toEqual({ S: 'open' });
    await client.send(new DeleteItemCommand({ TableName: tables.requestsTableName, Key: key }));
  });
});

describe('SES v2 emulator', () => {
  let ses: SesEmulatorHandle;

  beforeAll(async () => {
    ses = await startSesEmulator({ report: quiet });
  });

  beforeEach(async () => {
    await ses.clearSentEmails();
  });

  afterAll(async () => {
    await ses?.dispose();
  });

  /** A client configured the way the handler is locally: endpoint from AWS_ENDPOINT_URL_SESV2 only. */
  async function withEnvironmentEndpoint<T>(work: (client: SESv2Client) => Promise<T>): Promise<T> {
    const previous = process.env.AWS_ENDPOINT_URL_SESV2;
    process.env.AWS_ENDPOINT_URL_SESV2 = ses.endpoint;
    const client = new SESv2Client({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      return await work(client);
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SESV2;
      else process.env.AWS_ENDPOINT_URL_SESV2 = previous;
    }
  }

  it('listens on 127.0.0.1 only', async () => {
    await expectLoopbackOnly(ses.port);
  });

  it('records a SendEmail made through AWS_ENDPOINT_URL_SESV2, custom headers included', async () => {
    const headers = [
      { Name: 'Auto-Submitted', Value: 'auto-replied' },
      { Name: 'In-Reply-To', Value: '<original@example.kg>' },
      { Name: 'References', Value: '<original@example.kg>' },
    ];

    const response = await withEnvironmentEndpoint((client) =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'support@x2.kg',
          Destination: { ToAddresses: ['subject@example.kg'] },
          Content: {
            Simple: {
              Subject: { Data: 'Сурооңуз кабыл алынды', Charset: 'UTF-8' },
              Body: { Text: { Data: 'Биз сурооңузду алдык.', Charset: 'UTF-8' } },
              Headers: headers,
            },
          },
        }),
      ),
    );
    const [sent] = await ses.sentEmails();

    expect(sent?.messageId).toBe(response.MessageId);
    expect(sent?.destination.to).toEqual(['subject@example.kg']);
    expect(sent?.subject).toBe('Сурооңуз кабыл алынды');
    expect(sent?.headers).toEqual(headers.map((header) => ({ name: header.Name, value: header.Value })));
  });

  it('keeps no headers of Raw content (a limit of the emulator: assert headers with Simple content)', async () => {
    const raw = rawMessage(
      ['From: support@x2.kg', 'To: subject@example.kg', 'Subject: raw', 'Auto-Submitted: auto-replied'],
      'text',
    );

    await withEnvironmentEndpoint((client) =>
      client.send(new SendEmailCommand({ Content: { Raw: { Data: raw } } })),
    );
    const [sent] = await ses.sentEmails();

    expect(sent?.subject).toBe('raw');
    expect(sent?.headers).toBeUndefined();
  });

  it('refuses calls while stopped and still lists earlier mail after starting again on the same port', async () => {
    const send = (client: SESv2Client, subject: string) =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'support@x2.kg',
          Destination: { ToAddresses: ['subject@example.kg'] },
          Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'body' } } } },
        }),
      );
    await withEnvironmentEndpoint((client) => send(client, 'before the outage'));

    await ses.stop();
    await expect(withEnvironmentEndpoint((client) => send(client, 'during the outage'))).rejects.toThrow();
    await ses.start();
    await withEnvironmentEndpoint((client) => send(client, 'after the outage'));

    expect((await ses.sentEmails()).map((email) => email.subject)).toEqual([
      'before the outage',
      'after the outage',
    ]);
  });
});

describe('S3 emulator', () => {
  let s3: S3EmulatorHandle;

  beforeAll(async () => {
    s3 = await startS3Emulator({ bucketName: 'makul-raw-mail-test', report: quiet });
  });

  afterAll(async () => {
    await s3?.dispose();
  });

  it('listens on 127.0.0.1 only', async () => {
    await expectLoopbackOnly(s3.port);
  });

  it('returns an object byte for byte as it was put', async () => {
    const body = new Uint8Array(256 * 1024).map((_, index) => (index * 31) % 256);

    await s3.putObject('inbound/byte-check', body);
    const stored = await s3.getObject('inbound/byte-check');

    expect(stored).not.toBeNull();
    expect(Buffer.from(stored ?? []).equals(Buffer.from(body))).toBe(true);
  });

  it('answers null for a key that was never put', async () => {
    expect(await s3.getObject('inbound/never-put')).toBeNull();
  });

  it('keeps objects when stopped and started again on the same port', async () => {
    await s3.putObject('inbound/restart-check', encoder.encode('kept'));

    await s3.stop();
    await expect(fetch(s3.objectUrl('inbound/restart-check'))).rejects.toThrow();
    await s3.start();

    expect(new TextDecoder().decode((await s3.getObject('inbound/restart-check')) ?? undefined)).toBe('kept');
  });
});

describe('SES event builders', () => {
  const { topicArn, queueArn } = localArns('eu-west-1');
  const receivedAt = new Date('2026-11-05T08:00:00.000Z');
  const original = rawMessage(
    [
      'From: =?UTF-8?B?0JDQudCz0q/Quw==?= <aigul@example.kg>',
      'To: support@x2.kg, "Archive" <archive@x2.kg>',
      'Cc: dpo@x2.kg',
      'Subject: =?UTF-8?B?0JbQtdC60LUg0LzQsNCw0LvRi9C80LDRgg==?=',
      'Message-ID: <m1@example.kg>',
      'Date: Thu, 05 Nov 2026 14:00:00 +0600',
    ],
    'body',
  );
  const envelope = { mailFrom: 'aigul@example.kg', rcptTo: ['support@x2.kg'] };
  const verdicts = signedByDomainVerdicts('example.kg');
  const stored = withSesTraceHeaders(original, {
    sesMessageId: 'abc123',
    envelope,
    verdicts,
    receivedAt,
    receivingHost: 'inbound-smtp.eu-west-1.amazonaws.com',
    clientHelo: 'mx.example.kg',
    clientAddress: '198.51.100.7',
  });
  const notification = buildSesReceiptNotification({
    storedMessage: stored,
    sesMessageId: 'abc123',
    envelope,
    verdicts,
    receivedAt,
    bucketName: 'raw-bucket',
    objectKeyPrefix: 'inbound/',
    objectKey: 'inbound/abc123',
    topicArn,
  });

  it('stores the message with the SES trace headers first and the original bytes untouched after them', () => {
    const names = readHeaderFields(stored).map((field) => field.name);

    expect(names.slice(0, 6)).toEqual([
      'Return-Path',
      'Received',
      'X-SES-Spam-Verdict',
      'X-SES-Virus-Verdict',
      'Received-SPF',
      'Authentication-Results',
    ]);
    expect(endsWithBytes(stored, original)).toBe(true);
    expect(readHeaderFields(stored)[5]?.value).toBe(
      'amazonses.com; spf=pass (spfCheck: domain of example.kg designates 198.51.100.7 as permitted sender) ' +
        'client-ip=198.51.100.7; envelope-from=aigul@example.kg; helo=mx.example.kg; ' +
        'dkim=pass header.i=@example.kg; dmarc=pass header.from=example.kg;',
    );
  });

  it('builds the receipt notification SES publishes for an S3 action', () => {
    expect(notification.notificationType).toBe('Received');
    expect(notification.mail).toMatchObject({
      timestamp: '2026-11-05T08:00:00.000Z',
      source: 'aigul@example.kg',
      messageId: 'abc123',
      destination: ['support@x2.kg', 'archive@x2.kg', 'dpo@x2.kg'],
      headersTruncated: false,
      commonHeaders: {
        returnPath: 'aigul@example.kg',
        from: ['Айгүл <aigul@example.kg>'],
        to: ['support@x2.kg', 'Archive <archive@x2.kg>'],
        cc: ['dpo@x2.kg'],
        messageId: '<m1@example.kg>',
        date: 'Thu, 05 Nov 2026 14:00:00 +0600',
        subject: 'Жеке маалымат',
      },
    });
    expect(notification.receipt).toMatchObject({
      recipients: ['support@x2.kg'],
      spamVerdict: { status: 'PASS' },
      dmarcVerdict: { status: 'PASS' },
      action: {
        type: 'S3',
        topicArn,
        bucketName: 'raw-bucket',
        objectKeyPrefix: 'inbound/',
        objectKey: 'inbound/abc123',
      },
    });
    expect(notification.receipt).not.toHaveProperty('dmarcPolicy');
  });

  it('cuts the notification headers at 10 KB and says so', () => {
    const manyHeaders = Array.from({ length: 200 }, (_, index) => `X-Filler-${index}: ${'x'.repeat(60)}`);
    const big = buildSesReceiptNotification({
      storedMessage: rawMessage(['From: a@example.kg', ...manyHeaders], 'body'),
      sesMessageId: 'big',
      envelope,
      verdicts,
      receivedAt,
      bucketName: 'raw-bucket',
      objectKeyPrefix: 'inbound/',
      objectKey: 'inbound/big',
      topicArn,
    });

    expect(big.mail.headersTruncated).toBe(true);
    expect(big.mail.headers.length).toBeLessThan(201);
    expect(big.mail.headers[0]?.name).toBe('From');
  });

  it('wraps the notification in an SNS envelope inside an SQS record, with a matching MD5 of the body', () => {
    const event = buildSqsEventForNotification(notification, {
      delivery: 'sns-envelope',
      topicArn,
      queueArn,
      receiveCount: 3,
    });
    const [record] = event.Records;
    const envelopeBody = JSON.parse(record?.body ?? '{}') as SnsNotificationEnvelope;

    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'eu-west-1',
    });
    expect(record?.attributes.ApproximateReceiveCount).toBe('3');
    expect(record?.md5OfBody).toBe(
      createHash('md5')
        .update(record?.body ?? '')
        .digest('hex'),
    );
    expect(envelopeBody).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn,
      Subject: 'Amazon SES Email Receipt Notification',
      SignatureVersion: '1',
    });
    expect(JSON.parse(envelopeBody.Message)).toEqual(notification);
  });

  it('puts the notification itself in the body with raw message delivery', () => {
    const event = buildSqsEventForNotification(notification, {
      delivery: 'raw-message-delivery',
      topicArn,
      queueArn,
    });

    expect(JSON.parse(event.Records[0]?.body ?? '{}')).toEqual(notification);
  });

  it('produces events the inbound handler accepts at its edge, in both delivery forms', () => {
    for (const delivery of ['sns-envelope', 'raw-message-delivery'] as const) {
      const [record] = buildSqsEventForNotification(notification, { delivery, topicArn, queueArn }).Records;
      if (record === undefined) throw new Error('no record');

      expect(notificationFromRecord(record).receipt.action.objectKey).toBe('inbound/abc123');
    }
  });

  it('matches the committed event fixtures (regenerate with npx tsx local/event-fixtures.ts)', async () => {
    const fixtures = buildEventFixtures();
    expect(fixtures.length).toBeGreaterThan(0);
    for (const fixture of fixtures) {
      const onDisk = await readFile(join(EVENT_FIXTURES_DIRECTORY, fixture.fileName));

      if (fixture.content instanceof Uint8Array) {
        expect(Buffer.from(fixture.content).equals(onDisk), fixture.fileName).toBe(true);
      } else {
        expect(JSON.parse(onDisk.toString('utf8')), fixture.fileName).toEqual(fixture.content);
      }
    }
  });
});

describe('SMTP inbound listener', () => {
  let s3: S3EmulatorHandle;
  let listener: SmtpInboundHandle;
  let deadLetterDirectory: string;
  const deliveries: SQSEvent[] = [];
  const outcomes: DeliveryOutcome[] = [];
  const progressLines: string[] = [];
  /** What the stand-in handler does on each call, in order; it succeeds once the list is used up. */
  let scriptedBehaviour: Array<'report-failure' | 'throw'> = [];

  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    deliveries.push(event);
    const behaviour = scriptedBehaviour.shift();
    if (behaviour === 'throw') throw new TypeError('handler broke');
    if (behaviour === 'report-failure') {
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    }
    return { batchItemFailures: [] };
  };

  beforeAll(async () => {
    deadLetterDirectory = await mkdtemp(join(tmpdir(), 'makul-dlq-test-'));
    s3 = await startS3Emulator({ bucketName: 'makul-raw-mail-smtp-test', report: quiet });
    listener = await startSmtpInbound({
      supportAddresses: ['Support@X2.kg'],
      rawMailStore: s3,
      deliver: handler,
      deadLetterDirectory,
      port: 0,
      region: 'eu-west-1',
      maxReceiveCount: 3,
      redeliveryDelayMs: 0,
      report: (line) => progressLines.push(line),
      onOutcome: (outcome) => outcomes.push(outcome),
    });
  });

  beforeEach(() => {
    deliveries.length = 0;
    outcomes.length = 0;
    scriptedBehaviour = [];
  });

  afterAll(async () => {
    await listener?.stop();
    await s3?.dispose();
    if (deadLetterDirectory !== undefined) await rm(deadLetterDirectory, { recursive: true, force: true });
  });

  const message = rawMessage(
    [
      'From: Aigul <aigul@example.kg>',
      'To: support@x2.kg',
      'Subject: =?UTF-8?B?0JbQtdC60LUg0LzQsNCw0LvRi9C80LDRgtGC0LDRgNC00Ysg0LDQutGC0YPQsNC70LTQsNGI0YLRi9GA0YPRgw==?=',
      'Message-ID: <smtp-test@example.kg>',
      'Date: Thu, 05 Nov 2026 14:00:00 +0600',
    ],
    'Please update my phone number.\r\n',
  );

  it('listens on 127.0.0.1 only', async () => {
    await expectLoopbackOnly(listener.port);
  });

  it('accepts mail for a support address and hands the handler an SQS event shaped like production', async () => {
    const { rcptReplies, dataReply } = await sendMail(listener.port, {
      from: 'aigul@example.kg',
      to: ['support@x2.kg'],
      message,
    });
    await listener.whenIdle();

    expect(rcptReplies[0]).toMatch(/^250 /);
    expect(dataReply).toMatch(/^250 Ok: queued as [0-9a-v]{40}/);
    expect(deliveries).toHaveLength(1);
    const record = deliveries[0]?.Records[0];
    if (record === undefined) throw new Error('no record delivered');
    expect(record).toMatchObject({ eventSource: 'aws:sqs', awsRegion: 'eu-west-1' });
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    const envelopeBody = JSON.parse(record.body) as SnsNotificationEnvelope;
    expect(envelopeBody.Subject).toBe('Amazon SES Email Receipt Notification');
    const notification = JSON.parse(envelopeBody.Message) as SesReceiptNotification;
    expect(notification.mail).toMatchObject({
      source: 'aigul@example.kg',
      destination: ['support@x2.kg'],
      commonHeaders: { subject: 'Жеке маалыматтарды актуалдаштыруу' },
    });
    expect(notification.receipt).toMatchObject({
      recipients: ['support@x2.kg'],
      spamVerdict: { status: 'GRAY' },
      virusVerdict: { status: 'GRAY' },
      spfVerdict: { status: 'GRAY' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'GRAY' },
      action: {
        type: 'S3',
        bucketName: 'makul-raw-mail-smtp-test',
        objectKey: `inbound/${notification.mail.messageId}`,
      },
    });
    expect(notificationFromRecord(record).mail.messageId).toBe(notification.mail.messageId);
    const storedObject = await s3.getObject(notification.receipt.action.objectKey);
    if (storedObject === null) throw new Error('raw mail was not stored');
    expect(startsWithBytes(storedObject, encoder.encode('Return-Path: <aigul@example.kg>\r\n'))).toBe(true);
    expect(endsWithBytes(storedObject, message)).toBe(true);
    expect(outcomes).toEqual([expect.objectContaining({ result: 'processed', attempts: 1 })]);
  });

  it('accepts a bounce from the null sender and passes an empty source, leaving the decision to the handler', async () => {
    await sendMail(listener.port, { from: '', to: ['support@x2.kg'], message });
    await listener.whenIdle();

    const record = deliveries[0]?.Records[0];
    if (record === undefined) throw new Error('no record delivered');
    const notification = notificationFromRecord(record);
    expect(notification.mail.source).toBe('');
    const stored = await s3.getObject(notification.receipt.action.objectKey);
    expect(startsWithBytes(stored ?? new Uint8Array(), encoder.encode('Return-Path: <>\r\n'))).toBe(true);
  });

  it('refuses recipients that are not support addresses with 550, without echoing the address', async () => {
    const { rcptReplies, dataReply } = await sendMail(listener.port, {
      from: 'aigul@example.kg',
      to: ['someone-else@x2.kg'],
      message,
    });
    await listener.whenIdle();

    expect(rcptReplies[0]).toMatch(/^550 /);
    expect(rcptReplies[0]).not.toContain('someone-else');
    expect(dataReply).toBeNull();
    expect(deliveries).toHaveLength(0);
  });

  it('delivers a failed message again with a higher receive count until the handler succeeds', async () => {
    scriptedBehaviour = ['throw'];

    await sendMail(listener.port, { from: 'aigul@example.kg', to: ['support@x2.kg'], message });
    await listener.whenIdle();

    expect(deliveries.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
    ]);
    expect(new Set(deliveries.map((event) => event.Records[0]?.messageId)).size).toBe(1);
    expect(outcomes).toEqual([expect.objectContaining({ result: 'processed', attempts: 2 })]);
  });

  it('moves a message that fails every delivery to the dead-letter folder', async () => {
    scriptedBehaviour = ['report-failure', 'throw', 'report-failure'];

    await sendMail(listener.port, { from: 'aigul@example.kg', to: ['support@x2.kg'], message });
    await listener.whenIdle();

    expect(deliveries).toHaveLength(3);
    const [outcome] = outcomes;
    expect(outcome).toMatchObject({ result: 'dead-lettered', attempts: 3 });
    const files = await readdir(deadLetterDirectory);
    expect(files).toHaveLength(1);
    const deadLettered = JSON.parse(await readFile(join(deadLetterDirectory, files[0] ?? ''), 'utf8')) as {
      record: { messageId: string; attributes: { ApproximateReceiveCount: string } };
    };
    expect(deadLettered.record.messageId).toBe(outcome?.sqsMessageId);
    expect(deadLettered.record.attributes.ApproximateReceiveCount).toBe('3');
  });

  it('never prints an address or the message in its progress lines, even when the handler fails', async () => {
    progressLines.length = 0;
    scriptedBehaviour = ['throw'];

    await sendMail(listener.port, { from: 'aigul@example.kg', to: ['support@x2.kg'], message });
    await listener.whenIdle();

    expect(progressLines.some((line) => line.includes('received'))).toBe(true);
    expect(progressLines.some((line) => line.includes('failed: the handler threw TypeError'))).toBe(true);
    expect(progressLines.filter((line) => /example\.kg|Aigul|phone/.test(line))).toEqual([]);
  });

  it('answers 552 to a message over its size limit and hands nothing to the handler', async () => {
    const small = await startSmtpInbound({
      supportAddresses: ['support@x2.kg'],
      rawMailStore: s3,
      deliver: handler,
      deadLetterDirectory,
      port: 0,
      maxMessageBytes: 1024,
      report: quiet,
    });
    try {
      const oversized = rawMessage(
        ['From: aigul@example.kg', 'To: support@x2.kg'],
        `${'x'.repeat(76)}\r\n`.repeat(40),
      );

      const { dataReply } = await sendMail(small.port, {
        from: 'aigul@example.kg',
        to: ['support@x2.kg'],
        message: oversized,
      });
      await small.whenIdle();

      expect(dataReply).toMatch(/^552 /);
      expect(deliveries).toHaveLength(0);
    } finally {
      await small.stop();
    }
  });
});

/**
 * Runs the real inbound function against the real local services: DynamoDB Local, the SES v2
 * emulator and the S3 emulator, all on 127.0.0.1. Tests deliver raw mail the way production does
 * (raw MIME in S3, SES notification through SNS and SQS) and read back what was recorded and sent.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { DynamoDbFulfilmentRegister } from '../../functions/adapters/dynamodb/fulfilment-register';
import type { InboundDependencies } from '../../functions/app/handle-inbound-mail';
import { noticeComposer } from '../../functions/app/prepare-notice';
import {
  createInboundHandler,
  handleInboundBatch,
  type InboundHandler,
} from '../../functions/inbound-email/handler';
import { CountingMetrics } from '../../functions/ports/metrics';
import type { LinkRegister } from '../../functions/ports/request-register';
import { AWS_CALL_TIMEOUTS } from '../../functions/shared/aws-timeouts';
import { type FunctionConfig, loadFunctionConfig } from '../../functions/shared/config';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { createLogger, type Logger } from '../../functions/shared/log';
import { linkRegisterOn } from '../../functions/shared/register-runtime';
import { createRuntime, type Runtime } from '../../functions/shared/runtime';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../local/dynamodb-local';
import { FIXTURE_BUCKET } from '../../local/event-fixtures';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { createMakulTables } from '../../local/makul-tables';
import { type S3EmulatorHandle, startS3Emulator } from '../../local/s3-emulator';
import { SPF_ONLY_VERDICTS } from '../../local/sample-verdicts';
import { type SesEmulatorHandle, startSesEmulator } from '../../local/ses-emulator';
import { newSesMessageId, receiveLikeSes, type SesVerdicts } from '../../local/ses-receipt';
import { buildSqsRecord, localArns, redeliveredRecord, sqsBodyForNotification } from '../../local/sqs-event';
import { sampleProfile } from './sample-profile';

export const SUPPORT_ADDRESS = 'support@x2.kg';
export const HUMAN_INBOX = 'team@x2.kg';
export const HMAC_KEY = 'integration-test-hmac-key-0123456789abcdef0123456789';
const TABLES = { requestsTableName: 'makul-requests', subjectsTableName: 'makul-subjects' };
/** The fixture events' bucket, so a committed event runs through the handler as it is. */
const BUCKET = FIXTURE_BUCKET;
const ARNS = localArns(LOCAL_REGION);

export const PASSING_VERDICTS: SesVerdicts = SPF_ONLY_VERDICTS;

/** The inbound dependencies, with the register the pages and the deferred-outbound job use. */
export type HarnessDependencies = InboundDependencies & { readonly register: LinkRegister };

export interface Delivery {
  readonly record: SQSRecord;
  readonly sesMessageId: string;
  readonly objectKey: string;
}

export class InboundHarness {
  private clockOffsetMs = 0;
  /** What the use cases counted in this harness's runs. */
  readonly metrics = new CountingMetrics();

  private constructor(
    /** Every log line the function wrote, for the "no personal data in logs" checks. */
    readonly logLines: readonly string[],
    readonly dynamodb: DynamoDbLocalHandle,
    readonly ses: SesEmulatorHandle,
    readonly s3: S3EmulatorHandle,
    readonly runtime: Runtime<LinkRegister>,
    readonly config: FunctionConfig,
    readonly logger: Logger,
    readonly client: DynamoDBClient,
    /** The environment the function runs with against these local services. */
    readonly environment: NodeJS.ProcessEnv,
  ) {}

  static async start(
    options: {
      /**
       * The public pages' base URL in the links the function mails, instead of the sample profile's
       * (browser tests serve the pages on http://127.0.0.1:<port>). @default the sample profile's
       */
      confirmBaseUrl?: string;
    } = {},
  ): Promise<InboundHarness> {
    const quiet = () => undefined;
    const [dynamodb, ses, s3] = await Promise.all([
      startDynamoDbLocal({ report: quiet }),
      startSesEmulator({ report: quiet }),
      startS3Emulator({ bucketName: BUCKET, report: quiet }),
    ]);
    await createMakulTables(dynamodb.endpoint, TABLES);
    const logLines: string[] = [];
    const environment = {
      ...functionEnvironment({
        profile: sampleProfile(
          options.confirmBaseUrl === undefined ? {} : { confirmBaseUrl: options.confirmBaseUrl },
        ),
        requestsTableName: TABLES.requestsTableName,
        subjectsTableName: TABLES.subjectsTableName,
        rawMailBucketName: BUCKET,
        hmac: { key: HMAC_KEY },
        region: LOCAL_REGION,
        endpoints: { dynamodb: dynamodb.endpoint, sesv2: ses.endpoint, s3: s3.endpoint },
      }),
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
    const config = loadFunctionConfig(environment);
    const runtime = createRuntime(config, environment, AWS_CALL_TIMEOUTS, linkRegisterOn);
    const logger = capturingLogger(logLines);
    const client = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: dynamodb.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    return new InboundHarness(logLines, dynamodb, ses, s3, runtime, config, logger, client, environment);
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await Promise.allSettled([this.dynamodb.dispose(), this.ses.dispose(), this.s3.dispose()]);
  }

  /** The deployed handler itself (middy, key loading, wiring), built from the same environment. */
  handler(): InboundHandler {
    return createInboundHandler(this.environment, capturingLogger(this.logLines as string[]));
  }

  /** Moves the function's clock forward (claims expire, days pass) without waiting. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Back to the real time (tests that moved the clock call this when done). */
  resetClock(): void {
    this.clockOffsetMs = 0;
  }

  dependencies(overrides: Partial<HarnessDependencies> = {}): HarnessDependencies {
    const deps: HarnessDependencies = {
      profile: this.config.profile,
      register: this.runtime.register,
      mailSender: this.runtime.mailSender,
      rawMailStore: this.runtime.rawMailStore,
      hmacKey: HMAC_KEY,
      now: () => new Date(Date.now() + this.clockOffsetMs),
      log: this.logger,
      outboundClaimLeaseMs: this.config.outboundClaimLeaseMs,
      metrics: this.metrics,
      ...overrides,
    };
    // As the deferred-outbound job has it: the only function that sends notices.
    // The access report reads the data systems' answers (their tasks) from the same table.
    const fulfilment = new DynamoDbFulfilmentRegister(this.client, this.config.requestsTableName);
    return { composeNotice: noticeComposer({ ...deps, fulfilment }), ...deps };
  }

  /** Stores the raw message in S3 as the receipt rule would, and builds the SQS record SNS delivers. */
  async deliver(
    raw: string | Uint8Array,
    options: {
      mailFrom?: string;
      /** Envelope recipients (RCPT TO) SES accepted the message for; default: the support address. */
      rcptTo?: readonly string[];
      verdicts?: SesVerdicts;
      delivery?: 'sns-envelope' | 'raw-message-delivery';
    } = {},
  ): Promise<Delivery> {
    const sesMessageId = newSesMessageId();
    const { stored, objectKey, notification } = receiveLikeSes(
      typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw,
      {
        sesMessageId,
        envelope: {
          mailFrom: options.mailFrom ?? 'sender@example.kg',
          rcptTo: options.rcptTo ?? [SUPPORT_ADDRESS],
        },
        verdicts: options.verdicts ?? PASSING_VERDICTS,
        receivedAt: new Date(),
        receivingHost: `inbound-smtp.${LOCAL_REGION}.amazonaws.com`,
        clientHelo: 'mail.example.kg',
        clientAddress: '192.0.2.10',
        bucketName: BUCKET,
        objectKeyPrefix: 'inbound/',
        topicArn: ARNS.topicArn,
      },
    );
    await this.s3.putObject(objectKey, stored);
    const body = sqsBodyForNotification(notification, {
      delivery: options.delivery ?? 'sns-envelope',
      topicArn: ARNS.topicArn,
    });
    return { record: buildSqsRecord({ body, queueArn: ARNS.queueArn }), sesMessageId, objectKey };
  }

  /** Runs one batch through the function, as the SQS event source would. */
  async runBatch(
    records: readonly SQSRecord[],
    overrides: Partial<InboundDependencies> = {},
  ): Promise<SQSBatchResponse> {
    return handleInboundBatch([...records], { ...this.dependencies(), ...overrides }, this.config);
  }

  redeliver(record: SQSRecord, receiveCount: number): SQSRecord {
    return redeliveredRecord(record, receiveCount);
  }

  async requestItem(requestId: string) {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: TABLES.requestsTableName,
        Key: { pk: { S: `REQ#${requestId}` }, sk: { S: 'META' } },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  async subjectProfile(subjectKey: string) {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: TABLES.subjectsTableName,
        Key: { pk: { S: `SUB#${subjectKey}` }, sk: { S: 'PROFILE' } },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** Replies counted against the subject's daily limit on a local day (YYYY-MM-DD). */
  async replyCount(subjectKey: string, day: string): Promise<number> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: TABLES.subjectsTableName,
        Key: { pk: { S: `SUB#${subjectKey}` }, sk: { S: `REPLIES#${day}` } },
        ConsistentRead: true,
      }),
    );
    return Number(Item?.sentCount?.N ?? 0);
  }

  async tokenItem(tokenHash: string) {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: TABLES.requestsTableName,
        Key: { pk: { S: `TOKEN#${tokenHash}` }, sk: { S: 'TOKEN' } },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** Stamps a request as carried out, as the erasure executor will: "this was not me" is then too late. */
  async markExecuted(requestId: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: TABLES.requestsTableName,
        Key: { pk: { S: `REQ#${requestId}` }, sk: { S: 'META' } },
        UpdateExpression: 'SET executedAt = :now',
        ExpressionAttributeValues: { ':now': { S: new Date().toISOString() } },
      }),
    );
  }

  /** Mail the SES emulator accepted for one recipient. */
  async sentTo(address: string) {
    return (await this.ses.sentEmails()).filter((email) => email.destination.to.includes(address));
  }
}

function capturingLogger(lines: string[]) {
  return createLogger('DEBUG', { fn: 'inbound-email' }, (line) => lines.push(line));
}

/** A phrase only the test mails' bodies contain: it must never reappear in a reply or a log. */
export const BODY_MARKER = 'Менин өтүнүчүм 7781';

/** A small request mail, written the way a person's mail client would. */
export function requestMail(options: {
  from: string;
  /** The To header; default: the support address. */
  to?: string;
  subject: string;
  body?: string;
  messageId?: string;
  extraHeaders?: string[];
}): string {
  return [
    `From: ${options.from}`,
    `To: ${options.to ?? SUPPORT_ADDRESS}`,
    `Subject: ${options.subject}`,
    `Message-ID: ${options.messageId ?? `<${Math.random().toString(36).slice(2)}@mail.example.kg>`}`,
    // Written just now: an authenticated mail counts as proof only when it is recent.
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(options.extraHeaders ?? []),
    '',
    options.body ?? `${BODY_MARKER}: Өтүнүчүмдү аткарып бериңиз. Айгүл Осмонова, +996 555 123 456`,
    '',
  ].join('\r\n');
}

/**
 * A local stand-in for SES email receiving: an SMTP listener on 127.0.0.1 that accepts mail for the
 * operator's support addresses, stores it in the S3 emulator as SES would, and hands the handler the
 * same SQS event production delivers (SES → SNS → SQS → Lambda), re-delivering failed messages like
 * SQS and moving them to a local dead-letter folder after the last try.
 *
 * No TLS: the listener binds to loopback only, so mail never crosses a network; in production the
 * receipt rule's TLS policy (enforced by SES) protects mail in transit.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { MAX_RECEIVE_COUNT } from '../functions/shared/config';
import { LOCAL_VERDICTS_HEADER, readLocalVerdicts } from './local-verdicts-header';
import { LOCAL_REGION, LOOPBACK_HOST, type ProgressReporter } from './loopback';
import { UNCHECKED_VERDICTS } from './sample-verdicts';
import {
  newSesMessageId,
  receiveLikeSes,
  SES_MAX_STORED_MESSAGE_BYTES,
  type SesVerdicts,
} from './ses-receipt';
import {
  buildSqsEventForNotification,
  localArns,
  redeliveredRecord,
  type SnsDeliveryForm,
} from './sqs-event';

/**
 * Verdicts for mail that arrives through the local listener without an X-Makul-Local-Verdicts header.
 * Nothing scans it and nothing checks SPF, DKIM or DMARC, so every verdict is GRAY: SES's own word for
 * "could not tell". PASS would claim checks that never ran (and would let a forged sender through the
 * proof-of-sender rules); DISABLED is a state production never produces, because the receipt rule
 * always scans.
 *
 * To try what a verdict changes, a message says which verdicts it should have in an
 * `X-Makul-Local-Verdicts` header (e.g. `authenticated`, or `spf=pass dkim=fail dmarc=fail:reject`;
 * grammar in ./local-verdicts-header.ts and docs/local-stack.md). The listener alone honours it, and
 * removes it before the message is stored and handed on; an unparseable one is refused at DATA.
 */
export const LOCAL_SMTP_VERDICTS: SesVerdicts = UNCHECKED_VERDICTS;

/** Where raw mail goes: the S3 emulator handle fits. */
export interface RawMailStore {
  readonly bucketName: string;
  putObject(key: string, body: Uint8Array): Promise<void>;
}

/** The inbound handler as SQS's event source mapping calls it (with ReportBatchItemFailures). */
export type InboundDelivery = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface DeliveryOutcome {
  readonly sesMessageId: string;
  readonly sqsMessageId: string;
  readonly attempts: number;
  readonly result: 'processed' | 'dead-lettered';
  /** Where the dead-lettered SQS record was written. */
  readonly deadLetterFile?: string;
}

export interface SmtpInboundOptions {
  /** Only these recipients are accepted (case-insensitive); others get 550, like an unmatched receipt rule. */
  readonly supportAddresses: readonly string[];
  readonly rawMailStore: RawMailStore;
  readonly deliver: InboundDelivery;
  /** Folder for messages that failed every delivery (the local dead-letter queue). */
  readonly deadLetterDirectory: string;
  /** @default 2525; 0 picks a free port */
  readonly port?: number;
  /** @default LOCAL_REGION */
  readonly region?: string;
  /** S3 key prefix of the receipt rule's action. @default 'inbound/' */
  readonly objectKeyPrefix?: string;
  /** @default 'sns-envelope' (an SQS subscription without raw message delivery) */
  readonly deliveryForm?: SnsDeliveryForm;
  /**
   * Verdicts of a message without an X-Makul-Local-Verdicts header (one with it gets the header's).
   * @default LOCAL_SMTP_VERDICTS
   */
  readonly verdicts?: SesVerdicts;
  /**
   * Largest message accepted, advertised with SIZE. @default 40 MB, SES's own limit for the S3 action:
   * the pipeline records mail above the operator's parse limit itself, so the listener must let it in.
   */
  readonly maxMessageBytes?: number;
  /**
   * Receives before a message goes to the dead-letter folder (the redrive policy's maxReceiveCount).
   * @default MAX_RECEIVE_COUNT, the production queue's (functions/shared/config.ts)
   */
  readonly maxReceiveCount?: number;
  /** Wait before a failed message is received again (the visibility timeout). @default 1000 */
  readonly redeliveryDelayMs?: number;
  readonly report?: ProgressReporter;
  /** Called once per accepted message when it is processed or dead-lettered. */
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
}

export interface SmtpInboundHandle {
  readonly host: string;
  readonly port: number;
  /** Resolves when every accepted message has been processed or dead-lettered. */
  whenIdle(): Promise<void>;
  /** Stops accepting connections, then waits for messages already accepted. */
  stop(): Promise<void>;
}

interface SmtpReplyError extends Error {
  responseCode: number;
}

function smtpError(responseCode: number, message: string): SmtpReplyError {
  return Object.assign(new Error(message), { responseCode });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Error name and where it was thrown, never its message: messages can carry addresses or text from the mail. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'a non-Error value was thrown';
  const frame = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return frame === undefined ? error.name : `${error.name} ${frame}`;
}

async function readMessage(stream: SMTPServerDataStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export async function startSmtpInbound(options: SmtpInboundOptions): Promise<SmtpInboundHandle> {
  const report = options.report ?? ((line: string) => process.stdout.write(`${line}\n`));
  const accepted = new Set(options.supportAddresses.map((address) => address.toLowerCase()));
  const region = options.region ?? LOCAL_REGION;
  const { topicArn, queueArn } = localArns(region);
  const objectKeyPrefix = options.objectKeyPrefix ?? 'inbound/';
  const maxMessageBytes = options.maxMessageBytes ?? SES_MAX_STORED_MESSAGE_BYTES;
  const maxReceiveCount = options.maxReceiveCount ?? MAX_RECEIVE_COUNT;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 1000;
  const verdicts = options.verdicts ?? LOCAL_SMTP_VERDICTS;
  const acceptedList = [...accepted].join(', ');

  // One message at a time, like a function with reserved concurrency 1: output stays readable and a
  // test sees deliveries in the order the mail arrived.
  let queue: Promise<void> = Promise.resolve();

  const deadLetter = async (record: SQSRecord): Promise<string> => {
    await mkdir(options.deadLetterDirectory, { recursive: true });
    const file = join(
      options.deadLetterDirectory,
      `${new Date().toISOString().replaceAll(':', '-')}-${record.messageId}.json`,
    );
    const entry = { deadLetteredAt: new Date().toISOString(), sourceQueueArn: queueArn, record };
    await writeFile(file, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
    return file;
  };

  const deliverWithRetries = async (sesMessageId: string, event: SQSEvent): Promise<DeliveryOutcome> => {
    let [record] = event.Records;
    if (record === undefined) throw new Error('an SQS event without records');
    for (let receiveCount = 1; receiveCount <= maxReceiveCount; receiveCount += 1) {
      if (receiveCount > 1) record = redeliveredRecord(record, receiveCount);
      let failure: string | null = null;
      try {
        const response = await options.deliver({ Records: [record] });
        const itemFailed = response?.batchItemFailures.some(
          (item) => item.itemIdentifier === record?.messageId,
        );
        if (itemFailed === true) failure = 'the handler reported the message as a batch item failure';
      } catch (error) {
        failure = `the handler threw ${describeFailure(error)}`;
      }
      if (failure === null) {
        return { sesMessageId, sqsMessageId: record.messageId, attempts: receiveCount, result: 'processed' };
      }
      const next =
        receiveCount < maxReceiveCount ? `; SQS will deliver it again in ${redeliveryDelayMs} ms` : '';
      report(
        `SMTP ${sesMessageId}: delivery ${receiveCount} of ${maxReceiveCount} failed: ${failure}${next}`,
      );
      if (receiveCount < maxReceiveCount) await delay(redeliveryDelayMs);
    }
    // The file holds the SES notification, which names the sender: it is written, never printed.
    const deadLetterFile = await deadLetter(record);
    report(
      `SMTP ${sesMessageId}: moved to the dead-letter folder after ${maxReceiveCount} tries: ${deadLetterFile}`,
    );
    return {
      sesMessageId,
      sqsMessageId: record.messageId,
      attempts: maxReceiveCount,
      result: 'dead-lettered',
      deadLetterFile,
    };
  };

  const enqueue = (sesMessageId: string, event: SQSEvent): void => {
    queue = queue
      .then(() => deliverWithRetries(sesMessageId, event))
      .then(
        (outcome) => options.onOutcome?.(outcome),
        (error: unknown) => report(`SMTP ${sesMessageId}: could not be delivered: ${describeFailure(error)}`),
      );
  };

  const onData = (
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null, message?: string) => void,
  ): void => {
    const receivedAt = new Date();
    readMessage(stream)
      .then(async (raw) => {
        if (stream.sizeExceeded) {
          callback(
            smtpError(
              552,
              `5.3.4 Message exceeds the fixed maximum message size of ${maxMessageBytes} bytes`,
            ),
          );
          return;
        }
        // The local verdicts header: honoured here, refused when malformed, never passed on.
        const local = readLocalVerdicts(raw);
        if (local.status === 'malformed') {
          report(`SMTP: refused a message at DATA (554): ${local.reason}; nothing stored`);
          callback(smtpError(554, `5.6.0 ${local.reply}`));
          return;
        }
        const sesMessageId = newSesMessageId();
        const envelope = {
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
        };
        const { stored, objectKey, notification } = receiveLikeSes(local.message, {
          sesMessageId,
          envelope,
          verdicts: local.status === 'honoured' ? local.verdicts : verdicts,
          receivedAt,
          receivingHost: 'makul-local-smtp',
          clientHelo: session.hostNameAppearsAs || session.clientHostname,
          clientAddress: session.remoteAddress.replace(/^::ffff:/, ''),
          bucketName: options.rawMailStore.bucketName,
          objectKeyPrefix,
          topicArn,
        });
        try {
          await options.rawMailStore.putObject(objectKey, stored);
        } catch (error) {
          // SES answers a temporary failure when it cannot store the message; the sender retries later.
          report(`SMTP: could not store a message in S3 (${describeFailure(error)}); answered 451`);
          callback(smtpError(451, '4.3.0 Could not store the message, try again later'));
          return;
        }
        const event = buildSqsEventForNotification(notification, {
          delivery: options.deliveryForm ?? 'sns-envelope',
          topicArn,
          queueArn,
        });
        const verdictsNote =
          local.status === 'honoured' ? `; verdicts from ${LOCAL_VERDICTS_HEADER}: ${local.summary}` : '';
        report(
          `SMTP ${sesMessageId}: received ${kilobytes(raw.length)}, stored at s3://${options.rawMailStore.bucketName}/${objectKey}${verdictsNote}`,
        );
        // SES accepts the mail once it is stored; processing happens after the SMTP reply.
        callback(null, `Ok: queued as ${sesMessageId}`);
        enqueue(sesMessageId, event);
      })
      .catch((error: unknown) => {
        report(`SMTP: failed to receive a message (${describeFailure(error)}); answered 451`);
        callback(smtpError(451, '4.3.0 Local processing error, try again later'));
      });
  };

  const server = new SMTPServer({
    name: 'makul-local-smtp',
    banner: 'makul local inbound mail (loopback only)',
    size: maxMessageBytes,
    rejectOversized: true,
    // No AUTH: SES receiving takes mail from anyone; no STARTTLS: loopback only (see the top of the file).
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (accepted.has(address.address.toLowerCase())) {
        callback();
        return;
      }
      // The refused address is neither printed nor echoed: SMTP replies end up in client logs.
      report('SMTP: refused a recipient that is not a support address (550)');
      callback(
        smtpError(550, `5.1.1 Mailbox unavailable: this server accepts mail only for ${acceptedList}`),
      );
    },
    onData,
  });

  const requestedPort = options.port ?? 2525;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `SMTP listener: port ${requestedPort} on ${LOOPBACK_HOST} is already in use (choose another with --smtp-port)`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(requestedPort, LOOPBACK_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After start, connection-level errors (a client hanging up mid-command) are reported, not thrown.
  server.on('error', (error) => report(`SMTP listener: ${describeFailure(error)}`));
  const address = server.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : requestedPort;
  report(`SMTP listener: ready at ${LOOPBACK_HOST}:${port}, accepting mail for ${acceptedList}`);

  const whenIdle = async (): Promise<void> => {
    // Deliveries can enqueue further work while we wait; loop until the queue stops changing.
    for (;;) {
      const current = queue;
      await current;
      if (current === queue) return;
    }
  };

  return {
    host: LOOPBACK_HOST,
    port,
    whenIdle,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await whenIdle();
      report('SMTP listener: stopped');
    },
  };
}

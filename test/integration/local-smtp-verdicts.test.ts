/**
 * The X-Makul-Local-Verdicts header end to end: mail sent to the real SMTP listener, stored in the S3
 * emulator and run through the real inbound function on DynamoDB Local and the SES v2 emulator. The
 * listener honours the header and removes it; the function, as in production, never reads it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import { notificationFromRecord } from '../../functions/inbound-email/ses-notification';
import { LOCAL_VERDICTS_HEADER } from '../../local/local-verdicts-header';
import { LOCAL_REGION } from '../../local/loopback';
import { readHeaderFields } from '../../local/ses-receipt';
import {
  type DeliveryOutcome,
  LOCAL_SMTP_VERDICTS,
  type RawMailStore,
  type SmtpInboundHandle,
  startSmtpInbound,
} from '../../local/smtp-inbound';
import { InboundHarness, requestMail, SUPPORT_ADDRESS } from '../support/inbound-harness';
import { sendMail } from '../support/smtp-client';

const encoder = new TextEncoder();
const lambdaContext = { awsRequestId: 'local-verdicts-test' } as Context;
const HEADER_PATTERN = /x-makul-local-verdicts/i;

let harness: InboundHarness;
let listener: SmtpInboundHandle;
let deadLetterDirectory: string;
/** Keys the listener stored in the S3 emulator. */
const storedKeys: string[] = [];
const deliveries: SQSEvent[] = [];
const outcomes: DeliveryOutcome[] = [];
const progressLines: string[] = [];

beforeAll(async () => {
  harness = await InboundHarness.start();
  deadLetterDirectory = await mkdtemp(join(tmpdir(), 'makul-dlq-verdicts-test-'));
  const s3 = harness.s3;
  const recordingStore: RawMailStore = {
    bucketName: s3.bucketName,
    putObject: async (key, body) => {
      storedKeys.push(key);
      await s3.putObject(key, body);
    },
  };
  listener = await startSmtpInbound({
    supportAddresses: [SUPPORT_ADDRESS],
    rawMailStore: recordingStore,
    // The real inbound function, as the local stack runs it.
    deliver: async (event): Promise<SQSBatchResponse> => {
      deliveries.push(event);
      return await harness.runBatch(event.Records);
    },
    deadLetterDirectory,
    port: 0,
    region: LOCAL_REGION,
    maxReceiveCount: 1,
    redeliveryDelayMs: 0,
    report: (line) => progressLines.push(line),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
});

beforeEach(() => {
  storedKeys.length = 0;
  deliveries.length = 0;
  outcomes.length = 0;
  progressLines.length = 0;
});

afterAll(async () => {
  await listener?.stop();
  await harness?.stop();
  if (deadLetterDirectory !== undefined) await rm(deadLetterDirectory, { recursive: true, force: true });
});

/** Sends a mail through the listener and waits until the function has handled it. */
async function sendThroughListener(sender: string, message: string) {
  const replies = await sendMail(listener.port, {
    from: sender,
    to: [SUPPORT_ADDRESS],
    message: encoder.encode(message),
  });
  await listener.whenIdle();
  return replies;
}

/** The one delivery of the last message: its SQS event body, notification and stored bytes. */
async function onlyDelivery() {
  expect(deliveries).toHaveLength(1);
  const record = deliveries[0]?.Records[0];
  if (record === undefined) throw new Error('nothing was delivered');
  const notification = notificationFromRecord(record);
  const stored = await harness.s3.getObject(notification.receipt.action.objectKey);
  if (stored === null) throw new Error('the raw mail was not stored');
  return { record, notification, stored, storedText: Buffer.from(stored).toString('utf8') };
}

function authenticationResults(stored: Uint8Array): string {
  return readHeaderFields(stored).find((field) => field.name === 'Authentication-Results')?.value ?? '';
}

describe('SMTP listener with X-Makul-Local-Verdicts, into the real inbound function', () => {
  it('decides an erasure as authenticated with "authenticated", and neither the stored mail nor the event carries the header', async () => {
    const sender = 'owner.local@example.org';
    const { dataReply } = await sendThroughListener(
      sender,
      requestMail({
        from: sender,
        subject: 'delete my data',
        extraHeaders: [`${LOCAL_VERDICTS_HEADER}: authenticated`],
      }),
    );

    expect(dataReply).toMatch(/^250 /);
    const { record, notification, stored, storedText } = await onlyDelivery();
    expect(notification.receipt).toMatchObject({
      spamVerdict: { status: 'PASS' },
      virusVerdict: { status: 'PASS' },
      spfVerdict: { status: 'PASS' },
      dkimVerdict: { status: 'PASS' },
      dmarcVerdict: { status: 'PASS' },
    });
    expect(authenticationResults(stored)).toMatch(
      /^amazonses\.com; spf=pass .* dkim=pass header\.i=@example\.org; dmarc=pass header\.from=example\.org;$/,
    );
    expect(storedText).not.toMatch(HEADER_PATTERN);
    expect(record.body).not.toMatch(HEADER_PATTERN);
    expect(outcomes).toEqual([expect.objectContaining({ result: 'processed' })]);
    expect(await harness.requestItem(requestIdFor(notification.mail.messageId))).toMatchObject({
      kind: { S: 'erasure' },
      status: { S: 'in-progress' },
      senderAuthenticated: { BOOL: true },
    });
    const received = progressLines.filter((line) => line.includes(': received '));
    expect(received).toEqual([
      expect.stringMatching(
        /; verdicts from X-Makul-Local-Verdicts: spf=PASS dkim=PASS \(signed by the From domain\) dmarc=PASS spam=PASS virus=PASS$/,
      ),
    ]);
    expect(progressLines.filter((line) => /example\.org|owner/.test(line))).toEqual([]);
  });

  it('honours a lower-case, folded header and removes its continuation lines too', async () => {
    const sender = 'folded.local@example.org';
    await sendThroughListener(
      sender,
      requestMail({
        from: sender,
        subject: 'withdraw consent',
        extraHeaders: ['x-makul-local-verdicts: spf=pass', '  dkim=pass', '\tdmarc=pass', 'X-Kept: yes'],
      }),
    );

    const { notification, stored, storedText } = await onlyDelivery();
    expect(notification.receipt).toMatchObject({
      spamVerdict: { status: 'GRAY' },
      spfVerdict: { status: 'PASS' },
      dkimVerdict: { status: 'PASS' },
      dmarcVerdict: { status: 'PASS' },
    });
    expect(storedText).not.toMatch(HEADER_PATTERN);
    expect(storedText).not.toMatch(/\r\n[ \t]+(dkim|dmarc)=pass\r\n/);
    expect(readHeaderFields(stored).find((field) => field.name === 'X-Kept')?.value).toBe('yes');
    expect(await harness.requestItem(requestIdFor(notification.mail.messageId))).toMatchObject({
      kind: { S: 'withdraw-consent' },
      status: { S: 'in-progress' },
      senderAuthenticated: { BOOL: true },
    });
  });

  it('gives mail without the header GRAY verdicts as before: the erasure waits for a confirmed link', async () => {
    const sender = 'owner.gray@example.org';
    const message = requestMail({ from: sender, subject: 'delete my data' });
    const { dataReply } = await sendThroughListener(sender, message);

    expect(dataReply).toMatch(/^250 /);
    const { notification, stored } = await onlyDelivery();
    expect(notification.receipt).toMatchObject({
      spamVerdict: { status: LOCAL_SMTP_VERDICTS.spam },
      virusVerdict: { status: 'GRAY' },
      spfVerdict: { status: 'GRAY' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'GRAY' },
    });
    expect(authenticationResults(stored)).toContain(' dkim=none; dmarc=none ');
    expect(Buffer.from(stored).toString('utf8').endsWith(message)).toBe(true);
    expect(await harness.requestItem(requestIdFor(notification.mail.messageId))).toMatchObject({
      kind: { S: 'erasure' },
      status: { S: 'awaiting-verification' },
    });
    expect(progressLines.filter((line) => line.includes('verdicts from'))).toEqual([]);
  });

  it('neither honours nor removes the header in the body: only the top-level header block counts', async () => {
    const sender = 'body.local@example.org';
    const body = `Please delete my data.\r\n${LOCAL_VERDICTS_HEADER}: authenticated\r\n`;
    await sendThroughListener(sender, requestMail({ from: sender, subject: 'delete my data', body }));

    const { notification, storedText } = await onlyDelivery();
    expect(notification.receipt.dmarcVerdict.status).toBe('GRAY');
    expect(storedText).toContain(body);
    expect(await harness.requestItem(requestIdFor(notification.mail.messageId))).toMatchObject({
      status: { S: 'awaiting-verification' },
    });
  });

  it('refuses a malformed header at DATA with 554, naming the bad token, and stores and delivers nothing', async () => {
    const sender = 'typo.local@example.org';
    const { rcptReplies, dataReply } = await sendThroughListener(
      sender,
      requestMail({
        from: sender,
        subject: 'delete my data',
        extraHeaders: [`${LOCAL_VERDICTS_HEADER}: spf=pass dkim=maybe`],
      }),
    );

    expect(rcptReplies[0]).toMatch(/^250 /);
    expect(dataReply).toMatch(
      /^554 5\.6\.0 X-Makul-Local-Verdicts header: "dkim=maybe" has a verdict other than pass, fail or gray/,
    );
    expect(storedKeys).toEqual([]);
    expect(deliveries).toEqual([]);
    expect(progressLines).toEqual([
      'SMTP: refused a message at DATA (554): X-Makul-Local-Verdicts token 2 has a verdict other than pass, fail or gray; nothing stored',
    ]);
  });

  it('refuses the header given twice, and takes the next message normally', async () => {
    const sender = 'twice.local@example.org';
    const twice = await sendThroughListener(
      sender,
      requestMail({
        from: sender,
        subject: 'delete my data',
        extraHeaders: [`${LOCAL_VERDICTS_HEADER}: authenticated`, `${LOCAL_VERDICTS_HEADER}: authenticated`],
      }),
    );
    expect(twice.dataReply).toMatch(/^554 5\.6\.0 X-Makul-Local-Verdicts header appears 2 times/);
    expect(storedKeys).toEqual([]);

    const next = await sendThroughListener(sender, requestMail({ from: sender, subject: 'unsubscribe' }));
    expect(next.dataReply).toMatch(/^250 /);
    expect(storedKeys).toHaveLength(1);
  });
});

describe('X-Makul-Local-Verdicts on the production path (no local listener)', () => {
  it('is an ordinary header the function ignores: SES’s GRAY verdicts decide, not "authenticated"', async () => {
    const sender = 'forger@example.org';
    const delivery = await harness.deliver(
      requestMail({
        from: sender,
        subject: 'delete my data',
        extraHeaders: [`${LOCAL_VERDICTS_HEADER}: authenticated`],
      }),
      { mailFrom: sender, verdicts: LOCAL_SMTP_VERDICTS },
    );
    const stored = await harness.s3.getObject(delivery.objectKey);
    expect(Buffer.from(stored ?? []).toString('utf8')).toContain(`${LOCAL_VERDICTS_HEADER}: authenticated`);

    const response = await harness.handler()({ Records: [delivery.record] }, lambdaContext);

    expect(response.batchItemFailures).toEqual([]);
    expect(await harness.requestItem(requestIdFor(delivery.sesMessageId))).toMatchObject({
      kind: { S: 'erasure' },
      status: { S: 'awaiting-verification' },
      senderAuthenticated: { BOOL: false },
    });
  });

  it('cannot make SES’s PASS verdicts worse either: "spam=fail dmarc=fail:reject" does not hold the mail', async () => {
    const sender = 'genuine@example.org';
    const delivery = await harness.deliver(
      requestMail({
        from: sender,
        subject: 'delete my data',
        extraHeaders: [`${LOCAL_VERDICTS_HEADER}: spam=fail dmarc=fail:reject`],
      }),
      {
        mailFrom: sender,
        verdicts: {
          spam: 'PASS',
          virus: 'PASS',
          spf: 'PASS',
          dkim: 'PASS',
          dmarc: 'PASS',
          dkimPassDomains: ['example.org'],
        },
      },
    );

    const response = await harness.handler()({ Records: [delivery.record] }, lambdaContext);

    expect(response.batchItemFailures).toEqual([]);
    expect(await harness.requestItem(requestIdFor(delivery.sesMessageId))).toMatchObject({
      action: { S: 'process' },
      status: { S: 'in-progress' },
      senderAuthenticated: { BOOL: true },
    });
  });
});

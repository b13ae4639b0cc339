/**
 * The JSON event fixtures in test/fixtures/events/, built with the same builders the local SMTP
 * listener uses, from fixed ids and times so the files are reproducible. Regenerate them with
 *
 *   npx tsx local/event-fixtures.ts && npx biome format --write test/fixtures/events
 *
 * Each event names an S3 object; the `.eml` next to it is that object (the message as SES stores it,
 * trace headers first), so a test can put it into the S3 emulator and run the real handler on it.
 * The people and addresses are invented; the support addresses are the operators' published ones.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SQSEvent } from 'aws-lambda';
import { encodedWords, mimeMessage } from './sample-mail';
import { SPF_ONLY_VERDICTS, signedByDomainVerdicts } from './sample-verdicts';
import { receiveLikeSes, type SesReceipt, type SesVerdicts } from './ses-receipt';
import { buildSqsEventForNotification, localArns, type SnsDeliveryForm } from './sqs-event';

export const EVENT_FIXTURES_DIRECTORY = join(
  dirname(fileURLToPath(import.meta.url)),
  '../test/fixtures/events',
);

/** Region of the fixtures' ARNs (any region with SES receiving would do). */
const FIXTURE_REGION = 'eu-west-1';
/** The raw-mail bucket the fixture events name; the test harness uses the same one. */
export const FIXTURE_BUCKET = 'makul-raw-mail-fixture';
const OBJECT_KEY_PREFIX = 'inbound/';

interface FixtureMessage {
  readonly name: string;
  readonly sesMessageId: string;
  readonly receivedAt: Date;
  readonly mailFrom: string;
  readonly supportAddress: string;
  readonly raw: Uint8Array;
  readonly verdicts: SesVerdicts;
  readonly clientHelo: string;
  readonly clientAddress: string;
}

/** A Russian subject asks Sitronics (policy 004 §7.2) to stop marketing mail; SPF passes, no DKIM. */
const unsubscribeRu: FixtureMessage = {
  name: 'unsubscribe-ru',
  sesMessageId: 'o3vrnil0e2ic2jlcjk8v6ugbcf6ogo1s7a0kl481',
  receivedAt: new Date('2026-11-02T06:15:02.114Z'),
  mailFrom: 'ivan.petrov@example.ru',
  supportAddress: 'support.ezs@sitronics.com',
  raw: mimeMessage(
    [
      `From: ${encodedWords('Иван Петров', 20)} <ivan.petrov@example.ru>`,
      'To: support.ezs@sitronics.com',
      `Subject: ${encodedWords('Отказ от уведомлений о новых продуктах и услугах и специальных предложениях', 30)}`,
      'Date: Mon, 02 Nov 2026 09:15:00 +0300',
      'Message-ID: <20261102091500.4821@mail.example.ru>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
    ],
    'Здравствуйте!\n\nПрошу больше не присылать мне уведомления о новых продуктах и специальных предложениях.\n\nИван\n',
  ),
  verdicts: SPF_ONLY_VERDICTS,
  clientHelo: 'mail.example.ru',
  clientAddress: '192.0.2.25',
};

/** A Kyrgyz subject withdraws consent from X2 (policy 000 §4), signed by the sender's domain: DKIM and DMARC pass. */
const withdrawConsentKy: FixtureMessage = {
  name: 'withdraw-consent-ky',
  sesMessageId: 'k2c7tb5q0pbd4fe0h9i3m5s1q8ukvl2gd6n4aa01',
  receivedAt: new Date('2026-11-03T04:02:41.503Z'),
  mailFrom: 'aigul.asanova@example.kg',
  supportAddress: 'support@x2.kg',
  raw: mimeMessage(
    [
      'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.kg; s=mail;',
      ' h=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;',
      ' b=ZmFrZS1zaWduYXR1cmUtZm9yLWEtdGVzdC1maXh0dXJl',
      `From: ${encodedWords('Айгүл Асанова', 20)} <aigul.asanova@example.kg>`,
      'To: support@x2.kg',
      `Subject: ${encodedWords('Жеке маалыматтарды иштеп чыгууга макулдукту артка чакыртып алуу', 30)}`,
      'Date: Tue, 03 Nov 2026 10:02:37 +0600',
      'Message-ID: <5f1c2e9a-77b0-4d1e-9c3a-2b8e61d0a4f7@example.kg>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
    ],
    'Саламатсызбы!\n\nЖеке маалыматтарымды иштеп чыгууга берген макулдугумду артка чакыртып алам.\n\nАйгүл\n',
  ),
  verdicts: signedByDomainVerdicts('example.kg'),
  clientHelo: 'mx.example.kg',
  clientAddress: '198.51.100.7',
};

export interface EventFixture {
  /** File name inside test/fixtures/events/. */
  readonly fileName: string;
  readonly content: SQSEvent | Uint8Array;
}

/** The fixture as SES receives it: stored form, object key and notification. */
function receiptOf(fixture: FixtureMessage): SesReceipt {
  return receiveLikeSes(fixture.raw, {
    sesMessageId: fixture.sesMessageId,
    envelope: { mailFrom: fixture.mailFrom, rcptTo: [fixture.supportAddress] },
    verdicts: fixture.verdicts,
    receivedAt: fixture.receivedAt,
    receivingHost: `inbound-smtp.${FIXTURE_REGION}.amazonaws.com`,
    clientHelo: fixture.clientHelo,
    clientAddress: fixture.clientAddress,
    bucketName: FIXTURE_BUCKET,
    objectKeyPrefix: OBJECT_KEY_PREFIX,
    topicArn: localArns(FIXTURE_REGION).topicArn,
    processingTimeMillis: 412,
  });
}

function storedForm(fixture: FixtureMessage): Uint8Array {
  return receiptOf(fixture).stored;
}

function sqsEvent(
  fixture: FixtureMessage,
  delivery: SnsDeliveryForm,
  receiveCount: number,
  ids: { sqsMessageId: string; snsMessageId?: string },
): SQSEvent {
  const { topicArn, queueArn } = localArns(FIXTURE_REGION);
  const { notification } = receiptOf(fixture);
  return buildSqsEventForNotification(notification, {
    delivery,
    topicArn,
    queueArn,
    receiveCount,
    sqsMessageId: ids.sqsMessageId,
    ...(ids.snsMessageId === undefined ? {} : { snsMessageId: ids.snsMessageId }),
    receiptHandle: `AQEB${ids.sqsMessageId.replaceAll('-', '')}makulFixtureReceiptHandle==`,
    sentAt: new Date(fixture.receivedAt.getTime() + 530),
  });
}

/** Every fixture file, keyed by its name: SQS events as objects, stored messages as bytes. */
export function buildEventFixtures(): EventFixture[] {
  return [
    { fileName: `${unsubscribeRu.name}.eml`, content: storedForm(unsubscribeRu) },
    {
      fileName: `sqs-sns-envelope-${unsubscribeRu.name}.json`,
      content: sqsEvent(unsubscribeRu, 'sns-envelope', 1, {
        sqsMessageId: '9b1f6c1e-3c1a-4f0e-8a55-0d6f0b6f7a21',
        snsMessageId: 'c0a8e7f4-5b2d-5e61-9d3f-7a4b1e2c9d80',
      }),
    },
    {
      fileName: `sqs-raw-delivery-${unsubscribeRu.name}.json`,
      content: sqsEvent(unsubscribeRu, 'raw-message-delivery', 1, {
        sqsMessageId: '4e2d8a90-1f7b-4c3e-b6a2-5d9c0e8f1a37',
      }),
    },
    { fileName: `${withdrawConsentKy.name}.eml`, content: storedForm(withdrawConsentKy) },
    {
      // Received for the second time: the first attempt failed and SQS delivered it again.
      fileName: `sqs-sns-envelope-${withdrawConsentKy.name}-second-receive.json`,
      content: sqsEvent(withdrawConsentKy, 'sns-envelope', 2, {
        sqsMessageId: 'd7c3b2a1-6e5f-4a8b-9c0d-1e2f3a4b5c6d',
        snsMessageId: '8f9e0d1c-2b3a-5c4d-8e7f-6a5b4c3d2e1f',
      }),
    },
  ];
}

export async function writeEventFixtures(directory: string = EVENT_FIXTURES_DIRECTORY): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const fixture of buildEventFixtures()) {
    const path = join(directory, fixture.fileName);
    const content =
      fixture.content instanceof Uint8Array
        ? fixture.content
        : `${JSON.stringify(fixture.content, null, 2)}\n`;
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const path of await writeEventFixtures()) process.stdout.write(`wrote ${path}\n`);
}

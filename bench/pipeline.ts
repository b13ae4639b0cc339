/**
 * Inbound pipeline speed: parse + sender + guard + classify of a typical 5 KB request on one core,
 * against the baseline a user might write (mailparser's simpleParser + a regular expression on the
 * subject); and a 10 MB message decided in a fresh process, for time and peak memory.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { decideInbound } from '../functions/domain/mail/decide-inbound';
import { largeRequestMail, largeTextMail, typicalRequestMail } from './sample-mail';

const CONTEXT = { operatorAddresses: ['support.ezs@sitronics.com'], maxMessageBytes: 10 * 1024 * 1024 };
const BASELINE_TAG =
  /^\s*(?:(?:re|fwd?|ответ)\s*:\s*)*(unsubscribe|update personal data|withdraw consent|отказ от уведомлений|актуализация персональных данных|отзыв согласия)/i;

async function messagesPerSecond(
  run: (message: Uint8Array) => Promise<unknown>,
  messages: Uint8Array[],
  seconds: number,
) {
  for (const message of messages.slice(0, 200)) await run(message); // warm-up: JIT and caches
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    await run(messages[count % messages.length] as Uint8Array);
    count += 1;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function benchPipeline(): Promise<string> {
  const messages = Array.from({ length: 64 }, (_, index) => typicalRequestMail(index));
  const size = messages[0]?.byteLength ?? 0;
  const check = await decideInbound(messages[0] as Uint8Array, CONTEXT);
  if (check.action !== 'process' || check.kind !== 'unsubscribe') {
    throw new Error(
      `benchmark message is not recognised (${check.action}/${check.reason}): fix bench/sample-mail.ts`,
    );
  }

  const makul = await messagesPerSecond((message) => decideInbound(message, CONTEXT), messages, 5);
  const baseline = await messagesPerSecond(
    async (message) => {
      const parsed = await simpleParser(Buffer.from(message));
      return BASELINE_TAG.exec(parsed.subject ?? '');
    },
    messages,
    5,
  );

  const tenMegabytes = 10 * 1024 * 1024;
  const withAttachment = decideLargeInFreshProcess('attachment', largeRequestMail(tenMegabytes));
  const textLines = decideLargeInFreshProcess('text-lines', largeTextMail(tenMegabytes));
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

  return [
    '## Inbound pipeline (parse + sender + guard + classify)',
    '',
    '| measure | target | measured |',
    '|---|---|---|',
    `| typical request mail (${(size / 1024).toFixed(1)} KB), one core | ≥ 2,000 msg/s | ${Math.round(makul).toLocaleString('en')} msg/s |`,
    `| baseline: mailparser ${mailparserVersion()} simpleParser + regex on the subject | — | ${Math.round(baseline).toLocaleString('en')} msg/s |`,
    `| makul / baseline | — | ${(makul / baseline).toFixed(2)}× |`,
    ...[withAttachment, textLines].flatMap((large) => [
      `| ${mb(large.sizeBytes)} message, ${large.shape}, decided (${large.action}/${large.reason}) | < 1 s | ${large.decideMs.toFixed(0)} ms |`,
      `| peak memory above the loaded message, same message | < 5× size (${mb(5 * large.sizeBytes)}) | ${mb(large.peakExtraBytes)} (${(large.peakExtraBytes / large.sizeBytes).toFixed(2)}×) |`,
    ]),
    '',
  ].join('\n');
}

interface LargeMessageResult {
  readonly shape: string;
  readonly sizeBytes: number;
  readonly action: string;
  readonly reason: string;
  readonly decideMs: number;
  readonly peakExtraBytes: number;
}

/** A fresh process per message, so nothing else sits in the memory high-water mark. */
function decideLargeInFreshProcess(shape: string, message: Uint8Array): LargeMessageResult {
  const file = join(tmpdir(), `makul-bench-${shape}.eml`);
  writeFileSync(file, message);
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'bench/large-message.ts', file], {
    encoding: 'utf8',
  });
  return { shape, ...JSON.parse(output) };
}

function mailparserVersion(): string {
  return execFileSync(process.execPath, ['-p', "require('mailparser/package.json').version"], {
    encoding: 'utf8',
  }).trim();
}

/**
 * Inbound pipeline speed: parse + sender + guard + classify of a typical 5 KB request on one core,
 * against the baseline a user might write (mailparser's simpleParser + a regular expression on the
 * subject); and a 10 MB message decided in a fresh process, for time and peak memory.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { simpleParser } from 'mailparser';
import { decideInbound } from '../functions/domain/mail/decide-inbound';
import { largeRequestMail, largeTextMail, typicalRequestMail } from './sample-mail';

const CONTEXT = { operatorAddresses: ['support.ezs@sitronics.com'], maxMessageBytes: 10 * 1024 * 1024 };
const BASELINE_TAG =
  /^\s*(?:(?:re|fwd?|ответ)\s*:\s*)*(unsubscribe|update personal data|withdraw consent|отказ от уведомлений|актуализация персональных данных|отзыв согласия)/i;

type Run = (message: Uint8Array) => Promise<unknown>;

/**
 * Messages per second of each contender, measured in alternating slices (makul, baseline, makul, …)
 * rather than one after the other: the machine is shared, and load that comes and goes during a run
 * then weighs on both alike instead of deciding the ratio. A full garbage collection before each slice,
 * outside the timing, keeps one contender's garbage from being collected on the next one's time.
 */
async function messagesPerSecond(
  contenders: readonly Run[],
  messages: Uint8Array[],
  secondsEach: number,
): Promise<number[]> {
  for (const run of contenders) {
    for (const message of messages.slice(0, 200)) await run(message); // warm-up: JIT and caches
  }
  const counts = contenders.map(() => 0);
  const nanos = contenders.map(() => 0n);
  const slice = BigInt(Math.round((secondsEach / SLICES) * 1e9));
  for (let round = 0; round < SLICES; round += 1) {
    for (const [index, run] of contenders.entries()) {
      collectGarbage();
      const start = process.hrtime.bigint();
      let count = 0;
      while (process.hrtime.bigint() - start < slice) {
        await run(messages[count % messages.length] as Uint8Array);
        count += 1;
      }
      counts[index] = (counts[index] ?? 0) + count;
      nanos[index] = (nanos[index] ?? 0n) + (process.hrtime.bigint() - start);
    }
  }
  return counts.map((count, index) => count / (Number(nanos[index]) / 1e9));
}

/** Each contender runs 5 s in all, in this many alternating slices. */
const SLICES = 10;

let gc: (() => void) | undefined;

/** V8's full collection: `npm run bench` runs tsx without --expose-gc, so the flag is set here, once. */
function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
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

  const [makul = 0, baseline = 0] = await messagesPerSecond(
    [
      (message) => decideInbound(message, CONTEXT),
      async (message) => {
        const parsed = await simpleParser(Buffer.from(message));
        return BASELINE_TAG.exec(parsed.subject ?? '');
      },
    ],
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

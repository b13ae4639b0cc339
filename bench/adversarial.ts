/**
 * Adversarial messages: the shapes that make a MIME parser slow, each up to the 10 MB size cap, decided
 * by `decideInbound` as the Lambda decides them. The goal (issue #7, "never stalled") is that every
 * message is decided in under 1 s: a slower one would time out its batch on every retry.
 *
 * Two kinds of shape: floods over a limit of functions/domain/mail/mime-limits.ts (they must be cheap
 * to refuse, and go to review as `too-complex:*`), and shapes just within the limits (they are parsed,
 * so they show what the limits still let through). Each is decided RUNS times, the first run included
 * (no warm-up on the shape itself): the median and the slowest run are reported, and the CPU time of
 * the median run, which a busy machine inflates less than the wall-clock time.
 */
import { decideInbound } from '../functions/domain/mail/decide-inbound';
import {
  MAX_ENCODED_WORDS,
  MAX_HEADER_BYTES,
  MAX_HEADER_FIELDS,
  MAX_MIME_PARTS,
} from '../functions/domain/mail/mime-limits';
import { describeError } from '../functions/shared/log';

const CRLF = '\r\n';
const TEN_MB = 10 * 1024 * 1024;
const CONTEXT = { operatorAddresses: ['support@x2.kg'], maxMessageBytes: TEN_MB };
const GOAL_MS = 1000;
const RUNS = 5;

interface Shape {
  readonly name: string;
  readonly build: () => Uint8Array;
}

const HEAD = [
  'From: Aigul Bekova <aigul@example.kg>',
  'To: support@x2.kg',
  'Message-ID: <adversarial@example.kg>',
  'Date: Mon, 16 Nov 2026 12:11:58 +0600',
  'MIME-Version: 1.0',
];

/** A message of about `totalBytes`: the given header and body lines, then plain text up to the size. */
function padded(headers: readonly string[], body: readonly string[], totalBytes = TEN_MB): Uint8Array {
  const start = [...HEAD, ...headers, '', ...body].join(CRLF);
  const line = 'Padding text after the part that decides, line by line, up to the size cap.';
  const lines = Math.max(0, Math.floor((totalBytes - start.length - 64) / (line.length + 2)));
  return Buffer.from([start, ...Array.from({ length: lines }, () => line), ''].join(CRLF), 'utf8');
}

/** Base64 encoded-words of one charset that postal-mime joins one by one (each "абв" in UTF-8). */
function encodedWords(count: number, separator: string, charset = 'UTF-8'): string {
  return Array.from({ length: count }, () => `=?${charset}?B?0LDQsdCy?=`).join(separator);
}

function tinyParts(count: number, boundary = 'b'): string[] {
  return [
    `--${boundary}${CRLF}Content-Type: text/plain${CRLF}${CRLF}unsubscribe`,
    ...Array.from({ length: count - 1 }, () => `--${boundary}${CRLF}${CRLF}x`),
    `--${boundary}--`,
  ];
}

/** Multiparts nested `depth` deep under boundaries `<prefix>0` (declared by the caller) to `<prefix><depth>`. */
function nested(depth: number, prefix = 'n', closed = true): string[] {
  const open = Array.from({ length: depth }, (_, level) => [
    `--${prefix}${level}`,
    `Content-Type: multipart/mixed; boundary=${prefix}${level + 1}`,
    '',
  ]).flat();
  const close = Array.from({ length: depth + 1 }, (_, level) => `--${prefix}${depth - level}--`);
  return [
    ...open,
    `--${prefix}${depth}`,
    'Content-Type: text/plain',
    '',
    'unsubscribe',
    ...(closed ? close : []),
  ];
}

const SHAPES: readonly Shape[] = [
  // Over a limit: refused before postal-mime sees them.
  {
    name: '20,000 encoded-words in a folded Subject (0.46 MB header; was ~4–13 s)',
    build: () => padded([`Subject: ${encodedWords(20_000, `${CRLF} `)}`], ['unsubscribe']),
  },
  {
    name: '20,000 encoded-words on one Subject line within 256 KiB',
    build: () =>
      padded([`Subject: ${encodedWords(20_000, ' ', 'x').replaceAll('0LDQsdCy', 'YWJj')}`], ['hi']),
  },
  {
    name: '12,000 tiny MIME parts (was 0.8–1.5 s)',
    build: () => padded(['Subject: hello', 'Content-Type: multipart/mixed; boundary=b'], tinyParts(12_000)),
  },
  {
    name: 'tiny MIME parts filling the whole 512 KiB parse window',
    build: () => padded(['Subject: hello', 'Content-Type: multipart/mixed; boundary=b'], tinyParts(60_000)),
  },
  {
    name: '50,000 one-byte header fields within 256 KiB (was ~0.25 s of CPU)',
    build: () => padded(['Subject: unsubscribe', ...Array.from({ length: 50_000 }, () => 'X: y')], ['hi']),
  },
  {
    name: '5 MB single header line',
    build: () => padded(['Subject: unsubscribe', `X-Padding: ${'a'.repeat(5 * 1024 * 1024)}`], ['hi']),
  },
  // Within the limits: parsed and decided as usual.
  {
    name: `${MAX_ENCODED_WORDS.toLocaleString('en')} joined encoded-words in the Subject (the limit)`,
    build: () => padded([`Subject: ${encodedWords(MAX_ENCODED_WORDS, `${CRLF} `)}`], ['unsubscribe']),
  },
  {
    name: `${MAX_ENCODED_WORDS.toLocaleString('en')} encoded-words that do not decode, subject re-read in windows-1251`,
    build: () =>
      padded(
        [
          `Subject: ${encodedWords(MAX_ENCODED_WORDS, `${CRLF} `).replaceAll('0LDQsdCy', '//79')}`,
          'Content-Type: text/plain; charset=windows-1251',
        ],
        ['unsubscribe'],
      ),
  },
  {
    name: `${MAX_MIME_PARTS} tiny MIME parts (the limit)`,
    build: () =>
      padded(['Subject: hello', 'Content-Type: multipart/mixed; boundary=b'], tinyParts(MAX_MIME_PARTS)),
  },
  {
    name: `${MAX_MIME_PARTS} parts, each with a ${MAX_ENCODED_WORDS / MAX_MIME_PARTS}-word encoded filename`,
    build: () =>
      padded(
        ['Subject: hello', 'Content-Type: multipart/mixed; boundary=b'],
        [
          ...Array.from(
            { length: MAX_MIME_PARTS },
            (_, index) =>
              `--b${CRLF}Content-Disposition: attachment; filename="=?UTF-8?B?0LDQsdCy?= =?UTF-8?B?MTIz${index % 10}?="${CRLF}${CRLF}x`,
          ),
          '--b--',
        ],
      ),
  },
  {
    name: 'To list of named recipients, header just under 256 KiB',
    build: () => {
      const recipient = '"Recipient Name" <recipient.name@example.kg>, ';
      const count = Math.floor((MAX_HEADER_BYTES - 4096) / recipient.length);
      return padded(['Subject: unsubscribe', `To: ${recipient.repeat(count)}support@x2.kg`], ['hi']);
    },
  },
  {
    name: `${MAX_HEADER_FIELDS.toLocaleString('en')} one-byte header fields (the limit)`,
    build: () =>
      padded(
        ['Subject: unsubscribe', ...Array.from({ length: MAX_HEADER_FIELDS - 10 }, () => 'X: y')],
        ['hi'],
      ),
  },
  {
    name: 'a header field folded into 120,000 one-character lines',
    build: () =>
      padded(['Subject: unsubscribe', 'X-Folded: a', ...Array.from({ length: 120_000 }, () => ' a')], ['hi']),
  },
  {
    name: '100-deep multipart nesting',
    build: () => padded(['Subject: hello', 'Content-Type: multipart/mixed; boundary=n0'], nested(100)),
  },
  {
    name: '31-deep nesting under 60-character boundaries, then 0.5 MB of lines that almost match them',
    build: () => {
      const prefix = '=_'.repeat(30);
      const lines = Array.from({ length: 8_000 }, (_, index) => `--${prefix}${index % 31}x`);
      return padded(
        ['Subject: hello', `Content-Type: multipart/mixed; boundary=${prefix}0`],
        [...nested(31, prefix, false), ...lines],
      );
    },
  },
  {
    name: 'reply-prefix chain: "Re: " × 500 before the tag',
    build: () => padded([`Subject: ${'Re: '.repeat(500)}unsubscribe`], ['hi']),
  },
  {
    name: 'reply prefix then 100,000 spaces in the Subject and the first body line',
    build: () => padded([`Subject: Re${' '.repeat(100_000)}x`], [`Re${' '.repeat(100_000)}x`]),
  },
  {
    name: 'HTML-only body of nested tags and entities',
    build: () => {
      const html = '<div><p>unsubscribe &amp; &#x41; <b>x</b></p></div>'.repeat(205_000);
      return Buffer.from([...HEAD, 'Subject: hello', 'Content-Type: text/html', '', html, ''].join(CRLF));
    },
  },
  {
    name: 'one 10 MB body line without a line break',
    build: () => Buffer.from([...HEAD, 'Subject: hello', '', 'u'.repeat(TEN_MB - 512), ''].join(CRLF)),
  },
];

interface Measured {
  readonly name: string;
  readonly sizeBytes: number;
  readonly decision: string;
  readonly medianMs: number;
  readonly slowestMs: number;
  /** CPU time (user + system) of the median run. */
  readonly cpuMs: number;
}

async function measure(shape: Shape): Promise<Measured> {
  const raw = shape.build();
  if (raw.byteLength > TEN_MB) throw new Error(`${shape.name}: ${raw.byteLength} bytes is over the size cap`);
  const runs: { wallMs: number; cpuMs: number }[] = [];
  let decision = '';
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const decided = await decideInbound(raw, CONTEXT);
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    runs.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
    decision = `${decided.action}/${decided.reason}`;
  }
  runs.sort((a, b) => a.wallMs - b.wallMs);
  const median = runs[Math.floor(RUNS / 2)] as { wallMs: number; cpuMs: number };
  const slowest = runs[RUNS - 1] as { wallMs: number };
  return {
    name: shape.name,
    sizeBytes: raw.byteLength,
    decision,
    medianMs: median.wallMs,
    slowestMs: slowest.wallMs,
    cpuMs: median.cpuMs,
  };
}

/** The log masking of an error text (it runs on SDK errors that can quote a message): 10 MB, no `@`. */
function measureErrorMasking(): Measured {
  // Flattened before the clock starts: building the text is not the masking's work.
  const text = `${'x'.repeat(100)} ${'a'.repeat(TEN_MB)}`;
  text.charCodeAt(text.length - 1);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  describeError(new Error(text));
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    name: 'describeError on a 10 MB error text without an address (log masking)',
    sizeBytes: text.length,
    decision: '—',
    medianMs: wallMs,
    slowestMs: wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

export async function benchAdversarial(): Promise<string> {
  // Load and compile the pipeline on an ordinary message first: the measurements are of the shapes.
  await decideInbound(padded(['Subject: unsubscribe'], ['hi'], 4096), CONTEXT);
  const measured: Measured[] = [];
  for (const shape of SHAPES) measured.push(await measure(shape));
  const masking = measureErrorMasking();
  const worst = measured.reduce((slowest, next) => (next.slowestMs > slowest.slowestMs ? next : slowest));
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const ms = (millis: number) => `${millis.toFixed(1)} ms`;

  return [
    `## Adversarial messages (decideInbound, ${RUNS} runs each)`,
    '',
    '| shape | size | decided | median | slowest | CPU (median run) |',
    '|---|---|---|---|---|---|',
    ...[...measured, masking].map(
      (row) =>
        `| ${row.name} | ${mb(row.sizeBytes)} | ${row.decision} | ${ms(row.medianMs)} | ${ms(row.slowestMs)} | ${ms(row.cpuMs)} |`,
    ),
    '',
    `**Worst case: ${worst.slowestMs.toFixed(0)} ms** (slowest run; ${worst.name}; median ${worst.medianMs.toFixed(0)} ms) against a goal of under ${GOAL_MS} ms per message — ${worst.slowestMs < GOAL_MS ? 'goal met' : 'GOAL NOT MET'}.`,
    '',
  ].join('\n');
}

/**
 * Run in a fresh process by bench/pipeline.ts: decides one large message read from a file (argv[2])
 * and reports the time and the peak resident memory above what the process held with the message
 * already loaded. A fresh process, and a message read rather than built here, keep other allocations
 * out of the high-water mark.
 */
import { readFileSync } from 'node:fs';
import { decideInbound } from '../functions/domain/mail/decide-inbound';

const file = process.argv[2];
if (!file) throw new Error('usage: large-message.ts FILE.eml');
const message = readFileSync(file);
const context = { operatorAddresses: [], maxMessageBytes: message.byteLength };
// Warm the code paths on a small message so the measurement is of the large one, not of loading code.
await decideInbound(message.subarray(0, 4096), context);
const before = process.memoryUsage().rss;
const start = performance.now();
const decision = await decideInbound(message, context);
const decideMs = performance.now() - start;
// maxRSS is the process's high-water mark (KiB): it catches peaks between samples.
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ sizeBytes: message.byteLength, action: decision.action, reason: decision.reason, decideMs, peakExtraBytes: Math.max(0, peak - before) })}\n`,
);

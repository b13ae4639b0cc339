/**
 * `npm run bench`: the speed and memory targets of the inbound path, the public pages and the status
 * API, measured on this machine.
 * Prints a Markdown report and writes it to bench/results/latest.md (copy the figures to BENCHMARKS.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchAdversarial } from './adversarial';
import { benchColdImport } from './cold-import';
import { benchPages } from './pages';
import { benchPipeline } from './pipeline';
import { benchStatus } from './status';

const sections: string[] = [
  `# makul benchmarks\n\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}\n`,
];
for (const [title, bench] of [
  ['inbound pipeline', benchPipeline],
  ['adversarial messages', benchAdversarial],
  ['public pages', benchPages],
  ['status API', benchStatus],
  ['cold import', benchColdImport],
] as const) {
  process.stderr.write(`running the ${title} benchmark…\n`);
  const section = await bench();
  process.stdout.write(`${section}\n`);
  sections.push(section);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.md', `${sections.join('\n')}\n`);
process.stderr.write('report written to bench/results/latest.md\n');

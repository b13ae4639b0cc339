/**
 * Builds one function's bundle the way every makul bundle is built (makulEsbuildOptions, plugins
 * included): `tsx lib/bundle-function.ts ENTRY OUTPUT_DIRECTORY [--splitting]` writes index.mjs, its
 * source map and its licence notices there (and, split, the chunks/ it imports on demand). MakulFunction runs it during synthesis (esbuild's plugins need its
 * asynchronous API, which CDK's bundling hook cannot wait for), so the deployed bundle, the bench's
 * and the bundle tests' are one build.
 */
import { build } from 'esbuild';
import { makulEsbuildOptions } from './makul-function';

const [entry, outputDirectory, ...flags] = process.argv.slice(2);
if (!entry || !outputDirectory || flags.some((flag) => flag !== '--splitting')) {
  process.stderr.write('usage: tsx lib/bundle-function.ts ENTRY OUTPUT_DIRECTORY [--splitting]\n');
  process.exit(2);
}
await build({
  entryPoints: [entry],
  ...makulEsbuildOptions({ splitting: flags.includes('--splitting') }),
  outdir: outputDirectory,
  logLevel: 'warning',
});

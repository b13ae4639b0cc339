/**
 * Builds one function's bundle the way every makul bundle is built (makulEsbuildOptions, plugins
 * included): `tsx lib/bundle-function.ts ENTRY OUTPUT_DIRECTORY` writes index.mjs, its source map and
 * its licence notices there. MakulFunction runs it during synthesis (esbuild's plugins need its
 * asynchronous API, which CDK's bundling hook cannot wait for), so the deployed bundle, the bench's
 * and the bundle tests' are one build.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { makulEsbuildOptions } from './makul-function';

const [entry, outputDirectory] = process.argv.slice(2);
if (!entry || !outputDirectory) {
  process.stderr.write('usage: tsx lib/bundle-function.ts ENTRY OUTPUT_DIRECTORY\n');
  process.exit(2);
}
await build({
  entryPoints: [entry],
  ...makulEsbuildOptions(),
  outfile: join(outputDirectory, 'index.mjs'),
  logLevel: 'warning',
});

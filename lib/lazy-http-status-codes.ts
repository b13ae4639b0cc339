/**
 * An esbuild plugin for makul's bundles: @middy/util imports `STATUS_CODES` from `node:http` at load,
 * only to name a status in an error response. Loading `node:http` costs Node 24 about 25–35 ms of every
 * cold start (it sets up its HTTP server and undici parts), which the AWS SDK itself avoids by loading
 * it only when a request needs it. Here @middy/util gets a table that reads `node:http` on its first
 * use instead: same names, read when an error response is built.
 * Measured with bench/cold-import.ts; applies to @middy/util only, every other import of `node:http`
 * is left alone.
 */
import type { Plugin } from 'esbuild';

const NAMESPACE = 'makul-lazy-http-status-codes';

export const lazyHttpStatusCodes: Plugin = {
  name: 'lazy-http-status-codes',
  setup(build) {
    build.onResolve({ filter: /^node:http$/ }, (args) =>
      /[\\/]@middy[\\/]util[\\/]/.test(args.importer)
        ? { path: 'status-codes', namespace: NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({
      loader: 'js',
      contents: [
        "import { createRequire } from 'node:module';",
        'const load = createRequire(import.meta.url);',
        "export const STATUS_CODES = new Proxy({}, { get: (_, code) => load('node:http').STATUS_CODES[code] });",
      ].join('\n'),
    }));
  },
};

/**
 * The pages bundle Lambda runs, split as the stack builds it (lib/public-pages-api.ts): an update-data
 * page needs the phone-number library, which waits in a chunk of its own until the page imports it. Run
 * from the built files against the local services, so a chunk that does not load fails here, not in AWS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PagesHandler } from '../../functions/pages/handler';
import { makulEsbuildOptions } from '../../lib/makul-function';
import { type HttpPagesHandle, startHttpPages } from '../../local/http-pages';
import { arriveWithLink } from '../support/browser';
import { InboundHarness } from '../support/inbound-harness';
import { PROJECT_ROOT } from '../support/paths';

let harness: InboundHarness;
let server: HttpPagesHandle;
let outputDirectory: string;
let bundledHandler: PagesHandler | null = null;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  outputDirectory = mkdtempSync(join(tmpdir(), 'makul-pages-bundle-'));
  // The links in the reply must name the server, so it starts first and delegates to the bundle.
  server = await startHttpPages({
    handler: (event, context) => {
      if (bundledHandler === null) throw new Error('the bundle is not loaded yet');
      return bundledHandler(event, context);
    },
    port: 0,
    log: () => {},
  });
  harness = await InboundHarness.start({ confirmBaseUrl: server.url });
  await build({
    entryPoints: [join(PROJECT_ROOT, 'functions/pages/index.ts')],
    ...makulEsbuildOptions({ splitting: true }),
    outdir: outputDirectory,
    logLevel: 'error',
  });
  // As Lambda does: the configuration and the role's credentials are in the process environment.
  process.env = { ...savedEnvironment, ...harness.environment, LOG_LEVEL: 'ERROR' };
  const bundle = (await import(pathToFileURL(join(outputDirectory, 'index.mjs')).href)) as {
    handler: PagesHandler;
  };
  bundledHandler = bundle.handler;
});

afterAll(async () => {
  process.env = savedEnvironment;
  await server?.dispose();
  await harness?.stop();
  rmSync(outputDirectory, { recursive: true, force: true });
});

describe('the split pages bundle', () => {
  it('loads the phone-number chunk for an update-data page and shows the normalised change', async () => {
    const { link } = await arriveWithLink(harness, {
      address: 'bundle.pages@example.kg',
      subject: 'Update personal data',
      body: 'Please update my data.\r\nPhone: 0555 123 456\r\n',
    });

    const response = await fetch(`${link}?lang=en`);
    const html = await response.text();

    expect(response.status).toBe(200);
    // The phone, parsed with the library from the chunk and shown masked: the local number's last digits.
    expect(html).toContain('Phone');
    expect(html).toMatch(/\+996[^<]*56/);
    expect(html).not.toContain('555 123 456');
  });
});

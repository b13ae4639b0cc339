/**
 * The bundle Lambda runs (built with the stack's esbuild settings, credential chain replaced by the
 * environment-only provider) handles a real message against the local services: what the unit of
 * deployment does, not only what the sources do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import type { InboundHandler } from '../../functions/inbound-email/handler';
import { makulEsbuildOptions } from '../../lib/makul-function';
import { InboundHarness, requestMail } from '../support/inbound-harness';
import { PROJECT_ROOT } from '../support/paths';

let harness: InboundHarness;
let outputDirectory: string;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  harness = await InboundHarness.start();
  outputDirectory = mkdtempSync(join(tmpdir(), 'makul-bundle-'));
});

afterAll(async () => {
  process.env = savedEnvironment;
  rmSync(outputDirectory, { recursive: true, force: true });
  await harness?.stop();
});

describe('the inbound Lambda bundle', () => {
  it('answers a request through the local services, with credentials from the environment only', async () => {
    const outfile = join(outputDirectory, 'index.mjs');
    await build({
      entryPoints: [join(PROJECT_ROOT, 'functions/inbound-email/index.ts')],
      ...makulEsbuildOptions(),
      outdir: outputDirectory,
      logLevel: 'error',
    });
    // As Lambda does: the configuration and the role's credentials are in the process environment.
    process.env = { ...savedEnvironment, ...harness.environment, LOG_LEVEL: 'ERROR' };
    const { handler } = (await import(pathToFileURL(outfile).href)) as { handler: InboundHandler };
    const delivery = await harness.deliver(requestMail({ from: 'bundle@example.kg', subject: 'Отписаться' }));

    const response = await handler({ Records: [delivery.record] }, {
      awsRequestId: 'bundle-test',
    } as Context);

    expect(response.batchItemFailures).toEqual([]);
    expect(await harness.requestItem(requestIdFor(delivery.sesMessageId))).toMatchObject({
      kind: { S: 'unsubscribe' },
      outboundState: { S: 'sent' },
    });
    expect(await harness.sentTo('bundle@example.kg')).toHaveLength(1);
  });
});

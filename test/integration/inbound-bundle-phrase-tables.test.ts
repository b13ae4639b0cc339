/**
 * The inbound bundle carries the classifier's tables compiled (functions/domain/classify/
 * phrase-tables.generated.ts), never the source tables or the code that compiles them: importing either
 * at run time would quietly bring back what cold start no longer pays for (issue #7, point 21).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { makulEsbuildOptions } from '../../lib/makul-function';
import { PROJECT_ROOT } from '../support/paths';

describe('the inbound bundle', () => {
  it('holds the compiled phrase tables, not the source tables or their compiler', async () => {
    const { metafile } = await build({
      entryPoints: [join(PROJECT_ROOT, 'functions/inbound-email/index.ts')],
      ...makulEsbuildOptions(),
      outdir: 'unused',
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    const bundled = Object.keys(metafile.inputs).filter((input) => input.includes('domain/classify/'));

    expect(bundled).toContain('functions/domain/classify/phrase-tables.generated.ts');
    expect(bundled).not.toContain('functions/domain/classify/subject-tags.ts');
    expect(bundled).not.toContain('functions/domain/classify/compile-phrase-tables.ts');
  });
});

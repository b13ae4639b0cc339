import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makulProcess } from '../support/makul-cli';

const makul = (...args: string[]) => makulProcess(args);

describe('makul inspect', () => {
  it('prints one JSON decision per file with the documented fields', async () => {
    const { code, stdout } = await makul(
      'inspect',
      'test/fixtures/mail/kyrgyz-utf8-base64-folded-subject.eml',
      'test/fixtures/mail/auto-reply.eml',
    );
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0]).sort()).toEqual(['action', 'file', 'kind', 'language', 'reason', 'sender']);
    // An update-data request that names no values to change goes to a person, as in the Lambda.
    expect(lines[0]).toMatchObject({
      action: 'review',
      reason: 'update-data:no-fields',
      kind: 'update-data',
      language: 'ky',
    });
    expect(lines[1]).toMatchObject({ action: 'drop', reason: 'auto-submitted', kind: null });
  });

  it('explains an untagged message from a person as review / no-tag', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'makul-cli-'));
    const file = join(folder, 'question.eml');
    writeFileSync(
      file,
      'From: a@example.kg\r\nTo: support@x2.kg\r\nSubject: When is the draw?\r\n\r\nHi\r\n',
    );
    const { stdout } = await makul('inspect', file);
    expect(JSON.parse(stdout)).toEqual({
      file,
      action: 'review',
      kind: null,
      language: null,
      sender: 'a@example.kg',
      reason: 'no-tag',
    });
  });

  it('reports an unreadable file on stderr, goes on with the rest, and exits 1', async () => {
    const { code, stdout, stderr } = await makul(
      'inspect',
      'no/such/file.eml',
      'test/fixtures/mail/mailing-list.eml',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read no/such/file.eml: ENOENT');
    expect(JSON.parse(stdout)).toMatchObject({ action: 'drop', reason: 'mailing-list' });
  });

  it('accepts the global options before the command name', async () => {
    const { code, stdout } = await makul(
      '--operator',
      'sitronics',
      'inspect',
      'test/fixtures/mail/kyrgyz-utf8-base64-folded-subject.eml',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ action: 'review', kind: 'update-data' });
  });

  it('names an unknown operator and exits 2', async () => {
    const { code, stderr } = await makul(
      'inspect',
      '--operator',
      'nobody',
      'test/fixtures/mail/auto-reply.eml',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('no operator "nobody"');
    expect(stderr).toContain('known: x2, sitronics');
  });

  it('answers a person who copied themselves, and drops mail from the address it was delivered to', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'makul-cli-'));
    const copiedSelf = join(folder, 'copied-self.eml');
    writeFileSync(
      copiedSelf,
      'From: a@example.kg\r\nTo: support@x2.kg\r\nCc: a@example.kg\r\nSubject: unsubscribe\r\n\r\nHi\r\n',
    );
    const fromDeliveryAddress = join(folder, 'loop.eml');
    writeFileSync(
      fromDeliveryAddress,
      'Delivered-To: privacy@x2.kg\r\nFrom: privacy@x2.kg\r\nTo: someone@example.kg\r\nSubject: unsubscribe\r\n\r\nHi\r\n',
    );

    const { stdout } = await makul('inspect', copiedSelf, fromDeliveryAddress);
    const [self, loop] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

    expect(self).toMatchObject({ action: 'process', kind: 'unsubscribe' });
    expect(loop).toMatchObject({ action: 'drop', reason: 'own-address' });
  });

  it('prints usage and exits 2 on an unknown command', async () => {
    const { code, stderr } = await makul('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: makul inspect');
  });
});

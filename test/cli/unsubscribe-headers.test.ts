import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUnsubscribeToken, unsubscribeLinkKey } from '../../functions/domain/tokens/unsubscribe-token';
import { cleanEnvironment, makulHere, makulProcess } from '../support/makul-cli';

const _run = promisify(execFile);

const SECRET = 'cli-test-secret-0123456789abcdef0123456789abcdef';
const LINK_KEY = unsubscribeLinkKey(SECRET);
const LINK_KEY_HEX = LINK_KEY.toString('hex');
const ADDRESS = 'Aigul@Example.KG';

/** Runs the real command as ops would, with the shell's AWS and link-key settings put aside. */
const makul = (args: string[], environment: NodeJS.ProcessEnv = {}) =>
  makulProcess(args, cleanEnvironment(environment));

/** A local stack's data folder holding only its HMAC key, as bin/local-stack.ts writes it. */
function dataFolderWithKey(): string {
  const folder = mkdtempSync(join(tmpdir(), 'makul-unsubscribe-'));
  writeFileSync(join(folder, 'hmac-key'), `${SECRET}\n`, { mode: 0o600 });
  return folder;
}

function tokenOf(headerLine: string): string {
  return /\/u\/([A-Za-z0-9_-]+)>/.exec(headerLine)?.[1] ?? '';
}

let dataDir: string;
/** makulHere runs in this process: a link key set in the developer's shell is put aside meanwhile. */
const shellLinkKey = process.env.MAKUL_UNSUBSCRIBE_LINK_KEY;

beforeAll(() => {
  dataDir = dataFolderWithKey();
  delete process.env.MAKUL_UNSUBSCRIBE_LINK_KEY;
});

afterAll(() => {
  if (shellLinkKey !== undefined) process.env.MAKUL_UNSUBSCRIBE_LINK_KEY = shellLinkKey;
});

describe('makul unsubscribe-headers', () => {
  it('prints the two header lines, with a link only the local key reads, back to the normalised address', async () => {
    const { code, stdout, stderr } = await makul([
      'unsubscribe-headers',
      ADDRESS,
      '--local',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^List-Unsubscribe: <https:\/\/privacy\.x2\.kg\/confirm\/u\/[A-Za-z0-9_-]+>, <mailto:support@x2\.kg\?subject=unsubscribe>$/,
    );
    expect(lines[1]).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(readUnsubscribeToken(tokenOf(lines[0] ?? ''), LINK_KEY)).toBe('aigul@example.kg');
    expect(stdout.toLowerCase()).not.toContain('aigul');
  });

  it('prints the link key for marketing systems, and says what it can and cannot do', async () => {
    const { code, stdout, stderr } = await makul([
      'unsubscribe-headers',
      '--print-link-key',
      '--local',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${LINK_KEY_HEX}\n`);
    expect(stdout).not.toContain(SECRET);
    expect(stderr).toContain('only makes and reads unsubscribe links');
  });

  it('makes the same headers from the link key in a file or in the environment, and --json says so', async () => {
    const keyFile = join(dataDir, 'link-key');
    writeFileSync(keyFile, `${LINK_KEY_HEX}\n`);
    // The environment can only be set for a separate process; the rest run here.
    const [fromEnvironment, local, fromFile, json] = await Promise.all([
      makul(['unsubscribe-headers', ADDRESS], { MAKUL_UNSUBSCRIBE_LINK_KEY: LINK_KEY_HEX }),
      makulHere(['unsubscribe-headers', ADDRESS, '--local', '--data-dir', dataDir]),
      makulHere(['unsubscribe-headers', ADDRESS, '--link-key-file', keyFile]),
      makulHere(['unsubscribe-headers', ADDRESS, '--link-key-file', keyFile, '--json']),
    ]);
    expect(local.code).toBe(0);
    expect(fromFile).toEqual(local);
    expect(fromEnvironment).toEqual(local);
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout);
    expect(document).toEqual({
      operator: 'x2',
      unsubscribeUrl: expect.stringMatching(/^https:\/\/privacy\.x2\.kg\/confirm\/u\//),
      headers: [
        { name: 'List-Unsubscribe', value: local.stdout.split('\n')[0]?.slice('List-Unsubscribe: '.length) },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ],
      keyFrom: 'link-key-file',
    });
  });

  it("names the chosen operator's base URL and support address", async () => {
    const { code, stdout } = await makulHere([
      'unsubscribe-headers',
      ADDRESS,
      '--operator',
      'sitronics',
      '--support-address',
      'Support.EZS@sitronics.com',
      '--local',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^List-Unsubscribe: <https:\/\/privacy\.sitronics-electro\.com\/confirm\/u\/[A-Za-z0-9_-]+>, <mailto:support\.ezs@sitronics\.com\?subject=unsubscribe>\n/,
    );
  });

  it('reads the secret from Secrets Manager with --hmac-secret-arn, signed, in the ARN region', async () => {
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        seen.push({ headers: request.headers, body });
        response.setHeader('Content-Type', 'application/x-amz-json-1.1');
        response.end(JSON.stringify({ SecretString: SECRET }));
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:makul-x2-hmac-AbCdEf';
    try {
      const { code, stdout } = await makul(
        ['unsubscribe-headers', '--print-link-key', '--hmac-secret-arn', arn],
        {
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        },
      );
      expect(code).toBe(0);
      expect(stdout).toBe(`${LINK_KEY_HEX}\n`);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ SecretId: arn });
    expect(seen[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(seen[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/secretsmanager\/aws4_request/,
    );
  });

  it('refuses a support address the operator does not have, with usage exit 2', async () => {
    const { code, stderr } = await makulHere([
      'unsubscribe-headers',
      ADDRESS,
      '--support-address',
      'someone@else.kg',
      '--local',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "--support-address must be one of operator x2's support addresses: support@x2.kg",
    );
  });

  it('refuses an invalid address with usage exit 2, without repeating it', async () => {
    const { code, stdout, stderr } = await makulHere([
      'unsubscribe-headers',
      'Aigul <aigul@example.kg>',
      '--local',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('not a valid email address');
    expect(stderr.toLowerCase()).not.toContain('aigul');
  });

  it('says where a key can come from when none is given, and refuses two at once', async () => {
    const none = await makulHere(['unsubscribe-headers', ADDRESS]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      '--local, --hmac-secret-arn ARN, --link-key-file PATH or set MAKUL_UNSUBSCRIBE_LINK_KEY',
    );

    const two = await makulHere(['unsubscribe-headers', ADDRESS, '--local', '--link-key-file', 'x']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('name one key source');

    const printFromLinkKey = await makulHere([
      'unsubscribe-headers',
      '--print-link-key',
      '--link-key-file',
      'x',
    ]);
    expect(printFromLinkKey.code).toBe(2);
    expect(printFromLinkKey.stderr).toContain("derives the key from the operator's secret");
  });

  it('exits 1 when the key cannot be read: no local key yet, or a link key that is not one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'makul-unsubscribe-empty-'));
    const noKey = await makulHere(['unsubscribe-headers', ADDRESS, '--local', '--data-dir', empty]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('start the local stack once (npm start)');

    const badKey = await makul(['unsubscribe-headers', ADDRESS], { MAKUL_UNSUBSCRIBE_LINK_KEY: 'not-hex' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('MAKUL_UNSUBSCRIBE_LINK_KEY: an unsubscribe link key is 64 hex digits');
  });

  it('is in the usage text, and its help says what the link key is for', async () => {
    const usage = await makulHere(['--help']);
    expect(usage.stdout).toContain('makul unsubscribe-headers EMAIL');
    const help = await makulHere(['unsubscribe-headers', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('only makes and reads unsubscribe links');
    expect(help.stdout).toContain('MAKUL_UNSUBSCRIBE_LINK_KEY');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { measureMime } from '../../../../functions/domain/mail/mime-limits';
import { MAIL_CORPUS, MAIL_FIXTURES } from '../../../support/paths';

/**
 * The scan's promise: it never counts fewer parts or header bytes than postal-mime reads, so no
 * message passes the limits and then costs postal-mime more than they allow. postal-mime does not
 * publish these counts; its parser keeps them as `root` (the tree of parts) and `headerSize`. If an
 * upgrade renames them, these tests fail loudly rather than pass on nothing.
 */
interface PostalMimeInternals {
  readonly root: PostalNode;
  readonly headerSize: number;
  parse(raw: Uint8Array): Promise<unknown>;
}
interface PostalNode {
  readonly childNodes: readonly PostalNode[];
}

function partsUnder(node: PostalNode): number {
  return node.childNodes.reduce((count, child) => count + 1 + partsUnder(child), 0);
}

/** What postal-mime read, or null when it gave up (then it did no more work than the scan allows). */
async function postalMimeCounts(raw: Uint8Array): Promise<{ parts: number; headerBytes: number } | null> {
  const parser = new PostalMime({ forceRfc822Attachments: true }) as unknown as PostalMimeInternals;
  try {
    await parser.parse(raw);
  } catch {
    return null;
  }
  expect(typeof parser.headerSize).toBe('number');
  return { parts: partsUnder(parser.root), headerBytes: parser.headerSize };
}

async function expectScanCountsAtLeastPostalMime(raw: Uint8Array): Promise<void> {
  const postal = await postalMimeCounts(raw);
  if (postal === null) return;
  const scan = measureMime(raw);
  expect(scan.parts).toBeGreaterThanOrEqual(postal.parts);
  expect(scan.headerBytes).toBeGreaterThanOrEqual(postal.headerBytes);
}

/** Boundaries as senders write them, odd ones included. */
const boundary = fc.constantFrom(
  'b',
  'b1',
  '=_Part_0_1.2',
  'a b',
  'b ',
  'b--',
  'é',
  'q"q',
  'p;q',
  'c(d)',
  'x\\y',
);
const multipartType = fc.constantFrom(
  'multipart/mixed',
  'Multipart/Alternative',
  ' multipart/related',
  '"multipart/mixed"',
  'multipart/mixed (comment)',
  '(comment) multipart/mixed',
  'multi(comment)part/mixed',
  'multipart/digest',
  'text/plain',
);
const quoted = (text: string) => `"${text.replace(/["\\]/g, (char) => `\\${char}`)}"`;
/** Every way of writing the boundary parameter that postal-mime reads (and some it reads oddly). */
const contentType = fc.tuple(boundary, multipartType, fc.nat(12)).map(([value, type, form]) => {
  const forms = [
    `${type}; boundary=${value}`,
    `${type}; boundary=${quoted(value)}`,
    `${type};\r\n\tboundary=${quoted(value)}`,
    `${type}; BOUNDARY = ${quoted(value)} ; charset=x`,
    `${type}; charset="a;b"; boundary=${quoted(value)}`,
    `${type}; boundary*0=${quoted(value)}`,
    `${type}; boundary*=utf-8''${encodeURIComponent(value)}`,
    `${type}; x"=1; boundary=${value}; y"=2`,
    `${type}; boundary=${quoted(value)}junk`,
    `${type}; boundary=${quoted(value)}""`,
    `${type}; flag; boundary=${quoted(value)}; boundary=other`,
    `${type} ; (comment) boundary=${quoted(value)}`,
    `${type}; boundary="${value}`,
  ];
  return { value, header: `Content-Type: ${forms[form]}` };
});
const delimiterOf = (value: string) =>
  fc.constantFrom(
    `--${value}`,
    `--${value}  `,
    `--${value}--`,
    `--${value}-- `,
    `--${value}x`,
    `-- ${value}`,
  );
const headerLine = fc.constantFrom('Subject: =?utf-8?B?0JY=?=', 'X-A: b', ' folded', 'From: a@b', '--b', '');
const bodyLine = fc.constantFrom('text', '', '--', '-- signature', '--b');

/** A MIME entity: headers, a Content-Type, a preamble, parts (some of them nested), a closing line. */
const entity = fc.letrec<{ entity: string }>((tie) => ({
  entity: fc
    .tuple(
      contentType,
      fc.array(headerLine, { maxLength: 3 }),
      fc.array(bodyLine, { maxLength: 2 }),
      fc.array(
        fc.oneof({ depthSize: 'small' }, fc.constant('Content-Type: text/plain\r\n\r\nhello'), tie('entity')),
        {
          maxLength: 4,
        },
      ),
    )
    .chain(([type, headers, preamble, parts]) =>
      fc
        .tuple(fc.tuple(...parts.map(() => delimiterOf(type.value))), delimiterOf(type.value))
        .map(([delimiters, closing]) =>
          [
            ...headers,
            type.header,
            '',
            ...preamble,
            ...parts.flatMap((part, index) => [delimiters[index] as string, part]),
            closing,
            'epilogue',
          ].join('\r\n'),
        ),
    ),
})).entity;

const SEED_MESSAGES: readonly Uint8Array[] = [MAIL_FIXTURES, MAIL_CORPUS].flatMap((folder) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.eml'))
    .map((entry) => new Uint8Array(readFileSync(join(entry.parentPath, entry.name)))),
);

describe('measureMime against postal-mime (properties)', () => {
  it('counts exactly the parts and header bytes postal-mime reads in real mail', async () => {
    let compared = 0;
    for (const raw of SEED_MESSAGES) {
      const postal = await postalMimeCounts(raw);
      if (postal === null) continue;
      expect(measureMime(raw)).toMatchObject(postal);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('never counts fewer parts or header bytes than postal-mime reads, however the MIME is written', async () => {
    await fc.assert(
      fc.asyncProperty(entity, fc.constantFrom('\r\n', '\n'), async (text, lineEnd) => {
        await expectScanCountsAtLeastPostalMime(Buffer.from(text.replaceAll('\r\n', lineEnd), 'utf8'));
      }),
      { numRuns: 400 },
    );
  });

  it('never counts fewer parts or header bytes than postal-mime reads in mutated real mail', async () => {
    const fragments = ['\r\n', '\n', '\r\n\r\n', '\r\n ', '--', '"', '(', ';', '\\', 'boundary=', '*0'];
    const edit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })),
      remove: fc.nat(4),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEED_MESSAGES),
        fc.array(edit, { maxLength: 4 }),
        async (seed, edits) => {
          let bytes = Buffer.from(seed);
          for (const { at, insert, remove } of edits) {
            const position = Math.floor(at * bytes.byteLength);
            bytes = Buffer.concat([
              bytes.subarray(0, position),
              Buffer.from(insert, 'utf8'),
              bytes.subarray(position + remove),
            ]);
          }
          await expectScanCountsAtLeastPostalMime(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });
});

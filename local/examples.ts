/**
 * The sample requests in examples/: one message per request kind and language, written as real mail
 * clients write them (examples/README.md lists each file's client and encodings). `npm run demo`
 * (bin/demo.ts) sends them through the local stack; test/unit/local/examples.test.ts checks that each
 * is decided as its name says. Their senders are on example.com (RFC 2606): nobody real.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LANGUAGES,
  type Language,
  REQUEST_KINDS,
  type RequestKind,
} from '../functions/domain/requests/request-kinds';

export const EXAMPLES_FOLDER = fileURLToPath(new URL('../examples', import.meta.url));

export interface ExampleFile {
  readonly fileName: string;
  readonly path: string;
  readonly kind: RequestKind;
  readonly language: Language;
}

/** Every example, in the order the demo sends them: kinds as REQUEST_KINDS lists them, each in ky, ru, en. */
export function exampleFiles(folder: string = EXAMPLES_FOLDER): ExampleFile[] {
  return REQUEST_KINDS.flatMap((kind) =>
    LANGUAGES.map((language) => {
      const fileName = `${kind}-${language}.eml`;
      return { fileName, path: join(folder, fileName), kind, language };
    }),
  );
}

export function readExample(example: ExampleFile): Uint8Array {
  return new Uint8Array(readFileSync(example.path));
}

/**
 * The message's header block as text, one character per byte (latin1), so that 8-bit headers in
 * KOI8-R or Windows-1251 come back byte for byte; and where the body starts.
 */
function headerBlock(message: Uint8Array): { readonly text: string; readonly bodyStart: number } {
  const all = Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('latin1');
  const end = all.indexOf('\r\n\r\n');
  return end < 0 ? { text: all, bodyStart: all.length } : { text: all.slice(0, end + 2), bodyStart: end + 2 };
}

/**
 * The address in the From header, for the SMTP envelope (MAIL FROM), as the person's mail client
 * would give it. Null when there is no `<address>` or bare address. Never printed.
 */
export function fromAddressOf(message: Uint8Array): string | null {
  const { text } = headerBlock(message);
  const from = /^from:[ \t]*((?:.*)(?:\r\n[ \t].*)*)/im.exec(text)?.[1]?.replace(/\r\n[ \t]/g, ' ');
  if (from === undefined) return null;
  return (
    /<([^<>\s@]+@[^<>\s@]+)>\s*$/.exec(from)?.[1] ?? /^\s*([^<>\s@"]+@[^<>\s@"]+)\s*$/.exec(from)?.[1] ?? null
  );
}

/**
 * The message as its client sends it now: a fresh Message-ID and today's Date in place of the file's
 * (a resent draft gets both), every other byte unchanged. Without a fresh Message-ID, a second demo
 * run would be a resend of the same mail, which makul records as a duplicate and does not answer.
 */
export function asSentNow(message: Uint8Array, messageId: string, now: Date): Uint8Array {
  const { text, bodyStart } = headerBlock(message);
  const date = now.toUTCString().replace('GMT', '+0000');
  // A field with its folded continuation lines.
  const field = (name: string) => new RegExp(`^${name}:[^\\r\\n]*(?:\\r\\n[ \\t][^\\r\\n]*)*`, 'im');
  const headers = text
    .replace(field('message-id'), `Message-ID: ${messageId}`)
    .replace(field('date'), `Date: ${date}`);
  const body = Buffer.from(message.buffer, message.byteOffset, message.byteLength).subarray(bodyStart);
  return new Uint8Array(Buffer.concat([Buffer.from(headers, 'latin1'), body]));
}

/**
 * A minimal SMTP client for the local listener (local/smtp-inbound.ts): enough to send a message
 * exactly as `curl smtp://` would, for `npm run demo` and the tests. No TLS and no AUTH, like the
 * listener; the message goes byte for byte (8-bit KOI8-R or Windows-1251 included), dot-stuffed as
 * RFC 5321 §4.5.2 asks.
 */
import { connect } from 'node:net';
import { LOOPBACK_HOST } from './loopback';

/** One SMTP session: each command returns the server's whole reply. */
async function openSmtpSession(
  port: number,
  host: string,
): Promise<{
  command(line: string | Uint8Array): Promise<string>;
  close(): void;
}> {
  const socket = connect(port, host);
  let received = '';
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
    wake?.();
  });
  socket.on('error', (error) => {
    failure = error;
    wake?.();
  });
  socket.on('close', () => {
    failure ??= new Error(`the SMTP server at ${host}:${port} closed the connection`);
    wake?.();
  });
  const readReply = async (): Promise<string> => {
    for (;;) {
      // A reply ends with a line whose code is followed by a space (continuation lines use a dash).
      const last = /^\d{3} [^\r\n]*\r\n/m.exec(received);
      if (last !== null) {
        const end = last.index + last[0].length;
        const reply = received.slice(0, end);
        received = received.slice(end);
        return reply;
      }
      if (failure !== null) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  await readReply(); // 220 greeting
  return {
    command: async (line) => {
      socket.write(typeof line === 'string' ? `${line}\r\n` : line);
      return await readReply();
    },
    close: () => socket.destroy(),
  };
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * The DATA section for a message: every line that starts with a dot gets one more (RFC 5321
 * §4.5.2), the message's own last line break is kept (one is added when it has none), then the
 * terminating "." line.
 */
export function dataSection(message: Uint8Array): Buffer {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const pieces: Buffer[] = [];
  let lineStart = 0;
  for (let index = 0; index <= bytes.length; index += 1) {
    if (index < bytes.length && bytes[index] !== LF) continue;
    const line = bytes.subarray(lineStart, Math.min(index + 1, bytes.length));
    if (line.length > 0) {
      if (line[0] === DOT) pieces.push(Buffer.from('.'));
      pieces.push(line);
    }
    lineStart = index + 1;
  }
  const endsWithLineBreak = bytes.length >= 2 && bytes[bytes.length - 2] === CR && bytes.at(-1) === LF;
  if (!endsWithLineBreak && bytes.length > 0) pieces.push(Buffer.from('\r\n'));
  pieces.push(Buffer.from('.\r\n'));
  return Buffer.concat(pieces);
}

export interface SmtpSendResult {
  /** The server's reply to each RCPT TO, in order. */
  readonly rcptReplies: string[];
  /** The reply to the message (after DATA), or null when no recipient was accepted. */
  readonly dataReply: string | null;
}

/** Sends one message in one session; `from` '' is the null reverse path `<>`. */
export async function sendMail(
  port: number,
  mail: { from: string; to: readonly string[]; message: Uint8Array },
  host: string = LOOPBACK_HOST,
): Promise<SmtpSendResult> {
  const session = await openSmtpSession(port, host);
  try {
    await session.command('EHLO client.example.test');
    await session.command(`MAIL FROM:<${mail.from}>`);
    const rcptReplies: string[] = [];
    for (const recipient of mail.to) rcptReplies.push(await session.command(`RCPT TO:<${recipient}>`));
    if (!rcptReplies.some((reply) => reply.startsWith('250'))) return { rcptReplies, dataReply: null };
    const goAhead = await session.command('DATA');
    if (!goAhead.startsWith('354')) throw new Error(`SMTP answered ${goAhead.trim()} to DATA`);
    const dataReply = await session.command(dataSection(mail.message));
    await session.command('QUIT');
    return { rcptReplies, dataReply };
  } finally {
    session.close();
  }
}

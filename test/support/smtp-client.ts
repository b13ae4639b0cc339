/** A minimal SMTP client for tests: enough to drive a listener exactly as `curl smtp://` would. */
import { connect } from 'node:net';
import { LOOPBACK_HOST } from '../../local/loopback';

/** One SMTP session: each command returns the server's whole reply. */
async function openSmtpSession(port: number): Promise<{
  command(line: string): Promise<string>;
  close(): void;
}> {
  const socket = connect(port, LOOPBACK_HOST);
  let received = '';
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
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
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  await readReply(); // 220 greeting
  return {
    command: async (line) => {
      socket.write(`${line}\r\n`);
      return await readReply();
    },
    close: () => socket.destroy(),
  };
}

export async function sendMail(
  port: number,
  mail: { from: string; to: readonly string[]; message: Uint8Array },
): Promise<{ rcptReplies: string[]; dataReply: string | null }> {
  const session = await openSmtpSession(port);
  try {
    await session.command('EHLO client.example.test');
    await session.command(`MAIL FROM:<${mail.from}>`);
    const rcptReplies: string[] = [];
    for (const recipient of mail.to) rcptReplies.push(await session.command(`RCPT TO:<${recipient}>`));
    if (!rcptReplies.some((reply) => reply.startsWith('250'))) return { rcptReplies, dataReply: null };
    const goAhead = await session.command('DATA');
    if (!goAhead.startsWith('354')) throw new Error(`SMTP answered ${goAhead.trim()} to DATA`);
    // The message's own last line break is part of it; the terminator is the "." line after it.
    const text = Buffer.from(mail.message).toString('utf8');
    const dataReply = await session.command(`${text.endsWith('\r\n') ? text : `${text}\r\n`}.`);
    await session.command('QUIT');
    return { rcptReplies, dataReply };
  } finally {
    session.close();
  }
}

import { describe, expect, it } from 'vitest';
import { decideInbound } from '../../../../functions/domain/mail/decide-inbound';
import {
  MAX_ENCODED_WORDS,
  MAX_MIME_PARTS,
  type MimeLimit,
} from '../../../../functions/domain/mail/mime-limits';
import { reviewReasonText } from '../../../../functions/domain/replies/staff-texts';
import { LANGUAGES } from '../../../../functions/domain/requests/request-kinds';

const SUPPORT = 'support@x2.kg';
const TEN_MB = 10 * 1024 * 1024;
const context = { operatorAddresses: [SUPPORT], maxMessageBytes: TEN_MB };
const CRLF = '\r\n';

function message(headers: readonly string[], body: readonly string[]): Uint8Array {
  const head = [
    'From: Aigul <aigul@example.kg>',
    `To: ${SUPPORT}`,
    'Message-ID: <m1@example.kg>',
    ...headers,
  ];
  return Buffer.from([...head, '', ...body, ''].join(CRLF), 'utf8');
}

/**
 * `count` base64 encoded-words ("abc" each) that postal-mime joins into one, re-scanning the joined
 * text at every join. A short charset name keeps 20,000 of them under the header byte limit.
 */
function encodedWordFlood(count: number): string {
  return Array.from({ length: count }, () => '=?x?B?YWJj?=').join(' ');
}

function tinyParts(count: number, text: string): string[] {
  const parts = Array.from({ length: count }, () => `--b${CRLF}${CRLF}x`);
  return [`--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}${text}`, ...parts.slice(1), '--b--'];
}

const TOO_COMPLEX = { action: 'review', kind: null, sender: null, senderAuthenticated: false, mail: null };

describe('decideInbound on messages too complex to parse in time', () => {
  it('sends a flood of 20,000 encoded-words in the Subject to review, unparsed, with the reason', async () => {
    const raw = message([`Subject: unsubscribe ${encodedWordFlood(20_000)}`], ['unsubscribe']);

    const decision = await decideInbound(raw, context);

    expect(decision).toMatchObject({ ...TOO_COMPLEX, reason: 'too-complex:encoded-words' });
  });

  it('still parses and decides a Subject of as many encoded-words as the limit allows', async () => {
    const subject = encodedWordFlood(MAX_ENCODED_WORDS).replaceAll('=?x?', '=?UTF-8?');

    const decision = await decideInbound(message([`Subject: ${subject}`], ['unsubscribe']), context);

    expect(decision).toMatchObject({ action: 'process', reason: 'tag-in-body', kind: 'unsubscribe' });
    expect(decision.mail?.subject).toBe('abc'.repeat(MAX_ENCODED_WORDS));
  });

  it('sends a message of 12,000 tiny MIME parts to review, unparsed, with the reason', async () => {
    const raw = message(
      ['Subject: unsubscribe', 'Content-Type: multipart/mixed; boundary=b'],
      tinyParts(12_000, 'unsubscribe'),
    );

    const decision = await decideInbound(raw, context);

    expect(decision).toMatchObject({ ...TOO_COMPLEX, reason: 'too-complex:parts' });
  });

  it('still decides a message of as many parts as the limit allows', async () => {
    const raw = message(
      ['Subject: Hello', 'Content-Type: multipart/mixed; boundary=b'],
      tinyParts(MAX_MIME_PARTS, 'unsubscribe'),
    );

    const decision = await decideInbound(raw, context);

    expect(decision).toMatchObject({ action: 'process', reason: 'tag-in-body', kind: 'unsubscribe' });
  });

  it('sends a 10 MB message whose header holds a 5 MB line to review, unparsed, with the reason', async () => {
    const raw = message(
      ['Subject: unsubscribe', `X-Padding: ${'a'.repeat(5 * 1024 * 1024)}`],
      ['unsubscribe', 'b'.repeat(5 * 1024 * 1024 - 4096)],
    );
    expect(raw.byteLength).toBeLessThan(TEN_MB);

    const decision = await decideInbound(raw, context);

    expect(decision).toMatchObject({ ...TOO_COMPLEX, reason: 'too-complex:header-bytes' });
  });

  it('sends a message of 50,000 one-byte header fields to review, unparsed, with the reason', async () => {
    const raw = message(
      ['Subject: unsubscribe', ...Array.from({ length: 50_000 }, () => 'X: y')],
      ['unsubscribe'],
    );

    const decision = await decideInbound(raw, context);

    expect(decision).toMatchObject({ ...TOO_COMPLEX, reason: 'too-complex:header-fields' });
  });

  it('applies the limits to the part of a large message it parses, not to what lies beyond', async () => {
    // 12,000 tiny parts after a 600 KB attachment lie past the parse window: they cost nothing.
    const attachment = Buffer.alloc(450 * 1024, 0x5a)
      .toString('base64')
      .replace(/.{76}/g, `$&${CRLF}`);
    const raw = message(
      ['Subject: unsubscribe', 'Content-Type: multipart/mixed; boundary=b'],
      [
        `--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}Hello`,
        `--b${CRLF}Content-Type: application/pdf${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${attachment}`,
        ...tinyParts(12_000, 'x'),
      ],
    );

    const decision = await decideInbound(raw, context);

    expect(decision).toMatchObject({ action: 'process', reason: 'tag-in-subject', kind: 'unsubscribe' });
  });

  it('gives staff the reason in words, in every language, for each limit', () => {
    const limits: Record<MimeLimit, true> = {
      'header-bytes': true,
      'header-fields': true,
      'encoded-words': true,
      parts: true,
    };

    for (const limit of Object.keys(limits)) {
      for (const language of LANGUAGES) {
        const text = reviewReasonText(`too-complex:${limit}`, language);

        expect(text.short.length).toBeGreaterThan(0);
        expect(text.long).not.toBe(reviewReasonText('unheard-of', language).long);
      }
    }
  });
});

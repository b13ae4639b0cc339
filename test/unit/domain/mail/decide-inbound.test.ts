import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideInbound, PARSE_WINDOW_BYTES } from '../../../../functions/domain/mail/decide-inbound';
import { UNKNOWN_VERDICTS } from '../../../../functions/domain/mail/inbound-mail';
import { MAIL_CORPUS } from '../../../support/paths';

const SUPPORT = 'support@x2.kg';
const context = { operatorAddresses: [SUPPORT], maxMessageBytes: 1024 * 1024 };

function mail(headers: Record<string, string>, body = 'Hello'): Uint8Array {
  const lines = Object.entries({ To: SUPPORT, 'Message-ID': '<m1@example.com>', ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`, 'utf8');
}

describe('decideInbound', () => {
  it('processes a recognised tag from a valid person, with kind, language and sender', async () => {
    const decision = await decideInbound(
      mail({ From: 'Aigul <Aigul@Example.KG>', Subject: 'Re: unsubscribe' }),
      context,
    );
    expect(decision).toMatchObject({
      action: 'process',
      reason: 'tag-in-subject',
      kind: 'unsubscribe',
      language: 'en',
      sender: 'Aigul@example.kg',
    });
  });

  it('reads the tag from the first body line when the subject is empty', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg', Subject: '' }, 'Отзыв согласия\r\n\r\nСпасибо'),
      context,
    );
    expect(decision).toMatchObject({
      action: 'process',
      reason: 'tag-in-body',
      kind: 'withdraw-consent',
      language: 'ru',
    });
  });

  it('sends mail from a person without a tag to review, never drops it', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'Question about my lottery ticket' }),
      context,
    );
    expect(decision).toMatchObject({
      action: 'review',
      reason: 'no-tag',
      kind: null,
      sender: 'a@example.kg',
    });
  });

  it('sends mail with several From addresses to review with the sender rule that failed', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg, b@example.kg', Subject: 'unsubscribe' }),
      context,
    );
    expect(decision.action).toBe('review');
    expect(decision.reason).toMatch(/^invalid-sender:/);
    expect(decision.sender).toBeNull();
  });

  it('drops auto-replies before looking at the tag', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'unsubscribe', 'Auto-Submitted': 'auto-replied' }),
      context,
    );
    expect(decision).toMatchObject({ action: 'drop', reason: 'auto-submitted' });
  });

  it('drops mail from the operator’s own address (loop guard)', async () => {
    const decision = await decideInbound(mail({ From: SUPPORT, Subject: 'unsubscribe' }), context);
    expect(decision).toMatchObject({ action: 'drop', reason: 'own-address' });
  });

  it('drops mail with a null envelope sender given by SES', async () => {
    const decision = await decideInbound(mail({ From: 'a@example.kg', Subject: 'unsubscribe' }), {
      ...context,
      envelopeSender: '',
    });
    expect(decision).toMatchObject({ action: 'drop', reason: 'null-return-path' });
  });

  it('uses the notification’s verdicts over headers: a spam FAIL from SES drops the mail', async () => {
    const decision = await decideInbound(mail({ From: 'a@example.kg', Subject: 'unsubscribe' }), {
      ...context,
      notificationVerdicts: { ...UNKNOWN_VERDICTS, spam: 'FAIL' },
    });
    expect(decision).toMatchObject({ action: 'drop', reason: 'spam-verdict-fail' });
  });

  it('treats a DMARC pass from SES as an authenticated sender', async () => {
    const decision = await decideInbound(mail({ From: 'a@example.kg', Subject: 'withdraw consent' }), {
      ...context,
      notificationVerdicts: { ...UNKNOWN_VERDICTS, spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    });
    expect(decision).toMatchObject({
      action: 'process',
      kind: 'withdraw-consent',
      senderAuthenticated: true,
    });
  });

  it('does not trust authentication claims a sender wrote into its own headers', async () => {
    const decision = await decideInbound(
      mail({
        From: 'a@example.kg',
        Subject: 'withdraw consent',
        'Authentication-Results': 'evil.example; dmarc=pass header.from=example.kg',
      }),
      context,
    );
    expect(decision.senderAuthenticated).toBe(false);
  });

  it('decides a large message from its start: a subject tag counts however long the body', async () => {
    const big = mail({ From: 'a@example.kg', Subject: 'unsubscribe' }, 'line of text\r\n'.repeat(100_000));
    const decision = await decideInbound(big, { ...context, maxMessageBytes: 2 * 1024 * 1024 });
    expect(big.byteLength).toBeGreaterThan(PARSE_WINDOW_BYTES);
    expect(decision).toMatchObject({ action: 'process', kind: 'unsubscribe' });
    expect(decision.mail?.sizeBytes).toBe(big.byteLength);
  });

  it('sends mail over the size cap to review without parsing it', async () => {
    const big = mail({ From: 'a@example.kg', Subject: 'unsubscribe' }, 'x'.repeat(2000));
    const decision = await decideInbound(big, { ...context, maxMessageBytes: 1000 });
    expect(decision).toMatchObject({ action: 'review', reason: 'too-large', mail: null, sender: null });
  });
});

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('decideInbound on the real-world corpus', () => {
  const corpus = MAIL_CORPUS;
  const messages = filesUnder(corpus).filter((path) => !/(README\.md|LICENSE.*|MIT-LICENSE)$/i.test(path));

  it('finds the corpus', () => {
    expect(messages.length).toBeGreaterThan(50);
  });

  it.each(messages.map((path) => [relative(corpus, path), path]))(
    '%s ends in a decision with a reason',
    async (_name, path) => {
      const decision = await decideInbound(readFileSync(path), context);
      expect(['process', 'review', 'drop']).toContain(decision.action);
      expect(decision.reason).toMatch(/^[a-z-]+(:[a-z-]+)?$/);
      // None of these carries a request tag (corpus README): none may be acted on.
      expect(decision.action).not.toBe('process');
    },
  );
});

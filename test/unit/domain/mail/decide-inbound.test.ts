import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideInbound, PARSE_WINDOW_BYTES } from '../../../../functions/domain/mail/decide-inbound';
import { UNKNOWN_VERDICTS } from '../../../../functions/domain/mail/inbound-mail';
import { NEVER_ANSWER_REASONS } from '../../../../functions/domain/mail/never-answer-guard';
import { MAIL_CORPUS, MAIL_FIXTURES } from '../../../support/paths';

const SUPPORT = 'support@x2.kg';
const context = { operatorAddresses: [SUPPORT], maxMessageBytes: 1024 * 1024 };
/** SES received it on 21 November 2026, a few minutes after the sender's Date. */
const RECEIVED_AT = new Date('2026-11-21T04:05:00Z');
const SENT = 'Sat, 21 Nov 2026 10:00:00 +0600';
const authenticated = {
  ...context,
  receivedAt: RECEIVED_AT,
  notificationVerdicts: { ...UNKNOWN_VERDICTS, spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
} as const;

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

  it('uses the notification’s verdicts over headers: a spam FAIL from SES holds the request with its kind', async () => {
    const decision = await decideInbound(mail({ From: 'a@example.kg', Subject: 'unsubscribe' }), {
      ...context,
      notificationVerdicts: { ...UNKNOWN_VERDICTS, spam: 'FAIL' },
    });
    expect(decision).toMatchObject({ action: 'hold', reason: 'spam-verdict-fail', kind: 'unsubscribe' });
  });

  it('holds a mail whose DMARC fails under a quarantine or reject policy, and only then', async () => {
    const decide = (dmarcPolicy: 'none' | 'quarantine' | 'reject') =>
      decideInbound(mail({ From: 'a@example.kg', Subject: 'withdraw consent' }), {
        ...context,
        notificationVerdicts: { ...UNKNOWN_VERDICTS, dmarc: 'FAIL', dmarcPolicy },
      });

    expect(await decide('reject')).toMatchObject({
      action: 'hold',
      reason: 'dmarc-fail',
      kind: 'withdraw-consent',
    });
    expect(await decide('quarantine')).toMatchObject({ action: 'hold', reason: 'dmarc-fail' });
    expect(await decide('none')).toMatchObject({ action: 'process', senderAuthenticated: false });
  });

  it('treats a DMARC pass from SES on a recent mail to this operator as an authenticated sender', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'withdraw consent', Date: SENT }),
      {
        ...authenticated,
      },
    );
    expect(decision).toMatchObject({
      action: 'process',
      kind: 'withdraw-consent',
      senderAuthenticated: true,
    });
  });

  it('does not take a signed mail written to another company as proof (a replay)', async () => {
    const decision = await decideInbound(
      mail({
        From: 'a@example.kg',
        To: 'privacy@other-company.example',
        Subject: 'withdraw consent',
        Date: SENT,
      }),
      authenticated,
    );
    expect(decision).toMatchObject({ action: 'process', senderAuthenticated: false });
  });

  it('does not take an old signed mail as proof, nor one without a date or with no time to compare', async () => {
    const old = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'withdraw consent', Date: 'Sat, 07 Nov 2026 10:00:00 +0600' }),
      authenticated,
    );
    const undated = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'withdraw consent' }),
      authenticated,
    );
    const noClock = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'withdraw consent', Date: SENT }),
      {
        ...authenticated,
        receivedAt: undefined,
      },
    );
    expect([old.senderAuthenticated, undated.senderAuthenticated, noClock.senderAuthenticated]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('takes a signed mail that names the operator in Cc, or was delivered to its address, as proof', async () => {
    const inCc = await decideInbound(
      mail({
        From: 'a@example.kg',
        To: 'lawyer@example.kg',
        Cc: `X2 <${SUPPORT}>`,
        Subject: 'withdraw consent',
        Date: SENT,
      }),
      authenticated,
    );
    // An address of the operator's that is not configured here, but is where SES delivered the mail (the
    // caller adds the envelope recipient to the operator's addresses).
    const deliveredTo = 'privacy@x2.kg';
    const toDeliveredAddress = (operatorAddresses: string[]) =>
      decideInbound(
        mail({ From: 'a@example.kg', To: deliveredTo, Subject: 'withdraw consent', Date: SENT }),
        { ...authenticated, operatorAddresses },
      );
    expect(inCc.senderAuthenticated).toBe(true);
    expect((await toDeliveredAddress([SUPPORT, deliveredTo])).senderAuthenticated).toBe(true);
    expect((await toDeliveredAddress([SUPPORT])).senderAuthenticated).toBe(false);
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
      // None of these carries a request tag (corpus README): none may be acted on. Robots are dropped with
      // a guard reason; the rest goes to review with a review reason (no SES verdicts here: nothing is held).
      if (decision.action === 'drop') {
        expect(NEVER_ANSWER_REASONS).toContain(decision.reason);
      } else {
        expect(decision).toMatchObject({
          action: 'review',
          reason: expect.stringMatching(
            /^(?:no-tag|too-large|unparseable|invalid-sender:[a-z-]+|too-complex:[a-z-]+)$/,
          ),
        });
      }
    },
  );
});

describe('decideInbound on robots that quote a tag', () => {
  const fixture = (name: string) => readFileSync(join(MAIL_FIXTURES, name));
  /** SES gives the envelope sender; a relay that rewrites it (SRS, a forwarding gateway) hides a null one. */
  const relayed = { ...context, envelopeSender: 'relay@gateway.example.net' };

  it.each([
    [
      'a complaint report (ARF) nested in a forward, quoting makul’s reply',
      'arf-nested-quoting-reply-subject.eml',
    ],
    [
      'a delivery report in multipart/mixed answering with Re: and the subject',
      'dsn-in-mixed-quoting-subject.eml',
    ],
  ])('drops %s as a delivery report', async (_case, name) => {
    const decision = await decideInbound(fixture(name), relayed);
    expect(decision).toMatchObject({ action: 'drop', reason: 'delivery-report', kind: null });
  });

  it.each([
    ['MAILER-DAEMON <>'],
    ['MAILER-DAEMON@mx.example.org (Mail Delivery System)'],
    ['Mail Delivery Subsystem <MAILER-DAEMON>'],
  ])('drops From: %s as a system sender, not review', async (from) => {
    const decision = await decideInbound(
      mail({ From: from, Subject: 'Re: unsubscribe' }, 'unsubscribe'),
      relayed,
    );
    expect(decision).toMatchObject({ action: 'drop', reason: 'system-sender', sender: null });
  });

  it.each([
    [
      'auto-submitted',
      'Ivan Petrov <ivan@example.com> (work)',
      { 'Auto-Submitted': 'auto-replied' },
      relayed,
    ],
    [
      'auto-submitted',
      '=?UTF-8?B?0JjQstCw0L0=?= <ivan@=?UTF-8?B?ZXhhbXBsZQ==?=.com>',
      { 'Auto-Submitted': 'auto-generated' },
      relayed,
    ],
    ['mailing-list', 'Shop News <news@shop.example> (weekly)', { 'List-Id': '<news.shop.example>' }, relayed],
    ['bulk-precedence', '"Offers" <offers(daily)@shop.example>', { Precedence: 'bulk' }, relayed],
    ['delivery-report', 'Gateway <gw@[192.0.2.1]>', { 'X-Failed-Recipients': 'aigul@example.net' }, relayed],
    ['null-return-path', 'Mail Robot <robot@localhost>', {}, { ...context, envelopeSender: '' }],
  ] as const)(
    'drops a robot (%s) whose From the strict check rejects (%s), not review',
    async (reason, from, robotHeaders, robotContext) => {
      const asPerson = await decideInbound(
        mail({ From: from, Subject: 'Re: unsubscribe' }, 'unsubscribe'),
        relayed,
      );
      const asRobot = await decideInbound(
        mail({ From: from, Subject: 'Re: unsubscribe', ...robotHeaders }, 'unsubscribe'),
        robotContext,
      );
      // The From alone is malformed: a person writing it goes to review…
      expect(asPerson).toMatchObject({ action: 'review', sender: null });
      expect(asPerson.reason).toMatch(/^invalid-sender:/);
      // …and a robot writing it is dropped for what it is, before the sender check.
      expect(asRobot).toMatchObject({ action: 'drop', reason, sender: null, kind: null });
    },
  );

  it('drops a gateway’s bounce that answers from post_master with Re: and the subject', async () => {
    const decision = await decideInbound(
      mail(
        { From: 'post_master@vtext.example.com', Subject: 'Re:Re: unsubscribe' },
        'Error: Invalid user address',
      ),
      relayed,
    );
    expect(decision).toMatchObject({ action: 'drop', reason: 'system-sender' });
  });

  it('drops a vacation reply that carries no Auto-Submitted', async () => {
    const decision = await decideInbound(fixture('vacation-reply-without-auto-submitted.eml'), {
      ...context,
      envelopeSender: 'nurlan@mail.example.com',
    });
    expect(decision).toMatchObject({ action: 'drop', reason: 'auto-reply-subject' });
  });

  it('drops an iCloud vacation reply, marked only by X-Apple-Action', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg', Subject: 'Auto reply: Re: unsubscribe', 'X-Apple-Action': 'VACATION' }),
      context,
    );
    expect(decision).toMatchObject({ action: 'drop', reason: 'auto-submitted' });
  });

  it('drops a mailing list’s loop alert', async () => {
    const decision = await decideInbound(fixture('list-loop-alert.eml'), {
      ...context,
      envelopeSender: 'support-admin@lists.example.org',
    });
    expect(decision).toMatchObject({ action: 'drop', reason: 'mailing-list' });
  });

  it('drops a bounce written with CR-only line ends', async () => {
    const bounce = [
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
      `To: ${SUPPORT}`,
      'Subject: Re: unsubscribe',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'unsubscribe',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; aigul@mail.example.net',
      'Status: 5.1.1',
      '--b1--',
      '',
    ].join('\r');
    const decision = await decideInbound(Buffer.from(bounce, 'latin1'), relayed);
    expect(decision.action).toBe('drop');
    expect(['system-sender', 'delivery-report']).toContain(decision.reason);
  });

  it('still processes a person’s reply with Re: and the tag, from Outlook, with a bounce attached', async () => {
    const decision = await decideInbound(fixture('person-forwards-bounce.eml'), {
      ...context,
      envelopeSender: 'aigul@mail.example.net',
    });
    expect(decision).toMatchObject({
      action: 'process',
      reason: 'tag-in-subject',
      kind: 'unsubscribe',
      sender: 'aigul@mail.example.net',
    });
  });

  it('still processes a person’s plain reply with Re: and the tag', async () => {
    const decision = await decideInbound(
      mail({
        From: 'Aigul <aigul@example.kg>',
        Subject: 'Re: Отписаться',
        'In-Reply-To': '<reply-0001@x2.kg>',
        'X-Auto-Response-Suppress': 'All',
      }),
      { ...context, envelopeSender: 'aigul@example.kg' },
    );
    expect(decision).toMatchObject({ action: 'process', reason: 'tag-in-subject', kind: 'unsubscribe' });
  });
});

describe('decideInbound on newsletter footers', () => {
  it.each([
    'Unsubscribe | View in browser',
    'To unsubscribe from these emails, click here',
    'Unsubscribe from this newsletter or update your preferences',
    'Отписаться от рассылки | Открыть в браузере',
  ])('does not take a first body line %j for a request', async (firstLine) => {
    const decision = await decideInbound(
      mail(
        { From: 'news@shop.example.kg', Subject: 'Spring offers' },
        `${firstLine}\r\n\r\nOur spring collection is here.`,
      ),
      context,
    );
    expect(decision).toMatchObject({ action: 'review', reason: 'no-tag', kind: null });
  });

  it('still reads a body line that is the request itself', async () => {
    const decision = await decideInbound(
      mail({ From: 'a@example.kg', Subject: '' }, 'Hello, unsubscribe me please. Thanks!\r\n\r\nAigul'),
      context,
    );
    expect(decision).toMatchObject({ action: 'process', reason: 'tag-in-body', kind: 'unsubscribe' });
  });
});

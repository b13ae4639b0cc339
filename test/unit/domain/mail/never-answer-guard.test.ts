import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdictsFromHeaders } from '../../../../functions/domain/mail/authentication-results';
import { type SecurityVerdicts, UNKNOWN_VERDICTS } from '../../../../functions/domain/mail/inbound-mail';
import {
  type GuardContext,
  NEVER_ANSWER_REASONS,
  neverAnswerReason,
} from '../../../../functions/domain/mail/never-answer-guard';
import { parseMail } from '../../../../functions/domain/mail/parse-mail';
import { checkSender } from '../../../../functions/domain/mail/sender-address';
import { MAIL_FIXTURES } from '../../../support/paths';

const FIXTURES = MAIL_FIXTURES;
const OPERATOR = 'support@operator.example';
const PERSON = 'aigul@example.com';

const context = (overrides: Partial<GuardContext> = {}): GuardContext => ({
  envelopeSender: PERSON,
  verdicts: { ...UNKNOWN_VERDICTS, spam: 'PASS', virus: 'PASS' },
  operatorAddresses: [OPERATOR],
  ...overrides,
});

/** A message from a person to the operator, with extra header lines. */
async function mailWith(...headerLines: string[]) {
  const lines = [`From: ${PERSON}`, `To: ${OPERATOR}`, 'Subject: unsubscribe', ...headerLines, '', 'Please.'];
  return parseMail(new TextEncoder().encode(lines.join('\r\n')));
}

describe('neverAnswerReason', () => {
  it('allows a reply to an ordinary message from a person', async () => {
    const mail = await mailWith('Content-Type: text/plain; charset=utf-8');

    expect(neverAnswerReason(mail, PERSON, context())).toBeNull();
  });

  it('allows a reply that declares Auto-Submitted: no', async () => {
    const mail = await mailWith('Auto-Submitted: no');

    expect(neverAnswerReason(mail, PERSON, context())).toBeNull();
  });

  it.each([
    ['auto-replied', 'Auto-Submitted: auto-replied'],
    ['auto-generated with a parameter', 'Auto-Submitted: auto-generated; owner-email="x@example.com"'],
    ['an unknown value', 'Auto-Submitted: auto-notified'],
    ['an empty value', 'Auto-Submitted:'],
    ['an X-Autoreply header', 'X-Autoreply: yes'],
    ['an X-Autorespond header', 'X-Autorespond: vacation'],
    ['Precedence: auto_reply', 'Precedence: auto_reply'],
  ])('never answers automatic mail: %s', async (_case, header) => {
    const mail = await mailWith(header);

    expect(neverAnswerReason(mail, PERSON, context())).toBe('auto-submitted');
  });

  it('does not take X-Auto-Response-Suppress as a mark of a robot', async () => {
    const mail = await mailWith('X-Auto-Response-Suppress: All');

    expect(neverAnswerReason(mail, PERSON, context())).toBeNull();
  });

  it.each([
    ['an empty envelope sender', ''],
    ['a <> envelope sender', '<>'],
    ['a spaced < > envelope sender', ' < > '],
  ])('never answers a null return path: %s', async (_case, envelopeSender) => {
    const mail = await mailWith();

    expect(neverAnswerReason(mail, PERSON, context({ envelopeSender }))).toBe('null-return-path');
  });

  it('reads a Return-Path: <> header when the envelope is unknown', async () => {
    const mail = await mailWith('Return-Path: <>');

    expect(neverAnswerReason(mail, PERSON, context({ envelopeSender: undefined }))).toBe('null-return-path');
  });

  it('trusts the envelope over a Return-Path header when both are known', async () => {
    const mail = await mailWith('Return-Path: <>');

    expect(neverAnswerReason(mail, PERSON, context({ envelopeSender: `<${PERSON}>` }))).toBeNull();
  });

  it('never answers a delivery or disposition report', async () => {
    const mail = await mailWith(
      'Content-Type: multipart/report; report-type=disposition-notification; boundary=x',
    );

    expect(neverAnswerReason(mail, PERSON, context())).toBe('delivery-report');
  });

  it.each(['bulk', 'junk', 'list', ' BULK '])('never answers Precedence: %s', async (value) => {
    const mail = await mailWith(`Precedence: ${value}`);

    expect(neverAnswerReason(mail, PERSON, context())).toBe('bulk-precedence');
  });

  it.each([
    'List-Id: Community news <news.lists.example.com>',
    'List-Unsubscribe: <mailto:news-request@lists.example.com>',
    'List-Post: <mailto:news@lists.example.com>',
  ])('never answers list mail carrying %s', async (header) => {
    const mail = await mailWith(header);

    expect(neverAnswerReason(mail, PERSON, context())).toBe('mailing-list');
  });

  it.each([
    'MAILER-DAEMON@mx.example.org',
    'postmaster@example.org',
    'news-request@lists.example.com',
    'owner-news@lists.example.com',
    'news-bounces+support=operator.example@lists.example.com',
    'noreply@shop.example',
    'No-Reply@shop.example',
    'no_reply.orders@shop.example',
    'donotreply@bank.example',
    'do-not-reply@bank.example',
  ])('never answers a system sender: %s', async (sender) => {
    const mail = await mailWith();

    expect(neverAnswerReason(mail, sender, context({ envelopeSender: sender }))).toBe('system-sender');
  });

  it('also recognises a system envelope sender behind a person-like From', async () => {
    const mail = await mailWith();

    const reason = neverAnswerReason(
      mail,
      PERSON,
      context({ envelopeSender: '<owner-news@lists.example.com>' }),
    );

    expect(reason).toBe('system-sender');
  });

  it.each([
    'nora.reply@example.com',
    'product-owner@example.com',
    'request@example.com',
    'noreen@example.com',
    'postmaster.jones@example.com',
  ])('answers a person whose address only resembles a system one: %s', async (sender) => {
    const mail = await mailWith();

    expect(neverAnswerReason(mail, sender, context({ envelopeSender: sender }))).toBeNull();
  });

  it('never answers a message SES marked as a virus; a spam verdict is not the guard’s to drop (it is held)', async () => {
    const mail = await mailWith();
    const verdicts = (overrides: Partial<SecurityVerdicts>) => ({ ...context().verdicts, ...overrides });

    expect(neverAnswerReason(mail, PERSON, context({ verdicts: verdicts({ virus: 'FAIL' }) }))).toBe(
      'virus-verdict-fail',
    );
    expect(neverAnswerReason(mail, PERSON, context({ verdicts: verdicts({ spam: 'FAIL' }) }))).toBeNull();
  });

  it('answers when the scanners gave GRAY or no verdict', async () => {
    const mail = await mailWith();

    const reason = neverAnswerReason(
      mail,
      PERSON,
      context({ verdicts: { ...UNKNOWN_VERDICTS, spam: 'GRAY' } }),
    );

    expect(reason).toBeNull();
  });

  it('never answers mail from the operator itself, whatever the spelling', async () => {
    const mail = await mailWith();

    expect(neverAnswerReason(mail, 'Support@Operator.EXAMPLE', context())).toBe('own-address');
    expect(neverAnswerReason(mail, PERSON, context({ envelopeSender: `<${OPERATOR}>` }))).toBe('own-address');
  });

  it('still applies the header rules when the sender address was invalid', async () => {
    const mail = await mailWith('Auto-Submitted: auto-generated');

    expect(neverAnswerReason(mail, null, context({ envelopeSender: undefined }))).toBe('auto-submitted');
  });

  it('reports the first reason in the documented order when several apply', async () => {
    const mail = await mailWith(
      'Auto-Submitted: auto-generated',
      'Precedence: bulk',
      'List-Id: <l.example.com>',
    );
    const verdicts = { ...UNKNOWN_VERDICTS, spam: 'FAIL', virus: 'FAIL' } as const;

    expect(neverAnswerReason(mail, 'noreply@example.com', context({ envelopeSender: '<>', verdicts }))).toBe(
      'virus-verdict-fail',
    );
    expect(neverAnswerReason(mail, 'noreply@example.com', context({ envelopeSender: '<>' }))).toBe(
      'null-return-path',
    );
    expect(neverAnswerReason(mail, 'noreply@example.com', context())).toBe('auto-submitted');
    expect(NEVER_ANSWER_REASONS.indexOf('auto-submitted')).toBeLessThan(
      NEVER_ANSWER_REASONS.indexOf('mailing-list'),
    );
  });

  it.each([
    ['auto-reply.eml', 'auto-submitted'],
    ['bounce-null-return-path.eml', 'null-return-path'],
    ['mailing-list.eml', 'mailing-list'],
    ['kyrgyz-utf8-base64-folded-subject.eml', null],
    ['russian-koi8r-quoted-printable.eml', null],
    ['russian-windows1251-base64.eml', null],
    ['english-html-only-forged-authentication.eml', null],
  ])('decides the fixture %s: %s', async (name, expected) => {
    const mail = await parseMail(readFileSync(join(FIXTURES, name)));
    const sender = checkSender(
      mail.headers.filter((header) => header.key === 'from').map((header) => header.value),
    );

    const reason = neverAnswerReason(mail, sender.ok ? sender.address : null, {
      envelopeSender: undefined,
      verdicts: verdictsFromHeaders(mail),
      operatorAddresses: [OPERATOR],
    });

    expect(reason).toBe(expected);
  });
});

/** The guard as the pipeline calls it: the sender as validated (null when invalid) and the raw message. */
async function guardRaw(raw: string | Uint8Array, overrides: Partial<GuardContext> = {}) {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
  const mail = await parseMail(bytes);
  const sender = checkSender(
    mail.headers.filter((header) => header.key === 'from').map((header) => header.value),
  );
  return neverAnswerReason(mail, sender.ok ? sender.address : null, {
    ...context({ envelopeSender: '<relay@gateway.example.net>' }),
    raw: bytes,
    ...overrides,
  });
}

/** A message with the given header lines and body lines, CRLF line ends. */
const message = (headerLines: readonly string[], bodyLines: readonly string[] = ['Hello']) =>
  [...headerLines, '', ...bodyLines, ''].join('\r\n');

describe('neverAnswerReason on robots that a strict sender check rejects', () => {
  it.each([
    ['MAILER-DAEMON <>', 'DragonFly / DMA bounces'],
    ['<>', 'McAfee gateway bounces'],
    ['MAILER-DAEMON@mx.example.org (Mail Delivery System)', 'Postfix and Exim with a comment'],
    ['Mail Delivery Subsystem <MAILER-DAEMON>', 'Sendmail without a domain'],
    ['MAILER-DAEMON', 'a bare local name'],
    ['Mailer Daemon <MAILER-DAEMON@localhost>', 'OpenSMTPD on a dotless host'],
    ['postmaster@mx.example.org ("InterScan Notification")', 'Trend Micro with a quoted comment'],
    [
      'postmaster@example.onmicrosoft.com (postmaster@example.onmicrosoft.com',
      'Office 365, unclosed comment',
    ],
    ['Mail Delivery System <>', 'a display name only'],
  ])('drops From: %s (%s) as a system sender, not review', async (from) => {
    const raw = message([`From: ${from}`, `To: ${OPERATOR}`, 'Subject: Re: unsubscribe']);

    expect(await guardRaw(raw)).toBe('system-sender');
  });

  it.each(['post_master@vtext.example.com', 'Mailer_Daemon@mx.example.org'])(
    'recognises the spellings of MAILER-DAEMON and postmaster some MTAs use: %s',
    async (from) => {
      const raw = message([`From: ${from}`, `To: ${OPERATOR}`, 'Subject: Re:Re: unsubscribe']);

      expect(await guardRaw(raw)).toBe('system-sender');
    },
  );

  it.each([
    'Ivan Petrov <ivan@example.com> (work)',
    '"Ivan" <ivan(home)@example.com>',
    'ivan@example.com, maria@example.com',
    '=?UTF-8?B?0JjQstCw0L0=?= <ivan@=?UTF-8?B?ZXhhbXBsZQ==?=.com>',
    'ivan@example.com (sent from a form, replies go to noreply@forms.example)',
    '"noreply@shop.example" <ivan@example.com> (Ivan)',
  ])('still sends a person with a malformed From to review: %s', async (from) => {
    const raw = message([`From: ${from}`, `To: ${OPERATOR}`, 'Subject: unsubscribe']);

    expect(await guardRaw(raw)).toBeNull();
  });
});

describe('neverAnswerReason on delivery and complaint reports', () => {
  const bounceHeaders = [
    'From: Message Delivery <notify@gateway.example.net>',
    `To: ${OPERATOR}`,
    'Subject: Re: unsubscribe',
    'MIME-Version: 1.0',
  ];
  const reportParts = (statusType: string) => [
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b1',
    `Content-Type: ${statusType}`,
    '',
    'Reporting-MTA: dns; gateway.example.net',
    '',
    'Final-Recipient: rfc822; aigul@mail.example.net',
    'Action: failed',
    'Status: 5.1.1',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: Re: unsubscribe',
    '--b1--',
  ];

  it.each([
    'message/delivery-status',
    'message/global-delivery-status',
    'message/feedback-report',
    'message/disposition-notification',
  ])('finds a %s part under multipart/mixed (RFC 3464, RFC 6533, RFC 5965, RFC 8098)', async (type) => {
    const raw = message(
      [...bounceHeaders, 'Content-Type: multipart/mixed; boundary="b1"'],
      reportParts(type.toUpperCase()),
    );

    expect(await guardRaw(raw)).toBe('delivery-report');
  });

  it('finds a multipart/report nested in a forwarding multipart/mixed', async () => {
    const raw = message(
      [...bounceHeaders, 'Content-Type: multipart/mixed; boundary=outer'],
      [
        '--outer',
        'Content-Type: text/plain',
        '',
        'See the report below.',
        '--outer',
        'Content-Type: multipart/report; report-type=feedback-report;',
        '\tboundary="b1"',
        '',
        ...reportParts('message/feedback-report'),
        '--outer--',
      ],
    );

    expect(await guardRaw(raw)).toBe('delivery-report');
  });

  it('follows a nested boundary that starts like its parent’s', async () => {
    const raw = message(
      [...bounceHeaders, 'Content-Type: multipart/mixed; boundary="b"'],
      [
        '--b',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        ...reportParts('message/delivery-status'),
        '--b--',
      ],
    );

    expect(await guardRaw(raw)).toBe('delivery-report');
  });

  it('reads a report written with CR-only line ends (classic Mac OS mail)', async () => {
    const raw = [
      'Return-Path: <relay@gateway.example.net>',
      ...bounceHeaders,
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      ...reportParts('message/delivery-status'),
      '',
    ].join('\r');

    expect(await guardRaw(raw)).toBe('delivery-report');
  });

  it('reads the headers of a CR-only bounce: its From and its Content-Type', async () => {
    const fromOnly = [
      'From: MAILER-DAEMON@mx.example.org',
      `To: ${OPERATOR}`,
      'Subject: Re: unsubscribe',
      '',
      'x',
    ];
    const reportOnly = [
      'From: Notifier <notify@gateway.example.net>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=b1',
      '',
      'x',
    ];

    expect(await guardRaw(fromOnly.join('\r'))).toBe('system-sender');
    expect(await guardRaw(reportOnly.join('\r'))).toBe('delivery-report');
  });

  it.each([
    ['X-Failed-Recipients: aigul@mail.example.net', 'Exim, Gmail'],
    ['X-MS-Exchange-Message-Is-Ndr:', 'Microsoft Exchange'],
  ])('takes %s as the mark of a bounce (%s)', async (header) => {
    const raw = message([...bounceHeaders, header]);

    expect(await guardRaw(raw)).toBe('delivery-report');
  });

  it('answers a person who attaches a bounce to their request: the attached message is not theirs', async () => {
    const raw = readFileSync(join(FIXTURES, 'person-forwards-bounce.eml'));

    expect(await guardRaw(raw, { envelopeSender: '<aigul@mail.example.net>' })).toBeNull();
  });

  it('answers a person whose text mentions a report type or a boundary-like line', async () => {
    const raw = message(
      [
        'From: Aigul <aigul@mail.example.net>',
        `To: ${OPERATOR}`,
        'Subject: unsubscribe',
        'Content-Type: multipart/alternative; boundary="alt"',
      ],
      [
        '--alt',
        'Content-Type: text/plain',
        '',
        'Please unsubscribe me.',
        '-- ',
        'Content-Type: message/delivery-status',
        '',
        '--alt--',
      ],
    );

    expect(await guardRaw(raw, { envelopeSender: '<aigul@mail.example.net>' })).toBeNull();
  });
});

describe('neverAnswerReason on vacation replies and list notices', () => {
  it('takes Apple’s X-Apple-Action: VACATION as an automatic reply (iCloud sends no Auto-Submitted)', async () => {
    const mail = await mailWith('X-Apple-Action: VACATION');

    expect(neverAnswerReason(mail, PERSON, context())).toBe('auto-submitted');
  });

  it.each([
    'Automatic reply: Re: unsubscribe',
    'Auto reply: Re: unsubscribe',
    'Auto: Re: unsubscribe',
    'AutoReply: unsubscribe',
    'Auto Response: unsubscribe',
    'Out of Office: Re: unsubscribe',
    'Out of Office AutoReply: unsubscribe',
    'Out of the office: unsubscribe',
    'Автоответ: Re: Отписаться',
    'Автоматический ответ: Re: Удалите мои данные',
    'Abwesenheitsnotiz: Re: unsubscribe',
    'Réponse automatique : Re: unsubscribe',
  ])('drops a vacation reply whose subject opens with its marker: %s', async (subject) => {
    const raw = message([`From: ${PERSON}`, `To: ${OPERATOR}`, `Subject: ${subject}`]);

    expect(await guardRaw(raw, { envelopeSender: PERSON })).toBe('auto-reply-subject');
  });

  it.each([
    'Re: unsubscribe',
    'Re: Automatic reply: unsubscribe',
    'Fwd: Out of Office: unsubscribe',
    'unsubscribe (auto-reply from your system keeps coming)',
    'Automatically renew? No: unsubscribe',
    'Auto-renewal: unsubscribe',
    'Autonomy: delete my data',
    'Отписаться, автоответ не нужен',
  ])('answers a person whose subject only mentions an auto reply: %s', async (subject) => {
    const raw = message([`From: ${PERSON}`, `To: ${OPERATOR}`, `Subject: ${subject}`]);

    expect(await guardRaw(raw, { envelopeSender: PERSON })).toBeNull();
  });

  it.each([
    ['X-BeenThere: support@lists.example.org', 'GNU Mailman'],
    ['X-Mailman-Version: 2.1.39', 'GNU Mailman'],
    ['X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]', 'fml'],
    ['X-ML-Name: support', 'fml'],
    ['Mailing-List: contact support-help@lists.example.org; run by ezmlm', 'ezmlm'],
    ['X-Mailing-List: <support@lists.example.org>', 'SmartList'],
  ])('takes %s as list mail (%s)', async (header) => {
    const mail = await mailWith(header);

    expect(neverAnswerReason(mail, PERSON, context())).toBe('mailing-list');
  });

  it('drops a list manager’s loop alert (fml), which carries no List-Id', async () => {
    const raw = readFileSync(join(FIXTURES, 'list-loop-alert.eml'));

    expect(await guardRaw(raw, { envelopeSender: '<support-admin@lists.example.org>' })).toBe('mailing-list');
  });
});

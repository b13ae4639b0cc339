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

  it('never answers a message SES marked as spam or as a virus', async () => {
    const mail = await mailWith();
    const verdicts = (overrides: Partial<SecurityVerdicts>) => ({ ...context().verdicts, ...overrides });

    expect(neverAnswerReason(mail, PERSON, context({ verdicts: verdicts({ spam: 'FAIL' }) }))).toBe(
      'spam-verdict-fail',
    );
    expect(neverAnswerReason(mail, PERSON, context({ verdicts: verdicts({ virus: 'FAIL' }) }))).toBe(
      'virus-verdict-fail',
    );
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

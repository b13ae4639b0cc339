import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isAuthenticatedSender,
  verdictsFromHeaders,
} from '../../../../functions/domain/mail/authentication-results';
import { type SecurityVerdicts, UNKNOWN_VERDICTS } from '../../../../functions/domain/mail/inbound-mail';
import { parseMail } from '../../../../functions/domain/mail/parse-mail';
import { MAIL_FIXTURES } from '../../../support/paths';

const FIXTURES = MAIL_FIXTURES;

async function mailWithHeaders(...headerLines: string[]) {
  return parseMail(
    new TextEncoder().encode([...headerLines, 'From: a@example.com', '', 'body'].join('\r\n')),
  );
}

describe('verdictsFromHeaders', () => {
  it('reads the SES spam and virus verdict headers', async () => {
    const mail = await mailWithHeaders('X-SES-Spam-Verdict: FAIL', 'X-SES-Virus-Verdict: PASS');

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts.spam).toBe('FAIL');
    expect(verdicts.virus).toBe('PASS');
  });

  it('reads only the topmost SES verdict header, the one SES prepended', async () => {
    const mail = await mailWithHeaders('X-SES-Spam-Verdict: FAIL', 'X-SES-Spam-Verdict: PASS');

    expect(verdictsFromHeaders(mail).spam).toBe('FAIL');
  });

  it('treats a missing or unknown verdict value as NONE', async () => {
    const mail = await mailWithHeaders('X-SES-Virus-Verdict: maybe');

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts.spam).toBe('NONE');
    expect(verdicts.virus).toBe('NONE');
  });

  it('reads SPF, DKIM and DMARC from the SES Authentication-Results header, comments and all', async () => {
    const mail = await mailWithHeaders(
      'Authentication-Results: amazonses.com;',
      ' spf=pass (spfCheck: domain of example.com designates 192.0.2.1 as permitted sender; ok) client-ip=192.0.2.1;',
      ' dkim=pass header.i=@example.com;',
      ' dmarc=pass header.from=example.com;',
    );

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts).toEqual({
      ...UNKNOWN_VERDICTS,
      spf: 'PASS',
      dkim: 'PASS',
      dmarc: 'PASS',
      dkimPassDomains: ['example.com'],
    });
  });

  it('ignores a forged Authentication-Results header below the one SES wrote', async () => {
    const mail = await parseMail(readFileSync(join(FIXTURES, 'english-html-only-forged-authentication.eml')));

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts.dmarc).toBe('FAIL');
    expect(verdicts.dkim).toBe('FAIL');
    expect(verdicts.dkimPassDomains).toEqual([]);
  });

  it('ignores Authentication-Results headers written by any other authserv-id', async () => {
    const mail = await mailWithHeaders(
      'Authentication-Results: mx.google.com; dkim=pass header.d=example.com; dmarc=pass',
      'Authentication-Results: amazonses.com.evil.example; dmarc=pass',
    );

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts).toEqual(UNKNOWN_VERDICTS);
  });

  it('trusts another authserv-id when told to, matching it without regard to case', async () => {
    const mail = await mailWithHeaders('Authentication-Results: MX.Operator.Example 1; dmarc=pass');

    const verdicts = verdictsFromHeaders(mail, 'mx.operator.example');

    expect(verdicts.dmarc).toBe('PASS');
  });

  it('collects the domain of every passing DKIM signature, header.d before header.i', async () => {
    const mail = await mailWithHeaders(
      'Authentication-Results: amazonses.com; dkim=fail header.d=bad.example;',
      ' dkim=pass header.d=Example.COM header.i=@mail.example.com; dkim = pass header.i="@News.Example.org";',
      ' dkim=pass header.i=@example.com',
    );

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts.dkim).toBe('PASS');
    expect(verdicts.dkimPassDomains).toEqual(['example.com', 'news.example.org']);
  });

  it('maps RFC 8601 results onto SES verdict statuses', async () => {
    const mail = await mailWithHeaders(
      'Authentication-Results: amazonses.com; spf=softfail; dkim=temperror; dmarc=permerror',
    );

    const verdicts = verdictsFromHeaders(mail);

    expect([verdicts.spf, verdicts.dkim, verdicts.dmarc]).toEqual(['GRAY', 'PROCESSING_FAILED', 'FAIL']);
  });

  it('does not split on a semicolon inside a comment or a quoted string', async () => {
    const mail = await mailWithHeaders(
      'Authentication-Results: amazonses.com; spf=pass reason="a; dmarc=pass" (x; dkim=pass); dmarc=fail',
    );

    const verdicts = verdictsFromHeaders(mail);

    expect(verdicts.spf).toBe('PASS');
    expect(verdicts.dkim).toBe('NONE');
    expect(verdicts.dmarc).toBe('FAIL');
  });
});

describe('isAuthenticatedSender', () => {
  const verdicts = (overrides: Partial<SecurityVerdicts>): SecurityVerdicts => ({
    ...UNKNOWN_VERDICTS,
    ...overrides,
  });

  it('accepts a DMARC pass', () => {
    expect(isAuthenticatedSender(verdicts({ dmarc: 'PASS' }), 'aigul@example.com')).toBe(true);
  });

  it('accepts a DKIM pass signed by the From domain itself', () => {
    const result = verdicts({ dkim: 'PASS', dkimPassDomains: ['example.net'] });

    expect(isAuthenticatedSender(result, 'Olga@Example.NET')).toBe(true);
  });

  it('accepts a DKIM pass signed by a parent of the From domain', () => {
    const result = verdicts({ dkim: 'PASS', dkimPassDomains: ['example.com'] });

    expect(isAuthenticatedSender(result, 'a@mail.example.com')).toBe(true);
  });

  it('rejects a DKIM pass signed by an unrelated domain', () => {
    const result = verdicts({ dkim: 'PASS', dkimPassDomains: ['mailer.example.org', 'xample.com'] });

    expect(isAuthenticatedSender(result, 'a@example.com')).toBe(false);
  });

  it('rejects a DKIM pass signed by a child of the From domain', () => {
    const result = verdicts({ dkim: 'PASS', dkimPassDomains: ['mail.example.com'] });

    expect(isAuthenticatedSender(result, 'a@example.com')).toBe(false);
  });

  it('rejects a signing domain that is a bare top-level domain', () => {
    const result = verdicts({ dkim: 'PASS', dkimPassDomains: ['com'] });

    expect(isAuthenticatedSender(result, 'a@example.com')).toBe(false);
  });

  it('rejects signing domains when the DKIM verdict itself is not a pass', () => {
    const result = verdicts({ dkim: 'FAIL', dkimPassDomains: ['example.com'] });

    expect(isAuthenticatedSender(result, 'a@example.com')).toBe(false);
  });

  it('rejects SPF alone, and rejects everything when nothing passed', () => {
    expect(isAuthenticatedSender(verdicts({ spf: 'PASS' }), 'a@example.com')).toBe(false);
    expect(isAuthenticatedSender(UNKNOWN_VERDICTS, 'a@example.com')).toBe(false);
  });

  it('matches an IDN From domain against its punycode signing domain', () => {
    const result = verdicts({ dkim: 'PASS', dkimPassDomains: ['xn--e1afmkfd.xn--p1ai'] });

    expect(isAuthenticatedSender(result, 'ivan@пример.рф')).toBe(true);
  });

  it('rejects a sender without a domain', () => {
    expect(isAuthenticatedSender(verdicts({ dmarc: 'PASS' }), 'not-an-address')).toBe(false);
  });

  it('authenticates the fixtures as their headers say', async () => {
    const read = async (name: string) => {
      const mail = await parseMail(readFileSync(join(FIXTURES, name)));
      return verdictsFromHeaders(mail);
    };

    expect(
      isAuthenticatedSender(
        await read('kyrgyz-utf8-base64-folded-subject.eml'),
        'aigul.osmonova@example.com',
      ),
    ).toBe(true);
    expect(
      isAuthenticatedSender(await read('russian-windows1251-base64.eml'), 'Olga.Smirnova@example.net'),
    ).toBe(true);
    expect(
      isAuthenticatedSender(await read('russian-koi8r-quoted-printable.eml'), 'ivan.petrov@example.org'),
    ).toBe(false);
    expect(
      isAuthenticatedSender(
        await read('english-html-only-forged-authentication.eml'),
        'john.smith@example.com',
      ),
    ).toBe(false);
  });
});

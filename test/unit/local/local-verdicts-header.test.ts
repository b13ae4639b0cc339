import { describe, expect, it } from 'vitest';
import {
  describeVerdicts,
  LOCAL_VERDICTS_HEADER,
  parseLocalVerdicts,
  readLocalVerdicts,
  takeTopLevelHeader,
} from '../../../local/local-verdicts-header';
import { signedByDomainVerdicts } from '../../../local/sample-verdicts';
import { LOCAL_SMTP_VERDICTS } from '../../../local/smtp-inbound';

const encoder = new TextEncoder();
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function parsed(value: string, fromDomain = 'example.kg') {
  const result = parseLocalVerdicts(value, fromDomain);
  if (!result.ok) throw new Error(`expected "${value}" to parse: ${result.error.problem}`);
  return result.verdicts;
}

function refused(value: string, fromDomain = 'example.kg') {
  const result = parseLocalVerdicts(value, fromDomain);
  if (result.ok) throw new Error(`expected "${value}" to be refused`);
  return result.error;
}

describe('parseLocalVerdicts (the X-Makul-Local-Verdicts grammar)', () => {
  it('reads "authenticated" as everything PASS, signed by the From domain', () => {
    expect(parsed('authenticated')).toEqual(signedByDomainVerdicts('example.kg'));
    expect(parsed('  Authenticated  ')).toEqual(signedByDomainVerdicts('example.kg'));
  });

  it('leaves every field it does not name GRAY', () => {
    expect(parsed('spf=pass')).toEqual({ ...LOCAL_SMTP_VERDICTS, spf: 'PASS' });
    expect(parsed('spam=fail')).toEqual({ ...LOCAL_SMTP_VERDICTS, spam: 'FAIL' });
    expect(parsed('virus=gray')).toEqual(LOCAL_SMTP_VERDICTS);
  });

  it('reads every field and verdict, case-insensitively, separated by spaces, tabs, ";" or ","', () => {
    expect(parsed('SPF=Pass\tdkim=FAIL; dmarc=gray, spam=pass virus=fail')).toEqual({
      spam: 'PASS',
      virus: 'FAIL',
      spf: 'PASS',
      dkim: 'FAIL',
      dmarc: 'GRAY',
      dkimPassDomains: [],
    });
  });

  it('signs dkim=pass with the From domain unless it names another one', () => {
    expect(parsed('dkim=pass').dkimPassDomains).toEqual(['example.kg']);
    expect(parsed('dkim=pass:Mail.Example.ORG').dkimPassDomains).toEqual(['mail.example.org']);
    expect(parsed('dkim=pass', '').dkimPassDomains).toEqual([]);
    expect(parsed('authenticated', '').dkimPassDomains).toEqual([]);
  });

  it('lets settings after "authenticated" change single verdicts', () => {
    expect(parsed('authenticated spam=fail')).toEqual({
      ...signedByDomainVerdicts('example.kg'),
      spam: 'FAIL',
    });
    expect(parsed('authenticated dkim=pass:relay.example.net').dkimPassDomains).toEqual([
      'relay.example.net',
    ]);
    expect(parsed('authenticated dkim=fail dmarc=gray')).toMatchObject({
      dkim: 'FAIL',
      dmarc: 'GRAY',
      dkimPassDomains: [],
    });
  });

  it('carries a DMARC policy with dmarc=fail, and none without one', () => {
    expect(parsed('dmarc=fail:reject')).toMatchObject({ dmarc: 'FAIL', dmarcPolicy: 'reject' });
    expect(parsed('dmarc=FAIL:Quarantine')).toMatchObject({ dmarcPolicy: 'quarantine' });
    expect(parsed('dmarc=fail')).not.toHaveProperty('dmarcPolicy');
  });

  it.each([
    ['', null, 'is empty'],
    [' ;, ', null, 'is empty'],
    ['spff=pass', 'spff=pass', 'is not understood'],
    ['pass', 'pass', 'is not understood'],
    ['authenticated=yes', 'authenticated=yes', 'is not understood'],
    ['spf', 'spf', 'has no verdict'],
    ['spf =pass', 'spf', 'has no verdict'],
    ['spf=yes', 'spf=yes', 'other than pass, fail or gray'],
    ['spf=grey', 'spf=grey', 'other than pass, fail or gray'],
    ['spf=', 'spf=', 'other than pass, fail or gray'],
    ['spf=pass spf=fail', 'spf=fail', 'sets spf a second time'],
    ['spf=pass authenticated', 'authenticated', 'must come first'],
    ['dkim=fail:example.kg', 'dkim=fail:example.kg', 'only dkim=pass takes'],
    ['dkim=pass:', 'dkim=pass:', 'not a domain name'],
    ['dkim=pass:localhost', 'dkim=pass:localhost', 'not a domain name'],
    ['dkim=pass:a@example.kg', 'dkim=pass:a@example.kg', 'not a domain name'],
    ['dmarc=pass:reject', 'dmarc=pass:reject', 'only dmarc=fail takes'],
    ['dmarc=fail:block', 'dmarc=fail:block', 'other than none, quarantine or reject'],
    ['spf=pass:strict', 'spf=pass:strict', 'nothing after ":"'],
  ])('refuses %j, naming the token at fault', (value, token, problem) => {
    const error = refused(value);
    expect(error.token).toBe(token);
    expect(error.problem).toContain(problem);
    // The problem goes to the progress line, which never shows what the mail says.
    expect(error.problem).not.toMatch(/example|@/);
  });

  it('gives the position of the token at fault', () => {
    expect(refused('spf=pass dkim=pass dmarc=maybe')).toMatchObject({ token: 'dmarc=maybe', position: 3 });
  });
});

describe('takeTopLevelHeader (finding and removing the header in the bytes)', () => {
  const name = LOCAL_VERDICTS_HEADER;

  it('removes every occurrence from the top-level header block and keeps every other byte', () => {
    const raw = encoder.encode(
      'From: a@example.kg\r\nx-makul-local-verdicts: spf=pass\r\nSubject: s\r\nX-MAKUL-LOCAL-VERDICTS : dkim=pass\r\n\r\nbody\r\n',
    );

    const taken = takeTopLevelHeader(raw, name);

    expect(taken.values).toEqual(['spf=pass', 'dkim=pass']);
    expect(text(taken.message)).toBe('From: a@example.kg\r\nSubject: s\r\n\r\nbody\r\n');
  });

  it('unfolds a folded value and removes its continuation lines with it', () => {
    const raw = encoder.encode(
      `From: a@example.kg\r\n${name}: spf=pass\r\n dkim=pass\r\n\tdmarc=pass\r\nTo: b@x2.kg\r\n\r\nbody`,
    );

    const taken = takeTopLevelHeader(raw, name);

    expect(taken.values).toEqual(['spf=pass dkim=pass\tdmarc=pass']);
    expect(text(taken.message)).toBe('From: a@example.kg\r\nTo: b@x2.kg\r\n\r\nbody');
  });

  it('works with bare LF line ends, as curl -T sends a file written on Unix', () => {
    const taken = takeTopLevelHeader(
      encoder.encode(`${name}: authenticated\nFrom: a@example.kg\n\nbody\n`),
      name,
    );

    expect(taken.values).toEqual(['authenticated']);
    expect(text(taken.message)).toBe('From: a@example.kg\n\nbody\n');
  });

  it('removes the last header of a message without a body', () => {
    const taken = takeTopLevelHeader(encoder.encode(`From: a@example.kg\r\n${name}: spf=pass`), name);

    expect(taken.values).toEqual(['spf=pass']);
    expect(text(taken.message)).toBe('From: a@example.kg\r\n');
  });

  it('leaves the header alone in the body and in the header of a nested part', () => {
    const raw = encoder.encode(
      [
        'From: a@example.kg',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        `${name}: authenticated`,
        '--b',
        'Content-Type: message/rfc822',
        '',
        `${name}: authenticated`,
        'Subject: inner',
        '',
        'inner body',
        '--b--',
        '',
      ].join('\r\n'),
    );

    const taken = takeTopLevelHeader(raw, name);

    expect(taken.values).toEqual([]);
    expect(taken.message).toBe(raw);
  });

  it('does not take a header whose name only starts or ends like it', () => {
    const raw = encoder.encode(
      `${name}-Extra: spf=pass\r\nX-Old-${name}: spf=pass\r\nX: ${name}: spf=pass\r\n\r\n`,
    );

    expect(takeTopLevelHeader(raw, name).values).toEqual([]);
  });

  it('keeps the bytes of 8-bit headers and bodies exactly', () => {
    const raw = new Uint8Array([
      ...encoder.encode('Subject: '),
      0xd0,
      0x96,
      0xff,
      ...encoder.encode(`\r\n${name}: authenticated\r\n\r\n`),
      0x00,
      0xfe,
    ]);

    const taken = takeTopLevelHeader(raw, name);

    expect([...taken.message]).toEqual([
      ...encoder.encode('Subject: '),
      0xd0,
      0x96,
      0xff,
      ...encoder.encode('\r\n\r\n'),
      0x00,
      0xfe,
    ]);
  });
});

describe('readLocalVerdicts (what the SMTP listener does with a received message)', () => {
  it('leaves a message without the header as it is', () => {
    const raw = encoder.encode('From: a@example.kg\r\n\r\nbody');

    expect(readLocalVerdicts(raw)).toEqual({ status: 'absent', message: raw });
  });

  it('honours the header with the From domain as signing domain, and hands on the message without it', () => {
    const reading = readLocalVerdicts(
      encoder.encode(
        `From: Aigul <aigul@Example.KG>\r\n${LOCAL_VERDICTS_HEADER}: authenticated\r\nSubject: s\r\n\r\nbody`,
      ),
    );

    expect(reading).toMatchObject({
      status: 'honoured',
      verdicts: signedByDomainVerdicts('example.kg'),
      summary: 'spf=PASS dkim=PASS (signed by the From domain) dmarc=PASS spam=PASS virus=PASS',
    });
    if (reading.status !== 'honoured') throw new Error('not honoured');
    expect(text(reading.message)).toBe('From: Aigul <aigul@Example.KG>\r\nSubject: s\r\n\r\nbody');
  });

  it('refuses a malformed header: the reply names the token, the progress reason only its position', () => {
    const reading = readLocalVerdicts(
      encoder.encode(
        `From: a@example.kg\r\n${LOCAL_VERDICTS_HEADER}: spf=pass dkim=pass:me@example.kg\r\n\r\n`,
      ),
    );

    expect(reading.status).toBe('malformed');
    if (reading.status !== 'malformed') throw new Error('not refused');
    expect(reading.reply).toContain(
      '"dkim=pass:me@example.kg" has a signing domain that is not a domain name',
    );
    expect(reading.reply).toContain('docs/local-stack.md');
    expect(reading.reason).toBe(
      `${LOCAL_VERDICTS_HEADER} token 2 has a signing domain that is not a domain name (letters, digits, hyphens; at least one dot)`,
    );
    expect(reading.reason).not.toContain('example.kg');
  });

  it('refuses the header given twice, even when both would parse', () => {
    const reading = readLocalVerdicts(
      encoder.encode(
        `${LOCAL_VERDICTS_HEADER}: spf=pass\r\nFrom: a@example.kg\r\n${LOCAL_VERDICTS_HEADER}: spf=pass\r\n\r\n`,
      ),
    );

    expect(reading).toMatchObject({
      status: 'malformed',
      reason: `${LOCAL_VERDICTS_HEADER} appears 2 times; give it once`,
    });
  });

  it('keeps an SMTP reply on one printable line within SMTP’s 512-octet limit whatever the token holds', () => {
    const reading = readLocalVerdicts(
      new Uint8Array([
        ...encoder.encode(`${LOCAL_VERDICTS_HEADER}: spf=p`),
        0xc3,
        0xa4,
        0x07,
        ...encoder.encode(`ss${'x'.repeat(200)}\r\n\r\n`),
      ]),
    );

    if (reading.status !== 'malformed') throw new Error('not refused');
    expect(reading.reply).toMatch(/^[\x20-\x7e]+$/);
    expect(reading.reply).toContain('"spf=p???ssxxx');
    expect(`554 5.6.0 ${reading.reply}\r\n`.length).toBeLessThanOrEqual(512);
  });
});

describe('describeVerdicts (the listener’s progress line)', () => {
  it('says who signed without naming a domain, and the DMARC policy when DMARC failed', () => {
    expect(
      describeVerdicts(
        {
          ...LOCAL_SMTP_VERDICTS,
          dkim: 'PASS',
          dkimPassDomains: ['relay.example.net'],
          dmarc: 'FAIL',
          dmarcPolicy: 'reject',
        },
        'example.kg',
      ),
    ).toBe('spf=GRAY dkim=PASS (signed by another domain) dmarc=FAIL (policy reject) spam=GRAY virus=GRAY');
    expect(describeVerdicts({ ...LOCAL_SMTP_VERDICTS, dkim: 'PASS' }, '')).toBe(
      'spf=GRAY dkim=PASS (no signing domain) dmarc=GRAY spam=GRAY virus=GRAY',
    );
  });
});

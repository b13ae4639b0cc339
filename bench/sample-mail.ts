/** Realistic request mail for the benchmarks: what a mail provider delivers to SES, about 5 KB. */

const CRLF = '\r\n';

function base64Lines(text: string | Uint8Array): string {
  const encoded = Buffer.from(text).toString('base64');
  return encoded.replace(/.{76}/g, `$&${CRLF}`);
}

/** A typical subject request: Russian tag in a folded UTF-8 encoded-word, DKIM-signed, text + HTML. */
export function typicalRequestMail(index = 0): Uint8Array {
  const subject = 'Re: Отказ от уведомлений о новых продуктах и услугах и специальных предложениях';
  const encodedSubject = `=?UTF-8?B?${Buffer.from(subject).toString('base64').slice(0, 60)}?=${CRLF} =?UTF-8?B?${Buffer.from(subject).toString('base64').slice(60)}?=`;
  const text = `Здравствуйте!\n\nПрошу больше не присылать мне рекламные рассылки.\n\nС уважением,\nИван Петров\n+7 900 000-00-00\n\n${'Это письмо отправлено с мобильного устройства. '.repeat(8)}`;
  const html = `<html><body><p>Здравствуйте!</p><p>Прошу больше не присылать мне рекламные рассылки.</p><p>С уважением,<br>Иван Петров</p>${'<p>Это письмо отправлено с мобильного устройства.</p>'.repeat(10)}</body></html>`;
  const boundary = `----=_Part_${index}_1234567890.1700000000000`;
  const headers = [
    'Return-Path: <ivan.petrov@example.ru>',
    'Received: from mail-ed1-f41.example.ru (mail-ed1-f41.example.ru [209.85.208.41]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abcdef0123456789 for support.ezs@sitronics.com; Mon, 16 Nov 2026 09:12:03 +0000 (UTC)',
    'X-SES-Spam-Verdict: PASS',
    'X-SES-Virus-Verdict: PASS',
    'Authentication-Results: amazonses.com; spf=pass (spfCheck: domain of example.ru designates 209.85.208.41 as permitted sender) client-ip=209.85.208.41; envelope-from=ivan.petrov@example.ru; helo=mail-ed1-f41.example.ru; dkim=pass header.i=@example.ru; dmarc=pass header.from=example.ru;',
    'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.ru; s=20230601; t=1700000000; x=1700604800; darn=sitronics.com; h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date:message-id:reply-to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=ZmFrZXNpZ25hdHVyZWZha2VzaWduYXR1cmVmYWtlc2lnbmF0dXJlZmFrZXNpZ25hdHVyZWZha2VzaWduYXR1cmVmYWtlc2lnbmF0dXJlZmFrZXNpZ25hdHVyZWZha2VzaWduYXR1cmVmYWtlc2lnbmF0dXJl',
    'MIME-Version: 1.0',
    `Message-ID: <CAF${index}xq7Yh0aBcD@mail.example.ru>`,
    'In-Reply-To: <20261115.newsletter.42@news.sitronics.com>',
    'References: <20261115.newsletter.42@news.sitronics.com>',
    'Date: Mon, 16 Nov 2026 12:11:58 +0300',
    'From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@example.ru>',
    'To: support.ezs@sitronics.com',
    `Subject: ${encodedSubject}`,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset="UTF-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(text),
    `--${boundary}`,
    'Content-Type: text/html; charset="UTF-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(html),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from([...headers, '', ...body].join(CRLF), 'utf8');
}

/** A request mail of about `totalBytes`, most of it one base64 attachment (a scanned passport, say). */
export function largeRequestMail(totalBytes: number): Uint8Array {
  const boundary = 'large-boundary-7f3a';
  // base64 in 76-character lines with CRLF: 57 bytes of content take 78 bytes of message.
  const attachmentBytes = Math.floor(((totalBytes - 2048) * 57) / 78);
  const attachment = Buffer.alloc(attachmentBytes, 0x5a);
  const parts = [
    'From: Ivan Petrov <ivan.petrov@example.ru>',
    'To: support.ezs@sitronics.com',
    'Subject: update personal data',
    'Message-ID: <large-1@mail.example.ru>',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Please update my passport data, scan attached.',
    `--${boundary}`,
    'Content-Type: application/pdf; name="passport.pdf"',
    'Content-Disposition: attachment; filename="passport.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(attachment),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(parts.join(CRLF), 'utf8');
}

/** A request of about `totalBytes` whose body is plain text in short lines: the slowest shape to parse. */
export function largeTextMail(totalBytes: number): Uint8Array {
  const line = 'Please see the history of my account below, line by line.';
  const lines = Array.from({ length: Math.floor((totalBytes - 512) / (line.length + 2)) }, () => line);
  const head = [
    'From: Ivan Petrov <ivan.petrov@example.ru>',
    'To: support.ezs@sitronics.com',
    'Subject: withdraw consent',
    'Message-ID: <large-text-1@mail.example.ru>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
  ];
  return Buffer.from([...head, ...lines, ''].join(CRLF), 'utf8');
}

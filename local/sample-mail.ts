/**
 * Ready-to-send sample requests for the local stack, one per language, written as real mail clients
 * write them (RFC 2047 encoded subjects folded over lines, 8-bit UTF-8 bodies), so a person can try the
 * pipeline with one `curl smtp://` command. The sender is on example.com (RFC 2606): nobody real.
 */
import type { Language, RequestKind } from '../functions/domain/requests/request-kinds';

/** RFC 2047 B-encoding in encoded-words of at most `charsPerWord` characters, folded like mail clients do. */
export function encodedWords(text: string, charsPerWord: number): string {
  const characters = [...text];
  const words: string[] = [];
  for (let start = 0; start < characters.length; start += charsPerWord) {
    const chunk = characters.slice(start, start + charsPerWord).join('');
    words.push(`=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`);
  }
  return words.join('\r\n ');
}

/** A message from header lines and a body (LF or CRLF), with CRLF line ends as SMTP carries them. */
export function mimeMessage(headerLines: readonly string[], body: string): Uint8Array {
  const crlfBody = body.replace(/\r?\n/g, '\r\n');
  return new TextEncoder().encode(`${headerLines.join('\r\n')}\r\n\r\n${crlfBody}`);
}

export const SAMPLE_SENDER = 'you@example.com';

export interface SampleMail {
  readonly fileName: string;
  readonly kind: RequestKind;
  readonly language: Language;
  readonly bytes: Uint8Array;
}

/** Subject tags are the policies' own phrases (see DESIGN.md, "The requests"). */
const SAMPLES: readonly { kind: RequestKind; language: Language; subject: string; body: string }[] = [
  {
    kind: 'unsubscribe',
    language: 'ru',
    subject: 'Отказ от уведомлений о новых продуктах и услугах и специальных предложениях',
    body: 'Здравствуйте!\n\nПрошу больше не присылать мне рекламные уведомления.\n',
  },
  {
    kind: 'withdraw-consent',
    language: 'ky',
    subject: 'Жеке маалыматтарды иштеп чыгууга макулдукту артка чакыртып алуу',
    body: 'Саламатсызбы!\n\nЖеке маалыматтарымды иштеп чыгууга берген макулдугумду артка чакыртып алам.\n',
  },
  {
    kind: 'update-data',
    language: 'en',
    subject: 'update personal data',
    // The values to change, labelled as the privacy policy asks: without them a person reads the mail.
    body: 'Hello,\n\nplease update the phone number you hold for me.\n\nPhone: +996 555 123 456\n',
  },
];

export function sampleMails(supportAddress: string, now: Date = new Date()): SampleMail[] {
  return SAMPLES.map((sample, index) => ({
    fileName: `${sample.kind}-${sample.language}.eml`,
    kind: sample.kind,
    language: sample.language,
    bytes: mimeMessage(
      [
        `From: ${SAMPLE_SENDER}`,
        `To: ${supportAddress}`,
        `Subject: ${encodedWords(sample.subject, 30)}`,
        `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
        // A fresh Message-ID per file; sending the same file twice is still one SES message each time.
        `Message-ID: <local-sample-${now.getTime()}-${index}@example.com>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
      ],
      sample.body,
    ),
  }));
}

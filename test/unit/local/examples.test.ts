/**
 * The sample requests in examples/ (local/examples.ts): one per request kind and language, each read by
 * the inbound handler's own pure path (postal-mime through parseMail, the subject classifier, and
 * decideInbound as the handler calls it with local mail's GRAY verdicts) as the kind and language its
 * file name says, for every operator in config/operators.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../../../functions/domain/classify/classify-request';
import { canonicalSubjectTag } from '../../../functions/domain/classify/subject-tags';
import { decideInbound } from '../../../functions/domain/mail/decide-inbound';
import { parseMail } from '../../../functions/domain/mail/parse-mail';
import { LANGUAGES, REQUEST_KINDS } from '../../../functions/domain/requests/request-kinds';
import { DEFAULT_OPERATORS_FILE, loadOperatorProfiles } from '../../../functions/shared/operators-file';
import {
  asSentNow,
  EXAMPLES_FOLDER,
  exampleFiles,
  fromAddressOf,
  readExample,
} from '../../../local/examples';
import { UNCHECKED_VERDICTS } from '../../../local/sample-verdicts';
import { dataSection } from '../../../local/smtp-client';
import { PROJECT_ROOT } from '../../support/paths';

const examples = exampleFiles();
const profiles = loadOperatorProfiles(join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE));
/** What SES says of mail nobody scanned or checked, as the local SMTP listener reports it. */
const GRAY = UNCHECKED_VERDICTS;

describe('examples/', () => {
  it('holds exactly one message per request kind and language, named <kind>-<language>.eml', () => {
    const expected = REQUEST_KINDS.flatMap((kind) => LANGUAGES.map((language) => `${kind}-${language}.eml`));
    const present = readdirSync(EXAMPLES_FOLDER).filter((name) => name.endsWith('.eml'));
    expect(present.sort()).toEqual([...expected].sort());
    expect(examples.map((example) => example.fileName)).toEqual(expected);
    expect(expected).toHaveLength(21);
  });

  it('lists every file in its README', () => {
    const readme = readFileSync(join(EXAMPLES_FOLDER, 'README.md'), 'utf8');
    for (const example of examples) expect(readme).toContain(`| \`${example.fileName}\` |`);
  });

  it('writes every message with CRLF line ends only, from its own example.com address', () => {
    const senders = new Set<string>();
    for (const example of examples) {
      const bytes = Buffer.from(readExample(example));
      const withoutCrlf = bytes.toString('latin1').replaceAll('\r\n', '');
      expect(withoutCrlf, example.fileName).not.toMatch(/[\r\n]/);
      const sender = fromAddressOf(bytes);
      expect(sender, example.fileName).toBe(`demo.${example.kind}.${example.language}@example.com`);
      senders.add(sender ?? '');
    }
    expect(senders.size).toBe(examples.length);
  });

  describe.each(examples)('$fileName', (example) => {
    it('has the published subject tag, which the classifier recognises exactly', async () => {
      const mail = await parseMail(readExample(example));
      expect(mail.subject).toBe(canonicalSubjectTag(example.kind, example.language));
      expect(classifyRequest(mail.subject, mail.text)).toEqual({
        kind: example.kind,
        language: example.language,
        foundIn: 'subject',
        exact: true,
      });
    });

    it.each(profiles.map((profile) => [profile.operator.id, profile] as const))(
      'is processed as its name says by operator %s, with local GRAY verdicts',
      async (_id, profile) => {
        const { operator } = profile;
        const raw = readExample(example);
        const sender = fromAddressOf(raw) ?? '';
        const decision = await decideInbound(raw, {
          // As handle-inbound-mail.ts gives them: configured addresses and the envelope recipient.
          operatorAddresses: [
            ...operator.supportAddresses,
            ...operator.ownAddresses,
            operator.humanSupportInbox,
            operator.supportAddresses[0] ?? '',
          ],
          envelopeSender: sender,
          receivedAt: new Date(),
          notificationVerdicts: GRAY,
          maxMessageBytes: operator.maxMessageBytes,
          ownDataFields: operator.ownDataFields,
        });
        expect(decision).toMatchObject({
          action: 'process',
          reason: 'tag-in-subject',
          kind: example.kind,
          language: example.language,
          sender,
          senderAuthenticated: false,
          exactTag: true,
        });
        // The details these two kinds cannot do without (policy: labelled values; the data named).
        if (example.kind === 'update-data') expect(decision.details?.fields?.length).toBeGreaterThan(0);
        if (example.kind === 'stop-dissemination')
          expect(decision.details?.dataItems).toEqual(['phone', 'photo']);
      },
    );
  });
});

describe('asSentNow', () => {
  it('replaces only the Message-ID and Date, byte for byte elsewhere (8-bit headers included)', async () => {
    const example = examples.find((candidate) => candidate.fileName === 'erasure-ru.eml');
    if (example === undefined) throw new Error('erasure-ru.eml missing');
    const original = Buffer.from(readExample(example));
    const now = new Date('2026-12-02T10:00:00Z');
    const sent = Buffer.from(asSentNow(original, '<fresh-1@example.com>', now));
    const lines = (bytes: Buffer) => bytes.toString('latin1').split('\r\n');
    const changed = lines(sent).filter((line) => !lines(original).includes(line));
    expect(changed).toEqual(['Message-ID: <fresh-1@example.com>', 'Date: Wed, 02 Dec 2026 10:00:00 +0000']);
    expect(lines(sent)).toHaveLength(lines(original).length);
    const mail = await parseMail(sent);
    expect(mail.messageId).toBe('<fresh-1@example.com>');
    expect(mail.subject).toBe('Уничтожение персональных данных');
  });
});

describe('dataSection (local/smtp-client.ts)', () => {
  it('dot-stuffs lines that start with a dot and ends with the terminating dot line', () => {
    const section = dataSection(Buffer.from('Subject: x\r\n\r\n.hidden\r\nend.\r\n..two', 'latin1'));
    expect(section.toString('latin1')).toBe('Subject: x\r\n\r\n..hidden\r\nend.\r\n...two\r\n.\r\n');
  });

  it('keeps 8-bit bytes as they are', () => {
    const bytes = Buffer.from([0x53, 0x3a, 0x20, 0xd3, 0xed, 0xe8, 0x0d, 0x0a]);
    expect(dataSection(bytes)).toEqual(Buffer.concat([bytes, Buffer.from('.\r\n')]));
  });
});

/** Sends makul's replies and forwards through SES v2 (Simple content takes custom headers; v1 does not). */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailSender, OutgoingReply } from '../../ports/mail-sender';

export class SesMailSender implements MailSender {
  constructor(
    private readonly client: SESv2Client,
    /** Configuration set with reputation metrics (bounce/complaint alarms); none locally. */
    private readonly configurationSetName: string | undefined,
  ) {}

  async sendReply(reply: OutgoingReply): Promise<string> {
    const result = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: reply.from,
        Destination: { ToAddresses: [reply.to] },
        ConfigurationSetName: this.configurationSetName,
        Content: {
          Simple: {
            Subject: { Data: reply.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: reply.text, Charset: 'UTF-8' },
              Html: { Data: reply.html, Charset: 'UTF-8' },
            },
            Headers: reply.headers.map((header) => ({ Name: header.name, Value: header.value })),
          },
        },
      }),
    );
    return requireMessageId(result.MessageId);
  }

  async sendRaw(from: string, to: string, raw: Uint8Array): Promise<string> {
    const result = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to] },
        ConfigurationSetName: this.configurationSetName,
        Content: { Raw: { Data: raw } },
      }),
    );
    return requireMessageId(result.MessageId);
  }
}

function requireMessageId(messageId: string | undefined): string {
  // SES answers every accepted message with an id; none means the call did not really succeed.
  if (!messageId) throw new Error('SES accepted the call but returned no MessageId');
  return messageId;
}

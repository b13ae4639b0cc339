/** Sends makul's replies and forwards through SES v2 (Simple content takes custom headers; v1 does not). */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MailNotSentError, type MailSender, type OutgoingReply } from '../../ports/mail-sender';
import { neverReachedService } from '../../shared/aws-timeouts';

export class SesMailSender implements MailSender {
  constructor(
    private readonly client: SESv2Client,
    /** Configuration set with reputation metrics (bounce/complaint alarms); none locally. */
    private readonly configurationSetName: string | undefined,
  ) {}

  async sendReply(reply: OutgoingReply): Promise<string> {
    return this.send(
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
  }

  async sendRaw(from: string, to: string, raw: Uint8Array): Promise<string> {
    return this.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to] },
        ConfigurationSetName: this.configurationSetName,
        Content: { Raw: { Data: raw } },
      }),
    );
  }

  private async send(command: SendEmailCommand): Promise<string> {
    let messageId: string | undefined;
    try {
      messageId = (await this.client.send(command)).MessageId;
    } catch (error) {
      if (surelyNotSent(error)) throw new MailNotSentError('SES did not take the message', { cause: error });
      throw error;
    }
    return requireMessageId(messageId);
  }
}

/**
 * Whether SES surely did not take the message. A 4xx answer (invalid, rejected, throttled) is SES
 * refusing it; a connection never made or never established sent nothing (shared/aws-timeouts.ts).
 * Everything else (a 5xx, a reset or a timeout after the request went out) may have been accepted.
 */
export function surelyNotSent(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && (error as { $fault?: string }).$fault === 'client')
    return true;
  return neverReachedService(error);
}

function requireMessageId(messageId: string | undefined): string {
  // SES answers every accepted message with an id; none means the call did not really succeed.
  if (!messageId) throw new Error('SES accepted the call but returned no MessageId');
  return messageId;
}

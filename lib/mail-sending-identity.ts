/**
 * Mail out: an SES identity per support-address domain (Easy DKIM, custom MAIL FROM) and the
 * configuration set every reply and forward is sent with. The set publishes reputation metrics, which
 * the bounce and complaint alarms watch. Verifying a domain identity also lets SES receive mail for it.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MailSendingIdentityProps {
  /** Operator id, used in the configuration set's name. */
  readonly operatorId: string;
  /** Support addresses; each distinct domain becomes a verified identity. Replies come from the first. */
  readonly supportAddresses: readonly string[];
  /**
   * Subdomain label of the custom MAIL FROM domain (`<label>.<domain>`). A custom MAIL FROM aligns SPF
   * with the From domain, so DMARC passes on SPF as well as on DKIM.
   * @default 'bounce'
   */
  readonly mailFromLabel?: string;
}

/** One sending domain: the identity, and the DNS records the operator must publish for it. */
export interface SendingDomain {
  readonly domain: string;
  readonly identity: ses.EmailIdentity;
  readonly mailFromDomain: string;
}

export class MailSendingIdentity extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly configurationSetName: string;
  public readonly domains: readonly SendingDomain[];

  constructor(scope: Construct, id: string, props: MailSendingIdentityProps) {
    super(scope, id);
    this.configurationSetName = `makul-${props.operatorId}`;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: this.configurationSetName,
      // Bounce and complaint rates of makul's own mail, separate from anything else the account sends.
      reputationMetrics: true,
      sendingEnabled: true,
      // Replies can carry a subject's request details; refuse to hand them to a server without TLS.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      // Never retry an address that bounced hard or complained: it protects the sending reputation.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    const mailFromLabel = props.mailFromLabel ?? 'bounce';
    const distinctDomains = [...new Set(props.supportAddresses.map(domainOf))];
    this.domains = distinctDomains.map((domain, index) => {
      const mailFromDomain = `${mailFromLabel}.${domain}`;
      const identity = new ses.EmailIdentity(this, `Domain${index + 1}`, {
        identity: ses.Identity.domain(domain),
        configurationSet: this.configurationSet,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
        dkimSigning: true,
        mailFromDomain,
        // Until the MAIL FROM records exist, SES falls back to its own domain instead of refusing to send.
        mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
        // SES allows switching feedback forwarding off only with bounce/complaint topics per identity.
        // Bounces therefore come back to the support address, where the never-answer guard (null
        // Return-Path, MAILER-DAEMON) keeps them from being answered.
        feedbackForwarding: true,
      });
      return { domain, identity, mailFromDomain };
    });
  }

  /** The identity ARN that authorises sending from a support address (its domain's identity). */
  identityArnFor(address: string): string {
    const domain = domainOf(address);
    const match = this.domains.find((candidate) => candidate.domain === domain);
    if (!match) throw new Error(`no sending identity for the domain of a support address (${domain})`);
    return match.identity.emailIdentityArn;
  }

  /**
   * SESv2 SendEmail (Simple and Raw content) from the support domains, with this configuration set only.
   * SES authorises a send against the From identity and the configuration set, so both are listed.
   */
  grantSend(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          ...this.domains.map((sendingDomain) => sendingDomain.identity.emailIdentityArn),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSetName,
          }),
        ],
      }),
    );
  }
}

/** Domain part of an address the profile schema already validated (lower-cased). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) throw new Error('a support address must contain a domain');
  return address.slice(at + 1).toLowerCase();
}

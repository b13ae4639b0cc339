/** Shapes shared by the parsing, guarding and classifying steps of the inbound pipeline. */

export interface MailHeader {
  /** Lower-case header name. */
  readonly key: string;
  /** Raw value, unfolded, not decoded (encoded-words stay as written). */
  readonly value: string;
}

export interface ParsedMail {
  /** Message-ID header with its angle brackets, or null when the message has none (or none well-formed). */
  readonly messageId: string | null;
  /** Decoded subject (encoded-words and charsets resolved), '' when missing. */
  readonly subject: string;
  /** Plain text of the body (from text/plain, else from HTML), '' when none. */
  readonly text: string;
  /** Every header in message order. */
  readonly headers: readonly MailHeader[];
  /** Message ids of the References header, space-separated, trimmed to the root and the newest; or null. */
  readonly references: string | null;
  /** Size of the raw message in bytes. */
  readonly sizeBytes: number;
}

/** SES verdict statuses (receipt notification `receipt.*Verdict.status`, `X-SES-*-Verdict` headers). */
export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED' | 'NONE';

export interface SecurityVerdicts {
  readonly spam: VerdictStatus;
  readonly virus: VerdictStatus;
  readonly spf: VerdictStatus;
  readonly dkim: VerdictStatus;
  readonly dmarc: VerdictStatus;
  /** Domains with a passing DKIM signature (header.d / header.i of Authentication-Results). */
  readonly dkimPassDomains: readonly string[];
  /**
   * The sending domain's published DMARC policy, which SES reports only when DMARC fails
   * (receipt.dmarcPolicy); undefined when not known.
   */
  readonly dmarcPolicy?: DmarcPolicy;
}

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export const UNKNOWN_VERDICTS: SecurityVerdicts = {
  spam: 'NONE',
  virus: 'NONE',
  spf: 'NONE',
  dkim: 'NONE',
  dmarc: 'NONE',
  dkimPassDomains: [],
};

/**
 * What the pipeline does with a message, and why: act and reply, give it to a person, ignore a robot,
 * or hold it (a person's mail that failed the spam scan or DMARC: no effect and no reply, but recorded
 * with its kind and listed for ops, so a false positive can be recovered).
 */
export type InboundAction = 'process' | 'review' | 'drop' | 'hold';

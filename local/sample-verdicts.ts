/**
 * SES verdicts the fixtures and tests reuse, named for what they stand for, so a test says "SPF only"
 * or "signed by the sender's domain" instead of restating six fields.
 */
import type { SesVerdicts } from './ses-receipt';

/** Nothing scanned and nothing checked: every verdict GRAY, SES's own word for "could not tell". */
export const UNCHECKED_VERDICTS: SesVerdicts = {
  spam: 'GRAY',
  virus: 'GRAY',
  spf: 'GRAY',
  dkim: 'GRAY',
  dmarc: 'GRAY',
  dkimPassDomains: [],
};

/** Scanned clean and SPF passes, but no DKIM signature and so no DMARC alignment: not proof of sender. */
export const SPF_ONLY_VERDICTS: SesVerdicts = {
  spam: 'PASS',
  virus: 'PASS',
  spf: 'PASS',
  dkim: 'GRAY',
  dmarc: 'GRAY',
  dkimPassDomains: [],
};

/** Scanned clean, SPF, DKIM and DMARC pass with a signature of the sender's own domain: proof of sender. */
export function signedByDomainVerdicts(domain: string): SesVerdicts {
  return { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', dkimPassDomains: [domain] };
}

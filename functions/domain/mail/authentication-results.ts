/**
 * What SES concluded about a message (spam, virus, SPF, DKIM, DMARC), read from the headers SES adds
 * on receipt, and whether that proves the sender controls the From address.
 *
 * Trust: every header below the ones SES adds was written by the sender, who can write anything,
 * including `Authentication-Results: amazonses.com; dmarc=pass`. SES prepends its headers, so only the
 * topmost occurrence is read, and only an Authentication-Results header whose authserv-id is SES's
 * own. In the Lambda the receipt notification's verdicts are SES's word and take precedence; these
 * header readings serve the CLI, local runs and the DKIM signing domains the notification lacks.
 */
import { domainToASCII } from 'node:url';
import type { ParsedMail, SecurityVerdicts, VerdictStatus } from './inbound-mail';
import { headerValues } from './parse-mail';

/** The authserv-id SES writes into its Authentication-Results header. */
export const SES_AUTHSERV_ID = 'amazonses.com';

const SES_VERDICTS: ReadonlySet<string> = new Set<VerdictStatus>([
  'PASS',
  'FAIL',
  'GRAY',
  'PROCESSING_FAILED',
  'DISABLED',
]);

/** RFC 8601 / RFC 8616 result keywords, mapped onto SES's verdict statuses. */
const RESULT_TO_VERDICT: ReadonlyMap<string, VerdictStatus> = new Map([
  ['pass', 'PASS'],
  ['fail', 'FAIL'],
  ['hardfail', 'FAIL'],
  ['permerror', 'FAIL'],
  ['softfail', 'GRAY'],
  ['neutral', 'GRAY'],
  ['policy', 'GRAY'],
  ['temperror', 'PROCESSING_FAILED'],
  ['none', 'NONE'],
]);

/** When a method reports several results (one per DKIM signature), the first status here wins. */
const AGGREGATE_PRECEDENCE: readonly VerdictStatus[] = [
  'PASS',
  'FAIL',
  'PROCESSING_FAILED',
  'GRAY',
  'DISABLED',
  'NONE',
];

/**
 * Verdicts from the message's own headers: the topmost X-SES-Spam-Verdict and X-SES-Virus-Verdict, and
 * the TOPMOST Authentication-Results header whose authserv-id equals trustedAuthServId. Any other
 * Authentication-Results header is ignored: a sender can forge it (see the module comment).
 */
export function verdictsFromHeaders(
  mail: ParsedMail,
  trustedAuthServId: string = SES_AUTHSERV_ID,
): SecurityVerdicts {
  const trustedResults = headerValues(mail, 'authentication-results')
    .map(parseAuthenticationResults)
    .find((results) => results.authServId === trustedAuthServId.toLowerCase());
  const methods = trustedResults?.methods ?? [];
  const verdictOf = (method: string): VerdictStatus =>
    aggregate(methods.filter((result) => result.method === method).map((result) => result.verdict));

  const dkimPassDomains = methods
    .filter((result) => result.method === 'dkim' && result.verdict === 'PASS')
    .map((result) => signingDomain(result.properties))
    .filter((domain): domain is string => domain !== null);

  return {
    spam: sesVerdict(headerValues(mail, 'x-ses-spam-verdict')[0]),
    virus: sesVerdict(headerValues(mail, 'x-ses-virus-verdict')[0]),
    spf: verdictOf('spf'),
    dkim: verdictOf('dkim'),
    dmarc: verdictOf('dmarc'),
    dkimPassDomains: [...new Set(dkimPassDomains)],
  };
}

/**
 * DMARC pass, or DKIM pass with a signing domain aligned with the From domain: equal to it, or a
 * parent of it (relaxed alignment kept simple: `d=example.com` covers `mail.example.com`).
 */
export function isAuthenticatedSender(verdicts: SecurityVerdicts, senderAddress: string): boolean {
  const at = senderAddress.lastIndexOf('@');
  const fromDomain = at < 0 ? null : normaliseDomain(senderAddress.slice(at + 1));
  if (fromDomain === null) return false;
  if (verdicts.dmarc === 'PASS') return true;
  if (verdicts.dkim !== 'PASS') return false;
  return verdicts.dkimPassDomains.some((signed) => {
    const signingDomain = normaliseDomain(signed);
    // A one-label d= (a top-level domain) would "align" with everything under it.
    if (signingDomain === null || !signingDomain.includes('.')) return false;
    return fromDomain === signingDomain || fromDomain.endsWith(`.${signingDomain}`);
  });
}

interface MethodResult {
  /** Lower-case method name without version (`dkim`, `spf`, `dmarc`). */
  readonly method: string;
  readonly verdict: VerdictStatus;
  /** Lower-case `ptype.property` → value (`header.d` → `example.com`). */
  readonly properties: ReadonlyMap<string, string>;
}

interface AuthenticationResults {
  /** Lower-case authserv-id, '' when missing. */
  readonly authServId: string;
  readonly methods: readonly MethodResult[];
}

/** RFC 8601 §2.2: `authserv-id [version] ; method=result [reason] [ptype.property=value ...] ; ...` */
function parseAuthenticationResults(value: string): AuthenticationResults {
  const [head = '', ...resinfos] = splitOutsideQuotes(withoutComments(value), ';');
  const authServId = (head.trim().split(/\s+/)[0] ?? '').toLowerCase();
  const methods = resinfos.map(parseMethodResult).filter((result): result is MethodResult => result !== null);
  return { authServId, methods };
}

function parseMethodResult(resinfo: string): MethodResult | null {
  // CFWS is allowed around `=`; glue the pairs so that whitespace separates pairs only. Whitespace
  // runs are collapsed first so that no pattern here backtracks over a long run.
  const [first, ...pairs] = resinfo.replace(/\s+/g, ' ').trim().replace(/ ?= ?/g, '=').split(' ');
  const methodMatch = /^([a-z0-9-]+)(?:\/[0-9]+)?=([a-z]+)$/i.exec(first ?? '');
  if (methodMatch === null) return null;
  const [, method = '', result = ''] = methodMatch;
  const properties = new Map<string, string>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    properties.set(pair.slice(0, equals).toLowerCase(), unquote(pair.slice(equals + 1)));
  }
  return {
    method: method.toLowerCase(),
    verdict: RESULT_TO_VERDICT.get(result.toLowerCase()) ?? 'GRAY',
    properties,
  };
}

/** The signing domain of a DKIM result: `header.d`, else the domain of the identity `header.i`. */
function signingDomain(properties: ReadonlyMap<string, string>): string | null {
  const domain = properties.get('header.d');
  if (domain !== undefined) return normaliseDomain(domain);
  const identity = properties.get('header.i');
  if (identity === undefined) return null;
  return normaliseDomain(identity.slice(identity.lastIndexOf('@') + 1));
}

/** Lower-case ASCII (punycode) domain without a trailing dot, or null when it is not a domain. */
function normaliseDomain(domain: string): string | null {
  const ascii = domainToASCII(domain.trim().replace(/\.$/, '').normalize('NFC'));
  return ascii === '' ? null : ascii;
}

function sesVerdict(value: string | undefined): VerdictStatus {
  const status = value?.trim().toUpperCase() ?? '';
  return SES_VERDICTS.has(status) ? (status as VerdictStatus) : 'NONE';
}

function aggregate(verdicts: readonly VerdictStatus[]): VerdictStatus {
  return AGGREGATE_PRECEDENCE.find((status) => verdicts.includes(status)) ?? 'NONE';
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * Removes RFC 5322 comments (nested parentheses, backslash escapes), leaving quoted strings intact.
 * Comments carry free text such as "spfCheck: domain of x designates y" that may contain `;` or `=`.
 */
function withoutComments(value: string): string {
  let result = '';
  let depth = 0;
  let inQuotes = false;
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] ?? '';
    if (char === '\\') {
      if (depth === 0) result += char + (value[index + 1] ?? '');
      index += 1;
    } else if (inQuotes) {
      result += char;
      if (char === '"') inQuotes = false;
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')' && depth > 0) {
      depth -= 1;
      if (depth === 0) result += ' ';
    } else if (depth === 0) {
      result += char;
      if (char === '"') inQuotes = true;
    }
  }
  return result;
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuotes = false;
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] ?? '';
    if (char === '\\' && inQuotes) {
      current += char + (value[index + 1] ?? '');
      index += 1;
    } else if (char === '"') {
      inQuotes = !inQuotes;
      current += char;
    } else if (char === separator && !inQuotes) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

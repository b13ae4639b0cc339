/**
 * `X-Makul-Local-Verdicts`: how a person trying the local stack says which SES verdicts a message
 * should arrive with, since nothing local scans mail or checks SPF, DKIM or DMARC. Only the local SMTP
 * listener (./smtp-inbound.ts) honours it: it reads the header from the message's top-level header
 * block, uses the verdicts for that message, and removes every occurrence before the message is stored
 * and handed to the handler. Production never reads it: in AWS the header is one more line a sender
 * wrote, and the handler takes its verdicts from SES's notification. Grammar and examples:
 * docs/local-stack.md.
 *
 *   value   = "authenticated" *(sep setting) / setting *(sep setting)     ; case-insensitive
 *   setting = ("spam" / "virus" / "spf") "=" result
 *           / "dkim" "=" result [":" domain]      ; a domain only with pass (default: the From domain)
 *           / "dmarc" "=" result [":" policy]     ; a policy only with fail
 *   result  = "pass" / "fail" / "gray"
 *   policy  = "none" / "quarantine" / "reject"
 *   sep     = 1*(SP / HTAB / ";" / ",")
 *
 * `authenticated` is everything PASS with a DKIM signature of the From domain (signedByDomainVerdicts);
 * settings after it change single verdicts. A field not set stays GRAY. Each field at most once.
 */
import { signedByDomainVerdicts, UNCHECKED_VERDICTS } from './sample-verdicts';
import { fromDomainOf, readHeaderFields, type SesVerdictStatus, type SesVerdicts } from './ses-receipt';

export const LOCAL_VERDICTS_HEADER = 'X-Makul-Local-Verdicts';

/** Where the grammar is written down, named in every refusal. */
const GRAMMAR_REFERENCE = 'docs/local-stack.md';

/** What a field not named in the header gets: SES's "could not tell", as for local mail without it. */
const UNSET: SesVerdicts = UNCHECKED_VERDICTS;

const RESULTS: ReadonlyMap<string, SesVerdictStatus> = new Map([
  ['pass', 'PASS'],
  ['fail', 'FAIL'],
  ['gray', 'GRAY'],
]);
const POLICIES = ['none', 'quarantine', 'reject'] as const;
type Policy = (typeof POLICIES)[number];
const FIELDS = ['spam', 'virus', 'spf', 'dkim', 'dmarc'] as const;
type Field = (typeof FIELDS)[number];

/** LDH labels, at least two, as a DKIM d= is written (an internationalised domain in its A-label form). */
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export interface LocalVerdictsProblem {
  /** The token at fault as written, or null when the problem is the header as a whole. */
  readonly token: string | null;
  /** 1-based position of the token among the header's tokens; null with token null. */
  readonly position: number | null;
  /** What is wrong, phrased to follow the token (or the header's name); never contains the token. */
  readonly problem: string;
}

export type LocalVerdictsParse =
  | { readonly ok: true; readonly verdicts: SesVerdicts }
  | { readonly ok: false; readonly error: LocalVerdictsProblem };

/**
 * The verdicts a header value asks for. `fromDomain` (lower case, '' when the message has none) is the
 * signing domain of `dkim=pass` and `authenticated` when the header names none.
 */
export function parseLocalVerdicts(value: string, fromDomain: string): LocalVerdictsParse {
  const tokens = value.split(/[ \t;,]+/).filter((token) => token !== '');
  if (tokens.length === 0) {
    return problem(
      null,
      null,
      'is empty: write "authenticated", or settings such as "spf=pass dkim=pass dmarc=pass"',
    );
  }
  const verdicts: Record<Field, SesVerdictStatus> = {
    spam: UNSET.spam,
    virus: UNSET.virus,
    spf: UNSET.spf,
    dkim: UNSET.dkim,
    dmarc: UNSET.dmarc,
  };
  let dkimDomain: string | null = null;
  let dmarcPolicy: Policy | undefined;
  const seen = new Set<Field>();

  for (const [index, token] of tokens.entries()) {
    const position = index + 1;
    const lower = token.toLowerCase();
    if (lower === 'authenticated') {
      if (index > 0) return problem(token, position, 'must come first, before any setting');
      const preset = signedByDomainVerdicts(fromDomain);
      for (const name of FIELDS) verdicts[name] = preset[name];
      continue;
    }
    const setting = /^([a-z]+)=([a-z]*)(?::(.*))?$/.exec(lower);
    const field = FIELDS.find((name) => name === setting?.[1]);
    if (setting === null || field === undefined) {
      const bare = FIELDS.find((name) => name === lower);
      return problem(
        token,
        position,
        bare === undefined
          ? 'is not understood: write "authenticated" or field=verdict, with field one of spam, virus, spf, dkim, dmarc and verdict one of pass, fail, gray'
          : `has no verdict: write ${bare}=pass, ${bare}=fail or ${bare}=gray (no spaces around "=")`,
      );
    }
    const [, , result = '', detail] = setting;
    const status = RESULTS.get(result);
    if (status === undefined) return problem(token, position, 'has a verdict other than pass, fail or gray');
    if (seen.has(field)) return problem(token, position, `sets ${field} a second time`);
    seen.add(field);
    verdicts[field] = status;

    if (field === 'dkim') {
      dkimDomain = null;
      if (detail !== undefined) {
        if (status !== 'PASS') {
          return problem(token, position, 'names a signing domain, which only dkim=pass takes');
        }
        if (!DOMAIN.test(detail)) {
          return problem(
            token,
            position,
            'has a signing domain that is not a domain name (letters, digits, hyphens; at least one dot)',
          );
        }
        dkimDomain = detail;
      }
    } else if (field === 'dmarc') {
      dmarcPolicy = undefined;
      if (detail !== undefined) {
        if (status !== 'FAIL') {
          return problem(token, position, 'names a policy, which only dmarc=fail takes');
        }
        const policy = POLICIES.find((name) => name === detail);
        if (policy === undefined) {
          return problem(token, position, 'has a DMARC policy other than none, quarantine or reject');
        }
        dmarcPolicy = policy;
      }
    } else if (detail !== undefined) {
      return problem(token, position, `takes a verdict only, nothing after ":" (${field}=pass|fail|gray)`);
    }
  }

  const signingDomain = dkimDomain ?? fromDomain;
  return {
    ok: true,
    verdicts: {
      ...verdicts,
      dkimPassDomains: verdicts.dkim === 'PASS' && signingDomain !== '' ? [signingDomain] : [],
      ...(dmarcPolicy === undefined ? {} : { dmarcPolicy }),
    },
  };
}

function problem(token: string | null, position: number | null, text: string): LocalVerdictsParse {
  return { ok: false, error: { token, position, problem: text } };
}

export interface TakenHeader {
  /** Each occurrence's value, unfolded (line breaks removed) and trimmed, in order. */
  readonly values: readonly string[];
  /** The message without any occurrence (its continuation lines included); every other byte kept. */
  readonly message: Uint8Array;
}

/**
 * Takes every occurrence of one header field out of a message's top-level header block (the lines
 * before the first empty line; field names case-insensitive, folded values unfolded). The body, and
 * so the header of any nested part, is left alone. Works on the bytes: nothing else changes, not even
 * line ends (CRLF and bare LF both end a line).
 */
export function takeTopLevelHeader(raw: Uint8Array, name: string): TakenHeader {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const wanted = name.toLowerCase();
  const values: string[] = [];
  const kept: Uint8Array[] = [];
  let keptFrom = 0;
  /** The occurrence being read: where it starts and its value so far. */
  let open: { start: number; value: string } | null = null;
  const close = (end: number): void => {
    if (open === null) return;
    values.push(open.value.trim());
    kept.push(raw.subarray(keptFrom, open.start));
    keptFrom = end;
    open = null;
  };

  let position = 0;
  while (position < bytes.length) {
    const newline = bytes.indexOf(0x0a, position);
    const lineEnd = newline === -1 ? bytes.length : newline + 1;
    // latin1 maps byte to character one to one; the header's own value is ASCII.
    const line = bytes.toString('latin1', position, lineEnd).replace(/\r?\n$/, '');
    if (line === '') break; // the empty line that ends the header block
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (open !== null) open.value += line;
    } else {
      close(position);
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trimEnd().toLowerCase() === wanted) {
        open = { start: position, value: line.slice(colon + 1) };
      }
    }
    position = lineEnd;
  }
  close(position);
  if (values.length === 0) return { values, message: raw };
  kept.push(raw.subarray(keptFrom));
  return { values, message: new Uint8Array(Buffer.concat(kept)) };
}

export type LocalVerdictsReading =
  /** No header: the listener's own verdicts apply, and the message is as received. */
  | { readonly status: 'absent'; readonly message: Uint8Array }
  | {
      readonly status: 'honoured';
      readonly verdicts: SesVerdicts;
      /** The message without the header, as it is to be stored and handed on. */
      readonly message: Uint8Array;
      /** The verdicts for a progress line: statuses only, never an address or a domain. */
      readonly summary: string;
    }
  | {
      readonly status: 'malformed';
      /** For the SMTP reply: names the token at fault (printable ASCII only, cut short). */
      readonly reply: string;
      /** For a progress line: the token's position, never the token (it may hold a domain or an address). */
      readonly reason: string;
    };

/** The local verdicts header of a received message, if any, with the message to store in its place. */
export function readLocalVerdicts(raw: Uint8Array): LocalVerdictsReading {
  const { values, message } = takeTopLevelHeader(raw, LOCAL_VERDICTS_HEADER);
  const [value] = values;
  if (value === undefined) return { status: 'absent', message };
  if (values.length > 1) {
    const problemText = `appears ${values.length} times; give it once`;
    return {
      status: 'malformed',
      reply: `${LOCAL_VERDICTS_HEADER} header ${problemText} (see ${GRAMMAR_REFERENCE})`,
      reason: `${LOCAL_VERDICTS_HEADER} ${problemText}`,
    };
  }
  const fromDomain = fromDomainOf(readHeaderFields(message));
  const parsed = parseLocalVerdicts(value, fromDomain);
  if (!parsed.ok) {
    const { token, position, problem: problemText } = parsed.error;
    return {
      status: 'malformed',
      reply:
        token === null
          ? `${LOCAL_VERDICTS_HEADER} header ${problemText} (see ${GRAMMAR_REFERENCE})`
          : `${LOCAL_VERDICTS_HEADER} header: "${printable(token)}" ${problemText} (see ${GRAMMAR_REFERENCE})`,
      reason:
        position === null
          ? `${LOCAL_VERDICTS_HEADER} ${problemText}`
          : `${LOCAL_VERDICTS_HEADER} token ${position} ${problemText}`,
    };
  }
  return {
    status: 'honoured',
    verdicts: parsed.verdicts,
    message,
    summary: describeVerdicts(parsed.verdicts, fromDomain),
  };
}

/**
 * Verdicts in a line a person reads: `spf=PASS dkim=PASS (signed by the From domain) dmarc=PASS
 * spam=PASS virus=PASS`. Whose domain signed is said in words: a domain can name a person.
 */
export function describeVerdicts(verdicts: SesVerdicts, fromDomain: string): string {
  const signedBy = (): string => {
    if (verdicts.dkimPassDomains.length === 0) return ' (no signing domain)';
    const own = fromDomain !== '' && verdicts.dkimPassDomains.every((domain) => domain === fromDomain);
    return own ? ' (signed by the From domain)' : ' (signed by another domain)';
  };
  const dkim = `dkim=${verdicts.dkim}${verdicts.dkim === 'PASS' ? signedBy() : ''}`;
  const policy =
    verdicts.dmarc === 'FAIL' && verdicts.dmarcPolicy !== undefined
      ? ` (policy ${verdicts.dmarcPolicy})`
      : '';
  return `spf=${verdicts.spf} ${dkim} dmarc=${verdicts.dmarc}${policy} spam=${verdicts.spam} virus=${verdicts.virus}`;
}

/** A token fit for an SMTP reply line: printable ASCII, at most 60 characters. */
function printable(token: string): string {
  const ascii = token.replace(/[^\x21-\x7e]/g, '?');
  return ascii.length > 60 ? `${ascii.slice(0, 57)}...` : ascii;
}

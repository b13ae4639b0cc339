/**
 * `makul unsubscribe-headers EMAIL`: the List-Unsubscribe and List-Unsubscribe-Post headers (RFC 2369,
 * RFC 8058) for one recipient, ready to paste into a test mail or compare with what the marketing
 * system makes. `--print-link-key`: the key to hand to that system, so that it makes the links itself
 * (functions/domain/tokens/unsubscribe-token.ts) without ever holding the operator's master secret.
 *
 * Where the key comes from, in this order:
 *   --local                the local stack's HMAC key (its data folder's hmac-key file)
 *   --hmac-secret-arn ARN  the operator's secret in AWS Secrets Manager (stack output HmacSecretArn),
 *                          read with the standard AWS credentials
 *   --link-key-file PATH   a link key (64 hex digits) as --print-link-key printed it
 *   MAKUL_UNSUBSCRIBE_LINK_KEY, the same, from the environment
 * The master secret is only read, in memory, to derive the link key; it is never printed.
 */
import { readFileSync } from 'node:fs';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { listUnsubscribeHeaders } from '../../functions/domain/replies/list-unsubscribe-headers';
import type { HeaderField } from '../../functions/domain/replies/outbound-message';
import {
  InvalidUnsubscribeAddressError,
  linkableAddress,
  linkKeyFromHex,
  UNSUBSCRIBE_PATH,
  unsubscribeLinkKey,
} from '../../functions/domain/tokens/unsubscribe-token';
import { type CliCommand, type CommandInput, type ExitCode, type GlobalOptions, UsageError } from './command';
import { chosenProfile } from './operator-choice';
import { readLocalSecret, readSecretsManagerSecret } from './operator-secret';
import { CommandFailure } from './ops-register';

/** A link key (hex) from the environment, for marketing systems and scripts. */
export const LINK_KEY_ENVIRONMENT_VARIABLE = 'MAKUL_UNSUBSCRIBE_LINK_KEY';

interface LinkKeySource {
  readonly linkKey: Buffer;
  /** For --json: where the key came from (never the key's or the secret's value). */
  readonly from: 'local' | 'secrets-manager' | 'link-key-file' | 'environment';
  /** The running local stack's operator, when the key is that stack's. */
  readonly localOperator?: string;
}

export interface UnsubscribeHeadersDocument {
  readonly operator: string;
  readonly unsubscribeUrl: string;
  readonly headers: readonly HeaderField[];
  readonly keyFrom: LinkKeySource['from'];
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The local stack's key, from --data-dir or the project's .local-stack; the stack need not be running. */
function localLinkKey(global: GlobalOptions): LinkKeySource {
  const { secret, path, localOperator } = readLocalSecret(global);
  return { linkKey: derived(secret, path), from: 'local', localOperator };
}

function derived(secret: string, origin: string): Buffer {
  try {
    return unsubscribeLinkKey(secret);
  } catch (error) {
    throw new CommandFailure(`${origin}: ${(error as Error).message}`);
  }
}

async function secretsManagerLinkKey(secretArn: string): Promise<LinkKeySource> {
  return {
    linkKey: derived(await readSecretsManagerSecret(secretArn), 'the secret'),
    from: 'secrets-manager',
  };
}

function hexLinkKey(hex: string, origin: string, from: LinkKeySource['from']): LinkKeySource {
  try {
    return { linkKey: linkKeyFromHex(hex), from };
  } catch (error) {
    throw new CommandFailure(`${origin}: ${(error as Error).message}, as --print-link-key prints it`);
  }
}

async function linkKeySource(
  { options, global }: CommandInput,
  environment: NodeJS.ProcessEnv,
): Promise<LinkKeySource> {
  const secretArn = text(options['hmac-secret-arn']);
  const keyFile = text(options['link-key-file']);
  const chosen = [global.local, secretArn !== undefined, keyFile !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('name one key source: --local, --hmac-secret-arn or --link-key-file');
  if (global.dataDir !== undefined && !global.local) throw new UsageError('--data-dir goes with --local');
  if (options['print-link-key'] === true && !global.local && secretArn === undefined)
    throw new UsageError(
      "--print-link-key derives the key from the operator's secret: add --local or --hmac-secret-arn ARN",
    );
  if (global.local) return localLinkKey(global);
  if (secretArn !== undefined) return secretsManagerLinkKey(secretArn);
  if (keyFile !== undefined) {
    let hex: string;
    try {
      hex = readFileSync(keyFile, 'utf8');
    } catch (error) {
      throw new CommandFailure(`cannot read ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return hexLinkKey(hex, keyFile, 'link-key-file');
  }
  const fromEnvironment = environment[LINK_KEY_ENVIRONMENT_VARIABLE];
  if (fromEnvironment) return hexLinkKey(fromEnvironment, LINK_KEY_ENVIRONMENT_VARIABLE, 'environment');
  throw new UsageError(
    `no key: use --local, --hmac-secret-arn ARN, --link-key-file PATH or set ${LINK_KEY_ENVIRONMENT_VARIABLE}`,
  );
}

/** The operator whose base URL and support address the headers name: --operator, the local stack's, or the first. */
function operatorProfile(global: GlobalOptions, source: LinkKeySource): DeploymentProfile {
  const profile = chosenProfile({ ...global, operator: global.operator ?? source.localOperator });
  if (profile === null)
    throw new UsageError('no operators file (config/operators.json): name one with --config PATH');
  return profile;
}

function supportAddressOf(profile: DeploymentProfile, requested: string | undefined): string {
  const addresses = profile.operator.supportAddresses;
  if (requested === undefined) return addresses[0] ?? '';
  const wanted = linkableAddress(requested);
  const match = addresses.find((address) => linkableAddress(address) === wanted);
  if (match === undefined)
    throw new UsageError(
      `--support-address must be one of operator ${profile.operator.id}'s support addresses: ${addresses.join(', ')}`,
    );
  return match;
}

async function run(input: CommandInput, environment: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { positionals, options, global, output } = input;
  if (global.requestsTable !== undefined)
    throw new UsageError('--requests-table does not apply: this command reads no register');
  const printKey = options['print-link-key'] === true;
  if (printKey && positionals.length > 0) throw new UsageError('--print-link-key takes no address');
  if (!printKey && positionals.length !== 1) throw new UsageError('name one recipient address');

  const source = await linkKeySource(input, environment);
  if (printKey) {
    const hex = source.linkKey.toString('hex');
    output.out(
      global.json ? `${JSON.stringify({ linkKey: hex, keyFrom: source.from }, null, 2)}\n` : `${hex}\n`,
    );
    if (!global.json)
      output.err(
        'This key only makes and reads unsubscribe links; it cannot open the register or make subject keys.\n' +
          'Keep it secret all the same: whoever holds it can unsubscribe any address.\n',
      );
    return 0;
  }

  const profile = operatorProfile(global, source);
  const supportAddress = supportAddressOf(profile, text(options['support-address']));
  let headers: HeaderField[];
  try {
    headers = listUnsubscribeHeaders({
      address: positionals[0] ?? '',
      linkKey: source.linkKey,
      confirmBaseUrl: profile.operator.confirmBaseUrl,
      supportAddress,
    });
  } catch (error) {
    if (error instanceof InvalidUnsubscribeAddressError) throw new UsageError(`EMAIL is ${error.message}`);
    throw new CommandFailure((error as Error).message);
  }
  if (global.json) {
    const url = /^<([^>]*)>/.exec(headers[0]?.value ?? '')?.[1] ?? '';
    const document: UnsubscribeHeadersDocument = {
      operator: profile.operator.id,
      unsubscribeUrl: url,
      headers,
      keyFrom: source.from,
    };
    output.out(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    output.out(headers.map((header) => `${header.name}: ${header.value}\n`).join(''));
  }
  return 0;
}

export const unsubscribeHeadersCommand: CliCommand = {
  name: 'unsubscribe-headers',
  synopsis:
    'makul unsubscribe-headers EMAIL [--local [--data-dir DIR] | --hmac-secret-arn ARN | --link-key-file PATH] [--operator ID] [--support-address ADDR] [--json]\n' +
    '       makul unsubscribe-headers --print-link-key (--local [--data-dir DIR] | --hmac-secret-arn ARN) [--json]',
  help: `Prints the two headers every marketing mail to EMAIL must carry (RFC 2369, RFC 8058; Gmail and
Yahoo bulk-sender rules), one line each, ready to paste:
  List-Unsubscribe: <https://…/${UNSUBSCRIBE_PATH}/TOKEN>, <mailto:SUPPORT?subject=unsubscribe>
  List-Unsubscribe-Post: List-Unsubscribe=One-Click
A mail client POSTs "List-Unsubscribe=One-Click" to the link and makul opts the address out; the
mailto: alternative is an ordinary "unsubscribe" request to the support address. The TOKEN is the
address sealed (AES-256-GCM) under the unsubscribe link key: no address in the URL, it cannot be
forged or altered without the key, and it never expires. The link's base is the operator's
confirmBaseUrl.

--print-link-key prints that link key (64 hex digits) instead, to hand to the marketing system so it
makes the links for every recipient itself (functions/domain/tokens/unsubscribe-token.ts; the
algorithm is written there). The key is derived from the operator's HMAC secret (HKDF-SHA256, info
"makul-unsubscribe-link:v1") and only makes and reads unsubscribe links: it cannot open the
register, make subject keys or reveal the secret. Keep it secret all the same: whoever holds it can
unsubscribe any address.

Where the key comes from (one of):
  --local                the local stack's HMAC key, in its data folder (the stack need not run)
  --data-dir DIR         that data folder (default: .local-stack in the project)
  --hmac-secret-arn ARN  the operator's secret in AWS Secrets Manager (the stack output
                         HmacSecretArn), read in the ARN's region with the standard AWS credentials
                         (environment, AWS_PROFILE, SSO, …); needs secretsmanager:GetSecretValue
                         (AWS_ENDPOINT_URL_SECRETS_MANAGER overrides the endpoint)
  --link-key-file PATH   a file holding the link key as --print-link-key printed it
  ${LINK_KEY_ENVIRONMENT_VARIABLE}  the link key (hex) in the environment, when no option names one

  --operator ID          the operator whose confirmBaseUrl and support address the headers name
                         (default: the first in the operators file; with --local, the running
                         stack's)
  --config PATH          operators file (default: config/operators.json)
  --support-address ADDR which of the operator's support addresses the mailto: names (default: the
                         first)
  --json                 one JSON document: {operator, unsubscribeUrl, headers: [{name, value}],
                         keyFrom}; with --print-link-key: {linkKey, keyFrom}

Exit codes: 0 printed, 1 the key could not be read, 2 usage (an invalid EMAIL included).`,
  options: {
    'print-link-key': { type: 'boolean' },
    'hmac-secret-arn': { type: 'string' },
    'link-key-file': { type: 'string' },
    'support-address': { type: 'string' },
  },
  async run(input) {
    try {
      return await run(input, process.env);
    } catch (error) {
      if (!(error instanceof CommandFailure)) throw error;
      input.output.err(`makul unsubscribe-headers: ${error.message}\n`);
      return 1;
    }
  },
};

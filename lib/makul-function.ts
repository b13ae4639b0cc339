/**
 * The one way makul deploys a Lambda function: Node 24 on arm64, an ESM bundle built by esbuild with the
 * AWS SDK inside, its own log group (retention, email masking), its own role with no managed policies,
 * and X-Ray tracing. The inbound function uses it now; the confirm, status and scheduled functions reuse it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { PROFILE_FILE_NAME, SETTING } from '../functions/shared/config';
import { lazyHttpStatusCodes } from './lazy-http-status-codes';

const BUNDLER = path.join(import.meta.dirname, 'bundle-function.ts');

/**
 * esbuild settings shared by the deployed functions and by `bench/cold-import.ts`, so the benchmark
 * measures the bundle that Lambda really loads.
 */
export const MAKUL_BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node24',
  /** The SDK's ES-module builds tree-shake; its CommonJS `main` builds add ~150 KB to the bundle. */
  mainFields: ['module', 'main'],
  /**
   * CommonJS dependencies inside an ESM bundle still call `require` for Node built-ins; ESM has no
   * `require`, so the bundle creates one.
   */
  banner:
    "import{createRequire as __makulCreateRequire}from'node:module';const require=__makulCreateRequire(import.meta.url);",
  /** Licence notices go to index.mjs.LEGAL.txt beside the bundle, not into the file Lambda loads. */
  legalComments: 'external',
  /**
   * Kyrgyz and Russian text stays UTF-8 (2 bytes a letter) instead of ASCII escapes (6 bytes a
   * letter): about 50 KB less bundle for the subject tags and reply templates.
   */
  charset: 'utf8',
  /**
   * Source maps keep names and positions for stack traces but not the sources themselves: the sources
   * would triple a map's size for text nobody reads in a Lambda log.
   */
  sourcesContent: false,
  /**
   * Lambda gives every function its credentials in the environment: the SDK's full default chain
   * (SSO, profiles, web identity, metadata services and their nested clients, ~110 KB) is replaced by
   * an environment-only provider with the same exports (functions/shared/lambda-credential-provider.ts).
   */
  alias: {
    '@aws-sdk/credential-provider-node': path.join(
      import.meta.dirname,
      '../functions/shared/lambda-credential-provider.ts',
    ),
  },
} as const;

/**
 * The same settings as esbuild options, for building a bundle outside CDK exactly as the stack does
 * (the cold-import benchmark, the bundle tests); the caller adds `outdir`, where the entry becomes
 * index.mjs. `credentialAlias: false` builds the SDK as it ships, with its default credential chain.
 *
 * `splitting: true` puts every dynamically imported module in a file of its own under chunks/, which
 * Node reads and compiles only when the import runs. Without it esbuild still defers running such a
 * module, but the whole bundle is compiled at cold start; the public pages split, so that the
 * phone-number library only update-data pages use (and the SDK's browser-only parser) costs their cold
 * start nothing (issue #8 point 14). The inbound function does not: splitting keeps every export of a
 * dynamically imported module, which would take its shipped code over its budget for ~4 ms.
 */
export function makulEsbuildOptions({ credentialAlias = true, splitting = false } = {}) {
  return {
    bundle: true,
    platform: 'node',
    format: MAKUL_BUNDLE_SETTINGS.format,
    target: MAKUL_BUNDLE_SETTINGS.target,
    mainFields: [...MAKUL_BUNDLE_SETTINGS.mainFields],
    banner: { js: MAKUL_BUNDLE_SETTINGS.banner },
    legalComments: MAKUL_BUNDLE_SETTINGS.legalComments,
    charset: MAKUL_BUNDLE_SETTINGS.charset,
    alias: credentialAlias ? { ...MAKUL_BUNDLE_SETTINGS.alias } : {},
    minify: true,
    // A separate .map file beside the bundle plus its sourceMappingURL comment: read only when
    // NODE_OPTIONS=--enable-source-maps is set on the function (see MakulFunction below).
    sourcemap: true,
    sourcesContent: MAKUL_BUNDLE_SETTINGS.sourcesContent,
    entryNames: 'index',
    outExtension: { '.js': '.mjs' },
    splitting,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [lazyHttpStatusCodes],
  } satisfies BuildOptions;
}

/** Bytes of JavaScript a bundle directory ships: index.mjs and its chunks, without maps and notices. */
export function bundleCodeBytes(directory: string): number {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.mjs'))
    .reduce((total, file) => total + statSync(path.join(directory, file)).size, 0);
}

export interface MakulFunctionProps {
  /** TypeScript entry file of the handler, relative to the project root or absolute. */
  readonly entry: string;
  /**
   * Exported handler name in the entry file.
   * @default 'handler'
   */
  readonly handler?: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /**
   * Memory in MB. Lambda gives CPU in proportion, so this also sets parse and cold-start speed.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved (and capped) for this function: protects the tables and SES sending
   * quota from a flood, and keeps other functions in the account from starving this one.
   * @default - no reservation (account pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /** Environment variables the handler validates at start. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How long the function's logs are kept. Logs carry request ids and keyed hashes only, never
   * addresses, so they are operational data; three months covers an incident review.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Put dynamically imported modules in chunks of their own, read only when first imported (see
   * makulEsbuildOptions).
   * @default false
   */
  readonly splitting?: boolean;
  /**
   * Project root that holds package-lock.json and node_modules.
   * @default process.cwd()
   */
  readonly projectRoot?: string;
}

export class MakulFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MakulFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      // Logs outlive a failed or removed deployment so an incident can still be reviewed.
      removalPolicy: RemovalPolicy.RETAIN,
      // Defence in depth: handlers never log addresses, but a stack trace or SDK error might echo one.
      dataProtectionPolicy: new logs.DataProtectionPolicy({
        name: 'makul-mask-email-addresses',
        description: 'Masks email addresses that reach the logs by mistake (personal data).',
        identifiers: [logs.DataIdentifier.EMAILADDRESS],
      }),
    });

    // An explicit role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
    // which may write to every log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    const logWriting = new iam.Policy(this, 'LogWriting', {
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          // The log group's Arn attribute ends in ":*", which covers the streams of this group only;
          // Lambda names the streams itself, so they cannot be listed.
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    this.role.attachInlinePolicy(logWriting);

    // X-Ray's write calls have no resource-level permissions; they get their own policy so that
    // the one acknowledged wildcard cannot hide another one added to the role later.
    const tracingWrites = new iam.Policy(this, 'TracingWrites', {
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    this.role.attachInlinePolicy(tracingWrites);
    Validations.of(tracingWrites).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    });

    const entry = path.resolve(props.projectRoot ?? process.cwd(), props.entry);
    // The profile travels in the code, not the environment: Lambda's environment holds 4 KB in all, and a
    // profile with calendars, data categories and systems in three languages outgrows it. Its digest
    // stays in the environment, so the function still refuses a profile that is not the one validated.
    const { [SETTING.profile]: profileJson, ...rest } = props.environment;
    const environment: Record<string, string> =
      profileJson === undefined ? rest : { ...rest, [SETTING.profileFile]: PROFILE_FILE_NAME };
    this.function = new lambda.Function(this, 'Function', {
      // Built by lib/bundle-function.ts with makulEsbuildOptions (the bench and the bundle tests build
      // the same way): an ESM bundle with the SDK inside (bundled and minified SDK clients start faster
      // than the runtime's copy, and pin the version we test), its source map and licence notices.
      code: lambda.Code.fromAsset(path.dirname(entry), {
        // The bundle also holds shared code outside the entry's folder: its hash is the output's.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: the local bundling below always runs (esbuild is a dependency of the project).
          image: DockerImage.fromRegistry('makul-bundles-locally'),
          local: {
            tryBundle(outputDirectory) {
              const split = props.splitting ? ['--splitting'] : [];
              execFileSync(process.execPath, ['--import', 'tsx', BUNDLER, entry, outputDirectory, ...split], {
                cwd: props.projectRoot ?? process.cwd(),
                stdio: ['ignore', 'inherit', 'inherit'],
              });
              if (profileJson !== undefined)
                writeFileSync(path.join(outputDirectory, PROFILE_FILE_NAME), profileJson);
              return true;
            },
          },
        },
      }),
      handler: `index.${props.handler ?? 'handler'}`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      // No --enable-source-maps: Node would parse the whole map at every cold start (5–7 ms for the
      // pages, more for the inbound function) to remap stack traces that makul's logs never carry
      // (errors are logged by name and masked message, shared/log.ts). The map ships beside the bundle:
      // to debug a crash, set NODE_OPTIONS=--enable-source-maps on the function for a while
      // (docs/runbook.md, "Readable stack traces").
      environment,
    });
    // The inline policies must exist before the function can log or trace its first invocation.
    this.function.node.addDependency(logWriting, tracingWrites);
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };
  }
}

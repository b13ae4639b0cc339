/**
 * CDK app entry (`cdk.json`: `tsx bin/app.ts`): one stack per operator in the operators file named by
 * the `makul:operatorsFile` context, checked by the cdk-nag AwsSolutions and Serverless packs.
 * Needs no AWS credentials and makes no context lookups, so synthesis works offline.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { OPERATORS_FILE_CONTEXT_KEY } from '../functions/shared/operators-file';
import { MakulStack } from '../lib/makul-stack';
import { loadDeploymentProfiles } from '../lib/operators-config';

/**
 * An App with the feature flags CDK currently recommends (what `cdk init` writes into cdk.json), e.g.
 * server access logs delivered through a bucket policy instead of ACLs, and SNS→SQS key grants scoped to
 * the topic. Context from cdk.json or `--context` still wins over these defaults.
 */
export function createApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...CURRENTLY_RECOMMENDED_FLAGS, ...props.context } });
}

/** Builds the app; exported so tests synthesize exactly what `cdk synth` does. */
export function buildApp(app: App = createApp()): App {
  const profiles = loadDeploymentProfiles(path.resolve(operatorsFileOf(app)));
  for (const profile of profiles) {
    new MakulStack(app, `Makul-${profile.operator.id}`, { profile });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return app;
}

/**
 * The operators file from the context the CDK CLI passes (cdk.json, `--context`). When the app runs
 * without the CLI (`tsx bin/app.ts`), it reads the same key from ./cdk.json itself.
 */
function operatorsFileOf(app: App): string {
  const fromContext: unknown = app.node.tryGetContext(OPERATORS_FILE_CONTEXT_KEY);
  if (typeof fromContext === 'string' && fromContext.length > 0) return fromContext;
  let fromCdkJson: unknown;
  try {
    const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> };
    fromCdkJson = cdkJson.context?.[OPERATORS_FILE_CONTEXT_KEY];
  } catch {
    fromCdkJson = undefined;
  }
  if (typeof fromCdkJson === 'string' && fromCdkJson.length > 0) return fromCdkJson;
  throw new Error(`set the "${OPERATORS_FILE_CONTEXT_KEY}" context (cdk.json) to the operators file`);
}

// Run only as the CDK app, not when a test imports buildApp.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().synth();
}

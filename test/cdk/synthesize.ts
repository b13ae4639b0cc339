/**
 * Synthesizes the real CDK app (bin/app.ts) from the shipped operators file, the way `cdk synth` does,
 * into a temporary directory. Bundling the inbound function takes a few seconds, so each test file
 * calls this once in `beforeAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, createApp } from '../../bin/app';
import { DEFAULT_OPERATORS_FILE } from '../../functions/shared/operators-file';
import { MakulStack } from '../../lib/makul-stack';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SHIPPED_OPERATORS_FILE = path.join(PROJECT_ROOT, DEFAULT_OPERATORS_FILE);

export interface SynthesizedApp {
  readonly app: App;
  readonly assembly: CloudAssembly;
  readonly stacks: readonly MakulStack[];
  /** Removes the temporary cloud assembly. */
  readonly dispose: () => void;
}

export function synthesizeShippedApp(): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'makul-cdk-test-'));
  const app = buildApp(createApp({ outdir, context: { 'makul:operatorsFile': SHIPPED_OPERATORS_FILE } }));
  // Runs the cdk-nag plugins too: under vitest (NODE_ENV=test) a finding makes synth throw.
  const assembly = app.synth();
  const stacks = app.node.children.filter((child): child is MakulStack => child instanceof MakulStack);
  return { app, assembly, stacks, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

export function stackFor(synthesized: SynthesizedApp, operatorId: string): MakulStack {
  const stack = synthesized.stacks.find((candidate) => candidate.stackName === `Makul-${operatorId}`);
  if (!stack) throw new Error(`no stack for operator ${operatorId}`);
  return stack;
}

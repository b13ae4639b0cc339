/**
 * Finding a deployment from its operator id: the real CloudFormation client against a stand-in that
 * speaks DescribeStacks' query protocol, its XML answer and its not-found error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CommandFailure } from '../../bin/cli/ops-failure';
import { readStackOutputs, stackNameOf } from '../../bin/cli/stack-outputs';
import { type DeploymentStandIn, startDeploymentStandIn } from './deployment-stand-in';

let standIn: DeploymentStandIn;

beforeAll(async () => {
  standIn = await startDeploymentStandIn({
    stacks: {
      'Makul-x2': {
        RequestsTable: 'Makul-x2-Requests1A2B',
        SubjectsTable: 'Makul-x2-Subjects3C4D',
        HmacSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:makul-x2-hmac-AbCdEf',
        DashboardName: 'makul-x2',
      },
      'Makul-old': { RequestsTable: 'Makul-old-Requests' },
    },
  });
});

afterAll(async () => {
  await standIn?.dispose();
});

/** Credentials from the environment, as the standard chain finds them first. */
function withCredentials(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDSTANDIN');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'stand-in-secret');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

async function failure(promise: Promise<unknown>): Promise<CommandFailure> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CommandFailure);
  return error as CommandFailure;
}

describe('readStackOutputs', () => {
  it('names the stack Makul-<operator id>, as bin/app.ts does', () => {
    expect(stackNameOf('x2')).toBe('Makul-x2');
  });

  it('reads the outputs of the operator’s stack with DescribeStacks', async () => {
    withCredentials();
    const outputs = await readStackOutputs('x2', 'eu-west-1', { endpoint: standIn.endpoint });
    expect(outputs.stackName).toBe('Makul-x2');
    expect(outputs.value('RequestsTable')).toBe('Makul-x2-Requests1A2B');
    expect(outputs.value('SubjectsTable')).toBe('Makul-x2-Subjects3C4D');
    expect(outputs.value('HmacSecretArn')).toMatch(/^arn:aws:secretsmanager:eu-west-1:/);
    expect(standIn.calls.at(-1)).toBe('DescribeStacks Makul-x2');
  });

  it('names the stack and the region when there is no such stack', async () => {
    withCredentials();
    const error = await failure(readStackOutputs('x9', 'us-east-1', { endpoint: standIn.endpoint }));
    expect(error.message).toBe(
      'no stack Makul-x9 in us-east-1: check --operator (the stack is Makul-<operator id>) and the ' +
        "operator's env.region in the operators file, or the AWS account your credentials are for",
    );
  });

  it('names the missing output and the option that gives it', async () => {
    withCredentials();
    const outputs = await readStackOutputs('old', 'eu-west-1', { endpoint: standIn.endpoint });
    expect(outputs.value('RequestsTable')).toBe('Makul-old-Requests');
    expect(() => outputs.value('HmacSecretArn')).toThrow(
      'stack Makul-old in eu-west-1 has no output HmacSecretArn: deploy the current version (npx cdk deploy Makul-old), or give --hmac-secret-arn ARN',
    );
  });

  it('says so when there are no AWS credentials', async () => {
    const home = await mkdtemp(join(tmpdir(), 'makul-stack-outputs-'));
    try {
      for (const name of Object.keys(process.env).filter((variable) => variable.startsWith('AWS_')))
        vi.stubEnv(name, undefined);
      vi.stubEnv('HOME', home);
      vi.stubEnv('AWS_CONFIG_FILE', join(home, 'no-config'));
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'no-credentials'));
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
      const calls = standIn.calls.length;
      const error = await failure(readStackOutputs('x2', 'eu-west-1', { endpoint: standIn.endpoint }));
      expect(error.message).toMatch(/^no AWS credentials found: set AWS_PROFILE/);
      expect(standIn.calls.length).toBe(calls);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('says it cannot reach CloudFormation', async () => {
    withCredentials();
    const error = await failure(readStackOutputs('x2', 'eu-west-1', { endpoint: 'http://127.0.0.1:1' }));
    expect(error.message).toMatch(/^cannot read stack Makul-x2 in eu-west-1: /);
  });
});

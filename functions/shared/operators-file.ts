/**
 * The operators file (config/operators.json by default): read, validated and turned into one deployment
 * profile per operator. The CDK app, the local stack, the CLI and the benchmarks all load it here, so a
 * bad file fails the same way everywhere, naming the file and the path of the bad field.
 */
import { readFileSync } from 'node:fs';
import {
  type DeploymentProfile,
  type OperatorsFile,
  operatorsFileSchema,
} from '../domain/operators/operator-profile';
import { describeSchemaErrors } from './schema-errors';

/** Where the operators file is, relative to the project root, unless cdk.json or a flag says otherwise. */
export const DEFAULT_OPERATORS_FILE = 'config/operators.json';

/** cdk.json context key that names the operators file. */
export const OPERATORS_FILE_CONTEXT_KEY = 'makul:operatorsFile';

export function parseOperatorsFile(data: unknown, sourceName: string): OperatorsFile {
  const result = operatorsFileSchema.safeParse(data);
  if (!result.success) {
    throw new Error(`${sourceName} is not a valid operators file:\n${describeSchemaErrors(result.error)}`);
  }
  return result.data;
}

export function deploymentProfiles(file: OperatorsFile): DeploymentProfile[] {
  return file.operators.map((operator) => {
    const jurisdiction = file.jurisdictions.find((j) => j.id === operator.jurisdiction);
    if (!jurisdiction)
      throw new Error(`operator ${operator.id}: unknown jurisdiction ${operator.jurisdiction}`);
    return { operator, jurisdiction };
  });
}

/** Every operator's profile from a file on disk; errors name the file. */
export function loadOperatorProfiles(filePath: string): DeploymentProfile[] {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the operators file ${filePath}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${filePath} is not valid JSON: ${(error as Error).message}`);
  }
  return deploymentProfiles(parseOperatorsFile(data, filePath));
}

/** One operator's profile (the first when no id is given); an unknown id lists the known ones. */
export function chooseOperator(
  profiles: readonly DeploymentProfile[],
  operatorId: string | undefined,
  sourceName: string,
): DeploymentProfile {
  const chosen =
    operatorId === undefined ? profiles[0] : profiles.find((profile) => profile.operator.id === operatorId);
  if (chosen === undefined) {
    const known = profiles.map((profile) => profile.operator.id).join(', ');
    throw new Error(`no operator "${operatorId ?? ''}" in ${sourceName}; known: ${known}`);
  }
  return chosen;
}

/**
 * Reads the operators file named in cdk.json (`makul:operatorsFile`) and turns it into one deployment
 * profile per operator. Every problem is reported with the file name and the path of the bad field,
 * before CDK builds anything.
 */
import { readFileSync } from 'node:fs';
import {
  type DeploymentProfile,
  deploymentProfiles,
  parseOperatorsFile,
} from '../functions/domain/operators/operator-profile';

/** cdk.json context key that names the operators file. */
export const OPERATORS_FILE_CONTEXT_KEY = 'makul:operatorsFile';

export function loadDeploymentProfiles(filePath: string): DeploymentProfile[] {
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
  const profiles = deploymentProfiles(parseOperatorsFile(data, filePath));
  assertOneReceivingStackPerAccountAndRegion(profiles, filePath);
  return profiles;
}

/**
 * SES has a single active receipt rule set per account and region, and each stack activates its own:
 * two operators deployed to the same place would silently switch off each other's mail intake. Without
 * an account id the stacks go to whatever account the CLI uses, so they are treated as the same account.
 */
export function assertOneReceivingStackPerAccountAndRegion(
  profiles: readonly DeploymentProfile[],
  sourceName: string,
): void {
  const seen = new Map<string, string>();
  for (const [index, { operator }] of profiles.entries()) {
    const place = `${operator.env.account ?? '(CLI account)'}/${operator.env.region}`;
    const earlier = seen.get(place);
    if (earlier !== undefined) {
      throw new Error(
        `${sourceName}: operators.${index}.env: operator "${operator.id}" would share account and region ${place} with "${earlier}"; ` +
          'SES allows one active receipt rule set per account and region, so give each operator its own account (env.account) or region',
      );
    }
    seen.set(place, operator.id);
  }
}

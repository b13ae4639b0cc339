/**
 * The operators file as the CDK app needs it: every profile (loaded by functions/shared/operators-file.ts),
 * plus the deployment rule that only infrastructure cares about, checked before CDK builds anything.
 */
import type { DeploymentProfile } from '../functions/domain/operators/operator-profile';
import { loadOperatorProfiles } from '../functions/shared/operators-file';

export function loadDeploymentProfiles(filePath: string): DeploymentProfile[] {
  const profiles = loadOperatorProfiles(filePath);
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

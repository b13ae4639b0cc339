/**
 * Reading a synthesized template in the CDK tests: its resources of a type, the one resource a filter
 * picks out, the policy statements of a function's role, and the x2 profile the stacks are built from.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import { loadDeploymentProfiles } from '../../lib/operators-config';
import { SHIPPED_OPERATORS_FILE } from './synthesize';

/** A resource of a template, as `Template.findResources` returns it. */
export type CfnResource = {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
};

/** A statement of an IAM policy document. */
export type PolicyStatement = {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
};

/** The template's resources of a CloudFormation type, as `[logical id, resource]` pairs. */
export function resourcesOf(template: Template, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.findResources(type) as Record<string, CfnResource>);
}

/**
 * The one resource of a type that the filter accepts (without a filter: the one resource of the type),
 * as `[logical id, resource]`. Fails the test unless exactly one matches.
 */
export function only(
  template: Template,
  type: string,
  filter: (resource: CfnResource) => boolean = () => true,
): [string, CfnResource] {
  const matches = resourcesOf(template, type).filter(([, resource]) => filter(resource));
  expect(matches).toHaveLength(1);
  return matches[0] as [string, CfnResource];
}

/**
 * The statements of the inline policies (`AWS::IAM::Policy`) attached to the one role the filter picks
 * out, a function's role: policies that name that role among their `Roles`. Fails the test unless
 * exactly one role matches.
 */
export function functionStatements(
  template: Template,
  role: (resource: CfnResource) => boolean,
): PolicyStatement[] {
  const [roleId] = only(template, 'AWS::IAM::Role', role);
  return statementsOfRole(template, roleId);
}

/** The statements of the inline policies (`AWS::IAM::Policy`) attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleId: string): PolicyStatement[] {
  const ref = JSON.stringify({ Ref: roleId });
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      ((policy.Properties.Roles ?? []) as unknown[]).some((role) => JSON.stringify(role) === ref),
    )
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
    );
}

/**
 * The x2 profile from the shipped operators file, parsed afresh on each call, with `operator`'s fields
 * replacing its operator's (none by default).
 */
export function x2Profile(operator: Partial<DeploymentProfile['operator']> = {}): DeploymentProfile {
  const profile = loadDeploymentProfiles(SHIPPED_OPERATORS_FILE).find(
    (candidate) => candidate.operator.id === 'x2',
  );
  if (!profile) throw new Error('the shipped operators file has no x2 operator');
  return { ...profile, operator: { ...profile.operator, ...operator } };
}

import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag names IAM5 findings by this flattening of the resource, so acknowledgements must too.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct, type IConstruct } from 'constructs';

/** A cdk-nag finding accepted on purpose, such as `AwsSolutions-IAM5[Resource::*]`. */
export interface AcceptedFinding {
  id: string;
  reason: string;
}

/** Acknowledges cdk-nag findings on `scope` and everything under it, each with its reason. */
export function acceptFindings(scope: IConstruct, findings: AcceptedFinding[]): void {
  for (const finding of findings) {
    Validations.of(scope).acknowledge(finding);
  }
}

/**
 * Acknowledges the wildcard finding (AwsSolutions-IAM5) that a grant of `resource` raises on
 * the grantee's policy. Does nothing for a grantee that is not a construct in this app.
 */
export function acceptWildcardResource(
  grantee: iam.IGrantable,
  resource: string,
  reason: string,
): void {
  const scope = grantee.grantPrincipal;
  if (!Construct.isConstruct(scope)) return;

  const flattened = flattenCfnReference(Stack.of(scope).resolve(resource));
  acceptFindings(scope, [{ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason }]);
}

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';
import { acceptFindings } from './nag';

// Construct ids of the singleton functions that aws-cdk-lib adds for BucketDeployment and
// AwsCustomResource. Their code, runtime and policies are aws-cdk-lib's, not Berth's.
const FRAMEWORK_FUNCTION_IDS = [
  /^Custom::CDKBucketDeployment/,
  /^AWS679f53fac002430cb0da5b7982bd2287$/,
];

const BASIC_EXECUTION_ROLE =
  'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** Acknowledges the cdk-nag findings on aws-cdk-lib's own deployment functions. */
export function suppressFrameworkFindings(stack: Stack): void {
  const functions = stack.node.children.filter((child) =>
    FRAMEWORK_FUNCTION_IDS.some((pattern) => pattern.test(child.node.id)),
  );

  for (const fn of functions) {
    acceptFindings(fn, [
      {
        id: `AwsSolutions-IAM4[${BASIC_EXECUTION_ROLE}]`,
        reason: 'aws-cdk-lib gives its deployment function the basic role to write its logs.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'aws-cdk-lib picks the runtime of its own deployment function.',
      },
    ]);
    acceptPolicyWildcards(
      fn,
      'aws-cdk-lib scopes these grants to the asset and web buckets it copies between.',
    );
  }
}

/** Acknowledges every wildcard action and resource in the IAM policies under `scope`. */
function acceptPolicyWildcards(scope: IConstruct, reason: string): void {
  const stack = Stack.of(scope);
  const policies = scope.node.findAll().filter((node) => node instanceof iam.CfnPolicy);

  for (const policy of policies) {
    const document = stack.resolve(policy.policyDocument) as PolicyJson;
    for (const entry of wildcardEntries(document)) {
      acceptFindings(policy, [{ id: `AwsSolutions-IAM5[${entry}]`, reason }]);
    }
  }
}

interface PolicyJson {
  Statement?: Array<{ Action?: unknown; Resource?: unknown }>;
}

function wildcardEntries(document: PolicyJson): Set<string> {
  const entries = new Set<string>();
  for (const statement of document.Statement ?? []) {
    for (const action of [statement.Action].flat()) {
      if (typeof action === 'string' && action.includes('*')) entries.add(`Action::${action}`);
    }
    for (const resource of [statement.Resource].flat()) {
      const flattened = flattenCfnReference(resource);
      if (flattened.includes('*')) entries.add(`Resource::${flattened}`);
    }
  }
  return entries;
}

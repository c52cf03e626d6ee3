import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RegistryOptions } from '../config';
import { acceptWildcardResource } from '../nag';

// Reading tags, manifests and image configs through the registry API.
const ECR_READ_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:DescribeImages',
  'ecr:ListImages',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

// Actions Trivy needs to pull an image, plus DescribeImages to resolve a tag.
const ECR_PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:DescribeImages',
];

/**
 * Access to the registry Berth reads: the account's ECR (or another account's, by registry id)
 * or a Distribution registry whose credentials are a Secrets Manager secret.
 */
export class RegistryAccess extends Construct {
  readonly options: RegistryOptions;
  private readonly secret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, options: RegistryOptions) {
    super(scope, id);

    this.options = options;
    if (options.kind === 'distribution' && options.secretArn) {
      this.secret = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'Credentials',
        options.secretArn,
      );
    }
  }

  /** Environment variables that select and locate the registry. */
  get environment(): Record<string, string> {
    const options = this.options;
    if (options.kind === 'ecr') {
      // The handlers need the registry id to name the registry host before the first token.
      return { REGISTRY_KIND: 'ecr', ECR_REGISTRY_ID: options.registryId ?? Aws.ACCOUNT_ID };
    }
    return {
      REGISTRY_KIND: 'distribution',
      REGISTRY_URL: options.url,
      ...(options.secretArn && { REGISTRY_SECRET_ARN: options.secretArn }),
    };
  }

  /** Grants listing repositories and reading manifests, for the API and the handlers. */
  grantRead(grantee: iam.IGrantable): void {
    this.grantEcr(grantee, ECR_READ_ACTIONS);
    this.secret?.grantRead(grantee);
  }

  /** Grants deleting images by digest, for the API's delete route. */
  grantDelete(grantee: iam.IGrantable): void {
    this.grantEcr(grantee, ['ecr:BatchDeleteImage']);
  }

  /** Grants pulling images, for the scanner task. */
  grantPull(grantee: iam.IGrantable): void {
    this.grantEcr(grantee, ECR_PULL_ACTIONS);
    this.secret?.grantRead(grantee);
  }

  private grantEcr(grantee: iam.IGrantable, actions: string[]): void {
    if (this.options.kind !== 'ecr') return;

    const stack = Stack.of(this);
    const account = this.options.registryId ?? stack.account;
    const repositories = `arn:${stack.partition}:ecr:${stack.region}:${account}:repository/*`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: [repositories] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    acceptWildcardResource(grantee, repositories, 'Berth lists and scans every repository.');
    acceptWildcardResource(
      grantee,
      '*',
      'ecr:GetAuthorizationToken is not tied to a repository, so IAM accepts only "*" for it.',
    );
  }
}

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeWebBuild } from './support/browser';
import { type SynthesizedStack, synthesizeStack } from './support/infra-stack';

// CloudFront's managed CachingDisabled policy.
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

let synthesized: SynthesizedStack;
let template: Template;

beforeAll(async () => {
  synthesized = await synthesizeStack();
  template = synthesized.template;
});

afterAll(async () => {
  await synthesized?.remove();
  await removeWebBuild();
});

/** Environment variables of the Lambda function whose description starts with `prefix`. */
function functionEnvironment(prefix: string): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp(`^${prefix}`) },
  });
  const [resource] = Object.values(functions);
  return resource?.Properties.Environment.Variables ?? {};
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Collects the statements of the policies attached to the role `roleLogicalId`. */
function roleStatements(roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** Lists every action that the policies attached to the role `roleLogicalId` allow. */
function roleActions(roleLogicalId: string): string[] {
  return roleStatements(roleLogicalId).flatMap((statement) => [statement.Action].flat());
}

/** Environment variables of the scanner container, by name. */
function containerEnvironment(): Record<string, unknown> {
  const taskDefinitions = template.findResources('AWS::ECS::TaskDefinition');
  const [taskDefinition] = Object.values(taskDefinitions);
  const variables: Array<{ Name: string; Value: unknown }> =
    taskDefinition?.Properties.ContainerDefinitions[0].Environment ?? [];
  return Object.fromEntries(variables.map((variable) => [variable.Name, variable.Value]));
}

function logicalIdOf(type: string, pathPart: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(pathPart));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

describe('data bucket', () => {
  test('is private, encrypted and versioned', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'data-bucket/' },
    });
  });

  test('rejects requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf('AWS::S3::Bucket', 'DataBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('prefix reaches the functions and the task', () => {
    expect(functionEnvironment('Berth API').DATA_PREFIX).toBe('data/');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'DATA_PREFIX', Value: 'data/' }]),
        }),
      ],
    });
  });
});

describe('web distribution', () => {
  test('serves the bucket through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf('AWS::S3::Bucket', 'WebBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  test('SPA fallback rewrites routes only', () => {
    const functions = template.findResources('AWS::CloudFront::Function');
    const [resource] = Object.values(functions);
    const code: string = resource?.Properties.FunctionCode;
    const handler = new Function(`${code}; return handler;`)() as (event: unknown) => {
      uri: string;
    };

    expect(handler({ request: { uri: '/auth/callback' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/repositories/team/app' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/assets/index-abc.js' } }).uri).toBe('/assets/index-abc.js');
    expect(handler({ request: { uri: '/config.json' } }).uri).toBe('/config.json');
    expect(handler({ request: { uri: '/r/team/python3.11' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/r/my.app/-/1.0/findings' } }).uri).toBe('/index.html');
  });

  test('SPA fallback runs on the default behavior', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
        }),
      }),
    });
  });

  test('response headers set CSP, HSTS and nosniff', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.anyValue(),
            Override: true,
          },
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
          }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
  });

  test('CSP forbids framing and foreign scripts', () => {
    const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const [policy] = Object.values(policies);
    const csp = JSON.stringify(
      policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy,
    );

    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('connect-src');
    expect(csp).toContain('amazoncognito.com');
  });

  test('/api/* goes uncached to the function URL', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/api/*',
            CachePolicyId: CACHING_DISABLED,
            AllowedMethods: Match.arrayWith(['GET', 'PUT', 'POST', 'DELETE']),
            ViewerProtocolPolicy: 'https-only',
          }),
        ],
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 'lambda',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
  });

  test('API request policy forwards token and hash', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        QueryStringsConfig: { QueryStringBehavior: 'all' },
        CookiesConfig: { CookieBehavior: 'none' },
        HeadersConfig: {
          HeaderBehavior: 'whitelist',
          Headers: ['X-Berth-Authorization', 'x-amz-content-sha256'],
        },
      }),
    });
  });

  test('SPA and config.json are deployed together', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment');
    const [deployment] = Object.values(deployments);
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers);

    expect(Object.keys(deployments)).toHaveLength(1);
    expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
    expect(deployment?.Properties.Prune).toBe(true);
    expect(deployment?.Properties.DistributionPaths).toEqual(['/*']);

    expect(markers).toContain('ProviderURL');
    expect(markers).toContain(logicalIdOf('AWS::Cognito::UserPoolClient', 'WebClient'));
  });
});

describe('API function', () => {
  test('runs Node.js 24 on arm64', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Berth API'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  test('function URL requires IAM', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
  });

  test('only CloudFront may invoke the URL', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: 'cloudfront.amazonaws.com',
      SourceArn: Match.anyValue(),
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { Action: 'lambda:InvokeFunctionUrl', Principal: Match.not('cloudfront.amazonaws.com') },
      0,
    );
  });

  test('environment follows the contract', () => {
    const environment = functionEnvironment('Berth API');

    for (const name of [
      'DATA_BUCKET',
      'QUEUE_URL',
      'CLUSTER_ARN',
      'TASK_DEFINITION_ARN',
      'TASK_SUBNETS',
      'TASK_SECURITY_GROUPS',
      'USER_POOL_ID',
      'USER_POOL_CLIENT_ID',
    ]) {
      expect(environment[name], name).toBeDefined();
    }
    expect(environment.MAX_TASKS).toBe('1');
    expect(environment.SCANNER_URL).toBe('builtin');
    expect(environment.SCAN_TIMEOUT).toBe('600s');
    expect(environment.REGISTRY_KIND).toBe('ecr');
  });

  test('grants data, queue, registry and launch', () => {
    const actions = roleActions(logicalIdOf('AWS::IAM::Role', 'ApiHandlerFunctionServiceRole'));

    expect(actions).toEqual(
      expect.arrayContaining([
        's3:GetObject',
        's3:PutObject',
        's3:ListBucket',
        'sqs:SendMessage',
        'ecr:DescribeRepositories',
        'ecr:BatchDeleteImage',
        'ecs:RunTask',
        'ecs:ListTasks',
        'iam:PassRole',
      ]),
    );
    expect(actions).not.toContain('sqs:ReceiveMessage');
  });
});

describe('sign-in', () => {
  test('user pool is admin-only sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  test('groups are admin and viewer', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admin' });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'viewer' });
  });

  test('hosted UI domain exists', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'berth-111111111111',
    });
  });

  test('app client has no secret', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
  });

  test('code flow uses CloudFront callback', () => {
    const resources = template.findResources('Custom::AWS');
    const create = JSON.stringify(Object.values(resources)[0]?.Properties.Create);
    const distribution = logicalIdOf('AWS::CloudFront::Distribution', 'WebDistribution');

    expect(create).toContain('updateUserPoolClient');
    expect(create).toContain('\\"AllowedOAuthFlows\\":[\\"code\\"]');
    expect(create).toContain(`"Fn::GetAtt":["${distribution}","DomainName"]`);
    expect(create).toContain('/auth/callback');
  });
});

describe('scan queue', () => {
  test('is encrypted with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 900,
      RedrivePolicy: {
        maxReceiveCount: 3,
        deadLetterTargetArn: {
          'Fn::GetAtt': [logicalIdOf('AWS::SQS::Queue', 'DeadLetterQueue'), 'Arn'],
        },
      },
    });
  });

  test('visibility timeout exceeds scan timeout', () => {
    const queues = template.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: Match.anyValue() },
    });
    const [queue] = Object.values(queues);

    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThan(600);
  });

  test('both queues reject requests without TLS', () => {
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    );
  });
});

describe('scanner task', () => {
  test('task definition is Fargate ARM64', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('mounts the EFS cache with IAM', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [
        {
          Name: 'trivy-cache',
          EFSVolumeConfiguration: Match.objectLike({
            TransitEncryption: 'ENABLED',
            AuthorizationConfig: Match.objectLike({ IAM: 'ENABLED' }),
          }),
        },
      ],
      ContainerDefinitions: [
        Match.objectLike({
          MountPoints: [
            { ContainerPath: '/mnt/trivy-cache', SourceVolume: 'trivy-cache', ReadOnly: false },
          ],
        }),
      ],
    });
  });

  test('environment follows the contract', () => {
    const environment = containerEnvironment();

    expect(environment.TRIVY_CACHE_DIR).toBe('/mnt/trivy-cache');
    expect(environment.SCANNER_URL).toBe('builtin');
    expect(environment.SCAN_CONCURRENCY).toBe('1');
    expect(environment.SCAN_TIMEOUT).toBe('600s');
    expect(environment.IDLE_EXIT_SECONDS).toBe('120');
    expect(environment.REGISTRY_KIND).toBe('ecr');
    expect(environment.QUEUE_URL).toEqual(functionEnvironment('Berth API').QUEUE_URL);
    expect(environment.TRIVY_SERVER_TOKEN_SECRET_ARN).toBeUndefined();
  });

  test('EFS is encrypted with an access point', () => {
    template.hasResourceProperties('AWS::EFS::FileSystem', { Encrypted: true });
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: Match.objectLike({ Path: '/trivy-cache' }),
    });
  });

  test('EFS policy allows only the task role', () => {
    const taskRole = logicalIdOf('AWS::IAM::Role', 'ScannerTaskDefinitionTaskRole');
    const fileSystems = template.findResources('AWS::EFS::FileSystem');
    const statements: Array<{ Effect: string; Principal: unknown }> =
      Object.values(fileSystems)[0]?.Properties.FileSystemPolicy.Statement ?? [];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');

    expect(allows).toHaveLength(1);
    expect(allows[0]?.Principal).toEqual({ AWS: { 'Fn::GetAtt': [taskRole, 'Arn'] } });
  });

  test('NFS is open to the task group only', () => {
    const taskGroup = logicalIdOf('AWS::EC2::SecurityGroup', 'ScannerTaskSecurityGroup');
    const cacheGroup = logicalIdOf('AWS::EC2::SecurityGroup', 'TrivyCacheSecurityGroup');
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [cacheGroup, 'GroupId'] } },
    });

    expect(Object.values(ingress).map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 2049,
        ToPort: 2049,
        SourceSecurityGroupId: { 'Fn::GetAtt': [taskGroup, 'GroupId'] },
      }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Trivy cache'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('task role has only what the task uses', () => {
    const actions = roleActions(logicalIdOf('AWS::IAM::Role', 'ScannerTaskDefinitionTaskRole'));

    expect(new Set(actions)).toEqual(
      new Set([
        'elasticfilesystem:ClientMount',
        'elasticfilesystem:ClientWrite',
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:ListBucket',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
        'ecr:DescribeImages',
        'ecr:GetAuthorizationToken',
      ]),
    );
  });

  test('S3 access stays under the prefix', () => {
    const taskRole = logicalIdOf('AWS::IAM::Role', 'ScannerTaskDefinitionTaskRole');
    const dataBucket = logicalIdOf('AWS::S3::Bucket', 'DataBucket');
    const s3Statements = roleStatements(taskRole).filter((statement) =>
      [statement.Action].flat().some((action) => String(action).startsWith('s3:')),
    );

    expect(s3Statements).toContainEqual(
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [dataBucket, 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['data/*'] } },
      }),
    );
    expect(s3Statements).toContainEqual(
      expect.objectContaining({
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [dataBucket, 'Arn'] }, '/data/*']] },
      }),
    );
    expect(s3Statements).toHaveLength(2);
  });

  test('no Trivy server runs in builtin mode', () => {
    template.resourceCountIs('AWS::ECS::Service', 0);
  });
});

describe('launching', () => {
  test('every function may start tasks', () => {
    const taskDefinition = logicalIdOf('AWS::ECS::TaskDefinition', 'ScannerTaskDefinition');
    const roles = ['ApiHandler', 'ReconcileHandler', 'ScanOnPushHandler'];

    for (const role of roles) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalIdOf('AWS::IAM::Role', `${role}FunctionServiceRole`) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'ecs:RunTask', Resource: { Ref: taskDefinition } }),
            Match.objectLike({ Action: 'ecs:ListTasks' }),
            Match.objectLike({
              Action: 'iam:PassRole',
              Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
            }),
          ]),
        },
      });
    }
  });

  test('reconcile runs every 5 minutes', () => {
    const reconcile = logicalIdOf('AWS::Lambda::Function', 'ReconcileHandler');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcile, 'Arn'] } })],
    });
    expect(functionEnvironment('Berth: starts idle').DLQ_URL).toEqual({
      Ref: logicalIdOf('AWS::SQS::Queue', 'DeadLetterQueue'),
    });
  });

  test('ECR push rule feeds the handler', () => {
    const handler = logicalIdOf('AWS::Lambda::Function', 'ScanOnPushHandler');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [handler, 'Arn'] } })],
    });
    expect(functionEnvironment('Berth: queues').SCAN_ON_PUSH_PATTERNS).toBe('*');
  });
});

describe('network', () => {
  test('new VPC has one NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('new VPC logs rejected flows', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      LogDestinationType: 's3',
      TrafficType: 'REJECT',
    });
  });
});

describe('bundling', () => {
  test('functions bundle with local esbuild', async () => {
    const bundled = await synthesizeStack({}, { bundle: true });

    try {
      const outdir = bundled.app.outdir;
      bundled.app.synth();
      const bundles = readdirSync(outdir).filter((name) =>
        existsSync(join(outdir, name, 'index.mjs')),
      );

      expect(bundles).toHaveLength(3);
    } finally {
      await bundled.remove();
    }
  });
});

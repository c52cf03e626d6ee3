import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, test } from 'vitest';
import { removeWebBuild } from './support/browser';
import { type SynthesizedStack, synthesizeStack } from './support/infra-stack';

const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:trivy-token-AbCdEf';
const REGISTRY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:registry-AbCdEf';

const stacks: SynthesizedStack[] = [];

async function synthesize(context: Record<string, unknown>): Promise<Template> {
  const synthesized = await synthesizeStack(context);
  stacks.push(synthesized);
  return synthesized.template;
}

afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.remove()));
  await removeWebBuild();
});

/** Environment variables of the scanner container, by name. */
function scannerEnvironment(template: Template): Record<string, unknown> {
  const taskDefinitions = template.findResources('AWS::ECS::TaskDefinition', {
    Properties: { ContainerDefinitions: [Match.objectLike({ Name: 'Scanner' })] },
  });
  const [taskDefinition] = Object.values(taskDefinitions);
  const variables: Array<{ Name: string; Value: unknown }> =
    taskDefinition?.Properties.ContainerDefinitions[0].Environment ?? [];
  return Object.fromEntries(variables.map((variable) => [variable.Name, variable.Value]));
}

function apiEnvironment(template: Template): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('^Berth API') },
  });
  return Object.values(functions)[0]?.Properties.Environment.Variables ?? {};
}

function logicalIdOf(template: Template, type: string, pathPart: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(pathPart));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

function policyText(template: Template, rolePathPart: string): string {
  const role = logicalIdOf(template, 'AWS::IAM::Role', rolePathPart);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: role }] },
  });
  return JSON.stringify(policies);
}

describe('remote mode with a deployed server', async () => {
  const template = await synthesize({ scannerMode: 'remote', maxTasks: '5' });

  test('server runs as a Fargate service', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 1,
      ServiceRegistries: [Match.objectLike({ RegistryArn: Match.anyValue() })],
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }),
      },
    });
  });

  test('server has a Cloud Map name', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
      Name: 'berth.internal',
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'trivy' });
  });

  test('server reads its token from Secrets Manager', () => {
    const secret = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'TrivyServerToken');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: 'public.ecr.aws/aquasecurity/trivy:0.70.0',
          Command: ['server'],
          Secrets: [{ Name: 'TRIVY_TOKEN', ValueFrom: { Ref: secret } }],
        }),
      ],
    });
  });

  test('server is reachable from scanner tasks only', () => {
    const taskGroup = logicalIdOf(template, 'AWS::EC2::SecurityGroup', 'ScannerTaskSecurityGroup');
    const serverGroup = logicalIdOf(
      template,
      'AWS::EC2::SecurityGroup',
      'TrivyServerSecurityGroup',
    );
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [serverGroup, 'GroupId'] } },
    });

    expect(Object.values(ingress).map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({
        FromPort: 4954,
        ToPort: 4954,
        SourceSecurityGroupId: { 'Fn::GetAtt': [taskGroup, 'GroupId'] },
      }),
    ]);
  });

  test('scanner tasks use the server', () => {
    const secret = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'TrivyServerToken');
    const environment = scannerEnvironment(template);

    expect(environment.SCANNER_URL).toBe('http://trivy.berth.internal:4954');
    expect(environment.TRIVY_SERVER_TOKEN_SECRET_ARN).toEqual({ Ref: secret });
    expect(environment.SCAN_CONCURRENCY).toBe('2');
    expect(environment.TRIVY_CACHE_DIR).toBe('/mnt/trivy-cache');
  });

  test('task role reads the token', () => {
    const secret = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'TrivyServerToken');
    const policy = policyText(template, 'ScannerTaskDefinitionTaskRole');

    expect(policy).toContain('secretsmanager:GetSecretValue');
    expect(policy).toContain(`{"Ref":"${secret}"}`);
  });

  test('concurrency cap comes from context', () => {
    expect(apiEnvironment(template).MAX_TASKS).toBe('5');
    expect(apiEnvironment(template).SCANNER_URL).toBe('http://trivy.berth.internal:4954');
  });
});

describe('remote mode with an existing server', async () => {
  const template = await synthesize({
    scannerMode: 'remote',
    scannerUrl: 'https://trivy.example.internal:4954/',
    scannerTokenSecretArn: TOKEN_SECRET_ARN,
  });

  test('deploys no server', () => {
    template.resourceCountIs('AWS::ECS::Service', 0);
    template.resourceCountIs('AWS::ServiceDiscovery::PrivateDnsNamespace', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test('scanner tasks use the given URL', () => {
    const environment = scannerEnvironment(template);

    expect(environment.SCANNER_URL).toBe('https://trivy.example.internal:4954');
    expect(environment.TRIVY_SERVER_TOKEN_SECRET_ARN).toBe(TOKEN_SECRET_ARN);
  });

  test('task role reads the given token', () => {
    expect(policyText(template, 'ScannerTaskDefinitionTaskRole')).toContain(TOKEN_SECRET_ARN);
  });

  test('concurrency cap defaults to 3', () => {
    expect(apiEnvironment(template).MAX_TASKS).toBe('3');
  });
});

describe('Distribution registry', async () => {
  const template = await synthesize({
    registryUrl: 'https://registry.example.com',
    registrySecretArn: REGISTRY_SECRET_ARN,
  });

  test('functions and task get the registry', () => {
    for (const environment of [apiEnvironment(template), scannerEnvironment(template)]) {
      expect(environment.REGISTRY_KIND).toBe('distribution');
      expect(environment.REGISTRY_URL).toBe('https://registry.example.com');
      expect(environment.REGISTRY_SECRET_ARN).toBe(REGISTRY_SECRET_ARN);
    }
  });

  test('roles read the secret and no ECR', () => {
    for (const role of ['ScannerTaskDefinitionTaskRole', 'ApiHandlerFunctionServiceRole']) {
      const policy = policyText(template, role);

      expect(policy, role).toContain(REGISTRY_SECRET_ARN);
      expect(policy, role).not.toContain('ecr:');
    }
  });

  test('has no ECR push rule', () => {
    template.resourcePropertiesCountIs(
      'AWS::Events::Rule',
      { EventPattern: Match.objectLike({ source: ['aws.ecr'] }) },
      0,
    );
  });
});

describe('scan-on-push patterns', async () => {
  const filtered = await synthesize({ scanOnPushPatterns: 'team/*, base' });
  const disabled = await synthesize({ scanOnPushPatterns: '' });

  test('filter repository names', () => {
    filtered.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: {
          'action-type': ['PUSH'],
          result: ['SUCCESS'],
          'repository-name': [{ wildcard: 'team/*' }, 'base'],
        },
      },
    });
  });

  test('reach the handler', () => {
    const functions = filtered.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Berth: queues') },
    });
    const environment = Object.values(functions)[0]?.Properties.Environment.Variables;

    expect(environment?.SCAN_ON_PUSH_PATTERNS).toBe('team/*,base');
  });

  test('empty turns the rule off', () => {
    disabled.resourcePropertiesCountIs(
      'AWS::Events::Rule',
      { EventPattern: Match.objectLike({ source: ['aws.ecr'] }) },
      0,
    );
    disabled.resourceCountIs('AWS::Events::Rule', 1);
  });
});

describe('scan timeout and prefix', async () => {
  const template = await synthesize({ scanTimeout: '1h', dataPrefix: 'berth/results/' });

  test('visibility timeout follows the timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.anyValue(),
      VisibilityTimeout: 3900,
    });
  });

  test('prefix reaches the task and grants', () => {
    expect(scannerEnvironment(template).DATA_PREFIX).toBe('berth/results/');
    expect(scannerEnvironment(template).SCAN_TIMEOUT).toBe('3600s');
    expect(policyText(template, 'ScannerTaskDefinitionTaskRole')).toContain('/berth/results/*');
  });
});

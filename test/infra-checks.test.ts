import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, test } from 'vitest';
import { BerthStack } from '../infra/berth-stack';
import { CONTEXT_OPTIONS, readConfig } from '../infra/config';
import { buildWeb, removeWebBuild } from './support/browser';
import {
  createTestApp,
  REPOSITORY_ROOT,
  type SynthesizedStack,
  synthesizeStack,
  TEST_ENV,
} from './support/infra-stack';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:token-AbCdEf';

const MODES: Record<string, Record<string, unknown>> = {
  builtin: {},
  'remote, deployed server': { scannerMode: 'remote' },
  'remote, existing server': {
    scannerMode: 'remote',
    scannerUrl: 'http://trivy.example.internal:4954',
    scannerTokenSecretArn: SECRET_ARN,
  },
  'Distribution registry': {
    registryUrl: 'https://registry.example.com',
    registrySecretArn: SECRET_ARN,
  },
};

const stacks: SynthesizedStack[] = [];

afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.remove()));
  await removeWebBuild();
});

describe.each(Object.entries(MODES))('cdk-nag AwsSolutions, %s', async (_mode, context) => {
  const synthesized = await synthesizeStack(context);
  stacks.push(synthesized);

  test('reports no error or warning', () => {
    const report = new AwsSolutionsChecks(synthesized.app).validateScope(synthesized.stack);
    const findings = report.violations.map(
      (violation) =>
        `${violation.ruleName} at ${violation.violatingResources
          .map((resource) => (resource as { constructPath?: string }).constructPath)
          .join(', ')}`,
    );

    expect(findings).toEqual([]);
  });

  test('every acknowledgement has a reason', () => {
    const reasons = synthesized.app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .filter(([id]) => id.includes('AwsSolutions-'));

    expect(reasons.length).toBeGreaterThan(0);
    for (const [id, reason] of reasons) {
      expect(reason.length, id).toBeGreaterThan(30);
    }
  });
});

describe('stack with an existing VPC', async () => {
  const vpcId = 'vpc-0abc12345def67890';
  const lookupKey = `vpc-provider:account=${TEST_ENV.account}:filter.vpc-id=${vpcId}:region=${TEST_ENV.region}:returnAsymmetricSubnets=true`;
  const synthesized = await synthesizeStack({ vpcId, [lookupKey]: existingVpc(vpcId) });
  stacks.push(synthesized);

  test('creates no VPC', () => {
    synthesized.template.resourceCountIs('AWS::EC2::VPC', 0);
    synthesized.template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  test('needs no lookup', () => {
    const assembly = synthesized.app.synth();

    expect(assembly.manifest.missing).toBeUndefined();
  });

  test('tasks run in its private subnets', () => {
    const functions = synthesized.template.findResources('AWS::Lambda::Function');
    const subnets = Object.values(functions)
      .map((fn) => fn.Properties.Environment?.Variables?.TASK_SUBNETS)
      .filter(Boolean);

    expect(new Set(subnets)).toEqual(new Set(['subnet-private-a,subnet-private-b']));
  });
});

describe('configuration', () => {
  const read = (context: Record<string, unknown>) => readConfig((name) => context[name]);

  test('defaults to builtin ECR', () => {
    const config = read({});

    expect(config.registry).toEqual({ kind: 'ecr', registryId: undefined });
    expect(config.scanner).toEqual({ mode: 'builtin' });
    expect(config.maxTasks).toBe(1);
    expect(config.scanConcurrency).toBe(1);
    expect(config.scanTimeoutSeconds).toBe(600);
    expect(config.dataPrefix).toBe('data/');
    expect(config.scanOnPushPatterns).toEqual(['*']);
    expect(config.vpcId).toBeUndefined();
  });

  test('remote mode defaults', () => {
    const config = read({ scannerMode: 'remote' });

    expect(config.scanner).toEqual({
      mode: 'remote',
      server: { kind: 'deployed', trivyVersion: '0.70.0' },
    });
    expect(config.maxTasks).toBe(3);
    expect(config.scanConcurrency).toBe(2);
  });

  test.each([
    [{ scannerMode: 'fast' }, 'scannerMode "fast": expected builtin or remote'],
    [{ maxTasks: 2 }, 'maxTasks 2: expected 1 in builtin mode'],
    [
      { scannerMode: 'remote', maxTasks: '0' },
      'maxTasks "0": expected a whole number from 1 to 50',
    ],
    [{ scanConcurrency: 4 }, 'scanConcurrency 4: expected 1 in builtin mode'],
    [{ scanTimeout: '5x' }, 'scanTimeout "5x": expected a duration from 60s to 11h'],
    [{ scanTimeout: '12h' }, 'scanTimeout "12h": expected a duration from 60s to 11h'],
    [{ dataPrefix: 'data' }, 'dataPrefix "data": expected S3 key segments'],
    [{ dataPrefix: '/data/' }, 'dataPrefix "/data/": expected S3 key segments'],
    [
      { registryUrl: 'ftp://registry' },
      'registryUrl "ftp://registry": expected a URL starting with https://',
    ],
    [{ registrySecretArn: SECRET_ARN }, 'registrySecretArn'],
    [
      { registryUrl: 'https://r.example.com', registrySecretArn: 'secret' },
      'expected a Secrets Manager secret ARN',
    ],
    [{ ecrRegistryId: '1234' }, 'ecrRegistryId "1234": expected a 12-digit AWS account id'],
    [
      { scannerUrl: 'http://trivy:4954' },
      'scannerUrl "http://trivy:4954": expected unset unless scannerMode is remote',
    ],
    [
      { scannerMode: 'remote', scannerUrl: 'trivy:4954' },
      'scannerUrl "trivy:4954": expected a URL',
    ],
    [
      { scannerMode: 'remote', scannerTokenSecretArn: SECRET_ARN },
      'expected unset unless scannerUrl is set',
    ],
    [
      { scannerMode: 'remote', trivyVersion: '0.69.4' },
      'trivyVersion "0.69.4": expected a release other than',
    ],
    [
      { trivyVersion: '0.70.0' },
      'trivyVersion "0.70.0": expected unset unless scannerMode is remote',
    ],
    [
      { scanOnPushPatterns: 'Team/*' },
      'scanOnPushPatterns "Team/*": expected ECR repository names',
    ],
    [{ vpcId: 'default' }, 'vpcId "default": expected a VPC id'],
    [{ authDomainPrefix: 'Berth_UI' }, 'authDomainPrefix "Berth_UI": expected lower-case letters'],
  ])('rejects %j', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });

  test('docs list every option', () => {
    const guide = readFileSync(join(REPOSITORY_ROOT, 'docs', 'deploy.md'), 'utf8');

    for (const option of [...CONTEXT_OPTIONS, 'stackName']) {
      expect(guide, option).toContain(`| \`${option}\` |`);
    }
  });

  test('error names the way to set it', () => {
    expect(() => read({ scannerMode: 'fast' })).toThrow(
      'Set it in cdk.json or with -c NAME=VALUE (see docs/deploy.md).',
    );
  });

  test('stack creation rejects invalid context', async () => {
    const { app, remove } = await createTestApp({ scannerMode: 'remote', maxTasks: 'many' });

    try {
      expect(() => readConfig((name) => app.node.tryGetContext(name))).toThrow(
        'Invalid context option maxTasks "many"',
      );
    } finally {
      await remove();
    }
  });

  test('stack accepts a valid config', async () => {
    const { app, remove } = await createTestApp({ 'aws:cdk:bundling-stacks': [] });

    try {
      const stack = new BerthStack(app, 'Berth', {
        config: readConfig((name) => app.node.tryGetContext(name)),
        repositoryRoot: REPOSITORY_ROOT,
        spaDirectory: await buildWeb(),
        env: TEST_ENV,
      });

      expect(stack.stackName).toBe('Berth');
    } finally {
      await remove();
    }
  });
});

/** Builds the context value a VPC lookup stores: two AZs with public and private subnets. */
function existingVpc(vpcId: string): Record<string, unknown> {
  const subnet = (name: string, zone: string, cidr: string) => ({
    subnetId: `subnet-${name}-${zone.slice(-1)}`,
    cidr,
    availabilityZone: zone,
    routeTableId: `rtb-${name}-${zone.slice(-1)}`,
  });
  return {
    vpcId,
    vpcCidrBlock: '10.0.0.0/16',
    ownerAccountId: TEST_ENV.account,
    availabilityZones: [],
    subnetGroups: [
      {
        name: 'Public',
        type: 'Public',
        subnets: [
          subnet('public', 'us-east-1a', '10.0.0.0/24'),
          subnet('public', 'us-east-1b', '10.0.1.0/24'),
        ],
      },
      {
        name: 'Private',
        type: 'Private',
        subnets: [
          subnet('private', 'us-east-1a', '10.0.8.0/22'),
          subnet('private', 'us-east-1b', '10.0.12.0/22'),
        ],
      },
    ],
  };
}

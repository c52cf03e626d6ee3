import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acceptFindings, acceptWildcardResource } from '../nag';
import type { DataStore } from './data';
import type { ScanQueue } from './queue';
import type { RegistryAccess } from './registry';
import { TrivyCache } from './trivy-cache';

/** Properties of {@link Scanner}. */
export interface ScannerProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  data: DataStore;
  queue: ScanQueue;
  registry: RegistryAccess;
  /** `builtin` or the Trivy server URL. */
  scannerUrl: string;
  maxTasks: number;
  scanConcurrency: number;
  scanTimeoutSeconds: number;
  /** Build context of scanner-task/Dockerfile: the repository root. */
  repositoryRoot: string;
}

/** Mount path of the EFS cache in the task. */
export const TRIVY_CACHE_PATH = '/mnt/trivy-cache';

// Files the image build does not read; the build context is the whole repository.
const BUILD_CONTEXT_EXCLUDES = [
  'node_modules',
  'cdk.out',
  'web/dist',
  'data',
  'test-artifacts',
  '.git',
];

/**
 * The scanner: an ECS cluster and a Fargate task definition built from scanner-task/Dockerfile,
 * with the Trivy cache on EFS. Tasks are started by the launcher and exit when the queue is idle.
 * ARM64 because Fargate on Graviton costs about 20% less per vCPU-hour than X86_64, and both
 * node:20 and the aquasec/trivy image are published for arm64.
 */
export class Scanner extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  private readonly props: ScannerProps;
  private readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: ScannerProps) {
    super(scope, id);

    this.props = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc });
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: props.vpc,
      description: 'Berth scanner tasks: egress to the registry, the Trivy DB and AWS APIs',
      allowAllOutbound: true,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: 1024,
      memoryLimitMiB: 4096,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    const cache = new TrivyCache(this, 'TrivyCache', {
      vpc: props.vpc,
      subnets: props.subnets,
      clientSecurityGroup: this.securityGroup,
      taskRole: this.taskDefinition.taskRole,
    });
    this.container = this.addContainer();
    cache.mountInto(this.taskDefinition, this.container, TRIVY_CACHE_PATH);
    this.grantTaskPermissions();
    this.acceptNagFindings();
  }

  /** Environment variables the launcher uses to start tasks. */
  get launcherEnvironment(): Record<string, string> {
    const subnets = this.props.vpc.selectSubnets(this.props.subnets).subnetIds;
    return {
      CLUSTER_ARN: this.cluster.clusterArn,
      TASK_DEFINITION_ARN: this.taskDefinition.taskDefinitionArn,
      TASK_SUBNETS: subnets.join(','),
      TASK_SECURITY_GROUPS: this.securityGroup.securityGroupId,
      MAX_TASKS: String(this.props.maxTasks),
    };
  }

  /** Passes the Trivy server's token secret to the tasks, which read it at start. */
  useServerToken(secret: secretsmanager.ISecret): void {
    this.container.addEnvironment('TRIVY_SERVER_TOKEN_SECRET_ARN', secret.secretArn);
    secret.grantRead(this.taskDefinition.taskRole);
  }

  /** Grants starting scanner tasks and counting the running ones. */
  grantLaunch(grantee: iam.IGrantable): void {
    const principal = grantee.grantPrincipal;
    const onCluster = { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } };

    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn],
        conditions: onCluster,
      }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: onCluster,
      }),
    );
    acceptWildcardResource(
      grantee,
      '*',
      'ecs:ListTasks has no resource type in IAM; the ecs:cluster condition limits it.',
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.taskDefinition.taskRole.roleArn, this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }

  private get executionRole(): iam.IRole {
    const role = this.taskDefinition.executionRole;
    if (!role) throw new Error('The scanner task definition has no execution role.');
    return role;
  }

  private addContainer(): ecs.ContainerDefinition {
    const props = this.props;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    return this.taskDefinition.addContainer('Scanner', {
      image: ecs.ContainerImage.fromAsset(props.repositoryRoot, {
        file: 'scanner-task/Dockerfile',
        exclude: BUILD_CONTEXT_EXCLUDES,
        platform: Platform.LINUX_ARM64,
      }),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'scanner', logGroup }),
      environment: this.environment(),
      stopTimeout: Duration.seconds(60),
    });
  }

  private environment(): Record<string, string> {
    const props = this.props;
    return {
      ...props.data.environment,
      ...props.registry.environment,
      QUEUE_URL: props.queue.queue.queueUrl,
      SCANNER_URL: props.scannerUrl,
      TRIVY_CACHE_DIR: TRIVY_CACHE_PATH,
      SCAN_TIMEOUT: `${props.scanTimeoutSeconds}s`,
      SCAN_CONCURRENCY: String(props.scanConcurrency),
      SCAN_LOCK_STALE: '30s',
      IDLE_EXIT_SECONDS: '120',
      AWS_REGION: Stack.of(this).region,
    };
  }

  private acceptNagFindings(): void {
    acceptFindings(this.cluster, [
      {
        id: 'AwsSolutions-ECS4',
        reason: 'Container Insights bills metrics per task; the task logs go to CloudWatch Logs.',
      },
    ]);
    acceptFindings(this.taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'The environment holds names, URLs and secret ARNs only; the task reads the ' +
          'secrets from Secrets Manager itself.',
      },
    ]);
    acceptWildcardResource(
      this.executionRole,
      '*',
      'aws-cdk-lib grants ecr:GetAuthorizationToken, which takes only "*", to pull the image.',
    );
  }

  private grantTaskPermissions(): void {
    const taskRole = this.taskDefinition.taskRole;
    this.props.data.grantReadWrite(taskRole);
    this.props.queue.grantConsume(taskRole);
    this.props.registry.grantPull(taskRole);
  }
}

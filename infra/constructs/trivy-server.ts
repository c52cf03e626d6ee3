import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { acceptFindings } from '../nag';

/** Properties of {@link TrivyServer}. */
export interface TrivyServerProps {
  cluster: ecs.ICluster;
  subnets: ec2.SubnetSelection;
  /** The only security group allowed to reach the server. */
  clientSecurityGroup: ec2.ISecurityGroup;
  /** Release of the aquasec/trivy image, such as 0.74.0. */
  trivyVersion: string;
}

/** Port `trivy server` listens on. */
export const TRIVY_SERVER_PORT = 4954;

/**
 * Remote mode's Trivy server: one Fargate task running `trivy server`, found by the scanner
 * tasks through Cloud Map DNS, reachable only from them, and guarded by a token kept in
 * Secrets Manager. It keeps the vulnerability DB, so scanner tasks may scan concurrently.
 */
export class TrivyServer extends Construct {
  readonly tokenSecret: secretsmanager.Secret;

  /** Cloud Map namespace of the server: one per stack, so stacks can share an existing VPC. */
  static namespaceFor(stack: Stack): string {
    return `${stack.stackName.toLowerCase()}.internal`;
  }

  /** URL of the server that the scanner tasks use. */
  static urlFor(stack: Stack): string {
    return `http://trivy.${TrivyServer.namespaceFor(stack)}:${TRIVY_SERVER_PORT}`;
  }

  constructor(scope: Construct, id: string, props: TrivyServerProps) {
    super(scope, id);

    const vpc = props.cluster.vpc;
    const namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: TrivyServer.namespaceFor(Stack.of(this)),
      vpc,
    });
    this.tokenSecret = new secretsmanager.Secret(this, 'Token', {
      description: 'Token that Trivy clients send to the Berth Trivy server',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Berth Trivy server: reachable from the scanner tasks only',
      allowAllOutbound: true,
    });
    securityGroup.addIngressRule(
      props.clientSecurityGroup,
      ec2.Port.tcp(TRIVY_SERVER_PORT),
      'Trivy clients in the scanner tasks',
    );

    new ecs.FargateService(this, 'Service', {
      serviceName: 'trivy-server',
      cluster: props.cluster,
      taskDefinition: this.taskDefinition(props.trivyVersion),
      desiredCount: 1,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      assignPublicIp: false,
      circuitBreaker: { rollback: true },
      cloudMapOptions: {
        cloudMapNamespace: namespace,
        name: 'trivy',
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });

    acceptFindings(this.tokenSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Trivy reads the token only at start, so rotation needs a service restart; ' +
          'docs/deploy.md gives the manual rotation steps.',
      },
    ]);
  }

  private taskDefinition(trivyVersion: string): ecs.FargateTaskDefinition {
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: 512,
      memoryLimitMiB: 2048,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    taskDefinition.addContainer('Trivy', {
      // The ECR Public copy of aquasec/trivy avoids Docker Hub's pull rate limit.
      image: ecs.ContainerImage.fromRegistry(`public.ecr.aws/aquasecurity/trivy:${trivyVersion}`),
      command: ['server'],
      environment: {
        TRIVY_LISTEN: `0.0.0.0:${TRIVY_SERVER_PORT}`,
        TRIVY_CACHE_DIR: '/tmp/trivy-cache',
      },
      secrets: { TRIVY_TOKEN: ecs.Secret.fromSecretsManager(this.tokenSecret) },
      portMappings: [{ containerPort: TRIVY_SERVER_PORT }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'trivy-server', logGroup }),
      healthCheck: {
        // The image is Alpine-based, so BusyBox wget is there; /healthz needs no token.
        command: [
          'CMD-SHELL',
          `wget -q -O /dev/null http://127.0.0.1:${TRIVY_SERVER_PORT}/healthz || exit 1`,
        ],
        // The first start downloads the vulnerability DB before the server accepts requests.
        startPeriod: Duration.seconds(180),
        interval: Duration.seconds(30),
      },
    });
    acceptFindings(taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason: 'The environment holds the listen address and cache path; the token is a secret.',
      },
    ]);
    return taskDefinition;
  }
}

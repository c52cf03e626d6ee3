import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Properties of {@link TrivyCache}. */
export interface TrivyCacheProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  /** The only security group allowed to reach NFS. */
  clientSecurityGroup: ec2.ISecurityGroup;
  /** The only role allowed to mount the file system. */
  taskRole: iam.IRole;
}

const NFS_PORT = 2049;

// The uid and gid of the `node` user in the node:20 image.
const CACHE_OWNER = { uid: '1000', gid: '1000' };

/**
 * The Trivy cache on EFS: encrypted at rest and in transit, reached through one access point
 * with IAM authorization, NFS open only to the scanner tasks' security group. The database
 * survives between tasks, so only the first scan downloads it.
 */
export class TrivyCache extends Construct {
  readonly fileSystem: efs.FileSystem;
  readonly accessPoint: efs.AccessPoint;

  constructor(scope: Construct, id: string, props: TrivyCacheProps) {
    super(scope, id);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Berth Trivy cache: NFS from the scanner tasks only',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(
      props.clientSecurityGroup,
      ec2.Port.tcp(NFS_PORT),
      'NFS from the scanner tasks',
    );

    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroup,
      encrypted: true,
      // false would make aws-cdk-lib add an allow for every IAM principal. The policy below
      // allows only the task role, so clients without IAM are rejected either way.
      allowAnonymousAccess: true,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.BURSTING,
      enableAutomaticBackups: false,
      fileSystemPolicy: this.policy(props.taskRole),
      // The cache holds only downloadable data, so deleting it with the stack loses nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path: '/trivy-cache',
      posixUser: CACHE_OWNER,
      createAcl: { ownerUid: CACHE_OWNER.uid, ownerGid: CACHE_OWNER.gid, permissions: '750' },
    });
    this.grantMount(props.taskRole);
  }

  /** Adds the EFS volume to the task definition and mounts it in the container at `path`. */
  mountInto(
    taskDefinition: ecs.TaskDefinition,
    container: ecs.ContainerDefinition,
    path: string,
  ): void {
    taskDefinition.addVolume({
      name: 'trivy-cache',
      efsVolumeConfiguration: {
        fileSystemId: this.fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: this.accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });
    container.addMountPoints({ sourceVolume: 'trivy-cache', containerPath: path, readOnly: false });
  }

  /** Allows only the task role, only through a mount target and only over TLS. */
  private policy(taskRole: iam.IRole): iam.PolicyDocument {
    return new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          principals: [new iam.ArnPrincipal(taskRole.roleArn)],
          actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          resources: ['*'],
          conditions: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          resources: ['*'],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ],
    });
  }

  private grantMount(taskRole: iam.IRole): void {
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        resources: [this.fileSystem.fileSystemArn],
        conditions: {
          StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn },
        },
      }),
    );
  }
}

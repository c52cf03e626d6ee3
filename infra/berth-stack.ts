import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { BerthConfig } from './config';
import { Api } from './constructs/api';
import { SignIn } from './constructs/auth';
import { DataStore } from './constructs/data';
import { ScanOnPush } from './constructs/ecr-push';
import { LogBucket } from './constructs/logs';
import { Network } from './constructs/network';
import { ScanQueue } from './constructs/queue';
import { Reconcile } from './constructs/reconcile';
import { RegistryAccess } from './constructs/registry';
import { Scanner } from './constructs/scanner';
import { TrivyServer } from './constructs/trivy-server';
import { Web } from './constructs/web';
import { suppressFrameworkFindings } from './nag-suppressions';

/** Properties of {@link BerthStack}. */
export interface BerthStackProps extends StackProps {
  config: BerthConfig;
  /** The repository root: build context of the scanner image and root of the function entries. */
  repositoryRoot: string;
  /** Folder of the built SPA. */
  spaDirectory: string;
}

/** Berth on AWS: API on Lambda, scans through SQS on Fargate, results in S3, SPA on CloudFront. */
export class BerthStack extends Stack {
  constructor(scope: Construct, id: string, props: BerthStackProps) {
    super(scope, id, props);

    const config = props.config;
    const logs = new LogBucket(this, 'AccessLogs');
    const network = new Network(this, 'Network', { vpcId: config.vpcId, logBucket: logs.bucket });
    const data = new DataStore(this, 'Data', { prefix: config.dataPrefix, logBucket: logs.bucket });
    const queue = new ScanQueue(this, 'ScanQueue', {
      scanTimeoutSeconds: config.scanTimeoutSeconds,
    });
    const registry = new RegistryAccess(this, 'Registry', config.registry);
    const signIn = new SignIn(this, 'SignIn', { domainPrefix: config.authDomainPrefix });

    const scannerUrl = scannerUrlOf(config, this);
    const scanner = new Scanner(this, 'Scanner', {
      vpc: network.vpc,
      subnets: network.taskSubnets,
      data,
      queue,
      registry,
      scannerUrl,
      maxTasks: config.maxTasks,
      scanConcurrency: config.scanConcurrency,
      scanTimeoutSeconds: config.scanTimeoutSeconds,
      repositoryRoot: props.repositoryRoot,
    });
    this.connectTrivyServer(config, scanner, network);

    const shared = {
      repositoryRoot: props.repositoryRoot,
      data,
      queue,
      registry,
      scanner,
      scannerUrl,
      scanTimeoutSeconds: config.scanTimeoutSeconds,
    };
    const api = new Api(this, 'Api', { ...shared, signIn });
    new Reconcile(this, 'Reconcile', shared);
    if (config.scanOnPushPatterns.length > 0) {
      new ScanOnPush(this, 'ScanOnPush', { ...shared, patterns: config.scanOnPushPatterns });
    }

    const web = new Web(this, 'Web', {
      spaDirectory: props.spaDirectory,
      apiUrl: api.url,
      runtimeConfig: signIn.runtimeConfig,
      signInDomain: signIn.domain.baseUrl(),
      logBucket: logs.bucket,
    });
    signIn.allowSignInFrom(web.distribution.distributionDomainName);

    suppressFrameworkFindings(this);
    new CfnOutput(this, 'Url', { value: web.url, description: 'Berth web UI' });
    new CfnOutput(this, 'UserPoolId', { value: signIn.userPool.userPoolId });
    new CfnOutput(this, 'DataBucket', { value: data.bucket.bucketName });
    new CfnOutput(this, 'ScanQueueUrl', { value: queue.queue.queueUrl });
    new CfnOutput(this, 'ClusterName', { value: scanner.cluster.clusterName });
  }

  /** Deploys the Trivy server, or reads the existing server's token, in remote mode. */
  private connectTrivyServer(config: BerthConfig, scanner: Scanner, network: Network): void {
    if (config.scanner.mode !== 'remote') return;

    const server = config.scanner.server;
    if (server.kind === 'deployed') {
      const deployed = new TrivyServer(this, 'TrivyServer', {
        cluster: scanner.cluster,
        subnets: network.taskSubnets,
        clientSecurityGroup: scanner.securityGroup,
        trivyVersion: server.trivyVersion,
      });
      scanner.useServerToken(deployed.tokenSecret);
    } else if (server.tokenSecretArn) {
      scanner.useServerToken(
        secretsmanager.Secret.fromSecretCompleteArn(
          this,
          'TrivyServerToken',
          server.tokenSecretArn,
        ),
      );
    }
  }
}

/** `builtin`, the existing server's URL, or the Cloud Map name of the deployed server. */
function scannerUrlOf(config: BerthConfig, stack: Stack): string {
  if (config.scanner.mode === 'builtin') return 'builtin';
  if (config.scanner.server.kind === 'existing') return config.scanner.server.url;
  return TrivyServer.urlFor(stack);
}

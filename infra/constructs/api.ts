import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { SignIn } from './auth';
import { BerthFunction } from './berth-function';
import type { DataStore } from './data';
import type { ScanQueue } from './queue';
import type { RegistryAccess } from './registry';
import type { Scanner } from './scanner';

/** Properties of {@link Api}. */
export interface ApiProps {
  repositoryRoot: string;
  data: DataStore;
  queue: ScanQueue;
  registry: RegistryAccess;
  scanner: Scanner;
  signIn: SignIn;
  /** `builtin` or the Trivy server URL. */
  scannerUrl: string;
  scanTimeoutSeconds: number;
}

/**
 * The Hono API on Lambda behind a function URL with IAM auth. Only CloudFront can call it,
 * because CloudFront signs each request through origin access control.
 */
export class Api extends Construct {
  readonly function: BerthFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.function = new BerthFunction(this, 'Handler', {
      entry: 'functions/aws/api.ts',
      repositoryRoot: props.repositoryRoot,
      description: 'Berth API (Hono) behind CloudFront',
      memorySize: 1024,
      environment: {
        ...sharedEnvironment(props),
        USER_POOL_ID: props.signIn.userPool.userPoolId,
        USER_POOL_CLIENT_ID: props.signIn.client.userPoolClientId,
      },
    });
    this.url = this.function.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
    });

    const fn = this.function.function;
    props.data.grantReadWrite(fn);
    props.queue.grantSend(fn);
    props.registry.grantRead(fn);
    props.registry.grantDelete(fn);
    props.scanner.grantLaunch(fn);
  }
}

/** The environment every Berth function shares: data, queue, launcher, scanner and registry. */
export function sharedEnvironment(props: {
  data: DataStore;
  queue: ScanQueue;
  registry: RegistryAccess;
  scanner: Scanner;
  scannerUrl: string;
  scanTimeoutSeconds: number;
}): Record<string, string> {
  return {
    ...props.data.environment,
    ...props.registry.environment,
    ...props.scanner.launcherEnvironment,
    QUEUE_URL: props.queue.queue.queueUrl,
    SCANNER_URL: props.scannerUrl,
    SCAN_TIMEOUT: `${props.scanTimeoutSeconds}s`,
  };
}

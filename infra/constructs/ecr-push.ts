import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { sharedEnvironment } from './api';
import { BerthFunction } from './berth-function';
import type { DataStore } from './data';
import type { ScanQueue } from './queue';
import type { RegistryAccess } from './registry';
import type { Scanner } from './scanner';

/** Properties of {@link ScanOnPush}. */
export interface ScanOnPushProps {
  repositoryRoot: string;
  data: DataStore;
  queue: ScanQueue;
  registry: RegistryAccess;
  scanner: Scanner;
  scannerUrl: string;
  scanTimeoutSeconds: number;
  /** Repository globs; `*` alone matches every repository. */
  patterns: string[];
}

/**
 * Scan on push: an EventBridge rule for successful ECR pushes of matching repositories feeds a
 * handler that queues the scan and starts a scanner task.
 */
export class ScanOnPush extends Construct {
  readonly function: BerthFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ScanOnPushProps) {
    super(scope, id);

    this.function = new BerthFunction(this, 'Handler', {
      entry: 'functions/aws/ecr-push.ts',
      repositoryRoot: props.repositoryRoot,
      description: 'Berth: queues a scan for each ECR push',
      environment: { ...sharedEnvironment(props), SCAN_ON_PUSH_PATTERNS: props.patterns.join(',') },
    });

    const fn = this.function.function;
    props.data.grantReadWrite(fn);
    props.queue.grantSend(fn);
    props.registry.grantRead(fn);
    props.scanner.grantLaunch(fn);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Successful ECR pushes that Berth scans',
      eventPattern: pushPattern(props.patterns),
      targets: [
        new targets.LambdaFunction(fn, { retryAttempts: 4, maxEventAge: Duration.hours(2) }),
      ],
    });
  }
}

/** Builds the event pattern, which filters repository names unless a pattern is `*`. */
export function pushPattern(patterns: string[]): events.EventPattern {
  const repositoryNames = patterns.includes('*')
    ? undefined
    : patterns.map((pattern) => (pattern.includes('*') ? { wildcard: pattern } : pattern));

  return {
    source: ['aws.ecr'],
    detailType: ['ECR Image Action'],
    detail: {
      'action-type': ['PUSH'],
      result: ['SUCCESS'],
      ...(repositoryNames && { 'repository-name': repositoryNames }),
    },
  };
}

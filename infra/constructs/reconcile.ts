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

/** Properties of {@link Reconcile}. */
export interface ReconcileProps {
  repositoryRoot: string;
  data: DataStore;
  queue: ScanQueue;
  registry: RegistryAccess;
  scanner: Scanner;
  scannerUrl: string;
  scanTimeoutSeconds: number;
}

/** How often the scheduled check runs. */
export const RECONCILE_INTERVAL = Duration.minutes(5);

/**
 * The scheduled check: starts a scanner task when messages wait and none runs (a launch or
 * an EventBridge delivery can be lost), and marks scans in the dead-letter queue as failed.
 */
export class Reconcile extends Construct {
  readonly function: BerthFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconcileProps) {
    super(scope, id);

    this.function = new BerthFunction(this, 'Handler', {
      entry: 'functions/aws/reconcile.ts',
      repositoryRoot: props.repositoryRoot,
      description: 'Berth: starts idle scans and records dead-lettered scans as failed',
      timeout: Duration.seconds(60),
      environment: {
        ...sharedEnvironment(props),
        DLQ_URL: props.queue.deadLetterQueue.queueUrl,
      },
    });

    const fn = this.function.function;
    props.data.grantReadWrite(fn);
    props.queue.grantSend(fn);
    props.queue.deadLetterQueue.grantConsumeMessages(fn);
    props.registry.grantRead(fn);
    props.scanner.grantLaunch(fn);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the Berth scan check every 5 minutes',
      schedule: events.Schedule.rate(RECONCILE_INTERVAL),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
  }
}

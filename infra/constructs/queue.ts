import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acceptFindings } from '../nag';

/** Properties of {@link ScanQueue}. */
export interface ScanQueueProps {
  scanTimeoutSeconds: number;
}

/** Receives after which a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;

// Time for pulling the image and storing the result on top of the scan itself.
const VISIBILITY_MARGIN_SECONDS = 300;

/**
 * The scan queue and its dead-letter queue, both encrypted and TLS only. The visibility
 * timeout outlasts the scan timeout; the worker also extends it while a scan runs.
 */
export class ScanQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ScanQueueProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.scanTimeoutSeconds + VISIBILITY_MARGIN_SECONDS),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    acceptFindings(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the scan queue.' },
    ]);
  }

  /** Grants the scanner task's use: receive, delete and change visibility. */
  grantConsume(grantee: iam.IGrantable): void {
    this.queue.grant(
      grantee,
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
    );
  }

  /** Grants sending scan requests and reading the queue depth. */
  grantSend(grantee: iam.IGrantable): void {
    this.queue.grant(grantee, 'sqs:SendMessage', 'sqs:GetQueueAttributes');
  }
}

import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createLogger, type Logger } from '../log';
import { parseScanMessage } from '../queue/message';
import type { ReceivedMessage, ScanMessage, ScanQueue } from '../queue/port';

/** Settings of an SqsScanQueue: the client, queue URL, long-poll wait and visibility. */
export interface SqsScanQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /** Long-poll wait of each ReceiveMessage, 0 to 20 seconds. @default 20 */
  waitSeconds?: number;
  /** Visibility timeout of received messages, in seconds. @default the queue's setting */
  visibilitySeconds?: number;
  /** Logs rejected and redelivered messages. @default a logger named `sqs-queue` */
  logger?: Logger;
}

/** SQS returns at most 10 messages per ReceiveMessage. */
const MAX_RECEIVE = 10;

/** SQS rejects a visibility timeout above 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * ScanQueue on an SQS queue whose redrive policy sends a message to the dead-letter queue
 * after `maxReceiveCount` receives. A message that a worker neither deletes nor rejects
 * becomes visible again after the visibility timeout.
 */
export class SqsScanQueue implements ScanQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly waitSeconds: number;
  private readonly visibilitySeconds: number | undefined;
  private readonly logger: Logger;

  constructor(options: SqsScanQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.waitSeconds = checkWait(options.waitSeconds ?? 20);
    this.visibilitySeconds = options.visibilitySeconds;
    this.logger = options.logger ?? createLogger({ name: 'sqs-queue' });
  }

  /** Sends the message as its JSON body. */
  async send(message: ScanMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }

  /**
   * Long-polls for up to `maxMessages` messages (at most 10). Bodies that are not a valid
   * ScanMessage come back with `error` set, for the worker to reject.
   */
  async receive(maxMessages: number): Promise<ReceivedMessage[]> {
    const response = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(Math.max(Math.trunc(maxMessages), 1), MAX_RECEIVE),
        WaitTimeSeconds: this.waitSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        ...(this.visibilitySeconds === undefined
          ? {}
          : { VisibilityTimeout: this.visibilitySeconds }),
      }),
    );

    const received: ReceivedMessage[] = [];
    for (const message of response.Messages ?? []) {
      if (!message.ReceiptHandle) continue;
      this.logRedelivery(message.MessageId, message.Attributes?.ApproximateReceiveCount);
      const body = message.Body ?? '';
      received.push({ receipt: message.ReceiptHandle, body, ...parseScanMessage(body) });
    }
    return received;
  }

  /** Deletes a message by its receipt handle. */
  async delete(receipt: string): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }),
    );
  }

  /**
   * Logs the reason and makes the message visible again at once (visibility 0). SQS has no
   * call that moves one message to the dead-letter queue. The redrive policy moves it there
   * once its receive count exceeds `maxReceiveCount`, and until then it is received and
   * rejected again.
   */
  async reject(receipt: string, reason: string): Promise<void> {
    this.logger.warn({ reason, queueUrl: this.queueUrl }, 'scan message released for redrive');
    await this.setVisibility(receipt, 0);
  }

  /** Keeps a received message hidden for `seconds` more, capped at 12 hours. */
  async extendVisibility(receipt: string, seconds: number): Promise<void> {
    await this.setVisibility(receipt, Math.min(Math.max(seconds, 0), MAX_VISIBILITY_SECONDS));
  }

  /**
   * Returns an empty set, because SQS cannot list the messages in a queue. The scheduled
   * check works from the scan statuses instead. Start a ScanWorker on this queue with
   * `requeueOrphans: false`, or it sends a second message for every unfinished scan.
   */
  async pendingScanIds(): Promise<Set<string>> {
    return new Set();
  }

  private async setVisibility(receipt: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receipt,
        VisibilityTimeout: seconds,
      }),
    );
  }

  private logRedelivery(messageId: string | undefined, receiveCount: string | undefined): void {
    const count = Number(receiveCount ?? '1');
    if (count > 1) this.logger.warn({ messageId, receiveCount: count }, 'scan message redelivered');
  }
}

/**
 * Reads the number of messages waiting and in flight (ApproximateNumberOfMessages plus
 * ApproximateNumberOfMessagesNotVisible). SQS documents both counts as approximate.
 */
export async function approximateDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const response = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const attributes = response.Attributes ?? {};
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

function checkWait(seconds: number): number {
  if (Number.isInteger(seconds) && seconds >= 0 && seconds <= 20) return seconds;
  throw new Error(`Invalid SQS wait time ${seconds}: use an integer from 0 to 20 seconds.`);
}

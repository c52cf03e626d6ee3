import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { approximateDepth, SqsScanQueue } from '../core/aws/sqs-queue';
import type { Logger } from '../core/log';
import type { ScanService } from '../core/scan/service';
import { ScanWorker } from '../core/scan/worker';
import { FsObjectStore } from '../core/store/object-store';
import { StatusStore } from '../core/store/statuses';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/berth-scans';

const client = new SQSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
});
const sqs = mockClient(client);

/** Creates a pino logger that keeps its records in memory. */
function memoryLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => records.push(JSON.parse(line)) };
  return { logger: pino({ level: 'info' }, stream), records };
}

const message = {
  scanId: 'scan-1',
  repository: 'team/api',
  tag: '1.0',
  queuedAt: '2026-12-04T00:00:00.000Z',
};

beforeEach(() => {
  sqs.reset();
});

describe('SqsScanQueue requests', () => {
  test('send posts the JSON body', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).send(message);

    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify(message),
    });
  });

  test('receive long-polls with receive count', async () => {
    sqs.on(ReceiveMessageCommand).resolves({});

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).receive(2);

    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 2,
      WaitTimeSeconds: 20,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
  });

  test('receive sets visibility when configured', async () => {
    sqs.on(ReceiveMessageCommand).resolves({});
    const queue = new SqsScanQueue({
      client,
      queueUrl: QUEUE_URL,
      waitSeconds: 5,
      visibilitySeconds: 900,
    });

    await queue.receive(1);

    const input = sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input;
    expect(input?.WaitTimeSeconds).toBe(5);
    expect(input?.VisibilityTimeout).toBe(900);
  });

  test.each([
    [25, 10],
    [0, 1],
  ])('receive of %i asks for %i', async (requested, sent) => {
    sqs.on(ReceiveMessageCommand).resolves({});

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).receive(requested);

    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input.MaxNumberOfMessages).toBe(
      sent,
    );
  });

  test('delete sends the receipt handle', async () => {
    sqs.on(DeleteMessageCommand).resolves({});

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).delete('receipt-1');

    expect(sqs.commandCalls(DeleteMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-1',
    });
  });

  test('extendVisibility changes the timeout', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).extendVisibility('receipt-1', 300);

    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-1',
      VisibilityTimeout: 300,
    });
  });

  test('extendVisibility caps at 12 hours', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).extendVisibility('r', 100_000);

    const input = sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input;
    expect(input?.VisibilityTimeout).toBe(43_200);
  });

  test('reject logs and releases the message', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const { logger, records } = memoryLogger();

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL, logger }).reject('r1', 'not JSON');

    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'r1',
      VisibilityTimeout: 0,
    });
    expect(records[0]?.msg).toBe('scan message released for redrive');
    expect(records[0]?.reason).toBe('not JSON');
  });

  test('pendingScanIds is empty', async () => {
    const ids = await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).pendingScanIds();

    expect(ids.size).toBe(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  test('wait above 20 seconds is rejected', () => {
    expect(() => new SqsScanQueue({ client, queueUrl: QUEUE_URL, waitSeconds: 30 })).toThrow(
      'Invalid SQS wait time 30',
    );
  });
});

describe('SqsScanQueue messages', () => {
  test('valid body is parsed', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: JSON.stringify(message) }],
    });

    const [received] = await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).receive(1);

    expect(received?.receipt).toBe('r1');
    expect(received?.message).toEqual(message);
    expect(received?.error).toBeUndefined();
  });

  test.each([
    ['not json', 'message body is not JSON'],
    [JSON.stringify({ ...message, repository: 'UPPER' }), 'is not a valid repository name'],
    [JSON.stringify({ ...message, scanId: '' }), 'scanId is missing'],
  ])('malformed body %s has an error', async (body, error) => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ ReceiptHandle: 'r1', Body: body }] });

    const [received] = await new SqsScanQueue({ client, queueUrl: QUEUE_URL }).receive(1);

    expect(received?.message).toBeUndefined();
    expect(received?.error).toContain(error);
    expect(received?.body).toBe(body);
  });

  test('redelivery is logged with its count', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm1',
          ReceiptHandle: 'r1',
          Body: JSON.stringify(message),
          Attributes: { ApproximateReceiveCount: '3' },
        },
      ],
    });
    const { logger, records } = memoryLogger();

    await new SqsScanQueue({ client, queueUrl: QUEUE_URL, logger }).receive(1);

    expect(records[0]?.msg).toBe('scan message redelivered');
    expect(records[0]?.receiveCount).toBe(3);
    expect(records[0]?.messageId).toBe('m1');
  });
});

describe('SqsScanQueue with ScanWorker', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'berth-sqs-worker-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('malformed message goes back for redrive', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: '{' }] })
      .resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const { logger } = memoryLogger();
    const queue = new SqsScanQueue({ client, queueUrl: QUEUE_URL, waitSeconds: 0, logger });
    const worker = new ScanWorker({
      queue,
      // The worker rejects a malformed message before it reaches the scan service.
      service: {} as ScanService,
      statuses: new StatusStore(new FsObjectStore(dataDir)),
      concurrency: 1,
      pollIntervalMs: 10,
      requeueOrphans: false,
      logger,
    });

    await worker.start();
    await expect
      .poll(() => sqs.commandCalls(ChangeMessageVisibilityCommand).length)
      .toBeGreaterThan(0);
    await worker.stop();

    const input = sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input;
    expect(input?.ReceiptHandle).toBe('r1');
    expect(input?.VisibilityTimeout).toBe(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});

test('approximateDepth adds waiting and in-flight messages', async () => {
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesNotVisible: '2' },
  });

  expect(await approximateDepth(client, QUEUE_URL)).toBe(6);
  expect(sqs.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toEqual({
    QueueUrl: QUEUE_URL,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  });
});

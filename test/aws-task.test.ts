import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanStatus } from '../core/api/schemas';
import { S3ObjectStore } from '../core/aws/s3-object-store';
import { createLogger } from '../core/log';
import { ResultStore } from '../core/store/results';
import { StatusStore } from '../core/store/statuses';
import type { AwsClients } from '../functions/aws/runtime';
import { runScannerTask } from '../scanner-task/main';
import { QUEUE_URL, testClients } from './support/aws-events';
import { STAND_IN_TRIVY } from './support/berth';
import { startRegistry, type TestRegistry } from './support/registry';
import { startS3rver, type TestS3 } from './support/s3rver';
import { pushRecorded } from './support/stack';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const ROOT = resolve(import.meta.dirname, '..');
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let registry: TestRegistry;
let s3: TestS3;
let cacheDir: string;
let clients: AwsClients;
let statuses: StatusStore;
let results: ResultStore;

beforeAll(async () => {
  [registry, s3] = await Promise.all([startRegistry(), startS3rver()]);
  await pushRecorded(registry, 'alpine-310.json', 'library/alpine', '3.10');
  cacheDir = await mkdtemp(join(tmpdir(), 'berth-task-cache-'));
  clients = testClients(s3.client());
  const objects = new S3ObjectStore({ client: clients.s3, bucket: s3.bucket });
  statuses = new StatusStore(objects);
  results = new ResultStore(objects);
});

afterAll(async () => {
  await registry?.stop();
  await s3?.stop();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

function taskEnv(): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    DATA_BUCKET: s3.bucket,
    DATA_PREFIX: 'data/',
    QUEUE_URL,
    SCANNER_URL: 'builtin',
    TRIVY_CACHE_DIR: cacheDir,
    TRIVY_PATH: STAND_IN_TRIVY,
    SCAN_TIMEOUT: '60s',
    SCAN_LOCK_STALE: '5s',
    IDLE_EXIT_SECONDS: '1',
    REGISTRY_KIND: 'distribution',
    REGISTRY_URL: registry.url,
  };
}

async function queuedStatus(repository: string, tag: string, id: string): Promise<string> {
  const queuedAt = new Date().toISOString();
  await statuses.write({ id, repository, tag, state: 'queued', queuedAt } as ScanStatus);
  return JSON.stringify({ scanId: id, repository, tag, queuedAt });
}

describe('scanner task loop', () => {
  const sqsMock = () => mockClient(clients.sqs);
  let sqs: ReturnType<typeof sqsMock>;
  let elapsedMs: number;

  beforeAll(async () => {
    sqs = sqsMock();
    const scanBody = await queuedStatus('library/alpine', '3.10', 'scan-ok');
    const missingBody = await queuedStatus('library/alpine', 'missing', 'scan-missing');
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'r-scan', Body: scanBody },
          { MessageId: 'm2', ReceiptHandle: 'r-garbage', Body: '{"scanId": 7}' },
          { MessageId: 'm3', ReceiptHandle: 'r-missing', Body: missingBody },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    const started = Date.now();
    await runScannerTask({ env: taskEnv(), clients, logger });
    elapsedMs = Date.now() - started;
  });

  afterAll(() => {
    sqs?.restore();
  });

  it('long-polls the queue', () => {
    const input = sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input;

    expect(input?.QueueUrl).toBe(QUEUE_URL);
    expect(input?.WaitTimeSeconds).toBe(20);
  });

  it('scan completes and stores the result', async () => {
    const status = await statuses.read({ repository: 'library/alpine', tag: '3.10' });
    const result = await results.read({ repository: 'library/alpine', tag: '3.10' });

    expect(status?.state).toBe('completed');
    expect(result?.scan.id).toBe('scan-ok');
    expect(result?.scan.recorded).toBe(true);
    expect(result?.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('failing scan is recorded as failed', async () => {
    const status = await statuses.read({ repository: 'library/alpine', tag: 'missing' });

    expect(status?.state).toBe('failed');
    expect(status?.reason).toBeTruthy();
  });

  it('finished messages are deleted', () => {
    const receipts = sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input);

    expect(receipts).toHaveLength(2);
    expect(receipts).toContainEqual({ QueueUrl: QUEUE_URL, ReceiptHandle: 'r-scan' });
    expect(receipts).toContainEqual({ QueueUrl: QUEUE_URL, ReceiptHandle: 'r-missing' });
  });

  it('malformed message is released for the DLQ', () => {
    const changes = sqs
      .commandCalls(ChangeMessageVisibilityCommand)
      .map((call) => call.args[0].input);

    expect(changes).toContainEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'r-garbage',
      VisibilityTimeout: 0,
    });
  });

  it('task stops after the idle period', () => {
    expect(elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(elapsedMs).toBeLessThan(30_000);
  });
});

describe('scanner task process', () => {
  let server: Server;
  let endpoint: string;
  const targets: string[] = [];

  beforeAll(async () => {
    // An SQS stand-in that returns no messages for every AWS JSON request.
    server = createServer((request, response) => {
      targets.push(String(request.headers['x-amz-target']));
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server?.close(done));
  });

  it('exits with 0 when idle', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scanner-task/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...taskEnv(),
        LOG_LEVEL: 'silent',
        // The SQS client sends to the host of the queue URL, so the queue lives on the stand-in.
        QUEUE_URL: `${endpoint}/123456789012/berth-scans`,
        AWS_ENDPOINT_URL_SQS: endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'test-secret',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));

    expect(code, output).toBe(0);
    expect(targets).toContain('AmazonSQS.ReceiveMessage');
  });

  it('missing variable exits with 1', async () => {
    const env = { ...process.env, ...taskEnv(), LOG_LEVEL: 'fatal', TRIVY_CACHE_DIR: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scanner-task/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));

    expect(code).toBe(1);
    expect(output).toContain('Missing environment variable TRIVY_CACHE_DIR');
  });
});

import { DescribeImagesCommand, ImageNotFoundException } from '@aws-sdk/client-ecr';
import { ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError, Health, ScanStatus, ScanView, User } from '../core/api/schemas';
import { S3ObjectStore } from '../core/aws/s3-object-store';
import { createLogger } from '../core/log';
import { StatusStore } from '../core/store/statuses';
import { type ApiHandler, createApiHandler } from '../functions/aws/api';
import {
  createEcrPushHandler,
  type EcrImageActionEvent,
  matchesGlob,
  type PushOutcome,
} from '../functions/aws/ecr-push';
import { createReconcileHandler, DEAD_LETTER_REASON } from '../functions/aws/reconcile';
import type { AwsClients } from '../functions/aws/runtime';
import {
  ACCOUNT,
  accessClaims,
  apiEvent,
  CLUSTER_ARN,
  createSigningKey,
  DLQ_URL,
  FUNCTION_URL_EVENT,
  functionEnv,
  HTTP_API_EVENT,
  QUEUE_URL,
  TASK_DEFINITION_ARN,
  testClients,
} from './support/aws-events';
import { startRegistry, type TestRegistry } from './support/registry';
import { startS3rver, type TestS3 } from './support/s3rver';
import { pushRecorded } from './support/stack';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const key = createSigningKey();
const adminToken = key.sign(accessClaims('ada', ['admin']));
const viewerToken = key.sign(accessClaims('vic', ['viewer']));

let registry: TestRegistry;
let s3: TestS3;
let clients: AwsClients;
let env: Record<string, string>;
let statuses: StatusStore;

const sqs = () => mockClient(clients.sqs);
const ecs = () => mockClient(clients.ecs);
const ecr = () => mockClient(clients.ecr);
let sqsMock: ReturnType<typeof sqs>;
let ecsMock: ReturnType<typeof ecs>;
let ecrMock: ReturnType<typeof ecr>;

beforeAll(async () => {
  [registry, s3] = await Promise.all([startRegistry(), startS3rver()]);
  for (const [repository, tag] of [
    ['library/alpine', 'url'],
    ['library/alpine', 'http'],
    ['my-repository-name', 'latest'],
    ['team/api/server', '1.0'],
  ] as const) {
    await pushRecorded(registry, 'alpine-310.json', repository, tag);
  }
  clients = testClients(s3.client());
  env = functionEnv(s3.bucket, registry.url);
  statuses = new StatusStore(new S3ObjectStore({ client: clients.s3, bucket: s3.bucket }));
  sqsMock = sqs();
  ecsMock = ecs();
  ecrMock = ecr();
});

afterAll(async () => {
  sqsMock?.restore();
  ecsMock?.restore();
  ecrMock?.restore();
  await registry?.stop();
  await s3?.stop();
});

beforeEach(() => {
  sqsMock.reset();
  ecsMock.reset();
  ecrMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: `${CLUSTER_ARN}/task-1` }] });
});

const EXPECTED_RUN_TASK = {
  cluster: CLUSTER_ARN,
  taskDefinition: TASK_DEFINITION_ARN,
  launchType: 'FARGATE',
  count: 1,
  startedBy: 'berth-scanner',
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ['subnet-aaa', 'subnet-bbb'],
      securityGroups: ['sg-scanner'],
      assignPublicIp: 'DISABLED',
    },
  },
};

function bearer(token: string): Record<string, string> {
  return { 'x-berth-authorization': `Bearer ${token}` };
}

describe.each([
  ['function URL', FUNCTION_URL_EVENT, 'url'],
  ['HTTP API', HTTP_API_EVENT, 'http'],
] as const)('API handler with %s events', (_name, base, tag) => {
  let handler: ApiHandler;
  const scanPath = `/api/repositories/library/alpine/tags/${tag}/scan`;

  beforeAll(async () => {
    handler = await createApiHandler({ env, clients, logger, jwks: key.jwks });
  });

  it('health without a token is 200', async () => {
    const response = await handler(apiEvent(base, 'GET', '/api/health'));
    const health = JSON.parse(response.body) as Health;

    expect(response.statusCode).toBe(200);
    expect(health.scanner.mode).toBe('builtin');
    expect(health.registry.reachable).toBe(true);
  });

  it('request without a token is 401', async () => {
    const response = await handler(apiEvent(base, 'GET', '/api/me'));

    expect(response.statusCode).toBe(401);
  });

  it('expired token is 401 with the reason', async () => {
    const expired = key.sign({ ...accessClaims('ada', ['admin']), exp: 1_000_000 });
    const response = await handler(apiEvent(base, 'GET', '/api/me', bearer(expired)));
    const body = JSON.parse(response.body) as ApiError;

    expect(response.statusCode).toBe(401);
    expect(body.error.message).toMatch(/^Invalid access token: .*expired/);
  });

  it('token of another client is 401', async () => {
    const other = key.sign({ ...accessClaims('ada', ['admin']), client_id: 'another' });
    const response = await handler(apiEvent(base, 'GET', '/api/me', bearer(other)));

    expect(response.statusCode).toBe(401);
  });

  it('tampered token is 401', async () => {
    const tampered = `${adminToken.slice(0, -4)}AAAA`;
    const response = await handler(apiEvent(base, 'GET', '/api/me', bearer(tampered)));

    expect(response.statusCode).toBe(401);
  });

  it('user in no group is 403', async () => {
    const nobody = key.sign(accessClaims('nobody', []));
    const response = await handler(apiEvent(base, 'GET', '/api/me', bearer(nobody)));

    expect(response.statusCode).toBe(403);
  });

  it('viewer token reads /api/me', async () => {
    const response = await handler(apiEvent(base, 'GET', '/api/me', bearer(viewerToken)));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body) as User).toEqual({ name: 'vic', roles: ['viewer'] });
  });

  it('viewer POST scan is 403', async () => {
    const response = await handler(apiEvent(base, 'POST', scanPath, bearer(viewerToken)));

    expect(response.statusCode).toBe(403);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('admin POST scan queues and starts a task', async () => {
    const headers = { ...bearer(adminToken), 'x-amz-content-sha256': EMPTY_SHA256 };
    const response = await handler(apiEvent(base, 'POST', scanPath, headers));
    const status = JSON.parse(response.body) as ScanStatus;

    expect(response.statusCode).toBe(202);
    expect(status.state).toBe('queued');
    const sends = sqsMock.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify({
        scanId: status.id,
        repository: 'library/alpine',
        tag,
        queuedAt: status.queuedAt,
      }),
    });
    const runs = ecsMock.commandCalls(RunTaskCommand);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.args[0].input).toEqual(EXPECTED_RUN_TASK);
  });

  it('queued status is stored in S3', async () => {
    const response = await handler(apiEvent(base, 'GET', scanPath, bearer(viewerToken)));
    const view = JSON.parse(response.body) as ScanView;
    const stored = await statuses.read({ repository: 'library/alpine', tag });

    expect(response.statusCode).toBe(200);
    expect(view.status?.state).toBe('queued');
    expect(stored?.id).toBe(view.status?.id);
  });
});

/** SHA-256 of an empty body, which CloudFront's OAC needs on POST to a function URL. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('API health in remote mode', () => {
  it('names the server and the latest Trivy version', async () => {
    const objects = new S3ObjectStore({ client: clients.s3, bucket: s3.bucket });
    await objects.put(
      '.berth/history/2026-12-01T10:00:00.000Z_scan-old.json',
      JSON.stringify({ repository: 'library/alpine', tag: 'old' }),
    );
    await objects.put(
      '.berth/history/2026-12-02T10:00:00.000Z_scan-new.json',
      JSON.stringify({ repository: 'library/alpine', tag: 'new' }),
    );
    await objects.put('library_alpine_new.json', JSON.stringify(storedResult('new', '0.70.0')));
    const handler = await createApiHandler({
      env: { ...env, SCANNER_URL: 'http://trivy.berth.local:4954' },
      clients,
      logger,
      jwks: key.jwks,
    });

    const response = await handler(apiEvent(FUNCTION_URL_EVENT, 'GET', '/api/health'));
    const health = JSON.parse(response.body) as Health;

    expect(health.scanner.mode).toBe('remote');
    expect(health.scanner.serverUrl).toBe('http://trivy.berth.local:4954');
    expect(health.scanner.trivyVersion).toBe('0.70.0');
    expect(health.scanner.error).toBeUndefined();
  });
});

function storedResult(tag: string, trivyVersion: string) {
  return {
    format: 'berth.scan-result.v1',
    image: {
      registry: registry.host,
      repository: 'library/alpine',
      tag,
      digest: `sha256:${'a'.repeat(64)}`,
    },
    scan: {
      id: `scan-${tag}`,
      scannedAt: '2026-12-02T10:00:00.000Z',
      mode: 'remote',
      trivyVersion,
      recorded: false,
    },
    summary: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, total: 0 },
    report: { SchemaVersion: 2 },
  };
}

/** The sample event of the ECR user guide; its digest has 60 hex digits instead of 64. */
const ECR_SAMPLE_EVENT: EcrImageActionEvent = {
  version: '0',
  id: '13cde686-328b-6117-af20-0e5566167482',
  'detail-type': 'ECR Image Action',
  source: 'aws.ecr',
  account: ACCOUNT,
  time: '2019-11-16T01:54:34Z',
  region: 'us-west-2',
  resources: [],
  detail: {
    result: 'SUCCESS',
    'repository-name': 'my-repository-name',
    'image-digest': 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
    'action-type': 'PUSH',
    'image-tag': 'latest',
  },
};
const VALID_DIGEST = `sha256:${'7f5b2640'.repeat(8)}`;

describe('ECR push handler', () => {
  let handler: Awaited<ReturnType<typeof createEcrPushHandler>>;

  beforeAll(async () => {
    handler = await createEcrPushHandler({
      env: { ...env, SCAN_ON_PUSH_PATTERNS: 'my-*, team/*' },
      clients,
      logger,
    });
  });

  it('sample digest has 60 hex digits', () => {
    expect(ECR_SAMPLE_EVENT.detail['image-digest']?.length).toBe('sha256:'.length + 60);
  });

  it('sample event resolves the digest by tag', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [{ repositoryName: 'my-repository-name', imageDigest: VALID_DIGEST }],
    });

    const outcome = await handler(ECR_SAMPLE_EVENT);

    expect(outcome).toMatchObject({ action: 'queued', digest: VALID_DIGEST });
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      registryId: ACCOUNT,
      repositoryName: 'my-repository-name',
      imageIds: [{ imageTag: 'latest' }],
    });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input).toEqual(EXPECTED_RUN_TASK);
  });

  it('second push of a queued tag is not queued', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: VALID_DIGEST }] });

    const outcome = await handler(ECR_SAMPLE_EVENT);

    expect(outcome.action).toBe('already-queued');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('unresolvable digest is skipped', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
    const event = withDetail({ 'repository-name': 'team/api/server', 'image-tag': '1.0' });

    const outcome = await handler(event);

    expect(outcome).toMatchObject({ action: 'skipped' });
    expect(skipReason(outcome)).toContain('64 hex digits');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('valid digest skips DescribeImages', async () => {
    const event = withDetail({
      'repository-name': 'team/api/server',
      'image-tag': '1.0',
      'image-digest': VALID_DIGEST,
    });

    const outcome = await handler(event);

    expect(outcome).toMatchObject({ action: 'queued', digest: VALID_DIGEST });
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it('push without a tag is skipped', async () => {
    const outcome = await handler(withDetail({ 'image-tag': undefined }));

    expect(outcome).toMatchObject({ action: 'skipped' });
    expect(skipReason(outcome)).toContain('no tag');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('unmatched repository is skipped', async () => {
    const outcome = await handler(withDetail({ 'repository-name': 'other/app' }));

    expect(skipReason(outcome)).toContain('SCAN_ON_PUSH_PATTERNS');
  });

  it('delete action is skipped', async () => {
    const outcome = await handler(withDetail({ 'action-type': 'DELETE' }));

    expect(outcome).toMatchObject({ action: 'skipped' });
  });

  it('numeric tag is skipped', async () => {
    const outcome = await handler(withDetail({ 'image-tag': 5 as unknown as string }));

    expect(outcome).toMatchObject({ action: 'skipped' });
  });

  it('failed push is skipped', async () => {
    const outcome = await handler(withDetail({ result: 'FAILURE' }));

    expect(outcome).toMatchObject({ action: 'skipped' });
  });

  it('tag missing from the registry is skipped', async () => {
    const event = withDetail({ 'image-tag': 'deleted', 'image-digest': VALID_DIGEST });

    const outcome = await handler(event);

    expect(outcome).toMatchObject({ action: 'skipped' });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

function skipReason(outcome: PushOutcome): string {
  return outcome.action === 'skipped' ? outcome.reason : `not skipped: ${outcome.action}`;
}

function withDetail(changes: Record<string, string | undefined>): EcrImageActionEvent {
  return { ...ECR_SAMPLE_EVENT, detail: { ...ECR_SAMPLE_EVENT.detail, ...changes } };
}

describe('repository globs', () => {
  it.each([
    ['*', 'team/api/server', true],
    ['team/*', 'team/api/server', true],
    ['team/*', 'teams/api', false],
    ['my-*', 'my-repository-name', true],
    ['app?', 'app1', true],
    ['app?', 'app', false],
    ['a.b', 'axb', false],
  ])('%s against %s', (pattern, repository, expected) => {
    expect(matchesGlob(repository, pattern)).toBe(expected);
  });
});

describe('scheduled check', () => {
  let reconcile: () => ReturnType<Awaited<ReturnType<typeof createReconcileHandler>>>;

  beforeAll(async () => {
    reconcile = await createReconcileHandler({ env, clients, logger });
  });

  it('waiting messages start a task', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });

    const summary = await reconcile();

    expect(summary.waiting).toBe(2);
    expect(sqsMock.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input.QueueUrl).toBe(
      QUEUE_URL,
    );
    expect(ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input).toEqual(EXPECTED_RUN_TASK);
  });

  it('RunTask failure still handles dead letters', async () => {
    await statuses.write({
      id: 'scan-denied',
      repository: 'dlq/app',
      tag: 'denied',
      state: 'running',
      queuedAt: new Date().toISOString(),
    });
    const body = JSON.stringify({
      scanId: 'scan-denied',
      repository: 'dlq/app',
      tag: 'denied',
      queuedAt: new Date().toISOString(),
    });
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    ecsMock.on(RunTaskCommand).rejects(new Error('AccessDeniedException: not authorized'));
    sqsMock
      .on(ReceiveMessageCommand, { QueueUrl: DLQ_URL })
      .resolvesOnce({ Messages: [{ MessageId: 'd9', ReceiptHandle: 'r-denied', Body: body }] })
      .resolves({ Messages: [] });
    sqsMock.on(DeleteMessageCommand).rejects(new Error('ReceiptHandleIsInvalid'));

    const summary = await reconcile();

    expect(summary.failed).toBe(1);
    const status = await statuses.read({ repository: 'dlq/app', tag: 'denied' });
    expect(status?.state).toBe('failed');
  });

  it('empty queue starts no task', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });

    await reconcile();

    expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('dead letters mark scans failed', async () => {
    const queuedAt = new Date().toISOString();
    const dead = {
      id: 'scan-dead',
      repository: 'dlq/app',
      tag: 'dead',
      state: 'running',
      queuedAt,
    };
    const replaced = {
      id: 'scan-new',
      repository: 'dlq/app',
      tag: 'replaced',
      state: 'queued',
      queuedAt,
    };
    await statuses.write(dead as ScanStatus);
    await statuses.write(replaced as ScanStatus);
    const message = (scanId: string, tag: string) =>
      JSON.stringify({ scanId, repository: 'dlq/app', tag, queuedAt });
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    sqsMock
      .on(ReceiveMessageCommand, { QueueUrl: DLQ_URL })
      .resolvesOnce({
        Messages: [
          { MessageId: 'd1', ReceiptHandle: 'r-dead', Body: message('scan-dead', 'dead') },
          { MessageId: 'd2', ReceiptHandle: 'r-old', Body: message('scan-old', 'replaced') },
          { MessageId: 'd3', ReceiptHandle: 'r-bad', Body: 'not json' },
        ],
      })
      .resolves({ Messages: [] });
    sqsMock.on(DeleteMessageCommand).resolves({});

    const summary = await reconcile();

    expect(summary).toEqual({ waiting: 0, failed: 1, skipped: 1, malformed: 1 });
    const failed = await statuses.read({ repository: 'dlq/app', tag: 'dead' });
    expect(failed?.state).toBe('failed');
    expect(failed?.reason).toBe(DEAD_LETTER_REASON);
    const kept = await statuses.read({ repository: 'dlq/app', tag: 'replaced' });
    expect(kept?.state).toBe('queued');
    const deletes = sqsMock.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input);
    expect(deletes).toEqual([
      { QueueUrl: DLQ_URL, ReceiptHandle: 'r-dead' },
      { QueueUrl: DLQ_URL, ReceiptHandle: 'r-old' },
      { QueueUrl: DLQ_URL, ReceiptHandle: 'r-bad' },
    ]);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: DLQ_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    });
  });
});

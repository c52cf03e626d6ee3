import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { S3ObjectStore } from '../core/aws/s3-object-store';
import { FsObjectStore } from '../core/store/object-store';
import { objectStoreContract } from './object-store-contract';
import { startS3rver, type TestS3 } from './support/s3rver';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' };

let dataRoot: string;
let s3: TestS3;

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'berth-object-store-'));
  s3 = await startS3rver();
});

afterAll(async () => {
  await rm(dataRoot, { recursive: true, force: true });
  await s3?.stop();
});

objectStoreContract('FsObjectStore', async () => new FsObjectStore(join(dataRoot, randomUUID())));

// A page size of 10 makes the 25-key listing case read three ListObjectsV2 pages.
objectStoreContract(
  'S3ObjectStore',
  async () =>
    new S3ObjectStore({
      client: s3.client(),
      bucket: s3.bucket,
      prefix: `${randomUUID()}/`,
      pageSize: 10,
    }),
);

/** Counts the requests a client sends, by command name. */
function countRequests(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return counts;
}

describe('S3ObjectStore on s3rver', () => {
  test('keys live under the data prefix', async () => {
    const client = s3.client();
    const store = new S3ObjectStore({ client, bucket: s3.bucket });

    await store.put('web_latest.json', '{}');

    const object = await client.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: 'data/web_latest.json' }),
    );
    expect(await object.Body?.transformToString()).toBe('{}');
    expect(object.ContentType).toBe('application/json');
    await store.delete('web_latest.json');
  });

  test('prefix without slash gets one', async () => {
    const client = s3.client();
    const prefix = `results-${randomUUID()}`;
    const store = new S3ObjectStore({ client, bucket: s3.bucket, prefix });

    await store.put('web_latest.json', '{}');

    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }),
    );
    expect(listed.Contents?.map((object) => object.Key)).toEqual([`${prefix}/web_latest.json`]);
  });

  test('list follows continuation tokens', async () => {
    const client = s3.client();
    const counts = countRequests(client);
    const store = new S3ObjectStore({
      client,
      bucket: s3.bucket,
      prefix: `${randomUUID()}/`,
      pageSize: 10,
    });
    await Promise.all(Array.from({ length: 25 }, (_, index) => store.put(`k${index}.json`, '{}')));

    const keys = await store.list('');

    expect(keys).toHaveLength(25);
    expect(counts.get('ListObjectsV2Command')).toBe(3);
  });

  test('default page size reads 1001 keys in two pages', async () => {
    const client = s3.client();
    const counts = countRequests(client);
    const store = new S3ObjectStore({ client, bucket: s3.bucket, prefix: `${randomUUID()}/` });
    const keys = Array.from({ length: 1001 }, (_, index) => `k${index}.json`);
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(keys.slice(start, start + 50).map((key) => store.put(key, '{}')));
    }

    const listed = await store.list('');

    expect(new Set(listed).size).toBe(1001);
    expect(counts.get('ListObjectsV2Command')).toBe(2);
  });
});

/** Builds an S3 service error as the SDK raises it for an HTTP status. */
function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    message: `${name} from the mock`,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

describe('S3ObjectStore requests', () => {
  const client = new S3Client({ region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  const mock = mockClient(client);
  const store = new S3ObjectStore({ client, bucket: 'berth-data' });

  test('putIfAbsent sends If-None-Match', async () => {
    mock.reset();
    mock.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    mock.on(PutObjectCommand).resolves({});

    expect(await store.putIfAbsent('web_latest.json', '{}')).toBe(true);

    expect(mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'berth-data',
      Key: 'data/web_latest.json',
      Body: '{}',
      ContentType: 'application/json',
      IfNoneMatch: '*',
    });
  });

  test('putIfAbsent is false on 412', async () => {
    mock.reset();
    mock.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    mock.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));

    expect(await store.putIfAbsent('web_latest.json', '{}')).toBe(false);
  });

  test('putIfAbsent skips the upload of an existing key', async () => {
    mock.reset();
    mock.on(HeadObjectCommand).resolves({});

    expect(await store.putIfAbsent('web_latest.json', '{}')).toBe(false);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('putIfAbsent retries after 409 conflict', async () => {
    mock.reset();
    mock.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    mock
      .on(PutObjectCommand)
      .rejectsOnce(serviceError('ConditionalRequestConflict', 409))
      .resolves({});

    expect(await store.putIfAbsent('web_latest.json', '{}')).toBe(true);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  test('putIfAbsent gives up after three conflicts', async () => {
    mock.reset();
    mock.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    mock.on(PutObjectCommand).rejects(serviceError('ConditionalRequestConflict', 409));

    await expect(store.putIfAbsent('web_latest.json', '{}')).rejects.toThrow(
      'ConditionalRequestConflict',
    );
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(3);
  });

  test('get of NoSuchKey is undefined', async () => {
    mock.reset();
    mock
      .on(GetObjectCommand)
      .rejects(new NoSuchKey({ message: 'The key does not exist', $metadata: {} }));

    expect(await store.get('missing.json')).toBeUndefined();
  });

  test('get rethrows access denied', async () => {
    mock.reset();
    mock.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));

    await expect(store.get('web_latest.json')).rejects.toThrow('AccessDenied');
  });

  test('list passes the continuation token on', async () => {
    mock.reset();
    // The SDK paginator reuses one input object, so each request is copied as it is sent.
    const inputs: unknown[] = [];
    const pages = [
      { Contents: [{ Key: 'data/a.json' }], IsTruncated: true, NextContinuationToken: 'page-2' },
      { Contents: [{ Key: 'data/b.json' }], IsTruncated: false },
    ];
    mock.on(ListObjectsV2Command).callsFake((input: object) => {
      inputs.push({ ...input });
      return pages.shift();
    });

    expect(await store.list('')).toEqual(['a.json', 'b.json']);

    expect(inputs).toEqual([
      { Bucket: 'berth-data', Prefix: 'data/', MaxKeys: 1000 },
      { Bucket: 'berth-data', Prefix: 'data/', MaxKeys: 1000, ContinuationToken: 'page-2' },
    ]);
  });
});

test('S3ObjectStore rejects page size 0', () => {
  const client = new S3Client({ region: 'us-east-1', credentials: FAKE_CREDENTIALS });

  expect(() => new S3ObjectStore({ client, bucket: 'b', pageSize: 0 })).toThrow(
    'Invalid S3 list page size 0',
  );
});

import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from '../store/object-store';
import { errorName, httpStatus } from './sdk-errors';

/** Settings of an S3ObjectStore: the client, bucket, key prefix and listing page size. */
export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /**
   * Key prefix of every object, the deployment's data prefix. A `/` is appended when the
   * value does not end with one. @default 'data/'
   */
  prefix?: string;
  /** Keys per ListObjectsV2 page, 1 to 1000; tests pass a small value. @default 1000 */
  pageSize?: number;
}

/** Key prefix of the results and statuses in the data bucket, the stack's default. */
export const DEFAULT_DATA_PREFIX = 'data/';

/** Attempts of a conditional create while S3 returns 409 ConditionalRequestConflict. */
const CONFLICT_ATTEMPTS = 3;

/**
 * ObjectStore on an S3 bucket: key `k` is the object `prefix + k`. Needs s3:GetObject,
 * s3:PutObject, s3:DeleteObject and s3:ListBucket. Without s3:ListBucket, S3 returns 403 instead
 * of 404 for a missing key, so `get` throws instead of returning undefined.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly pageSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? DEFAULT_DATA_PREFIX);
    this.pageSize = checkPageSize(options.pageSize ?? 1000);
  }

  /** Reads an object as UTF-8 text; returns undefined when the key does not exist. */
  async get(key: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return await response.Body?.transformToString('utf8');
    } catch (error) {
      if (errorName(error) === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** Writes an object with one PutObject, which S3 applies atomically. */
  async put(key: string, body: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
  }

  /**
   * Creates an object unless the key exists: a HeadObject first, then a PutObject with
   * `If-None-Match: *`, which S3 rejects with 412 when another writer created the key in
   * between. The HeadObject spares the upload in the usual case where the key exists.
   * NOTE: s3rver 3.7 ignores If-None-Match on PUT, so against it only the HeadObject
   * guards the create and two concurrent creates can both succeed.
   */
  async putIfAbsent(key: string, body: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (await this.exists(key)) return false;

      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + key,
            Body: body,
            ContentType: 'application/json',
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        if (isPreconditionFailed(error)) return false;
        // S3 returns 409 while a concurrent conditional write of the key is in progress.
        if (!isConditionalConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  /** Lists the keys that start with `prefix`, following ListObjectsV2 continuation tokens. */
  async list(prefix: string): Promise<string[]> {
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.pageSize },
      { Bucket: this.bucket, Prefix: this.prefix + prefix, MaxKeys: this.pageSize },
    );

    const keys: string[] = [];
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(this.prefix)) keys.push(object.Key.slice(this.prefix.length));
      }
    }
    return keys;
  }

  /** Deletes an object; deleting a missing key succeeds, as DeleteObject does. */
  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
    );
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return true;
    } catch (error) {
      // HeadObject responses have no body, so the SDK names a 404 `NotFound`.
      if (errorName(error) === 'NotFound' || httpStatus(error) === 404) return false;
      throw error;
    }
  }
}

function normalizePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function checkPageSize(pageSize: number): number {
  if (Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000) return pageSize;
  throw new Error(`Invalid S3 list page size ${pageSize}: use an integer from 1 to 1000.`);
}

function isPreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

function isConditionalConflict(error: unknown): boolean {
  return errorName(error) === 'ConditionalRequestConflict' || httpStatus(error) === 409;
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  BatchDeleteImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { EcrRegistry } from '../core/aws/ecr-registry';
import { InvalidNameError } from '../core/names';
import { RegistryError } from '../core/registry/errors';
import { buildImage, fixturesDir, pushImage, recordedConfig } from '../scripts/lib/images';
import { startRegistry, type TestRegistry } from './support/registry';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const ACCOUNT = '123456789012';
const HOUR_MS = 60 * 60 * 1000;

const client = new ECRClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
});
const ecr = mockClient(client);

beforeEach(() => {
  ecr.reset();
});

/** Builds an ECR service error as the SDK raises it. */
function serviceError(name: string, status: number): ECRServiceException {
  return new ECRServiceException({
    name,
    message: `${name} from the mock`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** Rejects with `promise`'s RegistryError, or fails the test. */
async function registryError(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('EcrRegistry host', () => {
  test('comes from the registry id', () => {
    const registry = new EcrRegistry({ ecr: client, registryId: ACCOUNT, region: 'eu-west-1' });

    expect(registry.host).toBe(`${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`);
    expect(registry.url).toBe(`https://${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`);
    expect(registry.insecure).toBe(false);
  });

  test('uses the China partition suffix', () => {
    const registry = new EcrRegistry({ ecr: client, registryId: ACCOUNT, region: 'cn-north-1' });

    expect(registry.host).toBe(`${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`);
  });

  test('option wins over the registry id', () => {
    const host = 'registry.example.test';
    const registry = new EcrRegistry({
      ecr: client,
      registryId: ACCOUNT,
      region: 'us-east-1',
      host,
    });

    expect(registry.host).toBe(host);
  });

  test('is unknown before the first token', () => {
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    expect(() => registry.host).toThrow('The ECR registry host is not known yet');
  });
});

describe('EcrRegistry listing', () => {
  const registry = new EcrRegistry({ ecr: client, registryId: ACCOUNT, region: 'us-east-1' });

  test('one page maps last to nextToken', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [{ repositoryName: 'team/api' }],
      nextToken: 'token-2',
    });

    const page = await registry.listRepositories({ n: 50, last: 'token-1' });

    expect(page).toEqual({ repositories: ['team/api'], next: 'token-2' });
    expect(ecr.commandCalls(DescribeRepositoriesCommand)[0]?.args[0].input).toEqual({
      registryId: ACCOUNT,
      maxResults: 50,
      nextToken: 'token-1',
    });
  });

  test('last page has no next', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'web' }] });

    expect(await registry.listRepositories()).toEqual({ repositories: ['web'] });
  });

  test('all repositories span two pages', async () => {
    // The SDK paginator reuses one input object, so each request is copied as it is sent.
    const inputs: unknown[] = [];
    const pages = [
      { repositories: [{ repositoryName: 'web' }], nextToken: 'token-2' },
      { repositories: [{ repositoryName: 'api' }] },
    ];
    ecr.on(DescribeRepositoriesCommand).callsFake((input: object) => {
      inputs.push({ ...input });
      return pages.shift();
    });

    expect(await registry.listAllRepositories()).toEqual(['api', 'web']);
    expect(inputs).toEqual([
      { registryId: ACCOUNT, maxResults: 1000 },
      { registryId: ACCOUNT, maxResults: 1000, nextToken: 'token-2' },
    ]);
  });

  test('tags span two DescribeImages pages', async () => {
    const inputs: unknown[] = [];
    const pages = [
      { imageDetails: [{ imageTags: ['2.0', 'latest'] }, { imageTags: ['1.0'] }], nextToken: 'p2' },
      { imageDetails: [{ imageTags: ['0.9'] }, {}] },
    ];
    ecr.on(DescribeImagesCommand).callsFake((input: object) => {
      inputs.push({ ...input });
      return pages.shift();
    });

    expect(await registry.listTags('team/api')).toEqual(['0.9', '1.0', '2.0', 'latest']);
    expect(inputs).toEqual([
      {
        registryId: ACCOUNT,
        repositoryName: 'team/api',
        filter: { tagStatus: 'TAGGED' },
        maxResults: 1000,
      },
      {
        registryId: ACCOUNT,
        repositoryName: 'team/api',
        filter: { tagStatus: 'TAGGED' },
        maxResults: 1000,
        nextToken: 'p2',
      },
    ]);
  });

  test('invalid name sends no request', async () => {
    await expect(registry.listTags('Team/API')).rejects.toBeInstanceOf(InvalidNameError);

    expect(ecr.calls()).toHaveLength(0);
  });
});

describe('EcrRegistry errors', () => {
  const registry = new EcrRegistry({ ecr: client, registryId: ACCOUNT, region: 'us-east-1' });

  test('missing repository is not-found', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'no such repository', $metadata: {} }));

    const error = await registryError(registry.listTags('missing'));

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('list tags missing');
    expect(error.message).toContain('RepositoryNotFoundException');
  });

  test('access denied is unauthorized', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(serviceError('AccessDeniedException', 400));

    const error = await registryError(registry.listRepositories());

    expect(error.kind).toBe('unauthorized');
  });

  test('throttling is unreachable', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(serviceError('ThrottlingException', 400));

    const error = await registryError(registry.listAllRepositories());

    expect(error.kind).toBe('unreachable');
  });

  test('server error is unreachable', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(serviceError('ServerException', 500));

    expect((await registryError(registry.listRepositories())).kind).toBe('unreachable');
  });

  test('validation error is invalid-response', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(serviceError('ValidationException', 400));

    expect((await registryError(registry.listRepositories())).kind).toBe('invalid-response');
  });
});

describe('EcrRegistry delete', () => {
  const registry = new EcrRegistry({ ecr: client, registryId: ACCOUNT, region: 'us-east-1' });
  const digest = `sha256:${'a'.repeat(64)}`;

  test('sends BatchDeleteImage by digest', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ imageIds: [{ imageDigest: digest }] });

    await registry.deleteManifest('team/api', digest);

    expect(ecr.commandCalls(BatchDeleteImageCommand)[0]?.args[0].input).toEqual({
      registryId: ACCOUNT,
      repositoryName: 'team/api',
      imageIds: [{ imageDigest: digest }],
    });
  });

  test('missing image is not-found', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({
      failures: [
        {
          imageId: { imageDigest: digest },
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        },
      ],
    });

    const error = await registryError(registry.deleteManifest('team/api', digest));

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('ImageNotFound: Requested image not found');
  });

  test('image in an index is invalid-response', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({
      failures: [{ failureCode: 'ImageReferencedByManifestList', failureReason: 'in an index' }],
    });

    const error = await registryError(registry.deleteManifest('team/api', digest));

    expect(error.kind).toBe('invalid-response');
  });
});

describe('EcrRegistry registry API', () => {
  const password = randomBytes(24).toString('base64url');
  const token = Buffer.from(`AWS:${password}`).toString('base64');
  let testRegistry: TestRegistry;
  let digest: string;

  beforeAll(async () => {
    testRegistry = await startRegistry({ htpasswd: { username: 'AWS', password } });
    const config = await recordedConfig(join(fixturesDir(), 'alpine-310.json'));
    const layout = await buildImage({ config });
    try {
      digest = await pushImage(layout, {
        registryHost: testRegistry.host,
        repository: 'team/api',
        tag: '1.0',
        credentials: { username: 'AWS', password },
      });
    } finally {
      await layout.remove();
    }
  });

  afterAll(async () => {
    await testRegistry?.stop();
  });

  /** Mocks GetAuthorizationToken to return the test registry's account, expiring at `expiresAt`. */
  function mockToken(expiresAt: number, authorizationToken = token): void {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken, proxyEndpoint: testRegistry.url, expiresAt: new Date(expiresAt) },
      ],
    });
  }

  test('manifest is read with the token', async () => {
    mockToken(Date.now() + 12 * HOUR_MS);
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    const manifest = await registry.getManifest('team/api', '1.0');

    expect(manifest.digest).toBe(digest);
    expect(registry.url).toBe(testRegistry.url);
    expect(registry.host).toBe(testRegistry.host);
  });

  test('two reads share one token', async () => {
    mockToken(Date.now() + 12 * HOUR_MS);
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    await registry.getManifest('team/api', '1.0');
    await registry.getManifest('team/api', digest);

    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0]?.args[0].input).toEqual({});
  });

  test('token is renewed 5 minutes before expiry', async () => {
    let now = Date.parse('2026-12-04T00:00:00.000Z');
    const expiresAt = now + 12 * HOUR_MS;
    mockToken(expiresAt);
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1', now: () => now });

    await registry.getManifest('team/api', '1.0');
    now = expiresAt - 5 * 60 * 1000 - 1;
    await registry.getManifest('team/api', '1.0');
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);

    now = expiresAt - 5 * 60 * 1000;
    await registry.getManifest('team/api', '1.0');
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
  });

  test('concurrent reads fetch one token', async () => {
    mockToken(Date.now() + 12 * HOUR_MS);
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    await Promise.all([registry.ping(), registry.getManifest('team/api', '1.0')]);

    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  test('tag is described with its config', async () => {
    mockToken(Date.now() + 12 * HOUR_MS);
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    const description = await registry.describeTag('team/api', '1.0');

    expect(description.digest).toBe(digest);
    expect(description.images).toHaveLength(1);
    expect(description.images[0]?.config.rootfs?.type).toBe('layers');
  });

  test('credentials decode the token', async () => {
    mockToken(Date.now() + 12 * HOUR_MS);
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    expect(await registry.credentials()).toEqual({ username: 'AWS', password });
  });

  test('wrong password is unauthorized', async () => {
    mockToken(Date.now() + 12 * HOUR_MS, Buffer.from('AWS:wrong').toString('base64'));
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    const error = await registryError(registry.ping());

    expect(error.kind).toBe('unauthorized');
  });

  test('rejected token is fetched again', async () => {
    mockToken(Date.now() + 12 * HOUR_MS, Buffer.from('AWS:wrong').toString('base64'));
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });
    await registryError(registry.ping());

    ecr.reset();
    mockToken(Date.now() + 12 * HOUR_MS);
    await registry.ping();

    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  test('token without a colon is invalid-response', async () => {
    mockToken(Date.now() + 12 * HOUR_MS, Buffer.from('no-separator').toString('base64'));
    const registry = new EcrRegistry({ ecr: client, region: 'us-east-1' });

    const error = await registryError(registry.ping());

    expect(error.kind).toBe('invalid-response');
    expect(error.message).not.toContain('no-separator');
  });

  test('token request denied is unauthorized', async () => {
    ecr.on(GetAuthorizationTokenCommand).rejects(serviceError('AccessDeniedException', 400));
    const registry = new EcrRegistry({ ecr: client, registryId: ACCOUNT, region: 'us-east-1' });

    const error = await registryError(registry.getManifest('team/api', '1.0'));

    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain(`https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`);
  });
});

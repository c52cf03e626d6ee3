import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidNameError } from '../core/names';
import { DistributionRegistry } from '../core/registry/distribution';
import { RegistryError } from '../core/registry/errors';
import { MEDIA_TYPES } from '../core/registry/manifest';
import {
  buildImage,
  buildIndex,
  fixturesDir,
  type PushedImage,
  pushImage,
  pushSampleImages,
  recordedConfig,
} from '../scripts/lib/images';
import { startRegistry, type TestRegistry } from './support/registry';

/** A request seen by a stub server. */
interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
}

/** A node:http server on 127.0.0.1 that records every request it gets. */
interface Stub {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

async function startStub(
  handle: (request: IncomingMessage, response: ServerResponse, stubUrl: string) => void,
): Promise<Stub> {
  const requests: SeenRequest[] = [];
  let url = '';
  const server = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
    });
    handle(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, requests, close };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Runs `action` and returns the RegistryError it throws. */
async function registryError(action: () => Promise<unknown>): Promise<RegistryError> {
  const error = await action().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof RegistryError) return error;
  throw new Error(`Expected a RegistryError, got ${String(error)}`);
}

function pushed(images: PushedImage[], repository: string, tag: string): PushedImage {
  const image = images.find((item) => item.repository === repository && item.tag === tag);
  if (!image) throw new Error(`Sample ${repository}:${tag} was not pushed`);
  return image;
}

const ACCOUNT = { username: 'berth', password: 'registry-secret-1' };

describe('DistributionRegistry against docker-registry', () => {
  let registry: TestRegistry;
  let client: DistributionRegistry;
  let samples: PushedImage[];

  beforeAll(async () => {
    registry = await startRegistry();
    client = new DistributionRegistry({ url: registry.url });
    samples = await pushSampleImages(registry);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  test('ping succeeds', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  test('host and insecure', () => {
    expect(client.host).toBe(registry.host);
    expect(client.insecure).toBe(true);
  });

  test('catalog pages with n=2', async () => {
    const pages: string[][] = [];
    let last: string | undefined;
    do {
      const page = await client.listRepositories({ n: 2, last });
      pages.push(page.repositories);
      last = page.next;
    } while (last);

    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.flat()).toEqual(await client.listAllRepositories());
    expect(pages.flat()).toContain('team/api/server');
    expect(pages.flat()).toContain('library/alpine');
  });

  test('catalog n above 1000 is capped', async () => {
    const page = await client.listRepositories({ n: 5000 });
    expect(page.repositories.length).toBeGreaterThan(0);
    expect(page.next).toBeUndefined();
  });

  test('tags of a nested repository', async () => {
    const tags = await client.listTags('team/api/server');
    expect(tags.sort()).toEqual(['1.0', '2.0']);
  });

  test('manifest digest matches skopeo', async () => {
    const alpine = pushed(samples, 'library/alpine', '3.10');
    const response = await client.getManifest('library/alpine', '3.10');
    const bytes = Buffer.from(JSON.stringify(response.manifest));

    expect(response.digest).toBe(alpine.digest);
    expect(response.mediaType).toBe(MEDIA_TYPES.ociManifest);
    expect(response.size).toBe(bytes.length);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(alpine.digest);
  });

  test('manifest by digest', async () => {
    const alpine = pushed(samples, 'library/alpine', '3.10');
    const response = await client.getManifest('library/alpine', alpine.digest);
    expect(response.digest).toBe(alpine.digest);
  });

  test('config blob equals recorded config', async () => {
    const response = await client.getManifest('juice-shop', 'v10.2.0');
    const manifest = response.manifest as { config: { digest: string } };
    const config = await client.getBlobJson('juice-shop', manifest.config.digest);
    const recorded = await recordedConfig(
      join(fixturesDir(), 'securecodebox/juice-shop-v10.2.0.json'),
    );
    expect(config).toEqual(recorded);
  });

  test('describeTag of an image', async () => {
    const juiceShop = pushed(samples, 'juice-shop', 'v10.2.0');
    const description = await client.describeTag('juice-shop', 'v10.2.0');
    const [image] = description.images;
    const response = await client.getManifest('juice-shop', 'v10.2.0');
    const manifest = response.manifest as { config: { size: number } };
    const layerBytes = image?.layers.reduce((sum, layer) => sum + layer.size, 0) ?? 0;

    expect(description.digest).toBe(juiceShop.digest);
    expect(description.images).toHaveLength(1);
    expect(image?.layers).toHaveLength(8);
    expect(description.size).toBe(response.size + manifest.config.size + layerBytes);
    expect(description.created).toBe('2020-04-22T11:53:35.152033063Z');
    expect(description.platforms).toEqual([
      { os: 'linux', architecture: 'amd64', digest: juiceShop.digest, size: description.size },
    ]);
  });

  test('describeTag of an index', async () => {
    const base = pushed(samples, 'multi/base', 'latest');
    const description = await client.describeTag('multi/base', 'latest');
    const architectures = description.platforms.map((platform) => platform.architecture);
    const platformBytes = description.platforms.reduce((sum, platform) => sum + platform.size, 0);

    expect(description.digest).toBe(base.digest);
    expect(description.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(architectures).toEqual(['amd64', 'arm64']);
    expect(description.images[1]?.config.architecture).toBe('arm64');
    expect(description.size).toBe(platformBytes);
    // alpine-310 (2019-08-20) is later than debian-stretch (2019-08-14).
    expect(description.created).toBe('2019-08-20T20:19:55.211423266Z');
  });

  test('describeTag skips attestation manifests', async () => {
    const config = await recordedConfig(join(fixturesDir(), 'alpine-310.json'));
    const platform = { os: 'linux', architecture: 'amd64' };
    const layout = await buildIndex([{ platform, config }], { attestation: true });
    const target = { registryHost: registry.host, repository: 'attested/app', tag: '1' };
    const digest = await pushImage(layout, target).finally(() => layout.remove());

    const index = (await client.getManifest('attested/app', '1')).manifest as {
      manifests: unknown[];
    };
    const description = await client.describeTag('attested/app', '1');

    expect(digest).toBe(layout.digest);
    expect(index.manifests).toHaveLength(2);
    expect(description.platforms).toHaveLength(1);
    expect(description.platforms[0]?.architecture).toBe('amd64');
  });

  test('unknown repository is not-found', async () => {
    const error = await registryError(() => client.getManifest('no/such/repository', 'latest'));
    expect(error.kind).toBe('not-found');
    expect(error.status).toBe(404);
    expect(error.message).toContain('no/such/repository:latest');
    expect(error.message).toContain(registry.url);
  });

  test('unknown tag is not-found', async () => {
    const error = await registryError(() => client.describeTag('library/alpine', 'missing'));
    expect(error.kind).toBe('not-found');
    expect(error.hint).toMatch(/tag/);
  });

  test('unknown repository tags is not-found', async () => {
    const error = await registryError(() => client.listTags('no/such/repository'));
    expect(error.kind).toBe('not-found');
  });

  test('delete by digest removes the manifest', async () => {
    const config = await recordedConfig(join(fixturesDir(), 'debian-stretch.json'));
    const layout = await buildImage({ config, layerCount: 2 });
    const target = { registryHost: registry.host, repository: 'to-delete', tag: 'v1' };
    const digest = await pushImage(layout, target).finally(() => layout.remove());

    await client.deleteManifest('to-delete', digest);
    const error = await registryError(() => client.getManifest('to-delete', 'v1'));
    expect(error.kind).toBe('not-found');
  });
});

describe('DistributionRegistry errors', () => {
  test('closed port is unreachable', async () => {
    const stub = await startStub(() => undefined);
    const url = stub.url;
    await stub.close();

    const error = await registryError(() => new DistributionRegistry({ url }).ping());
    expect(error.kind).toBe('unreachable');
    expect(error.status).toBeUndefined();
    expect(error.message).toContain(url);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.hint).toContain('REGISTRY_URL');
  });

  test('timeout is unreachable', async () => {
    const stub = await startStub(() => undefined);
    try {
      const client = new DistributionRegistry({ url: stub.url, timeoutMs: 200 });
      const error = await registryError(() => client.listTags('slow'));
      expect(error.kind).toBe('unreachable');
      expect(error.message).toContain('no response within 200 ms');
    } finally {
      await stub.close();
    }
  });

  test('delete disabled is deletion-disabled', async () => {
    const registry = await startRegistry({ deleteEnabled: false });
    try {
      const config = await recordedConfig(join(fixturesDir(), 'alpine-310.json'));
      const layout = await buildImage({ config });
      const target = { registryHost: registry.host, repository: 'kept', tag: 'v1' };
      const digest = await pushImage(layout, target).finally(() => layout.remove());

      const client = new DistributionRegistry({ url: registry.url });
      const error = await registryError(() => client.deleteManifest('kept', digest));
      expect(error.kind).toBe('deletion-disabled');
      expect(error.status).toBe(405);
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.hint).toContain('delete');
    } finally {
      await registry.stop();
    }
  });

  test('invalid names make no request', async () => {
    const stub = await startStub((_request, response) => sendJson(response, 200, {}));
    const client = new DistributionRegistry({ url: stub.url });
    const longTag = 'a'.repeat(129);
    const digest = `sha256:${'0'.repeat(64)}`;
    try {
      for (const repository of ['../x', 'UPPER', 'a//b']) {
        await expect(client.listTags(repository)).rejects.toThrow(InvalidNameError);
        await expect(client.getManifest(repository, 'latest')).rejects.toThrow(InvalidNameError);
        await expect(client.describeTag(repository, 'latest')).rejects.toThrow(InvalidNameError);
        await expect(client.getBlobJson(repository, digest)).rejects.toThrow(InvalidNameError);
        await expect(client.deleteManifest(repository, digest)).rejects.toThrow(InvalidNameError);
      }
      for (const tag of ['-x', longTag]) {
        await expect(client.getManifest('ok', tag)).rejects.toThrow(InvalidNameError);
        await expect(client.describeTag('ok', tag)).rejects.toThrow(InvalidNameError);
      }
      await expect(client.getManifest('ok', 'sha256:abc')).rejects.toThrow(InvalidNameError);
      await expect(client.deleteManifest('ok', 'latest')).rejects.toThrow(InvalidNameError);
      expect(stub.requests).toEqual([]);
    } finally {
      await stub.close();
    }
  });
});

describe('DistributionRegistry auth', () => {
  test('htpasswd without credentials is unauthorized', async () => {
    const registry = await startRegistry({ htpasswd: ACCOUNT });
    try {
      const error = await registryError(() =>
        new DistributionRegistry({ url: registry.url }).ping(),
      );
      expect(error.kind).toBe('unauthorized');
      expect(error.status).toBe(401);
      expect(error.hint).toContain('REGISTRY_USERNAME and REGISTRY_PASSWORD');
    } finally {
      await registry.stop();
    }
  });

  test('htpasswd with wrong password is unauthorized', async () => {
    const registry = await startRegistry({ htpasswd: ACCOUNT });
    try {
      const client = new DistributionRegistry({
        url: registry.url,
        username: ACCOUNT.username,
        password: 'wrong-password-2',
      });
      const error = await registryError(() => client.listAllRepositories());
      expect(error.kind).toBe('unauthorized');
      expect(error.message).not.toContain('wrong-password-2');
    } finally {
      await registry.stop();
    }
  });

  test('htpasswd with credentials works', async () => {
    const registry = await startRegistry({ htpasswd: ACCOUNT });
    try {
      const config = await recordedConfig(join(fixturesDir(), 'alpine-310.json'));
      const layout = await buildImage({ config });
      const target = { registryHost: registry.host, repository: 'private/app', tag: 'v1' };
      const digest = await pushImage(layout, { ...target, credentials: ACCOUNT }).finally(() =>
        layout.remove(),
      );
      const client = new DistributionRegistry({ url: registry.url, ...ACCOUNT });

      await expect(client.ping()).resolves.toBeUndefined();
      expect(await client.listAllRepositories()).toEqual(['private/app']);
      expect(await client.listTags('private/app')).toEqual(['v1']);
      expect((await client.describeTag('private/app', 'v1')).digest).toBe(digest);
    } finally {
      await registry.stop();
    }
  });

  test('bearer challenge fetches and caches a token', async () => {
    const scope = 'repository:team/api/server:pull';
    const tokens = await startStub((_request, response) =>
      sendJson(response, 200, { token: 'token-abc', expires_in: 300 }),
    );
    const stub = await startStub((request, response) => {
      if (request.headers.authorization !== 'Bearer token-abc') {
        const challenge = `Bearer realm="${tokens.url}/token",service="berth-stub",scope="${scope}"`;
        const body = { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] };
        sendJson(response, 401, body, { 'www-authenticate': challenge });
        return;
      }
      sendJson(response, 200, { name: 'team/api/server', tags: ['1.0'] });
    });
    try {
      const client = new DistributionRegistry({ url: stub.url, ...ACCOUNT });
      const first = await client.listTags('team/api/server');
      const second = await client.listTags('team/api/server');
      const tokenRequest = new URL(tokens.requests[0]?.url ?? '', tokens.url);
      const basic = `Basic ${Buffer.from(`${ACCOUNT.username}:${ACCOUNT.password}`).toString('base64')}`;

      expect(first).toEqual(['1.0']);
      expect(second).toEqual(['1.0']);
      expect(tokens.requests).toHaveLength(1);
      expect(tokenRequest.pathname).toBe('/token');
      expect(tokenRequest.searchParams.get('service')).toBe('berth-stub');
      expect(tokenRequest.searchParams.get('scope')).toBe(scope);
      expect(tokens.requests[0]?.authorization).toBe(basic);
      expect(stub.requests.map((request) => request.authorization)).toEqual([
        basic,
        'Bearer token-abc',
        'Bearer token-abc',
      ]);
    } finally {
      await stub.close();
      await tokens.close();
    }
  });

  test('bearer token refused is unauthorized', async () => {
    const tokens = await startStub((_request, response) =>
      sendJson(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }),
    );
    const stub = await startStub((_request, response) => {
      const challenge = `Bearer realm="${tokens.url}/token",service="berth-stub"`;
      sendJson(response, 401, {}, { 'www-authenticate': challenge });
    });
    try {
      const client = new DistributionRegistry({ url: stub.url, ...ACCOUNT });
      const error = await registryError(() => client.ping());
      expect(error.kind).toBe('unauthorized');
      expect(error.message).not.toContain(ACCOUNT.password);
      expect(stub.requests).toHaveLength(1);
    } finally {
      await stub.close();
      await tokens.close();
    }
  });
});

describe('DistributionRegistry paging', () => {
  test('tags follow Link headers', async () => {
    const pages: Record<string, { tags: string[]; next?: string }> = {
      '/v2/app/tags/list': { tags: ['a', 'b'], next: '/v2/app/tags/list?last=b&n=2' },
      '/v2/app/tags/list?last=b&n=2': { tags: ['c', 'd'], next: '/v2/app/tags/list?last=d&n=2' },
      '/v2/app/tags/list?last=d&n=2': { tags: ['e'] },
    };
    const stub = await startStub((request, response) => {
      const page = pages[request.url ?? ''];
      if (!page) return sendJson(response, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
      const link = page.next ? { link: `<${page.next}>; rel="next"` } : {};
      sendJson(response, 200, { name: 'app', tags: page.tags }, link);
    });
    try {
      const tags = await new DistributionRegistry({ url: stub.url }).listTags('app');
      expect(tags).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(stub.requests).toHaveLength(3);
    } finally {
      await stub.close();
    }
  });

  test('Link to another origin is rejected', async () => {
    const stub = await startStub((_request, response) => {
      const link = { link: '<http://127.0.0.2:1/v2/app/tags/list?last=b>; rel="next"' };
      sendJson(response, 200, { name: 'app', tags: ['a'] }, link);
    });
    try {
      const error = await registryError(() =>
        new DistributionRegistry({ url: stub.url }).listTags('app'),
      );
      expect(error.kind).toBe('invalid-response');
      expect(stub.requests).toHaveLength(1);
    } finally {
      await stub.close();
    }
  });

  test('null tags list is empty', async () => {
    const stub = await startStub((_request, response) =>
      sendJson(response, 200, { name: 'app', tags: null }),
    );
    try {
      expect(await new DistributionRegistry({ url: stub.url }).listTags('app')).toEqual([]);
    } finally {
      await stub.close();
    }
  });
});

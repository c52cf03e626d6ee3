import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../core/api/schemas';
import type { LocalRuntime } from '../functions/local/server';
import { testConfig, testRuntime } from './support/berth';

let registryRequests = 0;
let registry: Server;
let config: Awaited<ReturnType<typeof testConfig>>;
let runtime: LocalRuntime;

beforeAll(async () => {
  // A stub that counts requests: name checks must reject before any registry I/O.
  registry = createServer((_request, response) => {
    registryRequests += 1;
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const { port } = registry.address() as AddressInfo;
  config = await testConfig({ REGISTRY_URL: `http://127.0.0.1:${port}` });
  runtime = await testRuntime(config);
});

afterAll(async () => {
  await new Promise((resolve) => registry.close(resolve));
  await config.cleanup();
});

const badRepositories = ['../x', 'UPPER', 'a//b', 'a/', '-a', 'a..b'];
const badTags = ['-x', 't'.repeat(129), '.hidden', 'a:b'];
const actions = [
  ['POST', 'scan'],
  ['GET', 'scan'],
  ['GET', 'vulnerabilities'],
  ['GET', 'layers'],
  ['GET', 'report'],
  ['GET', ''],
] as const;

function tagUrl(repository: string, tag: string, action: string): string {
  // Encoded whole, so `../x` reaches the app instead of being resolved by URL parsing.
  const base = `/api/repositories/${encodeURIComponent(repository)}/tags/${encodeURIComponent(tag)}`;
  return action ? `${base}/${action}` : base;
}

async function expectRejected(method: string, url: string, field: string, value: string) {
  const response = await runtime.app.request(url, { method });
  const body = (await response.json()) as ApiError;

  expect(response.status, `${method} ${url}`).toBe(400);
  expect(body.error.code).toBe(`invalid_${field}`);
  expect(body.error.message).toContain(JSON.stringify(value));
  expect(body.error.message).toContain('expected');
  expect(body.error.hint).toBeTruthy();
}

describe('API name checks', () => {
  it.each(badRepositories)('repository %j is a 400 on every route', async (repository) => {
    for (const [method, action] of actions) {
      await expectRejected(method, tagUrl(repository, 'latest', action), 'repository', repository);
    }
    await expectRejected(
      'GET',
      `/api/repositories/${encodeURIComponent(repository)}/tags`,
      'repository',
      repository,
    );
  });

  it.each(badTags)('tag %j is a 400 on every route', async (tag) => {
    for (const [method, action] of actions) {
      await expectRejected(method, tagUrl('team/api/server', tag, action), 'tag', tag);
    }
  });

  it('bad names reach no registry and write nothing', async () => {
    await runtime.app.request(tagUrl('../x', 'latest', 'scan'), { method: 'POST' });
    await runtime.app.request(tagUrl('ok', '-x', 'scan'), { method: 'POST' });

    expect(registryRequests).toBe(0);
    const written = await readdir(config.dataDir).catch(() => []);
    expect(written.filter((name) => name !== '.berth')).toEqual([]);
    const queued = await readdir(`${config.dataDir}/.berth/queue/pending`).catch(() => []);
    expect(queued).toEqual([]);
  });

  it('page size above 1000 is a 400 naming n', async () => {
    const response = await runtime.app.request('/api/repositories?n=5000');
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(400);
    expect(body.error.message).toContain('n');
  });

  it('unknown API route is a 404 with a hint', async () => {
    const response = await runtime.app.request('/api/nothing-here');
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(404);
    expect(body.error.hint).toContain('/api/openapi.json');
  });

  it('OpenAPI document lists every route with {name}', async () => {
    const response = await runtime.app.request('/api/openapi.json');
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };

    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/dashboard',
      '/api/health',
      '/api/me',
      '/api/repositories',
      '/api/repositories/{name}/tags',
      '/api/repositories/{name}/tags/{tag}',
      '/api/repositories/{name}/tags/{tag}/layers',
      '/api/repositories/{name}/tags/{tag}/report',
      '/api/repositories/{name}/tags/{tag}/scan',
      '/api/repositories/{name}/tags/{tag}/vulnerabilities',
    ]);
    expect(
      Object.keys(document.paths['/api/repositories/{name}/tags/{tag}/scan'] ?? {}).sort(),
    ).toEqual(['get', 'post']);
  });
});

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiError,
  Dashboard,
  Health,
  ScanView,
  TagDeletion,
  TagList,
} from '../core/api/schemas';
import { SEVERITIES } from '../core/api/schemas';
import { HISTORY_PREFIX } from '../core/store/history';
import type { RunningBerth } from '../functions/local/server';
import { startTestBerth, testConfig, testRuntime } from './support/berth';
import { startRegistry, type TestRegistry } from './support/registry';
import {
  pushRecorded,
  requestScan,
  startSampleRegistry,
  tagUrl,
  waitForScan,
} from './support/stack';

type TestConfig = Awaited<ReturnType<typeof testConfig>>;

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

async function tagNames(base: string, repository: string): Promise<string[]> {
  const list = await getJson<TagList>(`${base}/api/repositories/${repository}/tags`);
  return list.tags.map((tag) => tag.name).sort();
}

async function scan(base: string, repository: string, tag: string): Promise<ScanView> {
  await requestScan(base, repository, tag);
  return waitForScan(base, repository, tag);
}

describe('dashboard and health', () => {
  let registry: TestRegistry;
  let config: TestConfig;
  let berth: RunningBerth;

  beforeAll(async () => {
    registry = await startSampleRegistry();
    config = await testConfig({ REGISTRY_URL: registry.url });
    berth = await startTestBerth(config);
  });

  afterAll(async () => {
    await berth?.stop();
    await registry?.stop();
    await config?.cleanup();
  });

  it('dashboard totals sum three scans', async () => {
    const views = await Promise.all([
      scan(berth.url, 'library/alpine', '3.10'),
      scan(berth.url, 'team/api/server', '1.0'),
      scan(berth.url, 'debian', 'all-statuses'),
    ]);
    const expected = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, total: 0 };
    for (const view of views) {
      for (const key of [...SEVERITIES, 'total'] as const) {
        expected[key] += view.result?.summary[key] ?? 0;
      }
    }

    const response = await fetch(`${berth.url}/api/dashboard`);
    const dashboard = (await response.json()) as Dashboard;

    expect(response.status).toBe(200);
    expect(expected.total).toBeGreaterThan(0);
    expect(dashboard.scannedImages).toBe(3);
    expect(dashboard.totals).toEqual(expected);
    expect(dashboard.repositories.map((entry) => entry.repository).sort()).toEqual([
      'debian',
      'library/alpine',
      'team/api/server',
    ]);
    expect(dashboard.trend.at(-1)?.totals).toEqual(expected);
    expect(await readdir(join(config.dataDir, HISTORY_PREFIX))).toHaveLength(3);
  });

  it('health reports the last scan failure', async () => {
    const before = await getJson<Health>(`${berth.url}/api/health`);
    process.env.TRIVY_STAND_IN_FAIL = 'FATAL image scan error: unable to initialize a scanner';
    try {
      const failed = await scan(berth.url, 'sle-micro', '5.4');
      expect(failed.status?.state).toBe('failed');
    } finally {
      delete process.env.TRIVY_STAND_IN_FAIL;
    }

    const health = await getJson<Health>(`${berth.url}/api/health`);

    expect(before.scanner.lastError).toBeUndefined();
    expect(health.scanner.lastError?.message).toContain('unable to initialize a scanner');
    expect(Date.parse(health.scanner.lastError?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(health.registry.lastError).toBeUndefined();
    expect(health.status).toBe('ok');
  });
});

describe('tag delete', () => {
  let registry: TestRegistry;
  let config: TestConfig;
  let berth: RunningBerth;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushRecorded(registry, 'alpine-310.json', 'trash/app', '1');
    await pushRecorded(registry, 'alpine-310.json', 'trash/app', '1-alias');
    await pushRecorded(registry, 'debian-stretch.json', 'trash/app', '2');
    config = await testConfig({ REGISTRY_URL: registry.url });
    berth = await startTestBerth(config);
  });

  afterAll(async () => {
    await berth?.stop();
    await registry?.stop();
    await config?.cleanup();
  });

  it('admin delete removes the tags of the digest', async () => {
    await scan(berth.url, 'trash/app', '1');
    const digest = (await getJson<ScanView>(tagUrl(berth.url, 'trash/app', '1', 'scan'))).result
      ?.digest;

    const response = await fetch(tagUrl(berth.url, 'trash/app', '1'), { method: 'DELETE' });
    const deletion = (await response.json()) as TagDeletion;

    expect(response.status).toBe(200);
    expect(deletion.digest).toBe(digest);
    expect(deletion.tags.sort()).toEqual(['1', '1-alias']);
    expect(await tagNames(berth.url, 'trash/app')).toEqual(['2']);
    const afterDelete = await getJson<ScanView>(tagUrl(berth.url, 'trash/app', '1', 'scan'));
    expect(afterDelete.result).toBeUndefined();
    expect(afterDelete.status).toBeUndefined();
    const dashboard = await getJson<Dashboard>(`${berth.url}/api/dashboard`);
    expect(dashboard.topImages.map((image) => image.tag)).not.toContain('1');
  });

  it('viewer delete is a 403', async () => {
    const usersFile = join(config.dataDir, 'users');
    const hash = await bcrypt.hash('viewer-password', 4);
    await writeFile(usersFile, `reader:${hash}:viewer\n`);
    const viewerConfig = await testConfig({ REGISTRY_URL: registry.url, USERS_FILE: usersFile });
    try {
      const runtime = await testRuntime(viewerConfig);
      const authorization = `Basic ${Buffer.from('reader:viewer-password').toString('base64')}`;

      const response = await runtime.app.request('/api/repositories/trash/app/tags/2', {
        method: 'DELETE',
        headers: { authorization },
      });
      const body = (await response.json()) as ApiError;

      expect(response.status).toBe(403);
      expect(body.error.code).toBe('forbidden');
      expect(await tagNames(berth.url, 'trash/app')).toContain('2');
    } finally {
      await viewerConfig.cleanup();
    }
  });

  it('unknown tag is a 404', async () => {
    const response = await fetch(tagUrl(berth.url, 'trash/app', 'nope'), { method: 'DELETE' });
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(404);
    expect(body.error.code).toBe('registry_not_found');
  });

  it.each([
    ['repository', '../x', 'latest'],
    ['repository', 'UPPER', '2'],
    ['tag', 'trash/app', '-x'],
    ['tag', 'trash/app', 'a:b'],
  ])('bad %s %j:%j is a 400', async (field, repository, tag) => {
    const url = `${berth.url}/api/repositories/${encodeURIComponent(repository)}/tags/${encodeURIComponent(tag)}`;

    const response = await fetch(url, { method: 'DELETE' });
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(400);
    expect(body.error.code).toBe(`invalid_${field}`);
    expect(await tagNames(berth.url, 'trash/app')).toContain('2');
  });
});

describe('tag delete with deletes disabled', () => {
  let registry: TestRegistry;
  let config: TestConfig;
  let berth: RunningBerth;

  beforeAll(async () => {
    registry = await startRegistry({ deleteEnabled: false });
    await pushRecorded(registry, 'alpine-310.json', 'keep/app', '1');
    config = await testConfig({ REGISTRY_URL: registry.url });
    berth = await startTestBerth(config);
  });

  afterAll(async () => {
    await berth?.stop();
    await registry?.stop();
    await config?.cleanup();
  });

  it('delete is a 405 with the hint', async () => {
    const response = await fetch(tagUrl(berth.url, 'keep/app', '1'), { method: 'DELETE' });
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(405);
    expect(body.error.code).toBe('registry_deletion_disabled');
    expect(body.error.hint).toContain('REGISTRY_STORAGE_DELETE_ENABLED=true');
    expect(await tagNames(berth.url, 'keep/app')).toEqual(['1']);
  });

  it('health records no registry error for it', async () => {
    await fetch(tagUrl(berth.url, 'keep/app', '1'), { method: 'DELETE' });

    const health = await getJson<Health>(`${berth.url}/api/health`);

    expect(health.registry.lastError).toBeUndefined();
  });
});

describe('history write failure', () => {
  let registry: TestRegistry;
  let config: TestConfig;
  let berth: RunningBerth;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushRecorded(registry, 'alpine-310.json', 'history/app', '1');
    config = await testConfig({ REGISTRY_URL: registry.url });
    // A file where the history directory belongs makes every history write fail.
    await mkdir(join(config.dataDir, '.berth'), { recursive: true });
    await writeFile(join(config.dataDir, HISTORY_PREFIX.replace(/\/$/, '')), 'not a directory');
    berth = await startTestBerth(config);
  });

  afterAll(async () => {
    await berth?.stop();
    await registry?.stop();
    await config?.cleanup();
  });

  it('scan still completes', async () => {
    const view = await scan(berth.url, 'history/app', '1');

    expect(view.status?.state).toBe('completed');
    expect(view.result?.summary.total).toBeGreaterThan(0);
  });
});

describe('registry last error', () => {
  it('unreachable registry is recorded', async () => {
    const port = await closedPort();
    const config = await testConfig({ REGISTRY_URL: `http://127.0.0.1:${port}` });
    try {
      const runtime = await testRuntime(config);
      const listing = await runtime.app.request('/api/repositories');

      const response = await runtime.app.request('/api/health');
      const health = (await response.json()) as Health;

      expect(listing.status).toBe(503);
      expect(health.registry.reachable).toBe(false);
      expect(health.registry.lastError?.message).toContain('unreachable');
      expect(health.registry.lastError?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      await config.cleanup();
    }
  });
});

/** Returns a loopback port that nothing listens on: the kernel picks it, then it is released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('No free loopback port');
  return address.port;
}

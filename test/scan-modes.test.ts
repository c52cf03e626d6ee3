import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Health } from '../core/api/schemas';
import type { RunningBerth } from '../functions/local/server';
import { startTestBerth, testConfig } from './support/berth';
import { startRegistry, type TestRegistry } from './support/registry';
import { pushRecorded, requestScan, waitForScan } from './support/stack';
import {
  type FakeTrivyServer,
  maxConcurrentRuns,
  readStandInRuns,
  startTrivyServer,
} from './support/trivy-server';

const TAGS = Array.from({ length: 10 }, (_, index) => `v${index}`);
let registry: TestRegistry;
let logDir: string;
let logFile: string;
const started: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  for (const tag of TAGS) await pushRecorded(registry, 'alpine-310.json', 'load/app', tag);
  logDir = await mkdtemp(join(tmpdir(), 'berth-stand-in-log-'));
  process.env.TRIVY_STAND_IN_DELAY_MS = '300';
});

beforeEach(() => {
  logFile = join(logDir, `${Date.now()}.jsonl`);
  process.env.TRIVY_STAND_IN_LOG = logFile;
});

afterAll(async () => {
  for (const item of started.reverse()) await item.stop();
  await registry?.stop();
  await rm(logDir, { recursive: true, force: true });
  delete process.env.TRIVY_STAND_IN_DELAY_MS;
  delete process.env.TRIVY_STAND_IN_LOG;
});

async function start(
  env: Record<string, string>,
): Promise<{ berth: RunningBerth; cacheDir: string }> {
  const config = await testConfig({ REGISTRY_URL: registry.url, ...env });
  const berth = await startTestBerth(config);
  started.push(berth, { stop: config.cleanup });
  return { berth, cacheDir: config.trivyCacheDir };
}

async function scanAll(instances: RunningBerth[]): Promise<void> {
  await Promise.all(
    TAGS.map((tag, index) =>
      requestScan(instances[index % instances.length]?.url ?? '', 'load/app', tag),
    ),
  );
  for (const [index, tag] of TAGS.entries()) {
    const view = await waitForScan(
      instances[index % instances.length]?.url ?? '',
      'load/app',
      tag,
      60_000,
    );
    expect(view.status?.state, tag).toBe('completed');
  }
}

describe('builtin mode', () => {
  it('ten scans on two instances never overlap', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'berth-shared-cache-'));
    started.push({ stop: () => rm(cacheDir, { recursive: true, force: true }) });
    // Two processes' worth of Berth sharing one Trivy cache, each allowed ten scans at once.
    const first = await start({ TRIVY_CACHE_DIR: cacheDir, SCAN_CONCURRENCY: '10' });
    const second = await start({ TRIVY_CACHE_DIR: cacheDir, SCAN_CONCURRENCY: '10' });

    await scanAll([first.berth, second.berth]);

    const runs = await readStandInRuns(logFile);
    expect(runs).toHaveLength(10);
    expect(runs.every((run) => run.exitCode === 0)).toBe(true);
    expect(maxConcurrentRuns(runs)).toBe(1);
    expect(runs.every((run) => run.record.argv.includes('--cache-dir'))).toBe(true);
  });
});

describe('remote mode', () => {
  let server: FakeTrivyServer;

  beforeAll(async () => {
    server = await startTrivyServer();
    started.push({ stop: () => server.close() });
  });

  it('runs up to SCAN_CONCURRENCY scans at once without the lock', async () => {
    const { berth, cacheDir } = await start({
      SCANNER_URL: server.url,
      SCAN_CONCURRENCY: '3',
      TRIVY_SERVER_TOKEN: 'server-token-1',
      REGISTRY_USERNAME: 'reader',
      REGISTRY_PASSWORD: 'reader-secret',
    });

    await scanAll([berth]);

    const runs = await readStandInRuns(logFile);
    expect(runs).toHaveLength(10);
    expect(maxConcurrentRuns(runs)).toBe(3);
    const record = runs[0]?.record;
    expect(record?.argv).toContain('--server');
    expect(record?.argv).toContain(server.url);
    expect(record?.tokenSet).toBe(true);
    expect(record?.token).toBe('server-token-1');
    expect(record?.username).toBe('reader');
    expect(record?.passwordSet).toBe(true);
    expect(record?.argv.join(' ')).not.toContain('server-token-1');
    expect(record?.argv.join(' ')).not.toContain('reader-secret');
    const cacheEntries = await readdir(cacheDir).catch(() => []);
    expect(cacheEntries.filter((name) => name.includes('lock'))).toEqual([]);
  });

  it('health reports the server and its healthz', async () => {
    const { berth } = await start({ SCANNER_URL: server.url });

    const health = (await (await fetch(`${berth.url}/api/health`)).json()) as Health;

    expect(health.scanner.mode).toBe('remote');
    expect(health.scanner.serverUrl).toBe(server.url);
    expect(health.scanner.serverHealthy).toBe(true);
    expect(server.requests.some((request) => request.path === '/healthz')).toBe(true);
  });

  it('health reports a stopped server as unhealthy', async () => {
    const stopped = await startTrivyServer();
    const url = stopped.url;
    await stopped.close();
    const { berth } = await start({ SCANNER_URL: url });

    const health = (await (await fetch(`${berth.url}/api/health`)).json()) as Health;

    expect(health.status).toBe('degraded');
    expect(health.scanner.serverHealthy).toBe(false);
    expect(health.scanner.error).toBeTruthy();
  });
});

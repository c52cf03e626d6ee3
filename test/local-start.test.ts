import { readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanView, TagList } from '../core/api/schemas';
import type { RunningBerth } from '../functions/local/server';
import { startTestBerth, testConfig } from './support/berth';
import type { TestRegistry } from './support/registry';
import {
  pushRecorded,
  requestScan,
  startSampleRegistry,
  tagUrl,
  waitForScan,
} from './support/stack';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startSampleRegistry();
});

afterAll(async () => {
  await registry?.stop();
});

describe('local start', () => {
  it('second instance on one DATA_DIR is rejected', async () => {
    const config = await testConfig({ REGISTRY_URL: registry.url });
    const first = await startTestBerth(config);
    try {
      await expect(startTestBerth(config)).rejects.toThrow(/in use by Berth process/);
    } finally {
      await first.stop();
      await config.cleanup();
    }
  });

  it('busy port fails the start and releases DATA_DIR', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    const config = await testConfig({ REGISTRY_URL: registry.url, PORT: port });
    try {
      await expect(startTestBerth(config)).rejects.toThrow(/EADDRINUSE/);
      const queued = await readdir(join(config.dataDir, '.berth', 'queue')).catch(() => []);
      expect(queued).toEqual([]);

      const retry = await startTestBerth({ ...config, port: 0 });
      await retry.stop();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await config.cleanup();
    }
  });

  it('stop interrupts a running scan without failing it', async () => {
    const config = await testConfig({ REGISTRY_URL: registry.url });
    process.env.TRIVY_STAND_IN_DELAY_MS = '20000';
    let berth: RunningBerth | undefined = await startTestBerth(config);
    try {
      await requestScan(berth.url, 'library/alpine', '3.10');
      await waitForState(berth.url, 'running');
      await berth.stop();
      berth = undefined;
      delete process.env.TRIVY_STAND_IN_DELAY_MS;

      berth = await startTestBerth(config);
      const view = await waitForScan(berth.url, 'library/alpine', '3.10', 60_000);
      expect(view.status?.state).toBe('completed');
    } finally {
      delete process.env.TRIVY_STAND_IN_DELAY_MS;
      await berth?.stop();
      await config.cleanup();
    }
  });

  it('tag deleted during its scan gets no result', async () => {
    await pushRecorded(registry, 'alpine-310.json', 'race/app', 'one');
    await pushRecorded(registry, 'alpine-310.json', 'race/app', 'two');
    const config = await testConfig({ REGISTRY_URL: registry.url });
    process.env.TRIVY_STAND_IN_DELAY_MS = '2000';
    const berth = await startTestBerth(config);
    try {
      await requestScan(berth.url, 'race/app', 'two');
      await waitForState(berth.url, 'running', 'race/app', 'two');
      const deleted = await fetch(tagUrl(berth.url, 'race/app', 'one'), { method: 'DELETE' });
      expect(deleted.status).toBe(200);

      await new Promise((resolve) => setTimeout(resolve, 4000));

      const view = (await (
        await fetch(tagUrl(berth.url, 'race/app', 'two', 'scan'))
      ).json()) as ScanView;
      expect(view.status).toBeUndefined();
      expect(view.result).toBeUndefined();
      expect(await readdir(config.dataDir)).not.toContain('race_app_two.json');
    } finally {
      delete process.env.TRIVY_STAND_IN_DELAY_MS;
      await berth.stop();
      await config.cleanup();
    }
  });

  it('damaged result file shows the tag as not scanned', async () => {
    const config = await testConfig({ REGISTRY_URL: registry.url });
    const berth = await startTestBerth(config);
    try {
      const damaged = {
        format: 'berth.scan-result.v1',
        image: { repository: 'sle-micro', tag: '5.4' },
      };
      await writeFile(join(config.dataDir, 'sle-micro_5.4.json'), JSON.stringify(damaged));

      const list = await fetch(`${berth.url}/api/repositories/sle-micro/tags`);
      const tags = (await list.json()) as TagList;
      const findings = await fetch(tagUrl(berth.url, 'sle-micro', '5.4', 'vulnerabilities'));

      expect(list.status).toBe(200);
      expect(tags.tags[0]?.result).toBeUndefined();
      expect(findings.status).toBe(404);

      await requestScan(berth.url, 'sle-micro', '5.4');
      const view = await waitForScan(berth.url, 'sle-micro', '5.4');
      expect(view.result?.summary.total).toBe(0);
      expect(await readdir(config.dataDir)).toContain('sle-micro_5.4.json');
    } finally {
      await berth.stop();
      await config.cleanup();
    }
  });
});

async function waitForState(
  base: string,
  state: string,
  repository = 'library/alpine',
  tag = '3.10',
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(tagUrl(base, repository, tag, 'scan'));
    const view = (await response.json()) as ScanView;
    if (view.status?.state === state && view.status.digest) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Scan did not reach ${state}.`);
}

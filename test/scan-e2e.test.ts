import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, FindingList, LayerView, ScanView, TagList } from '../core/api/schemas';
import type { StoredResult } from '../core/store/results';
import type { RunningBerth } from '../functions/local/server';
import { fixturesDir } from '../scripts/lib/images';
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
let config: Awaited<ReturnType<typeof testConfig>>;
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

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

async function recordedReport(
  name: string,
): Promise<{ Results?: { Vulnerabilities?: unknown[] }[] }> {
  return JSON.parse(await readFile(join(fixturesDir(), name), 'utf8'));
}

describe('scan end to end', () => {
  it('nested repository scan completes and stores the file', async () => {
    const queued = await requestScan(berth.url, 'team/api/server', '1.0');
    expect(queued.state).toBe('queued');

    const view = await waitForScan(berth.url, 'team/api/server', '1.0');

    expect(view.status?.state).toBe('completed');
    expect(view.status?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const stored = JSON.parse(
      await readFile(join(config.dataDir, 'team_api_server_1.0.json'), 'utf8'),
    ) as StoredResult;
    expect(stored.image.repository).toBe('team/api/server');
    expect(stored.image.tag).toBe('1.0');
    expect(stored.image.digest).toBe(view.status?.digest);
    expect(stored.scan.recorded).toBe(true);
    expect(stored.scan.mode).toBe('builtin');
  });

  it('vulnerabilities and layers match the report', async () => {
    await requestScan(berth.url, 'juice-shop', 'v10.2.0');
    const view = await waitForScan(berth.url, 'juice-shop', 'v10.2.0');
    const report = await recordedReport('securecodebox/juice-shop-v10.2.0.json');
    const reportCount = (report.Results ?? []).reduce(
      (sum, result) => sum + (result.Vulnerabilities?.length ?? 0),
      0,
    );

    const findings = await getJson<FindingList>(
      tagUrl(berth.url, 'juice-shop', 'v10.2.0', 'vulnerabilities'),
    );
    const layers = await getJson<LayerView>(tagUrl(berth.url, 'juice-shop', 'v10.2.0', 'layers'));

    expect(reportCount).toBe(236);
    expect(view.result?.summary).toEqual({
      CRITICAL: 25,
      HIGH: 128,
      MEDIUM: 67,
      LOW: 16,
      UNKNOWN: 0,
      total: 236,
    });
    expect(findings.vulnerabilities).toHaveLength(236);
    expect(findings.mappingKnown).toBe(true);
    const perLayer = layers.steps.reduce((sum, step) => sum + (step.layer?.summary?.total ?? 0), 0);
    expect(perLayer).toBe(236);
    expect(layers.steps.filter((step) => step.layer).length).toBe(8);
    expect(layers.steps.filter((step) => (step.layer?.summary?.total ?? 0) > 0).length).toBe(4);
  });

  it('report endpoint returns the stored Trivy JSON', async () => {
    await requestScan(berth.url, 'library/alpine', '3.10');
    await waitForScan(berth.url, 'library/alpine', '3.10');
    const recorded = (await recordedReport('alpine-310.json')) as Record<string, unknown>;

    const response = await fetch(tagUrl(berth.url, 'library/alpine', '3.10', 'report'));
    const served = (await response.json()) as Record<string, unknown>;

    expect(response.headers.get('content-disposition')).toContain('library_alpine_3.10.trivy.json');
    expect(served.Results).toEqual(recorded.Results);
    expect(served.Metadata).toEqual(recorded.Metadata);
  });

  it('zero-finding image completes with empty counts', async () => {
    await requestScan(berth.url, 'sle-micro', '5.4');
    const view = await waitForScan(berth.url, 'sle-micro', '5.4');
    const findings = await getJson<FindingList>(
      tagUrl(berth.url, 'sle-micro', '5.4', 'vulnerabilities'),
    );

    expect(view.status?.state).toBe('completed');
    expect(view.result?.summary.total).toBe(0);
    expect(findings.vulnerabilities).toEqual([]);
  });

  it('multi-arch tag lists both platforms', async () => {
    const list = await getJson<TagList>(`${berth.url}/api/repositories/multi/base/tags`);
    const latest = list.tags.find((tag) => tag.name === 'latest');

    expect(latest?.platforms.map((p) => `${p.os}/${p.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    expect(latest?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  });

  it('tag list pages with n and last', async () => {
    const base = `${berth.url}/api/repositories/team/api/server/tags`;

    const first = await getJson<TagList>(`${base}?n=1`);
    const second = await getJson<TagList>(`${base}?n=1&last=${first.next}`);

    expect(first.tags).toHaveLength(1);
    expect(first.total).toBe(2);
    expect(first.next).toBe(first.tags[0]?.name);
    expect(second.tags).toHaveLength(1);
    expect(second.tags[0]?.name).not.toBe(first.tags[0]?.name);
    expect(second.next).toBeUndefined();
    // A cursor deleted since its page resumes by name.
    const resumed = await getJson<TagList>(`${base}?n=5&last=1.5`);
    expect(resumed.tags.map((tag) => tag.name)).toEqual(['2.0']);
  });

  it('second request while queued returns the same scan', async () => {
    const [first, second] = await Promise.all([
      fetch(tagUrl(berth.url, 'debian', 'all-statuses', 'scan'), { method: 'POST' }),
      fetch(tagUrl(berth.url, 'debian', 'all-statuses', 'scan'), { method: 'POST' }),
    ]);
    const ids = [
      (await first.json()) as { id: string },
      (await second.json()) as { id: string },
    ].map((s) => s.id);

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(ids[0]).toBe(ids[1]);
    expect([first.headers.get('berth-scan'), second.headers.get('berth-scan')]).toContain(
      'existing',
    );
    await waitForScan(berth.url, 'debian', 'all-statuses');
  });

  it('failed rescan keeps the last good result', async () => {
    await requestScan(berth.url, 'team/api/server', '2.0');
    const good = await waitForScan(berth.url, 'team/api/server', '2.0');
    process.env.TRIVY_STAND_IN_FAIL = 'FATAL image scan error: unable to initialize a scanner';
    try {
      await requestScan(berth.url, 'team/api/server', '2.0');
      const failed = await waitForScan(berth.url, 'team/api/server', '2.0');

      expect(failed.status?.state).toBe('failed');
      expect(failed.status?.reason).toContain('unable to initialize a scanner');
      expect(failed.result).toEqual(good.result);
      const findings = await fetch(tagUrl(berth.url, 'team/api/server', '2.0', 'vulnerabilities'));
      expect(findings.status).toBe(200);
    } finally {
      delete process.env.TRIVY_STAND_IN_FAIL;
    }
  });

  it('re-pushed tag is marked stale', async () => {
    await pushRecorded(registry, 'alpine-310.json', 'stale/app', '1');
    await requestScan(berth.url, 'stale/app', '1');
    await waitForScan(berth.url, 'stale/app', '1');
    await pushRecorded(registry, 'debian-stretch.json', 'stale/app', '1');

    const list = await getJson<TagList>(`${berth.url}/api/repositories/stale/app/tags`);

    expect(list.tags[0]?.stale).toBe(true);
    expect(list.tags[0]?.result?.digest).not.toBe(list.tags[0]?.digest);
  });

  it('unknown tag is a 404 and writes nothing', async () => {
    const before = await readdir(config.dataDir);
    const response = await fetch(tagUrl(berth.url, 'team/api/server', 'nope', 'scan'), {
      method: 'POST',
    });
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(404);
    expect(body.error.code).toBe('registry_not_found');
    expect(body.error.hint).toBeTruthy();
    expect(await readdir(config.dataDir)).toEqual(before);
    const view = await getJson<ScanView>(tagUrl(berth.url, 'team/api/server', 'nope', 'scan'));
    expect(view.status).toBeUndefined();
  });

  it('vulnerabilities of an unscanned tag is a 404 with a hint', async () => {
    const response = await fetch(tagUrl(berth.url, 'multi/base', 'latest', 'vulnerabilities'));
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(404);
    expect(body.error.code).toBe('not_scanned');
    expect(body.error.hint).toContain('POST');
  });

  it('health reports recorded reports and the registry', async () => {
    const health = await getJson<{
      status: string;
      recordedReports: boolean;
      registry: { reachable: boolean };
    }>(`${berth.url}/api/health`);

    expect(health.status).toBe('ok');
    expect(health.recordedReports).toBe(true);
    expect(health.registry.reachable).toBe(true);
  });
});

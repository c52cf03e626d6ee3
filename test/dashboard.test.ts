import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dashboard, SeveritySummary } from '../core/api/schemas';
import { parseReport } from '../core/report/parse';
import { summarize } from '../core/report/summary';
import { computeDashboard, loadDashboard } from '../core/scan/dashboard';
import { HISTORY_PREFIX, type HistoryRecord, HistoryStore } from '../core/store/history';
import { FsObjectStore } from '../core/store/object-store';
import { RESULT_FORMAT, ResultStore, type StoredResult } from '../core/store/results';
import { fixturesDir } from '../scripts/lib/images';

const DIGEST = `sha256:${'b'.repeat(64)}`;

function counts(critical: number, high: number, medium = 0): SeveritySummary {
  const total = critical + high + medium;
  return { CRITICAL: critical, HIGH: high, MEDIUM: medium, LOW: 0, UNKNOWN: 0, total };
}

function record(
  image: string,
  scannedAt: string,
  summary: SeveritySummary,
  scanId = `${image}@${scannedAt}`,
): HistoryRecord {
  const [repository = '', tag = ''] = image.split(':');
  return { scanId, repository, tag, digest: DIGEST, scannedAt, summary };
}

function storedResult(entry: HistoryRecord, report: unknown = {}): StoredResult {
  return {
    format: RESULT_FORMAT,
    image: {
      registry: '127.0.0.1:5000',
      repository: entry.repository,
      tag: entry.tag,
      digest: DIGEST,
    },
    scan: {
      id: entry.scanId,
      scannedAt: entry.scannedAt,
      mode: 'builtin',
      trivyVersion: '0.0.0',
      recorded: true,
    },
    summary: entry.summary,
    report,
  };
}

const day1 = '2026-03-01T09:00:00.000Z';
const day2Morning = '2026-03-02T08:00:00.000Z';
const day2Evening = '2026-03-02T20:00:00.000Z';
const day3 = '2026-03-03T10:00:00.000Z';

const a1 = record('app/web:1', day1, counts(1, 0));
const a2 = record('app/web:1', day2Morning, counts(3, 0));
const b1 = record('app/api:2', day2Evening, counts(0, 2));
const a3 = record('app/web:1', day3, counts(0, 0, 4));

interface Case {
  name: string;
  latest: HistoryRecord[];
  history: HistoryRecord[];
  scannedImages: number;
  totals: SeveritySummary;
  topImages: string[];
  repositories: { repository: string; images: number; total: number }[];
  trend: { date: string; totals: SeveritySummary }[];
}

const cases: Case[] = [
  {
    name: 'empty store',
    latest: [],
    history: [],
    scannedImages: 0,
    totals: counts(0, 0),
    topImages: [],
    repositories: [],
    trend: [],
  },
  {
    name: 'one image',
    latest: [a1],
    history: [a1],
    scannedImages: 1,
    totals: counts(1, 0),
    topImages: ['app/web:1'],
    repositories: [{ repository: 'app/web', images: 1, total: 1 }],
    trend: [{ date: '2026-03-01', totals: counts(1, 0) }],
  },
  {
    name: 'rescans over three days',
    latest: [a3, b1],
    history: [a1, a2, b1, a3],
    scannedImages: 2,
    totals: counts(0, 2, 4),
    topImages: ['app/api:2', 'app/web:1'],
    repositories: [
      { repository: 'app/api', images: 1, total: 2 },
      { repository: 'app/web', images: 1, total: 4 },
    ],
    trend: [
      { date: '2026-03-01', totals: counts(1, 0) },
      { date: '2026-03-02', totals: counts(3, 2) },
      { date: '2026-03-03', totals: counts(0, 2, 4) },
    ],
  },
  {
    name: 'colliding file names',
    latest: [record('a/b:c', day1, counts(1, 0)), record('a_b:c', day1, counts(0, 1))],
    history: [],
    scannedImages: 2,
    totals: counts(1, 1),
    topImages: ['a/b:c', 'a_b:c'],
    repositories: [
      { repository: 'a/b', images: 1, total: 1 },
      { repository: 'a_b', images: 1, total: 1 },
    ],
    trend: [{ date: '2026-03-01', totals: counts(1, 1) }],
  },
  {
    name: 'result without history record',
    latest: [a2],
    history: [a1],
    scannedImages: 1,
    totals: counts(3, 0),
    topImages: ['app/web:1'],
    repositories: [{ repository: 'app/web', images: 1, total: 3 }],
    trend: [
      { date: '2026-03-01', totals: counts(1, 0) },
      { date: '2026-03-02', totals: counts(3, 0) },
    ],
  },
];

function names(dashboard: Dashboard): string[] {
  return dashboard.topImages.map((image) => `${image.repository}:${image.tag}`);
}

describe('dashboard computation', () => {
  it.each(cases)('$name', (testCase) => {
    const dashboard = computeDashboard(testCase.latest, testCase.history);

    expect(dashboard.scannedImages).toBe(testCase.scannedImages);
    expect(dashboard.totals).toEqual(testCase.totals);
    expect(names(dashboard)).toEqual(testCase.topImages);
    expect(
      dashboard.repositories.map(({ repository, images, summary }) => ({
        repository,
        images,
        total: summary.total,
      })),
    ).toEqual(testCase.repositories);
    expect(dashboard.trend).toEqual(testCase.trend);
  });

  it('top images keep ten, most critical first', () => {
    const images = Array.from({ length: 12 }, (_, index) =>
      record(`repo:t${String(index).padStart(2, '0')}`, day1, counts(index % 4, index)),
    );
    const clean = record('repo:clean', day1, counts(0, 0));

    const dashboard = computeDashboard([...images, clean], []);

    expect(dashboard.topImages).toHaveLength(10);
    expect(names(dashboard).slice(0, 3)).toEqual(['repo:t11', 'repo:t07', 'repo:t03']);
    expect(names(dashboard)).not.toContain('repo:clean');
    expect(dashboard.scannedImages).toBe(13);
  });

  it('last scan of a day wins', () => {
    const morning = record('app/web:1', day2Morning, counts(5, 0));
    const evening = record('app/web:1', day2Evening, counts(2, 0));

    const dashboard = computeDashboard([evening], [evening, morning]);

    expect(dashboard.trend).toEqual([{ date: '2026-03-02', totals: counts(2, 0) }]);
  });
});

describe('history store', () => {
  let dataDir: string;
  let history: HistoryStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'berth-history-'));
    history = new HistoryStore(new FsObjectStore(dataDir));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rescan keeps earlier records', async () => {
    await history.append(a2);
    await history.append(a1);
    await history.append(a3);

    const records = await history.list();

    expect(records.map((entry) => entry.scannedAt)).toEqual([day1, day2Morning, day3]);
    expect(await readdir(join(dataDir, HISTORY_PREFIX))).toContain(
      `${day1}_${encodeURIComponent(a1.scanId)}.json`,
    );
  });

  it('damaged record is skipped', async () => {
    await history.append(a1);
    await writeFile(join(dataDir, HISTORY_PREFIX, 'broken.json'), '{"scanId":');
    await writeFile(join(dataDir, HISTORY_PREFIX, 'other.json'), '{"scanId":"x"}');

    expect(await history.list()).toEqual([a1]);
  });

  it('colliding names load as two images', async () => {
    const results = new ResultStore(new FsObjectStore(dataDir));
    const slash = record('a/b:c', day1, counts(1, 0));
    const underscore = record('a_b:c', day1, counts(0, 1));
    await results.write(storedResult(slash));
    await results.write(storedResult(underscore));
    await history.append(slash);
    await history.append(underscore);

    const dashboard = await loadDashboard(results, history);

    expect(dashboard.scannedImages).toBe(2);
    expect(dashboard.totals).toEqual(counts(1, 1));
    expect(dashboard.repositories.map((entry) => entry.repository)).toEqual(['a/b', 'a_b']);
    expect(dashboard.trend).toEqual([{ date: '2026-03-01', totals: counts(1, 1) }]);
  });
});

describe('dashboard over many results', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'berth-many-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('2,000 stored results load', async () => {
    const reportFiles = [
      'alpine-310.json',
      'busybox-with-lockfile.json',
      'centos-7.json',
      'debian-stretch.json',
      'distroless-python27.json',
      'fluentd-gems.json',
      'sl-micro-rancher5.4.json',
      'spring4shell-jre11.json',
      'ubi-7-comprehensive.json',
      'ubuntu-1804.json',
      'defectdojo/all_statuses.json',
      'securecodebox/juice-shop-v10.2.0.json',
    ];
    const reports = await Promise.all(
      reportFiles.map(async (file) => {
        const raw: unknown = JSON.parse(await readFile(join(fixturesDir(), file), 'utf8'));
        return { raw, summary: summarize(parseReport(raw)) };
      }),
    );
    const objects = new FsObjectStore(dataDir);
    const results = new ResultStore(objects);
    const history = new HistoryStore(objects);
    const expected = counts(0, 0);
    for (let index = 0; index < 2000; index += 1) {
      const report = reports[index % reports.length];
      if (!report) throw new Error('no report');
      const entry = record(`many/repo${index % 50}:t${index}`, day1, report.summary);
      await results.write(storedResult(entry, report.raw));
      await history.append(entry);
      for (const severity of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN', 'total'] as const) {
        expected[severity] += report.summary[severity];
      }
    }

    const started = performance.now();
    const dashboard = await loadDashboard(results, history);
    const elapsedMs = Math.round(performance.now() - started);

    // The time goes to the test output for the record; machines differ too much to assert it.
    console.info(`dashboard over 2,000 stored results: ${elapsedMs} ms`);
    expect(dashboard.scannedImages).toBe(2000);
    expect(dashboard.totals).toEqual(expected);
    expect(dashboard.repositories).toHaveLength(50);
  });
});

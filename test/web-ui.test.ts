import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerType, serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  ApiError,
  Dashboard,
  Finding,
  FindingList,
  Health,
  LayerView,
  RepositoryList,
  ResultInfo,
  ScanStatus,
  ScanView,
  SeveritySummary,
  TagDeletion,
  TagList,
  TagSummary,
  User,
} from '../core/api/schemas';
import { ApiRequestError } from '../web/src/api';
import { pollScan } from '../web/src/scan-poll';
import { buildWeb, launchBrowser, removeWebBuild } from './support/browser';

const ARTIFACTS_DIR = fileURLToPath(new URL('../test-artifacts', import.meta.url));
const REPOSITORY = 'team/api/server';
const XSS_TITLE = '<img src=x onerror="window.__berthXss = 1">';
const XSS_DESCRIPTION = '<script>window.__berthXss = 2</script>';

function digestOf(hexDigit: string): string {
  return `sha256:${hexDigit.repeat(64)}`;
}

function summaryOf(counts: Partial<SeveritySummary>): SeveritySummary {
  const summary = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, ...counts };
  const total = summary.CRITICAL + summary.HIGH + summary.MEDIUM + summary.LOW + summary.UNKNOWN;
  return { ...summary, total };
}

function resultOf(digest: string, counts: Partial<SeveritySummary>): ResultInfo {
  return {
    scanId: `scan-${digest.slice(7, 11)}`,
    digest,
    scannedAt: '2024-05-01T10:00:00Z',
    mode: 'builtin',
    trivyVersion: '0.50.1',
    recorded: true,
    platform: 'linux/amd64',
    summary: summaryOf(counts),
  };
}

function statusOf(tag: string, state: ScanStatus['state'], reason?: string): ScanStatus {
  const status: ScanStatus = {
    id: `scan-${tag}`,
    repository: REPOSITORY,
    tag,
    state,
    digest: digestOf('a'),
    queuedAt: '2024-05-02T10:00:00Z',
  };
  return reason ? { ...status, reason } : status;
}

function tagOf(name: string, digest: string, extra: Partial<TagSummary> = {}): TagSummary {
  return {
    name,
    digest,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    size: 12_345_678,
    created: '2024-04-30T08:00:00Z',
    platforms: [
      { os: 'linux', architecture: 'amd64', digest: digestOf('1'), size: 6_000_000 },
      { os: 'linux', architecture: 'arm64', variant: 'v8', digest: digestOf('2'), size: 6_345_678 },
    ],
    stale: false,
    ...extra,
  };
}

const FINDINGS: Finding[] = [
  {
    id: 'CVE-2023-5678',
    url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-5678',
    severity: 'CRITICAL',
    pkgName: 'openssl',
    installedVersion: '3.1.1-r0',
    fixedVersion: '3.1.4-r0',
    status: 'fixed',
    cvssScore: 5.3,
    title: 'openssl: excessive time spent in DH checks',
    description: 'Generating excessively long X9.42 DH keys may be very slow.',
    target: 'alpine 3.18.0',
    layer: { diffId: digestOf('c'), index: 1, command: 'RUN apk add --no-cache openssl' },
  },
  {
    id: 'GHSA-c2qf-rxjj-qqgw',
    url: 'https://github.com/advisories/GHSA-c2qf-rxjj-qqgw',
    severity: 'HIGH',
    pkgName: 'semver',
    pkgPath: 'app/node_modules/semver/package.json',
    installedVersion: '7.5.1',
    status: 'affected',
    cvssScore: 7.5,
    title: 'semver vulnerable to Regular Expression Denial of Service',
    target: 'Node.js',
    layer: { diffId: digestOf('d'), index: 2, command: 'COPY . /app' },
  },
  {
    id: 'CVE-2024-0001',
    severity: 'MEDIUM',
    pkgName: 'busybox',
    installedVersion: '1.36.0-r9',
    title: XSS_TITLE,
    description: XSS_DESCRIPTION,
    target: 'alpine 3.18.0',
    layer: {},
  },
];

const FINDINGS_SUMMARY = { CRITICAL: 1, HIGH: 1, MEDIUM: 1 };

/** The stored report the canned API returns for download; only its identity matters here. */
const REPORT = { SchemaVersion: 2, ArtifactName: `${REPOSITORY}:1.0`, Results: [] };

const HEALTH: Health = {
  status: 'degraded',
  registry: {
    url: 'http://127.0.0.1:5000',
    reachable: true,
    lastError: { message: 'connect ECONNREFUSED 127.0.0.1:5000', at: '2024-05-02T09:00:00Z' },
  },
  scanner: {
    mode: 'remote',
    serverUrl: 'http://127.0.0.1:4954',
    serverHealthy: false,
    error: 'GET /healthz timed out after 5 s',
    lastError: {
      message: 'trivy exited with status 1: TOOMANYREQUESTS',
      at: '2024-05-02T09:30:00Z',
    },
  },
  recordedReports: true,
};

const DASHBOARD: Dashboard = {
  scannedImages: 3,
  totals: summaryOf({ CRITICAL: 4, HIGH: 7, MEDIUM: 2, LOW: 5 }),
  topImages: [
    {
      repository: REPOSITORY,
      tag: '2.0',
      digest: digestOf('b'),
      scannedAt: '2024-05-01T10:00:00Z',
      summary: summaryOf({ CRITICAL: 3, HIGH: 5 }),
    },
    {
      repository: 'alpine',
      tag: '3.18',
      digest: digestOf('c'),
      scannedAt: '2024-05-01T10:00:00Z',
      summary: summaryOf({ CRITICAL: 1, HIGH: 2, LOW: 5 }),
    },
    {
      repository: REPOSITORY,
      tag: 'clean',
      digest: digestOf('d'),
      scannedAt: '2024-05-01T10:00:00Z',
      summary: summaryOf({ LOW: 2 }),
    },
  ],
  repositories: [
    { repository: REPOSITORY, images: 2, summary: summaryOf({ CRITICAL: 3, HIGH: 5, MEDIUM: 2 }) },
    { repository: 'alpine', images: 1, summary: summaryOf({ CRITICAL: 1, HIGH: 2, LOW: 5 }) },
  ],
  trend: [
    { date: '2024-04-29', totals: summaryOf({ CRITICAL: 6, HIGH: 9 }) },
    { date: '2024-04-30', totals: summaryOf({ CRITICAL: 5, HIGH: 8, LOW: 5 }) },
    { date: '2024-05-01', totals: summaryOf({ CRITICAL: 4, HIGH: 7, MEDIUM: 2, LOW: 5 }) },
  ],
};

const BIG_REPOSITORY = 'big/repo';

/** 5,000 tags; every tenth has a result, and tag-0042 has the most critical findings. */
const BIG_TAGS: TagSummary[] = Array.from({ length: 5000 }, (_, index) => {
  const name = `tag-${String(index).padStart(4, '0')}`;
  const digest = `sha256:${index.toString(16).padStart(64, '0')}`;
  const critical = index === 42 ? 9 : index % 3;
  const result = index % 10 === 2 ? resultOf(digest, { CRITICAL: critical, LOW: 1 }) : undefined;
  return tagOf(name, digest, { size: index * 1000, result });
});

/** The canned API's mutable state: each scan advances one step per status poll. */
interface CannedState {
  tags: Map<string, TagSummary>;
  pollsSinceRequest: Map<string, number>;
  tagListRequests: number;
  user: User;
  /** Delays the big repository's pages after the first until the test resolves this promise. */
  tagPageGate: Promise<void>;
  /** Every POST, PUT and DELETE the SPA sent, with its body and content hash header. */
  writes: { method: string; path: string; body: string; contentSha256: string | undefined }[];
}

function initialState(): CannedState {
  const tags = [
    tagOf('1.0', digestOf('a')),
    tagOf('2.0', digestOf('b'), {
      result: resultOf(digestOf('b'), { CRITICAL: 1, HIGH: 2 }),
      scan: statusOf('2.0', 'completed'),
    }),
    tagOf('old', digestOf('e'), { result: resultOf(digestOf('f'), { LOW: 3 }), stale: true }),
    tagOf('next', digestOf('9'), { scan: statusOf('next', 'running') }),
  ];
  return {
    tags: new Map(tags.map((tag) => [tag.name, tag])),
    pollsSinceRequest: new Map(),
    tagListRequests: 0,
    user: { name: 'local', roles: ['admin', 'viewer'] },
    tagPageGate: Promise.resolve(),
    writes: [],
  };
}

let state = initialState();

function apiError(code: string, message: string, hint?: string): ApiError {
  return { error: hint ? { code, message, hint } : { code, message } };
}

/** Advances a requested scan: 2.0 runs then fails, every other tag runs then completes. */
function advanceScan(tag: TagSummary): ScanView {
  const polls = (state.pollsSinceRequest.get(tag.name) ?? 0) + 1;
  state.pollsSinceRequest.set(tag.name, polls);

  if (polls === 1) {
    tag.scan = statusOf(tag.name, 'running');
  } else if (tag.name === '2.0') {
    tag.scan = statusOf(tag.name, 'failed', 'trivy exited with status 1: TOOMANYREQUESTS');
  } else {
    tag.scan = statusOf(tag.name, 'completed');
    tag.result = resultOf(tag.digest, FINDINGS_SUMMARY);
  }

  return { status: tag.scan, result: tag.result };
}

/** Returns one page of tags the way the API pages them with `n` and `last`. */
function tagPage(repository: string, tags: TagSummary[], n: number, last?: string): TagList {
  const start = last === undefined ? 0 : tags.findIndex((tag) => tag.name === last) + 1;
  const page = tags.slice(start, start + n);
  const next = start + page.length < tags.length ? page.at(-1)?.name : undefined;
  return { repository, tags: page, total: tags.length, next };
}

const LAYERS: LayerView['layers'] = [
  { index: 0, diffId: digestOf('b'), digest: digestOf('7'), size: 3_400_000 },
  {
    index: 1,
    diffId: digestOf('c'),
    digest: digestOf('8'),
    size: 2_100_000,
    summary: summaryOf({ CRITICAL: 1 }),
  },
];

/** Builds the layer view of a tag: 1.0 lines up with its history, other tags do not. */
function layerViewOf(tag: string, platform = 'linux/amd64'): LayerView {
  const steps: LayerView['steps'] = [
    {
      historyIndex: 0,
      command: 'ADD alpine-minirootfs-3.18.0-x86_64.tar.gz /',
      emptyLayer: false,
      layer: { index: 0, diffId: digestOf('b'), digest: digestOf('7'), size: 3_400_000 },
    },
    { historyIndex: 1, command: 'CMD ["/bin/sh"]', emptyLayer: true },
    {
      historyIndex: 2,
      command: 'RUN apk add --no-cache openssl',
      emptyLayer: false,
      layer: {
        index: 1,
        diffId: digestOf('c'),
        digest: digestOf('8'),
        size: 2_100_000,
        summary: summaryOf({ CRITICAL: 1 }),
      },
    },
  ];
  const mappingKnown = tag === '1.0';
  // Trivy scanned linux/amd64, so the other platform has neither counts nor a result.
  const scanned = platform === 'linux/amd64';
  return {
    repository: REPOSITORY,
    tag,
    digest: digestOf('a'),
    platform,
    platforms: ['linux/amd64', 'linux/arm64/v8'],
    mappingKnown,
    steps: scanned ? steps : steps.map(({ layer, ...step }) => step),
    layers: LAYERS.map((layer) => ({
      ...layer,
      summary: scanned ? layer.summary : undefined,
      command: mappingKnown
        ? steps.find((step) => step.layer?.index === layer.index)?.command
        : undefined,
    })),
    result: scanned ? resultOf(digestOf('a'), FINDINGS_SUMMARY) : undefined,
  };
}

const TAG_PATH =
  /^\/api\/repositories\/(.+)\/tags(?:\/([^/]+)(?:\/(layers|scan|vulnerabilities|report))?)?$/;

/** Creates a stand-in API that returns canned JSON of the types in core/api/schemas.ts. */
function createCannedApi(): Hono {
  const api = new Hono();

  api.use('*', async (c, next) => {
    if (c.req.method !== 'GET') {
      state.writes.push({
        method: c.req.method,
        path: c.req.path,
        body: await c.req.raw.clone().text(),
        contentSha256: c.req.header('x-amz-content-sha256'),
      });
    }
    return next();
  });

  api.get('/config.json', (c) => c.json(apiError('NOT_FOUND', 'No runtime config.'), 404));

  api.get('/api/health', (c) => c.json(HEALTH));

  api.get('/api/me', (c) => c.json(state.user));

  api.get('/api/dashboard', (c) => c.json(DASHBOARD));

  api.delete('/api/repositories/*', (c) => {
    const [, , tagName] = TAG_PATH.exec(c.req.path) ?? [];
    const tag = decodeURIComponent(tagName ?? '');
    if (tag === 'old') {
      const error = apiError(
        'DELETE_DISABLED',
        'The registry has deletion disabled and answered 405 UNSUPPORTED.',
        'Set storage.delete.enabled: true in the registry configuration and restart it.',
      );
      return c.json(error, 405);
    }
    const digest = state.tags.get(tag)?.digest;
    const deleted = [...state.tags.values()].filter((item) => item.digest === digest);
    for (const item of deleted) state.tags.delete(item.name);
    const deletion: TagDeletion = {
      repository: REPOSITORY,
      digest: digest ?? '',
      tags: deleted.map((item) => item.name),
    };
    return c.json(deletion);
  });

  api.get('/api/repositories', (c) => {
    const firstPage: RepositoryList = { repositories: ['alpine', REPOSITORY], next: REPOSITORY };
    const lastPage: RepositoryList = { repositories: ['broken/repo', 'zeta/tools'] };
    return c.json(c.req.query('last') === REPOSITORY ? lastPage : firstPage);
  });

  api.on(['GET', 'POST'], '/api/repositories/*', async (c) => {
    const match = TAG_PATH.exec(c.req.path);
    const [, repository, tagName, view] = match ?? [];
    if (repository === 'broken/repo') {
      const error = apiError(
        'REGISTRY_UNREACHABLE',
        'Registry http://127.0.0.1:5000 did not answer: connect ECONNREFUSED',
        'Start the registry or set REGISTRY_URL to its address.',
      );
      return c.json(error, 502);
    }

    const pageSize = Number(c.req.query('n') ?? 5000);
    const last = c.req.query('last');
    if (repository === BIG_REPOSITORY && !tagName) {
      if (last !== undefined) await state.tagPageGate;
      return c.json(tagPage(BIG_REPOSITORY, BIG_TAGS, pageSize, last));
    }

    const tag = tagName ? state.tags.get(decodeURIComponent(tagName)) : undefined;
    if (repository !== REPOSITORY || (tagName && !tag)) {
      return c.json(apiError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`), 404);
    }

    if (!tag) {
      state.tagListRequests += 1;
      return c.json(tagPage(REPOSITORY, [...state.tags.values()], pageSize, last));
    }

    if (view === 'scan' && c.req.method === 'POST') {
      state.pollsSinceRequest.set(tag.name, 0);
      tag.scan = statusOf(tag.name, 'queued');
      return c.json(tag.scan, 202);
    }

    if (view === 'scan') return c.json(advanceScan(tag));

    if (view === 'layers') return c.json(layerViewOf(tag.name, c.req.query('platform')));

    if (view === 'report') return c.json(REPORT);

    // Tag next is running its first scan, so it has no result yet.
    if (view === 'vulnerabilities' && tag.name === 'next') {
      const error = apiError(
        'not_scanned',
        `No completed scan of ${REPOSITORY}:${tag.name}.`,
        `Scan it first: POST /api/repositories/${REPOSITORY}/tags/${tag.name}/scan.`,
      );
      return c.json(error, 404);
    }

    if (view === 'vulnerabilities') {
      const list: FindingList = {
        repository: REPOSITORY,
        tag: tag.name,
        result: resultOf(tag.digest, FINDINGS_SUMMARY),
        mappingKnown: true,
        vulnerabilities: FINDINGS,
      };
      return c.json(list);
    }

    return c.json(tag);
  });

  api.all('/api/*', (c) => c.json(apiError('NOT_FOUND', `No route for ${c.req.path}.`), 404));

  return api;
}

/** Serves the built SPA with an index.html fallback, behind the canned API. */
function createApp(distDir: string): Hono {
  const app = createCannedApi();
  app.use('/*', serveStatic({ root: distDir }));
  app.get('*', serveStatic({ path: join(distDir, 'index.html') }));
  return app;
}

function listen(app: Hono): Promise<{ server: ServerType; baseUrl: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      resolve({ server, baseUrl: `http://127.0.0.1:${(info as AddressInfo).port}` });
    });
  });
}

let browser: Browser | undefined;
let server: ServerType | undefined;
let baseUrl = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  const distDir = await buildWeb();
  const listening = await listen(createApp(distDir));
  server = listening.server;
  baseUrl = listening.baseUrl;
  browser = await launchBrowser();
  await mkdir(ARTIFACTS_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (server && 'closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await removeWebBuild();
});

beforeEach(() => {
  state = initialState();
  pageErrors.length = 0;
});

async function openPage(path: string, width = 1280): Promise<Page> {
  if (!browser) throw new Error('Chromium did not start; see the beforeAll error above.');
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    pageErrors.push(`dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${baseUrl}${path}`);
  return page;
}

/** Finds a tag's row; on narrow screens the cell's column label prefixes its accessible name. */
function tagRow(page: Page, tag: string): Locator {
  const header = page
    .getByRole('rowheader', { name: tag, exact: true })
    .or(page.getByRole('rowheader', { name: `Tag ${tag}`, exact: true }));
  return page.locator('tr', { has: header });
}

describe('web UI', () => {
  it('lists repositories and loads more', async () => {
    const page = await openPage('/');

    await page.getByRole('link', { name: REPOSITORY }).waitFor();
    expect(await page.getByRole('link', { name: 'zeta/tools' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByRole('link', { name: 'zeta/tools' }).waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    await page.getByLabel('Filter loaded repositories').fill('api');
    expect(await page.locator('.repository-list li').allTextContents()).toEqual([REPOSITORY]);
    await page.context().close();
  });

  it('shows the recorded-reports banner', async () => {
    const page = await openPage('/');

    const banner = page.getByText('Recorded reports: scan results come from recorded Trivy');
    await banner.waitFor();
    expect(await banner.textContent()).toBe(
      'Recorded reports: scan results come from recorded Trivy reports, not a live scan',
    );
    await page.context().close();
  });

  it('opens a nested repository', async () => {
    const page = await openPage('/');

    await page.getByRole('link', { name: REPOSITORY }).click();
    await tagRow(page, '1.0').waitFor();
    expect(page.url()).toBe(`${baseUrl}/r/team/api/server`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(REPOSITORY);

    const row = tagRow(page, '1.0');
    expect(await row.locator('code').textContent()).toBe('aaaaaaaaaaaa');
    expect(await row.locator('code').getAttribute('title')).toBe(digestOf('a'));
    expect(await row.getByText('11.8 MiB').count()).toBe(1);
    expect(await row.getByText('linux/arm64/v8').count()).toBe(1);
    expect(await tagRow(page, 'old').getByText('Stale:').count()).toBe(1);
    await page.context().close();
  });

  it('scan goes queued, running, completed', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, '1.0');
    await row.getByText('Not scanned').waitFor();

    await row.getByRole('button', { name: 'Scan 1.0' }).click();
    await row.getByText('Queued', { exact: true }).waitFor();
    await row.getByText('Running', { exact: true }).waitFor();
    await row.getByRole('link', { name: 'Critical 1' }).waitFor();

    expect(await row.getByRole('link', { name: 'High 1' }).count()).toBe(1);
    expect(await row.getByRole('link', { name: 'Medium 1' }).count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Rescan 1.0' }).isEnabled()).toBe(true);
    expect(state.tagListRequests).toBe(1);
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-ui-1280.png'), fullPage: true });
    await page.context().close();
  });

  it('running scan resumes polling on load', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, 'next');
    await row.getByText('Running', { exact: true }).waitFor();

    await row.getByRole('link', { name: 'Critical 1' }).waitFor();
    expect(await row.getByRole('button', { name: 'Rescan next' }).isEnabled()).toBe(true);
    await page.context().close();
  });

  it('failed rescan keeps the old badges', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, '2.0');
    await row.getByRole('link', { name: 'Critical 1' }).waitFor();

    await row.getByRole('button', { name: 'Rescan 2.0' }).click();
    await row.getByText('Failed: trivy exited with status 1: TOOMANYREQUESTS').waitFor();

    expect(await row.getByRole('link', { name: 'Critical 1' }).count()).toBe(1);
    expect(await row.getByRole('link', { name: 'High 2' }).count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Rescan 2.0' }).isEnabled()).toBe(true);
    await page.context().close();
  });

  it('badge opens filtered findings', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);

    await tagRow(page, '2.0').getByRole('link', { name: 'Critical 1' }).click();
    const link = page.getByRole('link', { name: 'CVE-2023-5678' });
    await link.waitFor();

    expect(page.url()).toBe(`${baseUrl}/r/team/api/server/-/2.0/findings?severity=CRITICAL`);
    expect(await link.getAttribute('href')).toBe('https://nvd.nist.gov/vuln/detail/CVE-2023-5678');
    expect(await page.getByRole('checkbox', { name: 'Critical (1)' }).isChecked()).toBe(true);
    expect(await page.locator('table.findings tbody tr.finding').count()).toBe(1);

    await page.getByRole('checkbox', { name: 'Critical (1)' }).uncheck();
    await page.getByRole('link', { name: 'GHSA-c2qf-rxjj-qqgw' }).waitFor();
    expect(await page.locator('table.findings tbody tr.finding').count()).toBe(3);
    expect(await page.getByText('no fix').count()).toBe(2);
    expect(await page.getByText('app/node_modules/semver/package.json').count()).toBe(1);
    await page.context().close();
  });

  it('findings show the introducing layer', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings?severity=CRITICAL`);

    const row = page.locator('table.findings tbody tr');
    await row.getByText('RUN apk add --no-cache openssl').waitFor();
    expect(await row.getByText('Layer 1').count()).toBe(1);
    expect(await row.getByText('3.1.4-r0').count()).toBe(1);

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the Trivy report (JSON)' }).click();
    const download = await downloading;
    const saved = await download.path();
    expect(download.suggestedFilename()).toBe('team_api_server_1.0-trivy.json');
    expect(JSON.parse(await readFile(saved, 'utf8'))).toEqual(REPORT);
    await page.context().close();
  });

  it('finding text renders as text', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings?severity=MEDIUM`);

    const summary = page.getByText(XSS_TITLE, { exact: true });
    await summary.waitFor();
    await summary.click();
    await page.getByText(XSS_DESCRIPTION, { exact: true }).waitFor();

    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.evaluate(() => '__berthXss' in window)).toBe(false);
    expect(await page.locator('td[data-label="Layer"]').textContent()).toBe('unknown');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('layers page shows the commands', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);

    await tagRow(page, '1.0').getByRole('link', { name: 'View Layers' }).click();
    await page.getByText('RUN apk add --no-cache openssl').waitFor();

    expect(page.url()).toBe(`${baseUrl}/r/team/api/server/-/1.0/layers`);
    expect(await page.locator('.step').count()).toBe(3);
    expect(await page.locator('.step-instruction').getByText('CMD ["/bin/sh"]').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Critical 1' }).count()).toBe(1);
    expect(await page.getByText('Layer mapping unknown').count()).toBe(0);
    await page.context().close();
  });

  it('layers page marks an unknown mapping', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/2.0/layers`);

    await page.getByText('ADD alpine-minirootfs-3.18.0-x86_64.tar.gz /').waitFor();
    expect(
      await page
        .getByText('Layer mapping unknown: the image history does not line up with its layers')
        .count(),
    ).toBe(1);
    await page.context().close();
  });

  it('API error shows message and hint', async () => {
    const page = await openPage('/r/broken/repo');

    const alert = page.getByRole('alert').filter({ hasText: 'Could not load the tags' });
    await alert.waitFor();
    expect(await alert.getByText('connect ECONNREFUSED').count()).toBe(1);
    expect(await alert.getByText('Start the registry or set REGISTRY_URL').count()).toBe(1);
    await page.context().close();
  });

  it('fits a 375 px screen', async () => {
    const page = await openPage(`/r/${REPOSITORY}`, 375);
    await tagRow(page, '2.0').getByRole('link', { name: 'Critical 1' }).waitFor();

    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(375);

    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-ui-375.png'), fullPage: true });

    await page.goto(`${baseUrl}/r/${REPOSITORY}/-/1.0/findings`);
    await page.getByText('app/node_modules/semver/package.json').waitFor();
    const findingsWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(findingsWidth).toBeLessThanOrEqual(375);
    await page.context().close();
  });
});

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function findingRows(page: Page): Locator {
  return page.locator('table.findings tbody tr.finding');
}

async function findingIds(page: Page): Promise<string[]> {
  return page.locator('table.findings tbody tr.finding th').allTextContents();
}

describe('web UI in depth', () => {
  it('findings filters live in the URL', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings`);
    await page.getByText('Showing 3 of 3 findings.').waitFor();

    await page.getByRole('checkbox', { name: 'Fixable only' }).check();
    await page.getByText('Showing 1 of 3 findings.').waitFor();
    expect(new URL(page.url()).searchParams.get('fixable')).toBe('1');
    expect(await findingIds(page)).toEqual(['CVE-2023-5678']);
    await page.getByRole('checkbox', { name: 'Fixable only' }).uncheck();

    await page.getByLabel('Package').fill('node_modules');
    await page.getByText('Showing 1 of 3 findings.').waitFor();
    expect(new URL(page.url()).searchParams.get('pkg')).toBe('node_modules');
    expect(await page.getByRole('checkbox', { name: 'High (1)' }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'Critical (0)' }).count()).toBe(1);
    await page.getByLabel('Package').fill('');

    await page.getByLabel('Status').selectOption('affected');
    await page.getByText('Showing 1 of 3 findings.').waitFor();
    expect(await findingIds(page)).toEqual(['GHSA-c2qf-rxjj-qqgw']);
    await page.getByLabel('Status').selectOption('');

    await page.getByLabel('Layer', { exact: true }).selectOption('unknown');
    await page.getByText('Showing 1 of 3 findings.').waitFor();
    expect(await findingIds(page)).toEqual(['CVE-2024-0001']);
    expect(new URL(page.url()).searchParams.get('layer')).toBe('unknown');
    await page.context().close();
  });

  it('shared filter URL opens filtered', async () => {
    const page = await openPage(
      `/r/${REPOSITORY}/-/1.0/findings?severity=HIGH,MEDIUM&status=affected`,
    );

    await page.getByText('Showing 1 of 3 findings.').waitFor();
    expect(await findingIds(page)).toEqual(['GHSA-c2qf-rxjj-qqgw']);
    expect(await page.getByRole('checkbox', { name: 'High (1)' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /^Medium/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('Status').inputValue()).toBe('affected');
    await page.context().close();
  });

  it('findings sort by CVSS', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings`);
    await findingRows(page).first().waitFor();

    await page.getByRole('button', { name: 'CVSS' }).click();

    const header = page.locator('th', { has: page.getByRole('button', { name: 'CVSS' }) });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect(await findingIds(page)).toEqual([
      'GHSA-c2qf-rxjj-qqgw',
      'CVE-2023-5678',
      'CVE-2024-0001',
    ]);
    await page.context().close();
  });

  it('CSV export holds the shown rows', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings?severity=CRITICAL,HIGH`);
    await page.getByText('Showing 2 of 3 findings.').waitFor();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export the shown findings (CSV)' }).click();
    const download = await downloading;
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');

    expect(download.suggestedFilename()).toBe('team_api_server_1.0-findings.csv');
    expect(lines[0]?.startsWith('VulnerabilityID,Severity,CVSS,PkgName')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[1]?.startsWith('CVE-2023-5678,CRITICAL,5.3,openssl,')).toBe(true);
    expect(lines[2]).toContain('app/node_modules/semver/package.json');
    await page.context().close();
  });

  it('layer selection filters findings', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/layers`);
    await page.getByText('RUN apk add --no-cache openssl').waitFor();
    expect(await page.locator('.severity-bar').count()).toBe(1);

    await page.getByRole('link', { name: 'Show findings of layer 1' }).click();
    await page.getByText('Showing 1 of 3 findings.').waitFor();

    expect(new URL(page.url()).searchParams.get('layer')).toBe('1');
    expect(await findingIds(page)).toEqual(['CVE-2023-5678']);
    expect(await page.getByLabel('Layer', { exact: true }).inputValue()).toBe('1');
    await page.context().close();
  });

  it('dashboard shows totals, top images and trend', async () => {
    const page = await openPage('/dashboard');
    await page.getByRole('heading', { name: 'Totals across 3 scanned images' }).waitFor();

    const critical = page.locator('.total-critical dd');
    expect(await critical.textContent()).toBe('4');
    expect(await page.getByRole('link', { name: 'team/api/server:2.0' }).count()).toBe(1);
    expect(await page.locator('table.repository-counts tbody tr').count()).toBe(2);
    expect(await page.locator('.trend-chart canvas').count()).toBe(1);
    expect(await page.locator('table.trend-table tbody tr').count()).toBe(3);
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-dashboard-1280.png'), fullPage: true });
    await page.context().close();
  });

  it('health page shows states and last errors', async () => {
    const page = await openPage('/health');
    await page.getByText('Overall: degraded').waitFor();

    expect(await page.getByText('does not answer its health check').count()).toBeGreaterThan(0);
    expect(await page.getByText('GET /healthz timed out after 5 s').count()).toBeGreaterThan(0);
    expect(await page.getByText('trivy exited with status 1: TOOMANYREQUESTS').count()).toBe(1);
    expect(await page.getByText('connect ECONNREFUSED 127.0.0.1:5000').count()).toBe(1);
    expect(await page.getByText('in use: results come from recorded reports').count()).toBe(1);
    await page.context().close();
  });

  it('dark mode applies and persists', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    await tagRow(page, '2.0').getByRole('link', { name: 'Critical 1' }).waitFor();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');

    await page.getByLabel('Theme').selectOption('dark');
    expect(await background()).toBe('rgb(18, 22, 28)');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-dark-1280.png'), fullPage: true });

    await page.reload();
    await tagRow(page, '2.0').getByRole('link', { name: 'Critical 1' }).waitFor();
    expect(await background()).toBe('rgb(18, 22, 28)');
    await page.context().close();
  });

  it('keyboard reaches scan with visible focus', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    await tagRow(page, '1.0').getByText('Not scanned').waitFor();

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    let label: string | null | undefined;
    for (let step = 0; step < 40 && label !== 'Scan 1.0'; step += 1) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    }
    expect(label).toBe('Scan 1.0');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).toBe('solid');

    await page.keyboard.press('Enter');
    await tagRow(page, '1.0').getByRole('link', { name: 'Critical 1' }).waitFor();
    await page.context().close();
  });

  it('viewer cannot scan or delete', async () => {
    state.user = { name: 'reader', roles: ['viewer'] };
    const page = await openPage(`/r/${REPOSITORY}`);
    await page.getByText('Signed in as reader').waitFor();

    const scan = tagRow(page, '1.0').getByRole('button', { name: 'Scan 1.0' });
    expect(await scan.isDisabled()).toBe(true);
    expect(await scan.getAttribute('title')).toBe('Needs the admin role');
    expect(await page.getByRole('button', { name: /^Delete / }).count()).toBe(0);
    await page.context().close();
  });

  it('delete removes the tag row', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, '2.0');
    await row.getByRole('link', { name: 'Critical 1' }).waitFor();

    await row.getByRole('button', { name: 'Delete 2.0' }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await row.waitFor({ state: 'detached' });

    expect(await page.getByText('Showing 3 of 3 tags.').count()).toBe(1);
    expect(state.writes).toEqual([
      {
        method: 'DELETE',
        path: '/api/repositories/team/api/server/tags/2.0',
        body: '',
        contentSha256: EMPTY_SHA256,
      },
    ]);
    await page.context().close();
  });

  it('delete shows the registry hint', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, 'old');
    await row.getByRole('button', { name: 'Delete old' }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();

    const alert = row.getByRole('alert').filter({ hasText: 'Could not delete old' });
    await alert.waitFor();
    expect(await alert.getByText('answered 405 UNSUPPORTED').count()).toBe(1);
    expect(await alert.getByText('Set storage.delete.enabled: true').count()).toBe(1);
    await page.context().close();
  });

  it('scan request carries the content hash', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    await tagRow(page, '1.0').getByRole('button', { name: 'Scan 1.0' }).click();
    await tagRow(page, '1.0').getByText('Queued', { exact: true }).waitFor();

    const write = state.writes[0];
    expect(write?.method).toBe('POST');
    expect(write?.path).toBe('/api/repositories/team/api/server/tags/1.0/scan');
    expect(write?.contentSha256).toBe(
      createHash('sha256')
        .update(write?.body ?? '')
        .digest('hex'),
    );
    expect(write?.contentSha256).toBe(EMPTY_SHA256);
    await page.context().close();
  });

  it('5,000 tags render, filter and sort', async () => {
    const page = await openPage(`/r/${BIG_REPOSITORY}`);
    await page.getByText('Showing 5,000 of 5,000 tags.').waitFor();
    const rows = page.locator('table.tags tbody tr.tag-row');
    expect(await rows.count()).toBeLessThan(100);

    await page.getByRole('button', { name: 'Vulnerabilities' }).click();
    expect(await rows.first().locator('th').textContent()).toBe('tag-0042');

    await page.getByLabel('Filter tags by name').fill('tag-4999');
    await page.getByText('Showing 1 of 5,000 tags.').waitFor();
    expect(await rows.locator('th').allTextContents()).toEqual(['tag-4999']);
    await page.context().close();
  });

  it('new pages fit a 375 px screen', async () => {
    const paths = [
      ['findings', `/r/${REPOSITORY}/-/1.0/findings`, 'app/node_modules/semver/package.json'],
      ['layers', `/r/${REPOSITORY}/-/1.0/layers`, 'RUN apk add --no-cache openssl'],
      ['dashboard', '/dashboard', 'Totals across 3 scanned images'],
      ['health', '/health', 'Overall: degraded'],
    ] as const;

    for (const [name, path, text] of paths) {
      const page = await openPage(path, 375);
      await page.getByText(text).first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, name).toBeLessThanOrEqual(375);
      await page.screenshot({ path: join(ARTIFACTS_DIR, `web-${name}-375.png`), fullPage: true });
      await page.context().close();
    }
  });
});

const LONG_TAG = 'v'.repeat(128);

/**
 * Counts canvas pixels of about the dark-mode text color (#e4e7eb). The light-mode grid
 * (#cbd2d9) is darker and the white point fill is lighter, so light mode counts none.
 */
function lightPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector('.trend-chart canvas') as HTMLCanvasElement;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let light = 0;
    for (let offset = 0; offset < data.length; offset += 4) {
      const [red, green, blue, alpha] = [0, 1, 2, 3].map((channel) => data[offset + channel] ?? 0);
      if (
        (alpha ?? 0) > 128 &&
        [red, green, blue].every((value) => (value ?? 0) > 220 && (value ?? 0) < 241)
      ) {
        light += 1;
      }
    }
    return light;
  });
}

describe('web UI fixes', () => {
  it('findings table fits 1280 px', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings`);
    await page.getByText('app/node_modules/semver/package.json').waitFor();

    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      columns: Object.fromEntries(
        [...document.querySelectorAll('table.findings thead th')].map((cell) => [
          cell.textContent?.replace('↕', ''),
          cell.getBoundingClientRect().width,
        ]),
      ),
    }));
    expect(widths.page).toBeLessThanOrEqual(1280);
    expect(widths.columns.Package).toBeLessThan(260);
    expect(widths.columns.Title).toBeGreaterThan(200);
    expect(widths.columns.Layer).toBeGreaterThan(120);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-findings-1280.png'), fullPage: true });
    await page.context().close();
  });

  it('long tag name wraps', async () => {
    state.tags.set(LONG_TAG, tagOf(LONG_TAG, digestOf('3')));
    const page = await openPage(`/r/${REPOSITORY}`);
    await tagRow(page, LONG_TAG).waitFor();

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(1280);
    await page.context().close();
  });

  it('tag pages load with progress', async () => {
    let release = () => {};
    state.tagPageGate = new Promise((resolve) => {
      release = resolve;
    });
    const page = await openPage(`/r/${BIG_REPOSITORY}`);

    await page.getByText('Loaded 200 of 5,000 tags.').waitFor();
    expect(await page.getByText('Sorting and filtering cover the loaded tags').count()).toBe(1);
    expect(await tagRow(page, 'tag-0000').count()).toBe(1);

    release();
    await page.getByText('Showing 5,000 of 5,000 tags.').waitFor();
    expect(await page.locator('.loading-tags').count()).toBe(0);
    await page.context().close();
  });

  it('delete names same-digest tags', async () => {
    state.tags.set('latest', tagOf('latest', digestOf('b')));
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, '2.0');
    await row.getByRole('button', { name: 'Delete 2.0' }).click();

    const prompt = row.locator('legend');
    expect(await prompt.textContent()).toBe(
      'Delete 2.0? This also deletes latest, which point to the same digest.',
    );
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await row.waitFor({ state: 'detached' });

    await page.getByText('Showing 3 of 3 tags.').waitFor();
    expect(await tagRow(page, 'latest').count()).toBe(0);
    await page.context().close();
  });

  it('Escape cancels delete', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, '1.0');
    await row.getByRole('button', { name: 'Delete 1.0' }).click();
    await row.getByRole('button', { name: 'Cancel' }).waitFor();

    await page.keyboard.press('Escape');
    await row.getByRole('button', { name: 'Confirm delete' }).waitFor({ state: 'detached' });
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    expect(focused).toBe('Delete 1.0');
    expect(state.writes).toEqual([]);
    await page.context().close();
  });

  it('multi-arch result names the platform', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const row = tagRow(page, '2.0');
    await row.getByText('scanned linux/amd64 of 2 platforms').waitFor();

    await page.goto(`${baseUrl}/r/${REPOSITORY}/-/2.0/findings`);
    await page.getByText('Trivy scanned linux/amd64 of 2 platforms.').waitFor();
    await page.context().close();
  });

  it('layers page picks a platform', async () => {
    // Tag 2.0 has a result from linux/amd64; the layer view of another platform carries none.
    const page = await openPage(`/r/${REPOSITORY}/-/2.0/layers`);
    await page.getByText('Trivy scanned linux/amd64 of 2 platforms.').waitFor();
    expect(await page.getByLabel('Platform').inputValue()).toBe('linux/amd64');

    await page.getByLabel('Platform').selectOption('linux/arm64/v8');
    await page.getByText('Trivy scanned linux/amd64, not linux/arm64/v8').waitFor();
    expect(new URL(page.url()).searchParams.get('platform')).toBe('linux/arm64/v8');
    expect(await page.getByRole('link', { name: 'Critical 1' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Show linux/amd64' }).click();
    await page.getByRole('link', { name: 'Critical 1' }).waitFor();
    expect(await page.getByLabel('Platform').inputValue()).toBe('linux/amd64');
    await page.context().close();
  });

  it('unknown mapping lists every layer', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/2.0/layers`);
    await page.getByText('Layer mapping unknown').waitFor();

    expect(await page.locator('.layer-list > li').count()).toBe(2);
    expect(await page.getByText('Command unknown').count()).toBe(2);
    expect(await page.getByText('Instruction without a layer').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Show findings of layer 1' }).count()).toBe(1);
    expect(await page.locator('.history-list li').count()).toBe(3);
    await page.context().close();
  });

  it('trend chart follows dark mode', async () => {
    const page = await openPage('/dashboard');
    await page.locator('.trend-chart canvas').waitFor();
    expect(await lightPixels(page)).toBe(0);

    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => lightPixels(page)).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-dashboard-dark-1280.png') });
    await page.context().close();
  });

  it('top images leave out clean images', async () => {
    const page = await openPage('/dashboard');
    await page.getByRole('heading', { name: 'Totals across 3 scanned images' }).waitFor();

    expect(await page.locator('.top-images > li').count()).toBe(2);
    expect(await page.getByRole('link', { name: 'team/api/server:clean' }).count()).toBe(0);
    await page.context().close();
  });

  it('unknown status filter stays visible', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings?status=bogus`);
    await page.getByText('Showing 0 of 3 findings.').waitFor();

    expect(await page.getByLabel('Status').inputValue()).toBe('bogus');
    expect(await page.getByText('No finding of this tag has the status “bogus”.').count()).toBe(1);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('Showing 3 of 3 findings.').waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.context().close();
  });

  it('filters leaving no rows offer clearing', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings?severity=LOW`);
    await page.getByText('No finding matches these filters.').waitFor();

    expect(await page.getByRole('button', { name: 'Clear filters' }).count()).toBe(1);
    await page.context().close();
  });

  it('skip link focuses main', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    await tagRow(page, '1.0').waitFor();

    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.context().close();
  });

  it('viewer sees why Scan is disabled', async () => {
    state.user = { name: 'reader', roles: ['viewer'] };
    const page = await openPage(`/r/${REPOSITORY}`);
    const note = page.getByText('Scanning and deleting tags needs the admin role');
    await note.waitFor();

    expect(await note.isVisible()).toBe(true);
    const scan = tagRow(page, '1.0').getByRole('button', { name: 'Scan 1.0' });
    expect(await scan.getAttribute('aria-describedby')).toBe('admin-only-note');
    await page.context().close();
  });

  it('double click sends one scan', async () => {
    const page = await openPage(`/r/${REPOSITORY}`);
    const scan = tagRow(page, '1.0').getByRole('button', { name: 'Scan 1.0' });
    await scan.waitFor();

    await scan.dblclick();
    await tagRow(page, '1.0').getByText('Queued', { exact: true }).waitFor();
    expect(state.writes.filter((write) => write.method === 'POST')).toHaveLength(1);
    await page.context().close();
  });

  it('unscanned findings say what to do', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/next/findings`);
    const message = page.getByText('Not scanned yet: go back to');
    await message.waitFor();

    expect(await message.textContent()).toBe(
      'Not scanned yet: go back to the tag list and click Scan.',
    );
    expect(await page.getByText('POST /api').count()).toBe(0);
    await page.context().close();
  });

  it('sortable headers show arrows', async () => {
    const page = await openPage(`/r/${REPOSITORY}/-/1.0/findings`);
    const button = page.getByRole('button', { name: 'CVSS' });
    await button.waitFor();

    expect(await button.textContent()).toBe('CVSS↕');
    const style = await button.evaluate((element) => getComputedStyle(element).textDecorationLine);
    expect(style).toBe('underline');
    await page.context().close();
  });

  it('report name keeps -findings tags', async () => {
    state.tags.set('v1-findings', tagOf('v1-findings', digestOf('4')));
    const page = await openPage(`/r/${REPOSITORY}/-/v1-findings/findings`);
    await findingRows(page).first().waitFor();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the Trivy report (JSON)' }).click();
    expect((await downloading).suggestedFilename()).toBe('team_api_server_v1-findings-trivy.json');
    await page.context().close();
  });
});

describe('pollScan', () => {
  const view = (scanState: ScanStatus['state']): ScanView => ({
    status: statusOf('1.0', scanState),
  });

  it('stops on completed', async () => {
    const states: ScanStatus['state'][] = ['running', 'completed', 'running'];
    let calls = 0;

    const outcome = await pollScan({
      fetchView: async () => view(states[calls++] ?? 'running'),
      onView: () => {},
      onTransientError: () => {},
      signal: new AbortController().signal,
      initialDelayMs: 5,
    });

    expect(outcome).toBe('completed');
    expect(calls).toBe(2);
  });

  it('times out while running', async () => {
    let calls = 0;

    const outcome = await pollScan({
      fetchView: async () => {
        calls += 1;
        return view('running');
      },
      onView: () => {},
      onTransientError: () => {},
      signal: new AbortController().signal,
      initialDelayMs: 10,
      backoffFactor: 2,
      maxDelayMs: 40,
      timeoutMs: 200,
    });

    expect(outcome).toBe('timed-out');
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(7);
  });

  it('retries after a server error', async () => {
    const errors: unknown[] = [];
    let calls = 0;

    const outcome = await pollScan({
      fetchView: async () => {
        calls += 1;
        if (calls === 1) throw new ApiRequestError(503, 'UNAVAILABLE', 'Queue unavailable.');
        return view('failed');
      },
      onView: () => {},
      onTransientError: (error) => errors.push(error),
      signal: new AbortController().signal,
      initialDelayMs: 5,
    });

    expect(outcome).toBe('failed');
    expect(errors).toHaveLength(1);
  });

  it('rejects on a client error', async () => {
    const poll = pollScan({
      fetchView: async () => {
        throw new ApiRequestError(404, 'NOT_FOUND', 'Tag 1.0 not found.');
      },
      onView: () => {},
      onTransientError: () => {},
      signal: new AbortController().signal,
      initialDelayMs: 5,
    });

    await expect(poll).rejects.toThrow('Tag 1.0 not found.');
  });

  it('ends when aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const outcome = await pollScan({
      fetchView: async () => view('running'),
      onView: () => {},
      onTransientError: () => {},
      signal: controller.signal,
    });

    expect(outcome).toBe('aborted');
  });
});

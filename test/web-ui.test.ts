import { mkdir } from 'node:fs/promises';
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
  Finding,
  FindingList,
  Health,
  LayerView,
  RepositoryList,
  ResultInfo,
  ScanStatus,
  ScanView,
  SeveritySummary,
  TagList,
  TagSummary,
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

/** The canned API's mutable state: each scan advances one step per status poll. */
interface CannedState {
  tags: Map<string, TagSummary>;
  pollsSinceRequest: Map<string, number>;
  tagListRequests: number;
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

function layerViewOf(tag: string): LayerView {
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
  return {
    repository: REPOSITORY,
    tag,
    digest: digestOf('a'),
    platform: 'linux/amd64',
    mappingKnown: tag === '1.0',
    steps,
    result: resultOf(digestOf('a'), FINDINGS_SUMMARY),
  };
}

const TAG_PATH =
  /^\/api\/repositories\/(.+)\/tags(?:\/([^/]+)(?:\/(layers|scan|vulnerabilities))?)?$/;

/** Creates a stand-in API that returns canned JSON of the types in core/api/schemas.ts. */
function createCannedApi(): Hono {
  const api = new Hono();

  api.get('/api/health', (c) => {
    const health: Health = {
      status: 'ok',
      registry: { url: 'http://127.0.0.1:5000', reachable: true },
      scanner: { mode: 'builtin', trivyVersion: '0.50.1' },
      recordedReports: true,
    };
    return c.json(health);
  });

  api.get('/api/repositories', (c) => {
    const firstPage: RepositoryList = { repositories: ['alpine', REPOSITORY], next: REPOSITORY };
    const lastPage: RepositoryList = { repositories: ['broken/repo', 'zeta/tools'] };
    return c.json(c.req.query('last') === REPOSITORY ? lastPage : firstPage);
  });

  api.on(['GET', 'POST'], '/api/repositories/*', (c) => {
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

    const tag = tagName ? state.tags.get(decodeURIComponent(tagName)) : undefined;
    if (repository !== REPOSITORY || (tagName && !tag)) {
      return c.json(apiError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`), 404);
    }

    if (!tag) {
      state.tagListRequests += 1;
      const list: TagList = { repository: REPOSITORY, tags: [...state.tags.values()] };
      return c.json(list);
    }

    if (view === 'scan' && c.req.method === 'POST') {
      state.pollsSinceRequest.set(tag.name, 0);
      tag.scan = statusOf(tag.name, 'queued');
      return c.json(tag.scan, 202);
    }

    if (view === 'scan') return c.json(advanceScan(tag));

    if (view === 'layers') return c.json(layerViewOf(tag.name));

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
    expect(await page.getByLabel('Severity').inputValue()).toBe('CRITICAL');
    expect(await page.locator('table.findings tbody tr').count()).toBe(1);

    await page.getByLabel('Severity').selectOption('');
    await page.getByRole('link', { name: 'GHSA-c2qf-rxjj-qqgw' }).waitFor();
    expect(await page.locator('table.findings tbody tr').count()).toBe(3);
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

    const download = page.getByRole('link', { name: 'Download the Trivy report (JSON)' });
    expect(await download.getAttribute('href')).toBe(
      '/api/repositories/team/api/server/tags/1.0/report',
    );
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

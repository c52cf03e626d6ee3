import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBerth } from '../functions/local/server';
import { startTestBerth, testConfig } from './support/berth';
import { buildWeb, launchBrowser, removeWebBuild } from './support/browser';
import type { TestRegistry } from './support/registry';
import { requestScan, startSampleRegistry, waitForScan } from './support/stack';

const ARTIFACTS_DIR = fileURLToPath(new URL('../test-artifacts', import.meta.url));
const FINDINGS_PATH = '/r/juice-shop/-/v10.2.0/findings';

let registry: TestRegistry;
let config: Awaited<ReturnType<typeof testConfig>>;
let berth: RunningBerth;
let browser: Browser;

beforeAll(async () => {
  const [sampleRegistry, webDir] = await Promise.all([startSampleRegistry(), buildWeb()]);
  registry = sampleRegistry;
  config = await testConfig({ REGISTRY_URL: registry.url, WEB_DIR: webDir });
  berth = await startTestBerth(config);
  browser = await launchBrowser();
  await mkdir(ARTIFACTS_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
  await registry?.stop();
  await config?.cleanup();
  await removeWebBuild();
});

async function openPage(path: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${berth.url}${path}`);
  return page;
}

/** Reads the stored Trivy report and lists `id|package|installed` of its fixable entries. */
async function fixableInReport(): Promise<string[]> {
  const response = await fetch(`${berth.url}/api/repositories/juice-shop/tags/v10.2.0/report`);
  const report = (await response.json()) as {
    Results?: {
      Vulnerabilities?: {
        VulnerabilityID: string;
        PkgName: string;
        InstalledVersion: string;
        FixedVersion?: string;
      }[];
    }[];
  };
  const entries = (report.Results ?? []).flatMap((result) => result.Vulnerabilities ?? []);
  return entries
    .filter((entry) => entry.FixedVersion)
    .map((entry) => `${entry.VulnerabilityID}|${entry.PkgName}|${entry.InstalledVersion}`)
    .sort();
}

/** Splits one CSV line whose fields contain no quotes, which the columns read here never do. */
function csvKey(line: string): string {
  const fields = line.split(',');
  return `${fields[0]}|${fields[3]}|${fields[5]}`;
}

describe('UI in depth over the real stack', () => {
  it('scan, badges, finding, filter, CSV', async () => {
    const page = await openPage('/r/juice-shop');
    const row = page.locator('tr.tag-row', { hasText: 'v10.2.0' });

    await row.getByRole('button', { name: 'Scan v10.2.0' }).click();
    const critical = row.getByRole('link', { name: /^Critical \d+$/ });
    await critical.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'ui-depth-tags-1280.png'), fullPage: true });

    await critical.click();
    await page.getByText(/^Showing \d+ of 236 findings\.$/).waitFor();
    const firstLink = page.locator('tr.finding th a').first();
    expect(await firstLink.getAttribute('href')).toMatch(/^https:\/\//);

    await page.goto(`${berth.url}${FINDINGS_PATH}?fixable=1`);
    await page.getByText(/^Showing \d+ of 236 findings\.$/).waitFor();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export the shown findings (CSV)' }).click();
    const csv = await readFile(await (await downloading).path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n').slice(1);

    expect(lines.map(csvKey).sort()).toEqual(await fixableInReport());
    await page.context().close();
  });

  it('layers, dark mode, dashboard and health', async () => {
    const page = await openPage('/r/juice-shop/-/v10.2.0/layers');
    await page.locator('.step-layer').first().waitFor();
    expect(await page.locator('.step').count()).toBeGreaterThan(1);

    await page.getByLabel('Theme').selectOption('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(18, 22, 28)');
    await page.screenshot({
      path: join(ARTIFACTS_DIR, 'ui-depth-layers-dark-1280.png'),
      fullPage: true,
    });

    await page.goto(`${berth.url}/dashboard`);
    await page.getByRole('heading', { name: /^Totals across \d+ scanned images$/ }).waitFor();
    expect(await page.getByRole('link', { name: 'juice-shop:v10.2.0' }).count()).toBe(1);

    await page.goto(`${berth.url}/health`);
    await page.getByText(/^Overall: /).waitFor();
    expect(await page.getByText('in use: results come from recorded reports').count()).toBe(1);
    await page.context().close();
  });

  it('juice-shop findings fit 1280 px', async () => {
    await requestScan(berth.url, 'juice-shop', 'v10.2.0');
    await waitForScan(berth.url, 'juice-shop', 'v10.2.0');
    const page = await openPage(`${FINDINGS_PATH}?pkg=crypto-js`);
    await page.locator('tr.finding').first().waitFor();

    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      columns: [...document.querySelectorAll('table.findings thead th')].map(
        (cell) => cell.getBoundingClientRect().width,
      ),
    }));
    expect(widths.page).toBeLessThanOrEqual(1280);
    expect(Math.min(...widths.columns)).toBeGreaterThanOrEqual(64);
    expect(widths.columns.at(-1)).toBeGreaterThan(200);
    expect(await page.getByText('juice-shop/node_modules/crypto-js/package.json').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'ui-depth-findings-1280.png') });

    const layerOptions = await page.getByLabel('Layer', { exact: true }).locator('option').count();
    expect(layerOptions).toBeGreaterThan(1);
    await page.context().close();
  });

  it('findings fit a 375 px screen', async () => {
    const page = await openPage(FINDINGS_PATH, 375);
    await page.locator('tr.finding').first().waitFor({ timeout: 30_000 });

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.screenshot({
      path: join(ARTIFACTS_DIR, 'ui-depth-findings-375.png'),
      fullPage: true,
    });
    await page.context().close();
  });
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBerth } from '../functions/local/server';
import { startTestBerth, testConfig } from './support/berth';
import { buildWeb, launchBrowser, removeWebBuild } from './support/browser';
import type { TestRegistry } from './support/registry';
import { startSampleRegistry } from './support/stack';

let registry: TestRegistry;
let config: Awaited<ReturnType<typeof testConfig>>;
let berth: RunningBerth;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const [sampleRegistry, webDir] = await Promise.all([startSampleRegistry(), buildWeb()]);
  registry = sampleRegistry;
  config = await testConfig({ REGISTRY_URL: registry.url, WEB_DIR: webDir });
  berth = await startTestBerth(config);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await berth?.stop();
  await registry?.stop();
  await config?.cleanup();
  await removeWebBuild();
});

function tagRow(tag: string) {
  const header = page
    .getByRole('rowheader', { name: tag, exact: true })
    .or(page.getByRole('rowheader', { name: `Tag ${tag}`, exact: true }));
  return page.locator('tr', { has: header });
}

describe('UI over the real stack', () => {
  it('lists the sample repositories and the recorded-reports banner', async () => {
    await page.goto(berth.url);

    await page.getByRole('link', { name: 'team/api/server' }).waitFor();
    expect(await page.getByRole('link', { name: 'juice-shop' }).count()).toBe(1);
    // The banner comes from /api/health, which loads beside the repository list.
    await page.getByText('Recorded reports:', { exact: false }).first().waitFor();
  });

  it('scan shows badges and a CVE link to NVD', async () => {
    await page.goto(`${berth.url}/r/team/api/server`);
    const row = tagRow('1.0');

    await row.getByRole('button', { name: 'Scan 1.0' }).click();
    await row.getByRole('link', { name: 'Critical 1' }).waitFor({ timeout: 30_000 });
    expect(await row.getByRole('link', { name: 'High 1' }).count()).toBe(1);

    await row.getByRole('link', { name: 'Critical 1' }).click();
    const link = page.getByRole('link', { name: 'CVE-2019-18224' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('https://nvd.nist.gov/vuln/detail/CVE-2019-18224');
    expect(await page.getByText('libidn2-0').count()).toBeGreaterThan(0);
  });

  it('layers view shows the Dockerfile commands', async () => {
    await page.goto(`${berth.url}/r/team/api/server`);
    await tagRow('1.0').getByRole('link', { name: 'View Layers' }).click();

    await page.getByText('RUN chmod +x /tmp/install.sh', { exact: false }).first().waitFor();
    expect(await page.getByText('CMD ["bash"]').count()).toBeGreaterThan(0);
  });

  it('deep link to a findings page loads from the server', async () => {
    const response = await page.goto(`${berth.url}/r/team/api/server/-/1.0/findings?severity=HIGH`);

    expect(response?.status()).toBe(200);
    await page.getByRole('link', { name: 'CVE-2020-8165' }).waitFor();
  });
});

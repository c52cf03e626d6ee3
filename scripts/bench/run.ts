/**
 * Measures the SPA in headless Chromium: the time to render the findings of the juice-shop
 * report and of a generated 20,000-finding report, and the gzip size of the JavaScript.
 * Run with `npm run bench`; it prints the figures that BENCHMARKS.md records.
 */
import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FindingList } from '../../core/api/schemas';
import { buildWeb, launchBrowser, removeWebBuild } from '../../test/support/browser';
import { generatedFindings, juiceShopFindings } from './fixtures';
import { startBenchServer } from './server';

const RUNS = 7;
const LOADED = 'berth:findings-loaded';
const RENDERED = 'berth:findings-rendered';

/** Opens the findings page `RUNS` times and returns the render times in milliseconds. */
async function timeRender(baseUrl: string, tag: string): Promise<number[]> {
  const browser = await launchBrowser();
  const times: number[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${baseUrl}/r/bench/-/${tag}/findings`);
      await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, RENDERED);
      const measured = await page.evaluate(
        ([loaded, rendered]) => performance.measure('render', loaded, rendered).duration,
        [LOADED, RENDERED],
      );
      times.push(measured);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Sums the gzip size (level 9) of every JavaScript file the build wrote. */
async function javascriptSizes(distDir: string) {
  const assets = join(distDir, 'assets');
  const files = (await readdir(assets)).filter((name) => name.endsWith('.js'));
  const sizes = await Promise.all(
    files.map(async (name) => {
      const bytes = await readFile(join(assets, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    }),
  );
  return sizes.sort((a, b) => b.gzip - a.gzip);
}

async function main(): Promise<void> {
  const distDir = await buildWeb();
  const juiceShop = await juiceShopFindings();
  const lists: FindingList[] = [juiceShop, generatedFindings(juiceShop, 20_000)];
  const server = await startBenchServer(distDir, lists);

  try {
    console.log(`Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`);
    for (const list of lists) {
      const times = await timeRender(server.url, list.tag);
      const rounded = times.map((time) => Math.round(time));
      console.log(
        `${list.tag} (${list.vulnerabilities.length} findings): median ${Math.round(median(times))} ms over ${RUNS} runs [${rounded.join(', ')}]`,
      );
    }

    const sizes = await javascriptSizes(distDir);
    for (const size of sizes) {
      console.log(
        `${size.name}: ${(size.raw / 1024).toFixed(1)} KiB, gzip ${(size.gzip / 1024).toFixed(1)} KiB`,
      );
    }
    const total = sizes.reduce((sum, size) => sum + size.gzip, 0);
    console.log(`JavaScript total after gzip: ${(total / 1024).toFixed(1)} KiB`);
  } finally {
    await server.stop();
    await removeWebBuild();
  }
}

await main();

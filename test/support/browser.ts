import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';

/** The Debian chromium package installs the browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Flags that run Chromium headless and turn off its background requests (updates, sync, QUIC).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium from the Debian package with a fresh temporary profile. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

let webBuild: Promise<string> | undefined;

/**
 * Builds the SPA from web/vite.config.ts once per test file into a temporary folder and
 * returns that folder. Building outside web/dist keeps parallel test files from emptying each
 * other's output. Call removeWebBuild in afterAll.
 */
export function buildWeb(): Promise<string> {
  webBuild ??= buildWebInto();
  return webBuild;
}

/** Deletes the folder that buildWeb wrote, so the next buildWeb call builds again. */
export async function removeWebBuild(): Promise<void> {
  const pending = webBuild;
  webBuild = undefined;
  if (!pending) return;

  const outDir = await pending.catch(() => undefined);
  if (outDir) await rm(outDir, { recursive: true, force: true });
}

async function buildWebInto(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'berth-web-'));

  try {
    await build({
      configFile: join(REPOSITORY_ROOT, 'web/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw new Error(
      `Building the SPA from web/ into ${outDir} failed; run "npm run build" to see why.`,
      {
        cause: error,
      },
    );
  }

  return outDir;
}

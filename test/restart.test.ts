import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STAND_IN_TRIVY, testConfig } from './support/berth';
import type { TestRegistry } from './support/registry';
import { requestScan, startSampleRegistry, waitForScan } from './support/stack';

const MAIN = resolve(import.meta.dirname, '../functions/local/main.ts');
let registry: TestRegistry;
let config: Awaited<ReturnType<typeof testConfig>>;
const children: ChildProcess[] = [];

let scanTemp: string;

beforeAll(async () => {
  registry = await startSampleRegistry();
  config = await testConfig({ REGISTRY_URL: registry.url });
  scanTemp = join(dirname(config.dataDir), 'tmp');
  await mkdir(scanTemp, { recursive: true });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await registry?.stop();
  await config?.cleanup();
});

/** Starts `functions/local/main.ts` as its own process and returns its URL. */
async function startProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: resolve(import.meta.dirname, '..'),
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      PORT: '0',
      REGISTRY_URL: registry.url,
      DATA_DIR: config.dataDir,
      TRIVY_PATH: STAND_IN_TRIVY,
      TRIVY_CACHE_DIR: config.trivyCacheDir,
      SCAN_LOCK_STALE: '2s',
      TRIVY_STAND_IN_DELAY_MS: '1500',
      // A killed Berth leaves its scan's temporary folder behind; keep it inside the test's root.
      TMPDIR: scanTemp,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`Berth exited with ${code} before it started: ${output}`)),
    );
  });
  return { child, url };
}

it('queued scans complete after a crash and restart', async () => {
  const tags = [
    ['team/api/server', '1.0'],
    ['library/alpine', '3.10'],
    ['sle-micro', '5.4'],
  ] as const;
  const first = await startProcess();
  for (const [repository, tag] of tags) await requestScan(first.url, repository, tag);
  await new Promise((resolveWait) => setTimeout(resolveWait, 500));

  // SIGKILL: no shutdown code runs, one scan is in flight and the others wait in the queue.
  first.child.kill('SIGKILL');
  await new Promise((resolveExit) => first.child.once('exit', resolveExit));
  const second = await startProcess();

  for (const [repository, tag] of tags) {
    const view = await waitForScan(second.url, repository, tag, 60_000);
    expect(view.status?.state, `${repository}:${tag}`).toBe('completed');
    expect(view.result?.digest).toMatch(/^sha256:/);
  }
  second.child.kill('SIGTERM');
});

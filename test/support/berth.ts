import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Config, readConfig } from '../../core/config';
import { createLogger } from '../../core/log';
import {
  createLocalRuntime,
  type LocalRuntime,
  type RunningBerth,
  startBerth,
} from '../../functions/local/server';

/** Path of the Trivy stand-in that writes recorded reports. */
export const STAND_IN_TRIVY = resolve(import.meta.dirname, '../../scripts/trivy-stand-in/trivy');

/** Builds a test configuration: a temporary DATA_DIR and cache, and the stand-in as Trivy. */
export async function testConfig(
  env: Record<string, string> = {},
): Promise<Config & { cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'berth-test-'));
  const config = readConfig({
    PORT: '0',
    DATA_DIR: join(root, 'data'),
    TRIVY_CACHE_DIR: join(root, 'cache'),
    TRIVY_PATH: STAND_IN_TRIVY,
    SCAN_TIMEOUT: '60s',
    ...env,
  });
  return { ...config, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Wires the app and worker without an HTTP server, for `app.request()` tests. */
export function testRuntime(config: Config): Promise<LocalRuntime> {
  return createLocalRuntime(config, createLogger({ level: 'silent' }));
}

/** Starts Berth on a free loopback port. */
export function startTestBerth(config: Config): Promise<RunningBerth> {
  return startBerth(config, createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
}

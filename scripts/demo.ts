import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { readConfig } from '../core/config';
import { createLogger } from '../core/log';
import { startBerth } from '../functions/local/server';
import { startRegistry, type TestRegistry } from '../test/support/registry';
import { pushSampleImages } from './lib/images';

/**
 * `npm run demo`: a Distribution registry on a loopback port with sample images, and Berth
 * against it. Uses a real `trivy` when one is on PATH, otherwise the stand-in that writes
 * recorded Trivy reports.
 */
const STAND_IN = resolve(import.meta.dirname, 'trivy-stand-in/trivy');
const logger = createLogger({ name: 'demo' });

function installPackages(): void {
  const script = resolve(import.meta.dirname, 'install-packages.sh');
  const result = spawnSync('bash', [script], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function findTrivy(): string | undefined {
  if (process.env.TRIVY_PATH) return process.env.TRIVY_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v trivy'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  installPackages();
  const registry = await startRegistry();
  logger.info({ url: registry.url, storage: registry.storageDir }, 'registry started');
  try {
    const pushed = await pushSampleImages(registry);
    const images = pushed.map((image) => `${image.repository}:${image.tag}`);
    logger.info({ images }, 'sample images pushed');
    await startProduct(registry);
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

async function startProduct(registry: TestRegistry): Promise<void> {
  const trivy = findTrivy();
  if (!trivy) {
    console.log(
      'No trivy on PATH: scans write recorded Trivy reports from the stand-in, not live results.',
    );
  }
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const config = readConfig({
    ...process.env,
    REGISTRY_URL: registry.url,
    REGISTRY_INSECURE: 'true',
    DATA_DIR: dataDir,
    TRIVY_PATH: trivy ?? STAND_IN,
    TRIVY_CACHE_DIR: process.env.TRIVY_CACHE_DIR ?? join(dataDir, '.trivy-cache'),
  });
  const berth = await startBerth(config, logger);
  console.log(
    `Berth is running at ${berth.url} against the demo registry ${registry.url}. Press Ctrl+C to stop.`,
  );

  let stopping = false;
  const stop = async () => {
    // npm and tsx can forward one Ctrl+C twice: clean up once.
    if (stopping) return;
    stopping = true;
    await berth.stop();
    await registry.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'demo failed to start');
  process.exit(1);
});

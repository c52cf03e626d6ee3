import { homedir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from '../log';
import { acquireCacheLock, DEFAULT_LOCK_STALE_MS } from './lock';
import { runScan, type ScanSettings } from './scan';
import { createVersionReader } from './trivy';
import type { Scanner, ScannerHealth, ScannerOptions, ScanOutput, ScanRequest } from './types';

/**
 * Creates a scanner that runs Trivy next to the worker. Scans of one scanner run one at a time,
 * and every scan holds the lock on the cache directory while Trivy runs, so scanners in other
 * processes that share `TRIVY_CACHE_DIR` never run Trivy at the same time.
 */
export function createBuiltinScanner(options: ScannerOptions, logger: Logger): Scanner {
  const trivyPath = options.trivyPath ?? 'trivy';
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const staleMs = options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  const settings: ScanSettings = {
    trivyPath,
    timeoutMs: options.timeoutMs,
    cacheDir: options.cacheDir,
    logger,
  };
  const version = createVersionReader(trivyPath);
  const queue = pLimit(1);

  const scanLocked = async (request: ScanRequest): Promise<ScanOutput> => {
    const { version: trivyVersion } = await version();
    const lock = await acquireCacheLock(cacheDir, {
      staleMs,
      logger: logger.child({ ...request.ids }),
      signal: request.signal,
    });

    try {
      const signals = [lock.compromised, ...(request.signal ? [request.signal] : [])];
      const reportJson = await runScan(settings, request, AbortSignal.any(signals));
      return { reportJson, trivyVersion };
    } finally {
      await lock.release();
    }
  };

  return {
    mode: 'builtin',
    concurrency: 1,
    scan: (request) => queue(() => scanLocked(request)),
    version,
    health: () => builtinHealth(version),
  };
}

async function builtinHealth(
  version: () => Promise<{ version: string; recorded: boolean }>,
): Promise<ScannerHealth> {
  try {
    const { version: trivyVersion, recorded } = await version();
    return { ok: true, trivyVersion, recorded };
  } catch (error) {
    return { ok: false, recorded: false, error: (error as Error).message };
  }
}

/** Trivy's default cache directory on Linux: `os.UserCacheDir()` followed by `trivy`. */
function defaultCacheDir(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'trivy');
}

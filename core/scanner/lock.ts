import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import type { Logger } from '../log';
import { ScanError } from './types';

/** Directory that marks the Trivy cache as in use, created inside the cache directory. */
export const CACHE_LOCK_NAME = 'berth-scan.lock';

/** Default age after which a lock without heartbeat belongs to a dead holder. */
export const DEFAULT_LOCK_STALE_MS = 30_000;

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/** A held cache lock. `compromised` aborts when another holder took the lock away. */
export interface CacheLock {
  readonly compromised: AbortSignal;
  release(): Promise<void>;
}

/** Settings of one lock attempt. */
export interface CacheLockOptions {
  staleMs: number;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * Locks a Trivy cache directory across processes and hosts. proper-lockfile creates the lock
 * directory with an atomic mkdir and refreshes its mtime every third of `staleMs`, which works
 * on NFS where flock does not. Waits with backoff while a live holder has the lock and takes
 * over a lock whose mtime is older than `staleMs`. Without `signal` it waits as long as a live
 * holder keeps the lock.
 */
export async function acquireCacheLock(
  cacheDir: string,
  options: CacheLockOptions,
): Promise<CacheLock> {
  await mkdir(cacheDir, { recursive: true });
  const lockPath = join(cacheDir, CACHE_LOCK_NAME);
  const compromise = new AbortController();
  const startedAt = Date.now();
  let delayMs = FIRST_RETRY_MS;
  let waitLogged = false;

  for (;;) {
    throwIfAborted(options.signal, cacheDir);
    await logTakeover(lockPath, options);

    const release = await tryLock(cacheDir, lockPath, options, compromise);
    if (release) {
      const waitedMs = Date.now() - startedAt;
      options.logger.debug({ cacheDir, waitedMs }, 'acquired scan cache lock');
      return { compromised: compromise.signal, release: () => releaseQuietly(release, options) };
    }

    if (!waitLogged) {
      options.logger.info({ cacheDir }, 'waiting for scan cache lock held by another scan');
      waitLogged = true;
    }
    // The jitter keeps waiting scans in other processes from retrying in step.
    const jitteredMs = delayMs * (0.5 + Math.random() / 2);
    await sleep(jitteredMs, undefined, { signal: options.signal }).catch(() => undefined);
    delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
  }
}

// NOTE: two waiters that find the same stale lock can both remove it and both create a new one.
// The loser notices at its next heartbeat (mtime not its own), and its scan is stopped then.
async function tryLock(
  cacheDir: string,
  lockPath: string,
  options: CacheLockOptions,
  compromise: AbortController,
): Promise<(() => Promise<void>) | undefined> {
  try {
    return await lockfile.lock(cacheDir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: options.staleMs,
      update: Math.floor(options.staleMs / 3),
      retries: 0,
      onCompromised: (error) => {
        options.logger.error({ cacheDir, err: error }, 'scan cache lock compromised');
        compromise.abort(
          new Error(`the lock on cache directory ${cacheDir} was lost: ${error.message}`),
        );
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw new ScanError(
      `Failed to lock the Trivy cache directory ${cacheDir}: ${(error as Error).message}. ` +
        'Check that TRIVY_CACHE_DIR is writable.',
    );
  }
}

async function logTakeover(lockPath: string, options: CacheLockOptions): Promise<void> {
  const ageMs = await lockAge(lockPath);
  if (ageMs !== undefined && ageMs > options.staleMs) {
    options.logger.warn(
      { lockPath, ageMs, staleMs: options.staleMs },
      'taking over stale scan cache lock',
    );
  }
}

async function lockAge(lockPath: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function releaseQuietly(
  release: () => Promise<void>,
  options: CacheLockOptions,
): Promise<void> {
  try {
    await release();
  } catch (error) {
    // ERELEASED: the lock was compromised and is no longer ours to remove.
    options.logger.warn({ err: error }, 'failed to release scan cache lock');
  }
}

function throwIfAborted(signal: AbortSignal | undefined, cacheDir: string): void {
  if (!signal?.aborted) return;
  const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted';
  throw new ScanError(`Stopped waiting for the lock on ${cacheDir}: ${reason}`);
}

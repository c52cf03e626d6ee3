import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Claims DATA_DIR for this process, because the local queue takes back every message in
 * flight at start and two processes would run each other's scans. The claim is a file with
 * the holder's pid and host; a claim whose process is gone on this host is taken over.
 * Returns the function that releases the claim.
 */
export async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, '.berth', 'instance.json');
  await mkdir(dirname(path), { recursive: true });
  const claim = JSON.stringify({ pid: process.pid, hostname: hostname() });

  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(path, claim, { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await takeOverIfAbandoned(path, dataDir);
    }
  }
  throw new Error(
    `Failed to claim DATA_DIR ${dataDir}: another process claimed it at the same time.`,
  );
}

async function takeOverIfAbandoned(path: string, dataDir: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder && holder.hostname !== hostname()) {
    throw new Error(
      `DATA_DIR ${dataDir} is in use by process ${holder.pid} on ${holder.hostname}. ` +
        `Stop that Berth, or remove ${path} if it is no longer running.`,
    );
  }
  if (holder && isAlive(holder.pid)) {
    throw new Error(
      `DATA_DIR ${dataDir} is in use by Berth process ${holder.pid}. ` +
        'Stop it first, or give this instance another DATA_DIR.',
    );
  }
  await rm(path, { force: true });
}

async function readHolder(path: string): Promise<{ pid: number; hostname: string } | undefined> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as {
      pid?: unknown;
      hostname?: unknown;
    };
    if (typeof holder.pid !== 'number' || typeof holder.hostname !== 'string') return undefined;
    return { pid: holder.pid, hostname: holder.hostname };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

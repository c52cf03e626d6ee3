import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../log';
import { ScanError, type TrivyVersion } from './types';

/** Bytes of Trivy's stderr kept for the failure reason. */
export const STDERR_TAIL_BYTES = 2048;

/** Time between SIGTERM and SIGKILL when a Trivy run is stopped. */
export const KILL_GRACE_MS = 5000;

const VERSION_TIMEOUT_MS = 15_000;

/** One Trivy process to run. */
export interface TrivyRun {
  trivyPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Names the run in error reasons, for example the image reference. */
  subject: string;
  signal?: AbortSignal;
  logger: Logger;
}

/** Exit status and stderr of a Trivy process that ended on its own. */
export interface TrivyExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/**
 * Runs Trivy in its own process group and resolves when it exits. Rejects with a `ScanError`
 * when Trivy cannot start, times out or is aborted; the whole group is gone before that.
 */
export function runTrivy(run: TrivyRun): Promise<TrivyExit> {
  return new Promise((resolve, reject) => {
    // NOTE: if Berth itself is killed with SIGKILL, this group keeps running until Trivy's own
    // --timeout, and a builtin scan after the restart may fail on Trivy's cache lock until then.
    const child = spawn(run.trivyPath, run.args, {
      env: run.env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr = new TailBuffer(STDERR_TAIL_BYTES);
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let stopError: ScanError | undefined;
    const stop = (error: ScanError) => {
      if (stopError) return;
      stopError = error;
      stopProcessGroup(child, run.logger);
    };
    const timer = setTimeout(() => stop(timeoutError(run)), run.timeoutMs);
    const onAbort = () => stop(abortError(run));
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();

    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      finish();
      reject(spawnError(error, run.trivyPath));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      finish();
      if (stopError) reject(stopError);
      else resolve({ code, signal, stderrTail: stderr.text() });
    });
  });
}

/** Runs `trivy --version` and parses its `Version:` line; the stand-in adds `Recorded reports:`. */
export async function readTrivyVersion(trivyPath: string): Promise<TrivyVersion> {
  let stdout: string;
  try {
    const result = await promisify(execFile)(trivyPath, ['--version'], {
      timeout: VERSION_TIMEOUT_MS,
    });
    stdout = result.stdout;
  } catch (error) {
    const cause = error as NodeJS.ErrnoException & { stderr?: string };
    if (typeof cause.code === 'string') throw spawnError(cause, trivyPath);
    const detail = cause.stderr?.trim() || cause.message;
    throw new ScanError(`"${trivyPath} --version" failed: ${detail}`);
  }

  const version = /^Version:\s*(\S+)/m.exec(stdout)?.[1];
  if (!version) {
    throw new ScanError(
      `"${trivyPath} --version" printed no "Version:" line; check that TRIVY_PATH is Trivy.`,
    );
  }
  return { version, recorded: /^Recorded reports:/m.test(stdout) };
}

function stopProcessGroup(child: ChildProcess, logger: Logger): void {
  const pid = child.pid;
  if (pid === undefined) return;

  signalGroup(pid, 'SIGTERM');
  const killTimer = setTimeout(() => {
    logger.warn({ pid, graceMs: KILL_GRACE_MS }, 'trivy ignored SIGTERM, sending SIGKILL');
    signalGroup(pid, 'SIGKILL');
  }, KILL_GRACE_MS);
  child.once('close', () => clearTimeout(killTimer));
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid signals the whole group, so helpers Trivy started stop too.
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function spawnError(error: NodeJS.ErrnoException, trivyPath: string): ScanError {
  if (error.code === 'ENOENT') {
    return new ScanError(
      `Trivy not found at "${trivyPath}": install Trivy or set TRIVY_PATH to its executable.`,
    );
  }
  if (error.code === 'EACCES') {
    return new ScanError(
      `Trivy at "${trivyPath}" is not executable: fix its permissions or set TRIVY_PATH.`,
    );
  }
  return new ScanError(`Trivy at "${trivyPath}" failed to start: ${error.message}`);
}

function timeoutError(run: TrivyRun): ScanError {
  const seconds = Math.round(run.timeoutMs / 1000);
  return new ScanError(
    `Trivy timed out after ${seconds} s scanning ${run.subject}; raise SCAN_TIMEOUT if the ` +
      'image is large or the vulnerability DB download is slow.',
  );
}

function abortError(run: TrivyRun): ScanError {
  const reason = run.signal?.reason;
  const detail = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return new ScanError(`Scan of ${run.subject} was stopped: ${detail}`);
}

/** Keeps the last `limit` bytes written to it. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length > this.limit * 2) this.compact();
  }

  text(): string {
    this.compact();
    return (this.chunks[0] ?? Buffer.alloc(0)).toString('utf8').trim();
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const tail = all.subarray(Math.max(0, all.length - this.limit));
    this.chunks = [tail];
    this.length = tail.length;
  }
}

/** Returns a reader of `trivy --version` that runs Trivy once and then reuses the result. */
export function createVersionReader(trivyPath: string): () => Promise<TrivyVersion> {
  let cached: Promise<TrivyVersion> | undefined;
  return () => {
    if (!cached) {
      cached = readTrivyVersion(trivyPath);
      // A failure is not cached, so installing Trivy later fixes the next call.
      cached.catch(() => {
        cached = undefined;
      });
    }
    return cached;
  };
}

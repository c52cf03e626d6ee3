import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CACHE_LOCK_NAME, createScanner, ScanError } from '../core/scanner';
import { fixturesDir } from '../scripts/lib/images';
import { standInOptions, testImageRef } from './support/scanner';
import {
  isProcessRunning,
  maxConcurrentRuns,
  readStandInRuns,
  STAND_IN_PATH,
} from './support/trivy-server';

const ROOT = resolve(import.meta.dirname, '..');
const REPORT = join(fixturesDir(), 'alpine-310.json');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

let workDir: string;
let cacheDir: string;
let logPath: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'berth-scanner-lock-'));
  cacheDir = join(workDir, 'cache');
  logPath = join(workDir, 'stand-in.log');
  vi.stubEnv('TRIVY_STAND_IN_LOG', logPath);
  vi.stubEnv('TRIVY_STAND_IN_REPORT', REPORT);
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
  vi.unstubAllEnvs();
  await rm(workDir, { recursive: true, force: true });
});

function captureLogger() {
  const records: { msg: string; [key: string]: unknown }[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return { logger, records };
}

/** Starts a scanner in a child process that scans `count` images once it reads a line. */
async function startChildScanner(count: number, offset: number): Promise<ChildProcess> {
  const scriptPath = join(workDir, 'child-scanner.mts');
  const scannerModule = join(ROOT, 'core/scanner/index.ts');
  const logModule = join(ROOT, 'core/log.ts');
  await writeFile(
    scriptPath,
    [
      // Absolute imports, because the script lives outside the repository.
      `import { createScanner } from ${JSON.stringify(scannerModule)};`,
      `import { createLogger } from ${JSON.stringify(logModule)};`,
      "import { createInterface } from 'node:readline';",
      'const options = JSON.parse(process.argv[2]);',
      "const scanner = createScanner({ ...options, logger: createLogger({ level: 'silent' }) });",
      "process.stdout.write('ready\\n');",
      "await new Promise((done) => createInterface({ input: process.stdin }).once('line', done));",
      'const refs = JSON.parse(process.argv[3]);',
      'const outputs = await Promise.all(refs.map((imageRef) => scanner.scan({ imageRef })));',
      "process.stdout.write('scanned ' + outputs.length + '\\n');",
      'process.exit(0);',
    ].join('\n'),
  );

  const { logger: _logger, ...options } = standInOptions(cacheDir, { lockStaleMs: 3000 });
  const refs = Array.from({ length: count }, (_, index) => testImageRef(offset + index));
  const child = spawn(TSX, [scriptPath, JSON.stringify(options), JSON.stringify(refs)], {
    cwd: ROOT,
    env: process.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);

  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const firstLine = await new Promise<string>((done) => {
    lines.once('line', done);
    child.once('close', (code) => done(`exited with ${code}`));
  });
  expect(firstLine).toBe('ready');
  return child;
}

function childResult(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('close', (code) => done({ code, output }));
  });
}

describe('builtin cache lock', () => {
  test('one scanner runs ten scans one at a time', async () => {
    vi.stubEnv('TRIVY_STAND_IN_DELAY_MS', '50');
    const scanner = createScanner(standInOptions(cacheDir, { lockStaleMs: 3000 }));

    const refs = Array.from({ length: 10 }, (_, index) => testImageRef(index));
    const outputs = await Promise.all(refs.map((ref) => scanner.scan({ imageRef: ref })));

    const artifactNames = outputs.map((output) => JSON.parse(output.reportJson).ArtifactName);
    expect(artifactNames).toEqual(refs);
    const runs = await readStandInRuns(logPath);
    expect(runs).toHaveLength(10);
    expect(runs.every((run) => run.exitCode === 0)).toBe(true);
    expect(maxConcurrentRuns(runs)).toBe(1);
  });

  test('two scanners and a child process never overlap', async () => {
    vi.stubEnv('TRIVY_STAND_IN_DELAY_MS', '100');
    const child = await startChildScanner(3, 7);
    const childDone = childResult(child);
    const first = createScanner(standInOptions(cacheDir, { lockStaleMs: 3000 }));
    const second = createScanner(standInOptions(cacheDir, { lockStaleMs: 3000 }));

    child.stdin?.write('go\n');
    const scans = Array.from({ length: 7 }, (_, index) =>
      (index % 2 === 0 ? first : second).scan({ imageRef: testImageRef(index) }),
    );
    const outputs = await Promise.all(scans);
    const { code, output } = await childDone;

    expect(outputs).toHaveLength(7);
    expect(code).toBe(0);
    expect(output).toContain('scanned 3');
    const runs = await readStandInRuns(logPath);
    expect(runs).toHaveLength(10);
    const childRefs = [testImageRef(7), testImageRef(8), testImageRef(9)];
    const childRuns = runs.filter((run) => childRefs.includes(run.record.argv.at(-1) ?? ''));
    expect(childRuns).toHaveLength(3);
    expect(runs.every((run) => run.exitCode === 0)).toBe(true);
    expect(maxConcurrentRuns(runs)).toBe(1);
  });

  test('stand-in fails on a locked cache like Trivy', async () => {
    vi.stubEnv('TRIVY_STAND_IN_DELAY_MS', '7000');
    const args = ['image', '--format', 'json', '--cache-dir', cacheDir, testImageRef(1)];
    const run = () =>
      new Promise<{ code: number; stderr: string }>((done) => {
        execFile(STAND_IN_PATH, args, { env: process.env }, (error, _stdout, stderr) => {
          done({ code: error ? Number(error.code) : 0, stderr });
        });
      });

    const results = await Promise.all([run(), run()]);

    const codes = results.map((result) => result.code).sort();
    expect(codes).toEqual([0, 1]);
    const failed = results.find((result) => result.code === 1);
    expect(failed?.stderr).toContain('cache may be in use by another process: timeout');
  });
});

describe('stale and live locks', () => {
  test('old lock of dead holder is taken over', async () => {
    const lockPath = join(cacheDir, CACHE_LOCK_NAME);
    await mkdir(lockPath, { recursive: true });
    const oneMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockPath, oneMinuteAgo, oneMinuteAgo);
    const { logger, records } = captureLogger();
    const scanner = createScanner(standInOptions(cacheDir, { lockStaleMs: 3000, logger }));

    const output = await scanner.scan({ imageRef: testImageRef(1) });

    expect(JSON.parse(output.reportJson).ArtifactName).toBe(testImageRef(1));
    const messages = records.map((record) => record.msg);
    expect(messages).toContain('taking over stale scan cache lock');
    await expect(stat(lockPath)).rejects.toThrow(/ENOENT/);
  });

  test('fresh lock of dead holder waits for stale period', async () => {
    await mkdir(join(cacheDir, CACHE_LOCK_NAME), { recursive: true });
    const { logger, records } = captureLogger();
    const scanner = createScanner(standInOptions(cacheDir, { logger, lockStaleMs: 2000 }));
    const startedAt = Date.now();

    await scanner.scan({ imageRef: testImageRef(1) });

    const [run] = await readStandInRuns(logPath);
    expect(run?.start).toBeGreaterThanOrEqual(startedAt + 2000);
    const messages = records.map((record) => record.msg);
    expect(messages).toContain('waiting for scan cache lock held by another scan');
    expect(messages).toContain('taking over stale scan cache lock');
  });

  test('live lock is waited for', async () => {
    await mkdir(cacheDir, { recursive: true });
    const release = await lockfile.lock(cacheDir, {
      lockfilePath: join(cacheDir, CACHE_LOCK_NAME),
      realpath: false,
      stale: 2000,
      update: 1000,
    });
    const { logger, records } = captureLogger();
    const scanner = createScanner(standInOptions(cacheDir, { logger, lockStaleMs: 2000 }));

    const scan = scanner.scan({ imageRef: testImageRef(1) });
    // Held past the stale period, so only the heartbeat keeps the lock live.
    await new Promise((done) => setTimeout(done, 3500));
    const releasedAt = Date.now();
    await release();
    await scan;

    const [run] = await readStandInRuns(logPath);
    expect(run?.start).toBeGreaterThanOrEqual(releasedAt);
    const messages = records.map((record) => record.msg);
    expect(messages).toContain('waiting for scan cache lock held by another scan');
    expect(messages).not.toContain('taking over stale scan cache lock');
  });

  test('compromised lock stops the scan', async () => {
    vi.stubEnv('TRIVY_STAND_IN_DELAY_MS', '10000');
    const scanner = createScanner(standInOptions(cacheDir, { lockStaleMs: 3000 }));

    const scan = scanner.scan({ imageRef: testImageRef(1) });
    await new Promise((done) => setTimeout(done, 500));
    await rm(join(cacheDir, CACHE_LOCK_NAME), { recursive: true });

    const error = await scan.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScanError);
    expect((error as ScanError).reason).toMatch(/lock on cache directory .* was lost/);
    const [run] = await readStandInRuns(logPath);
    if (!run) throw new Error(`no stand-in run in ${logPath}`);
    expect(run.exitCode).toBe(143);
    expect(isProcessRunning(run.pid)).toBe(false);
  });
});

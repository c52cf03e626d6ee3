import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createScanner } from '../core/scanner';
import { fixturesDir } from '../scripts/lib/images';
import { scanError, standInOptions, testImageRef } from './support/scanner';
import {
  type FakeTrivyServer,
  isProcessRunning,
  maxConcurrentRuns,
  readStandInRuns,
  startTrivyServer,
} from './support/trivy-server';

const REPORT = join(fixturesDir(), 'debian-stretch.json');
const PASSWORD = 'registry-password-7f3a';
const TOKEN = 'server-token-91c2';

let workDir: string;
let cacheDir: string;
let scanTempDir: string;
let logPath: string;
let server: FakeTrivyServer | undefined;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'berth-scanner-'));
  cacheDir = join(workDir, 'cache');
  scanTempDir = join(workDir, 'tmp');
  logPath = join(workDir, 'stand-in.log');
  await mkdir(scanTempDir);
  // os.tmpdir() reads TMPDIR on every call, so the scanner's temporary files land here.
  vi.stubEnv('TMPDIR', scanTempDir);
  vi.stubEnv('TRIVY_STAND_IN_LOG', logPath);
  vi.stubEnv('TRIVY_STAND_IN_REPORT', REPORT);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close().catch(() => undefined);
  server = undefined;
  await rm(workDir, { recursive: true, force: true });
});

describe('remote mode', () => {
  test('scans overlap up to concurrency', async () => {
    vi.stubEnv('TRIVY_STAND_IN_DELAY_MS', '700');
    server = await startTrivyServer();
    const scanner = createScanner(
      standInOptions(cacheDir, { scannerUrl: server.url, serverToken: TOKEN, concurrency: 3 }),
    );

    const refs = Array.from({ length: 6 }, (_, index) => testImageRef(index));
    await Promise.all(refs.map((ref) => scanner.scan({ imageRef: ref })));

    const runs = await readStandInRuns(logPath);
    expect(scanner.mode).toBe('remote');
    expect(scanner.concurrency).toBe(3);
    expect(runs).toHaveLength(6);
    expect(maxConcurrentRuns(runs)).toBeGreaterThan(1);
    expect(maxConcurrentRuns(runs)).toBeLessThanOrEqual(3);
  });

  test('passes server and token', async () => {
    server = await startTrivyServer();
    const scanner = createScanner(
      standInOptions(cacheDir, { scannerUrl: server.url, serverToken: TOKEN }),
    );

    await scanner.scan({ imageRef: testImageRef(1) });

    const [run] = await readStandInRuns(logPath);
    const argv = run?.record.argv ?? [];
    expect(argv[argv.indexOf('--server') + 1]).toBe(server.url);
    expect(run?.record.tokenSet).toBe(true);
    expect(run?.record.token).toBe(TOKEN);
    expect(argv.join(' ')).not.toContain(TOKEN);
    expect(server.requests.map((request) => request.path)).toContain('/healthz');
  });

  test('creates no lock directory', async () => {
    server = await startTrivyServer();
    const scanner = createScanner(standInOptions(cacheDir, { scannerUrl: server.url }));

    await scanner.scan({ imageRef: testImageRef(1) });

    const entries = await readdir(cacheDir).catch(() => []);
    expect(entries).toEqual([]);
  });

  test('health reports server /healthz', async () => {
    server = await startTrivyServer();
    const scanner = createScanner(standInOptions(cacheDir, { scannerUrl: server.url }));

    const health = await scanner.health();

    expect(health.ok).toBe(true);
    expect(health.serverHealthy).toBe(true);
    expect(health.serverUrl).toBe(server.url);
    expect(health.trivyVersion).toBe('0.0.0-recorded');
    expect(health.recorded).toBe(true);
  });

  test('health reports stopped server', async () => {
    server = await startTrivyServer();
    const scanner = createScanner(standInOptions(cacheDir, { scannerUrl: server.url }));
    await server.close();

    const health = await scanner.health();

    expect(health.ok).toBe(false);
    expect(health.serverHealthy).toBe(false);
    expect(health.error).toContain('unreachable');
  });

  test('scan fails on stopped server', async () => {
    server = await startTrivyServer();
    const scanner = createScanner(standInOptions(cacheDir, { scannerUrl: server.url }));
    await server.close();

    const error = await scanError(scanner.scan({ imageRef: testImageRef(1) }));

    expect(error.reason).toContain('connection refused');
  });
});

describe('faults', () => {
  test('exit 1 keeps stderr tail', async () => {
    vi.stubEnv('TRIVY_STAND_IN_FAIL', `${'x'.repeat(5000)} registry said no`);
    const scanner = createScanner(standInOptions(cacheDir));

    const error = await scanError(scanner.scan({ imageRef: testImageRef(1) }));

    expect(error.reason).toContain('exited with 1');
    expect(error.reason).toContain('registry said no');
    expect(error.reason.length).toBeLessThan(2048 + 200);
    expect(await readdir(scanTempDir)).toEqual([]);
  });

  test('timeout stops the process', async () => {
    vi.stubEnv('TRIVY_STAND_IN_DELAY_MS', '60000');
    const scanner = createScanner(standInOptions(cacheDir, { timeoutMs: 2000 }));

    const error = await scanError(scanner.scan({ imageRef: testImageRef(1) }));

    expect(error.reason).toContain('timed out after 2 s');
    expect(error.reason).toContain('SCAN_TIMEOUT');
    const [run] = await readStandInRuns(logPath);
    if (!run) throw new Error(`no stand-in run in ${logPath}`);
    expect(isProcessRunning(run.pid)).toBe(false);
    expect(await readdir(scanTempDir)).toEqual([]);
  });

  test('timeout kills a group that ignores SIGTERM', async () => {
    const pidFile = join(workDir, 'sleep.pid');
    const trivyPath = join(workDir, 'stubborn-trivy');
    await writeFile(
      trivyPath,
      [
        '#!/bin/sh',
        'if [ "$1" = "--version" ]; then echo "Version: 0.1.0"; exit 0; fi',
        "trap '' TERM",
        'sleep 60 &',
        `echo $! > ${pidFile}`,
        'wait',
      ].join('\n'),
    );
    await chmod(trivyPath, 0o755);
    const scanner = createScanner(standInOptions(cacheDir, { trivyPath, timeoutMs: 1000 }));

    const error = await scanError(scanner.scan({ imageRef: testImageRef(1) }));

    expect(error.reason).toContain('timed out after 1 s');
    const sleepPid = Number(await readFile(pidFile, 'utf8'));
    expect(isProcessRunning(sleepPid)).toBe(false);
  });

  test('garbage output is rejected', async () => {
    vi.stubEnv('TRIVY_STAND_IN_OUTPUT', 'garbage');
    const scanner = createScanner(standInOptions(cacheDir));

    const error = await scanError(scanner.scan({ imageRef: testImageRef(1) }));

    expect(error.reason).toContain('not JSON');
    expect(await readdir(scanTempDir)).toEqual([]);
  });

  test('missing binary names TRIVY_PATH', async () => {
    const scanner = createScanner(
      standInOptions(cacheDir, { trivyPath: join(workDir, 'no-such-trivy') }),
    );

    const error = await scanError(scanner.scan({ imageRef: testImageRef(1) }));
    const health = await scanner.health();

    expect(error.reason).toContain('Trivy not found');
    expect(error.reason).toContain('TRIVY_PATH');
    expect(health.ok).toBe(false);
    expect(health.error).toContain('TRIVY_PATH');
  });

  test('invalid concurrency is rejected', () => {
    expect(() => createScanner(standInOptions(cacheDir, { concurrency: 0 }))).toThrow(
      /SCAN_CONCURRENCY/,
    );
  });
});

describe('credentials', () => {
  test('go to the environment only', async () => {
    const records: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(line) });
    const scanner = createScanner(standInOptions(cacheDir, { logger }));
    const credentials = { username: 'ci-robot', password: PASSWORD };

    await scanner.scan({
      imageRef: testImageRef(1),
      credentials,
      insecure: true,
      ids: { scanId: 's1' },
    });

    const [run] = await readStandInRuns(logPath);
    expect(run?.record.usernameSet).toBe(true);
    expect(run?.record.passwordSet).toBe(true);
    expect(run?.record.username).toBe('ci-robot');
    expect(run?.record.insecure).toBe(true);
    expect(run?.record.argv.join(' ')).not.toContain(PASSWORD);
    expect(await readFile(logPath, 'utf8')).not.toContain(PASSWORD);
    expect(records.join('')).not.toContain(PASSWORD);
    expect(records.join('')).toContain('"scanId":"s1"');
  });

  test('inherited credentials are dropped', async () => {
    vi.stubEnv('TRIVY_USERNAME', 'someone-else');
    vi.stubEnv('TRIVY_PASSWORD', PASSWORD);
    const scanner = createScanner(standInOptions(cacheDir));

    await scanner.scan({ imageRef: testImageRef(1) });

    const [run] = await readStandInRuns(logPath);
    expect(run?.record.usernameSet).toBe(false);
    expect(run?.record.passwordSet).toBe(false);
  });
});

describe('builtin mode', () => {
  test('version marks recorded reports', async () => {
    const scanner = createScanner(standInOptions(cacheDir));

    const version = await scanner.version();

    expect(version.version).toBe('0.0.0-recorded');
    expect(version.recorded).toBe(true);
  });

  test('scan returns report and version', async () => {
    const scanner = createScanner(standInOptions(cacheDir));

    const output = await scanner.scan({ imageRef: testImageRef(1) });

    const report = JSON.parse(output.reportJson);
    const recorded = JSON.parse(await readFile(REPORT, 'utf8'));
    expect(report.ArtifactName).toBe(testImageRef(1));
    expect(report.Results).toEqual(recorded.Results);
    expect(output.trivyVersion).toBe('0.0.0-recorded');
    expect(scanner.concurrency).toBe(1);
  });

  test('arguments match trivy image', async () => {
    const scanner = createScanner(standInOptions(cacheDir, { timeoutMs: 90_000 }));

    await scanner.scan({ imageRef: testImageRef(1) });

    const [run] = await readStandInRuns(logPath);
    const argv = run?.record.argv ?? [];
    expect(argv.slice(0, 3)).toEqual(['image', '--format', 'json']);
    expect(argv).toContain('--output');
    expect(argv[argv.indexOf('--scanners') + 1]).toBe('vuln');
    expect(argv[argv.indexOf('--timeout') + 1]).toBe('90s');
    expect(argv[argv.indexOf('--cache-dir') + 1]).toBe(cacheDir);
    expect(argv).not.toContain('--server');
    expect(argv.at(-1)).toBe(testImageRef(1));
  });
});

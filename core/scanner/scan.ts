import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log';
import { runTrivy, type TrivyExit } from './trivy';
import { ScanError, type ScanRequest } from './types';

/** Settings of a `trivy image` run, shared by both modes. */
export interface ScanSettings {
  trivyPath: string;
  timeoutMs: number;
  cacheDir?: string;
  /** Trivy server URL in remote mode. */
  serverUrl?: string;
  serverToken?: string;
  logger: Logger;
}

/** Environment variables that carry credentials or registry settings to Trivy. */
const TRIVY_SECRET_VARIABLES = [
  'TRIVY_USERNAME',
  'TRIVY_PASSWORD',
  'TRIVY_REGISTRY_TOKEN',
  'TRIVY_TOKEN',
  'TRIVY_INSECURE',
];

/**
 * Runs `trivy image` on one image and returns its JSON report. The report goes to a temporary
 * file that is removed whether the scan succeeds or fails.
 */
export async function runScan(
  settings: ScanSettings,
  request: ScanRequest,
  signal?: AbortSignal,
): Promise<string> {
  if (request.imageRef.startsWith('-')) {
    throw new ScanError(`Invalid image reference "${request.imageRef}": it starts with "-".`);
  }
  if (signal?.aborted) {
    throw new ScanError(`Scan of ${request.imageRef} was stopped before Trivy started.`);
  }
  const logger = settings.logger.child({ ...request.ids, imageRef: request.imageRef });
  const tempDir = await mkdtemp(join(tmpdir(), 'berth-scan-'));
  const outputPath = join(tempDir, 'report.json');

  try {
    const startedAt = Date.now();
    const exit = await runTrivy({
      trivyPath: settings.trivyPath,
      args: buildScanArgs(settings, outputPath, request.imageRef),
      env: buildScanEnv(settings, request),
      timeoutMs: settings.timeoutMs,
      subject: request.imageRef,
      signal,
      logger,
    });
    const durationMs = Date.now() - startedAt;
    logger.info({ exitCode: exit.code, exitSignal: exit.signal, durationMs }, 'trivy exited');

    checkExit(exit, settings, request.imageRef);

    return await readReport(outputPath, request.imageRef);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** Builds the `trivy image` arguments. Credentials and the token never appear here. */
export function buildScanArgs(settings: ScanSettings, outputPath: string, imageRef: string) {
  const timeoutSeconds = Math.max(1, Math.ceil(settings.timeoutMs / 1000));
  const args = ['image', '--format', 'json', '--output', outputPath, '--scanners', 'vuln'];
  args.push('--timeout', `${timeoutSeconds}s`);
  if (settings.cacheDir) args.push('--cache-dir', settings.cacheDir);
  if (settings.serverUrl) args.push('--server', settings.serverUrl);
  args.push(imageRef);
  return args;
}

/** Copies this process's environment and sets the registry credentials and server token. */
export function buildScanEnv(settings: ScanSettings, request: ScanRequest): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TRIVY_SECRET_VARIABLES) delete env[name];

  if (request.credentials) {
    env.TRIVY_USERNAME = request.credentials.username;
    env.TRIVY_PASSWORD = request.credentials.password;
  }
  if (request.insecure) env.TRIVY_INSECURE = 'true';
  if (settings.serverToken) env.TRIVY_TOKEN = settings.serverToken;
  return env;
}

function checkExit(exit: TrivyExit, settings: ScanSettings, imageRef: string): void {
  if (exit.code === 0) return;

  const stderr = exit.stderrTail || '(no output on stderr)';
  if (exit.stderrTail.includes('context deadline exceeded')) {
    // Trivy's own --timeout, set to the same value, fired before the kill timer.
    const seconds = Math.round(settings.timeoutMs / 1000);
    throw new ScanError(
      `Trivy timed out after ${seconds} s scanning ${imageRef}; raise SCAN_TIMEOUT. ` +
        `Trivy's stderr ends with: ${stderr}`,
    );
  }
  const status = exit.code === null ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
  throw new ScanError(`Trivy ${status} scanning ${imageRef}. Its stderr ends with: ${stderr}`);
}

async function readReport(outputPath: string, imageRef: string): Promise<string> {
  const reportJson = await readFile(outputPath, 'utf8').catch(() => '');
  if (reportJson.trim() === '') {
    throw new ScanError(
      `Trivy exited with 0 but wrote no report for ${imageRef}; check the Trivy installation.`,
    );
  }

  let report: unknown;
  try {
    report = JSON.parse(reportJson);
  } catch (error) {
    throw new ScanError(
      `Trivy wrote a report for ${imageRef} that is not JSON (${(error as Error).message}); ` +
        'check that TRIVY_PATH is Trivy and that it supports --format json.',
    );
  }
  if (typeof report !== 'object' || report === null || Array.isArray(report)) {
    throw new ScanError(`Trivy wrote a report for ${imageRef} that is not a JSON object.`);
  }
  return reportJson;
}

import pLimit from 'p-limit';
import type { Logger } from '../log';
import { runScan, type ScanSettings } from './scan';
import { createVersionReader } from './trivy';
import type { Scanner, ScannerHealth, ScannerOptions, TrivyVersion } from './types';

/** How long a health check waits for the Trivy server's `/healthz`. */
export const HEALTH_TIMEOUT_MS = 3000;

/**
 * Creates a scanner that runs the Trivy client against a Trivy server. The client still pulls
 * the image, so it gets the registry credentials. The server holds the DB, so no cache lock is
 * needed and up to `concurrency` scans run at once.
 */
export function createRemoteScanner(options: ScannerOptions, logger: Logger): Scanner {
  const serverUrl = parseServerUrl(options.scannerUrl);
  const trivyPath = options.trivyPath ?? 'trivy';
  const settings: ScanSettings = {
    trivyPath,
    timeoutMs: options.timeoutMs,
    cacheDir: options.cacheDir,
    serverUrl,
    serverToken: options.serverToken,
    logger,
  };
  const version = createVersionReader(trivyPath);
  const queue = pLimit(options.concurrency);

  return {
    mode: 'remote',
    concurrency: options.concurrency,
    scan: (request) =>
      queue(async () => {
        const { version: trivyVersion } = await version();
        const reportJson = await runScan(settings, request, request.signal);
        return { reportJson, trivyVersion };
      }),
    version,
    health: () => remoteHealth(serverUrl, version),
  };
}

/** Sends GET `/healthz` to a Trivy server; the endpoint needs no token. */
export async function checkServerHealth(serverUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${serverUrl}/healthz`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.ok) return undefined;
    return `Trivy server ${serverUrl}/healthz returned HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return `Trivy server ${serverUrl}/healthz is unreachable: ${cause}`;
  }
}

async function remoteHealth(
  serverUrl: string,
  version: () => Promise<TrivyVersion>,
): Promise<ScannerHealth> {
  const [versionResult, serverError] = await Promise.all([
    version().then(
      (value) => ({ value, error: undefined }),
      (error: Error) => ({ value: undefined, error: error.message }),
    ),
    checkServerHealth(serverUrl),
  ]);

  const errors = [versionResult.error, serverError].filter((error) => error !== undefined);
  return {
    ok: errors.length === 0,
    trivyVersion: versionResult.value?.version,
    serverUrl,
    serverHealthy: serverError === undefined,
    recorded: versionResult.value?.recorded ?? false,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}

function parseServerUrl(scannerUrl: string): string {
  let url: URL;
  try {
    url = new URL(scannerUrl);
  } catch {
    throw new Error(
      `Invalid SCANNER_URL "${scannerUrl}": expected "builtin" or a Trivy server URL.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Invalid SCANNER_URL "${scannerUrl}": the server URL must use http or https.`);
  }
  return url.href.replace(/\/+$/, '');
}

import type { ScannerMode } from '../../core/api/schemas';
import type { Scanner, ScannerHealth, TrivyVersion } from '../../core/scanner';
import { HISTORY_PREFIX } from '../../core/store/history';
import type { ObjectStore } from '../../core/store/object-store';
import type { ResultStore } from '../../core/store/results';

/** Scanner health as the API function reports it, with a note on the checks it cannot run. */
export interface ApiScannerHealth extends ScannerHealth {
  /** The reason the scanner state comes from stored results instead of a live check. */
  note: string;
}

/** Inputs of the API function's scanner. */
export interface ApiScannerOptions {
  /** `SCANNER_URL`: `builtin` or the Trivy server URL. */
  scannerUrl: string;
  /** The data store, whose history gives the most recent scan. */
  objects: ObjectStore;
  results: ResultStore;
  /** How long the version read from the latest result is reused. @default 60000 */
  cacheMs?: number;
}

const VERSION_UNKNOWN: TrivyVersion = { version: 'unknown', recorded: false };

/**
 * Creates the Scanner of the API function. Trivy runs only in the scanner task, and a Trivy
 * server is reachable only from the scanner tasks, so this scanner never scans. Its health
 * reports the mode and the Trivy version that wrote the most recent stored result.
 */
export function createApiScanner(options: ApiScannerOptions): Scanner {
  const mode: ScannerMode = options.scannerUrl === 'builtin' ? 'builtin' : 'remote';
  const serverUrl = mode === 'remote' ? options.scannerUrl : undefined;
  const readVersion = cached(() => latestVersion(options), options.cacheMs ?? 60_000);

  return {
    mode,
    concurrency: 1,
    scan: async () => {
      throw new Error('The API function does not run Trivy: scans run in the scanner task.');
    },
    version: readVersion,
    health: async (): Promise<ApiScannerHealth> => {
      const note =
        mode === 'remote'
          ? `The Trivy server ${serverUrl} is reachable only from the scanner tasks, which use it for each scan; the Trivy version is the one of the most recent result.`
          : 'Trivy runs in the scanner task; the Trivy version is the one of the most recent result.';
      try {
        const version = await readVersion();
        const trivyVersion = version === VERSION_UNKNOWN ? undefined : version.version;
        return { ok: true, trivyVersion, serverUrl, recorded: version.recorded, note };
      } catch (error) {
        const reason = `the stored results could not be read: ${(error as Error).message}`;
        return { ok: false, serverUrl, recorded: false, error: reason, note };
      }
    },
  };
}

/** Reads the Trivy version of the most recent scan through the time-ordered history keys. */
async function latestVersion(options: ApiScannerOptions): Promise<TrivyVersion> {
  const keys = await options.objects.list(HISTORY_PREFIX);
  const latestKey = keys
    .filter((key) => key.endsWith('.json'))
    .sort()
    .at(-1);
  if (!latestKey) return VERSION_UNKNOWN;

  const record = JSON.parse((await options.objects.get(latestKey)) ?? 'null') as {
    repository?: string;
    tag?: string;
  } | null;
  if (!record?.repository || !record.tag) return VERSION_UNKNOWN;

  const result = await options.results.read({ repository: record.repository, tag: record.tag });
  if (!result) return VERSION_UNKNOWN;
  return { version: result.scan.trivyVersion, recorded: result.scan.recorded };
}

/** Reuses a successful result of `read` for `ttlMs`; a failed read is not kept. */
function cached<T>(read: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let value: { result: Promise<T>; expires: number } | undefined;
  return () => {
    if (value && value.expires > Date.now()) return value.result;

    const result = read();
    value = { result, expires: Date.now() + ttlMs };
    result.catch(() => {
      value = undefined;
    });
    return result;
  };
}

import type { ScannerMode } from '../api/schemas';
import type { Logger } from '../log';

export type { ScannerMode };

/** Settings of a scanner, read by the caller from the environment variables named per field. */
export interface ScannerOptions {
  /** `SCANNER_URL`: the word `builtin`, or a Trivy server URL such as `http://127.0.0.1:4954`. */
  scannerUrl: string;
  /** `TRIVY_PATH`. @default `trivy`, found on `PATH` */
  trivyPath?: string;
  /** `TRIVY_CACHE_DIR`; builtin mode locks it. @default Trivy's own default, `~/.cache/trivy` */
  cacheDir?: string;
  /** `TRIVY_SERVER_TOKEN`, sent to Trivy in `TRIVY_TOKEN` (remote mode). */
  serverToken?: string;
  /** `SCAN_TIMEOUT` in milliseconds: the longest one Trivy run may take. */
  timeoutMs: number;
  /** `SCAN_CONCURRENCY`: scans at once in remote mode. Builtin mode always runs one. */
  concurrency: number;
  /** Age in milliseconds after which a cache lock without heartbeat is taken over. @default 30000 */
  lockStaleMs?: number;
  /** @default a logger from `createLogger({ name: 'scanner' })` */
  logger?: Logger;
}

/** One image to scan. */
export interface ScanRequest {
  /** `host/repository@sha256:...`, resolved by the caller. */
  imageRef: string;
  /** Registry credentials, passed to Trivy in its environment only. */
  credentials?: { username: string; password: string };
  /** True for a plain HTTP or self-signed registry (`TRIVY_INSECURE=true`). */
  insecure?: boolean;
  /** Scan id, repository, tag and digest, added to every log record of this scan. */
  ids?: Record<string, string>;
  signal?: AbortSignal;
}

/** Trivy's JSON report, as Trivy wrote it, and the version of the Trivy that wrote it. */
export interface ScanOutput {
  reportJson: string;
  trivyVersion: string;
}

/** Result of `trivy --version`. */
export interface TrivyVersion {
  version: string;
  /** True when the executable is the stand-in that writes recorded reports. */
  recorded: boolean;
}

/** Scanner state shown by the health endpoint. */
export interface ScannerHealth {
  ok: boolean;
  trivyVersion?: string;
  serverUrl?: string;
  serverHealthy?: boolean;
  recorded: boolean;
  error?: string;
  /** Check that cannot run from where the scanner health is read. */
  note?: string;
}

/** Runs Trivy on images, in builtin or remote mode. */
export interface Scanner {
  readonly mode: ScannerMode;
  /** Scans the scanner runs at once: 1 in builtin mode. */
  readonly concurrency: number;
  scan(request: ScanRequest): Promise<ScanOutput>;
  version(): Promise<TrivyVersion>;
  health(): Promise<ScannerHealth>;
}

/** A failed scan, with a `reason` that names what failed and what the user can do. */
export class ScanError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ScanError';
  }
}

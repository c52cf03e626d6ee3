import pino from 'pino';
import { ScanError, type ScannerOptions } from '../../core/scanner';
import { STAND_IN_PATH } from './trivy-server';

/** Builtin-mode options that run the stand-in on `cacheDir`, with a silent logger. */
export function standInOptions(
  cacheDir: string,
  overrides: Partial<ScannerOptions> = {},
): ScannerOptions {
  return {
    scannerUrl: 'builtin',
    trivyPath: STAND_IN_PATH,
    cacheDir,
    timeoutMs: 30_000,
    concurrency: 1,
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
}

/** Builds a distinct image reference per index on a registry that is never contacted. */
export function testImageRef(index: number): string {
  return `127.0.0.1:5000/team/app@sha256:${String(index).padStart(64, '0')}`;
}

/** Awaits a promise that must reject with a ScanError, and returns the error. */
export async function scanError(promise: Promise<unknown>): Promise<ScanError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ScanError)) throw new Error(`expected a ScanError, got ${error}`);
  return error;
}

import { createLogger } from '../log';
import { createBuiltinScanner } from './builtin';
import { createRemoteScanner } from './remote';
import type { Scanner, ScannerOptions } from './types';

export { CACHE_LOCK_NAME, DEFAULT_LOCK_STALE_MS } from './lock';
export { checkServerHealth } from './remote';
export {
  ScanError,
  type Scanner,
  type ScannerHealth,
  type ScannerMode,
  type ScannerOptions,
  type ScanOutput,
  type ScanRequest,
  type TrivyVersion,
} from './types';

/**
 * Creates the scanner that `scannerUrl` selects: the word `builtin` runs Trivy here with a
 * locked cache, and a URL runs the Trivy client against that Trivy server. Throws an `Error`
 * naming the setting when an option is invalid.
 */
export function createScanner(options: ScannerOptions): Scanner {
  checkPositiveInteger('SCAN_TIMEOUT', options.timeoutMs);
  checkPositiveInteger('SCAN_CONCURRENCY', options.concurrency);
  if (options.lockStaleMs !== undefined)
    checkPositiveInteger('SCAN_LOCK_STALE', options.lockStaleMs);

  const logger = options.logger ?? createLogger({ name: 'scanner' });
  if (options.scannerUrl.trim() === 'builtin') {
    return createBuiltinScanner(options, logger.child({ scannerMode: 'builtin' }));
  }
  return createRemoteScanner(options, logger.child({ scannerMode: 'remote' }));
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`Invalid ${name} ${value}: expected a positive whole number.`);
  }
}

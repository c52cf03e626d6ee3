import { checkUrl, readDuration } from '../../core/config';

/** Returns the variable's value; throws an Error naming it when it is missing or empty. */
export function requireVariable(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`Missing environment variable ${name}: the stack sets it.`);
  return value;
}

/** Reads a comma-separated list with at least one entry. */
export function readList(env: NodeJS.ProcessEnv, name: string): string[] {
  const values = requireVariable(env, name)
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (values.length === 0) {
    throw new Error(
      `Invalid ${name} ${JSON.stringify(env[name])}: expected a comma-separated list.`,
    );
  }
  return values;
}

/** Reads SCANNER_URL: `builtin` or an http(s) URL of a Trivy server. @default builtin */
export function readScannerUrl(env: NodeJS.ProcessEnv): string {
  const scannerUrl = (env.SCANNER_URL || 'builtin').trim().replace(/\/+$/, '');
  if (scannerUrl !== 'builtin') checkUrl('SCANNER_URL', scannerUrl);
  return scannerUrl;
}

/** Reads SCAN_TIMEOUT in milliseconds. @default 10 minutes */
export function readScanTimeout(env: NodeJS.ProcessEnv): number {
  return readDuration(env, 'SCAN_TIMEOUT', 10 * 60_000);
}

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Settings of the local runtime, read from the environment. */
export interface Config {
  host: string;
  port: number;
  registryUrl: string;
  registryUsername?: string;
  registryPassword?: string;
  /** Plain HTTP or a self-signed certificate is allowed (Trivy gets TRIVY_INSECURE=true). */
  registryInsecure: boolean;
  dataDir: string;
  /** `builtin` or the URL of a Trivy server. */
  scannerUrl: string;
  trivyServerToken?: string;
  trivyCacheDir: string;
  trivyPath?: string;
  scanTimeoutMs: number;
  scanConcurrency: number;
  /** Age after which a builtin-mode cache lock without heartbeat is taken over. */
  scanLockStaleMs: number;
  /** Directory of the built SPA, served at `/`. */
  webDir: string;
}

/** Reads the configuration; throws an Error naming the variable when a value is invalid. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const registryUrl = env.REGISTRY_URL ?? 'http://127.0.0.1:5000';
  checkUrl('REGISTRY_URL', registryUrl);
  const scannerUrl = env.SCANNER_URL ?? 'builtin';
  if (scannerUrl !== 'builtin') checkUrl('SCANNER_URL', scannerUrl);

  return {
    host: env.HOST ?? '127.0.0.1',
    port: readInteger(env, 'PORT', 8080, 0, 65535),
    registryUrl: registryUrl.replace(/\/+$/, ''),
    registryUsername: env.REGISTRY_USERNAME || undefined,
    registryPassword: env.REGISTRY_PASSWORD || undefined,
    registryInsecure: readBoolean(env, 'REGISTRY_INSECURE', registryUrl.startsWith('http://')),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    scannerUrl: scannerUrl.replace(/\/+$/, ''),
    trivyServerToken: env.TRIVY_SERVER_TOKEN || undefined,
    // Trivy's own default, made explicit so builtin mode always has a directory to lock.
    trivyCacheDir: resolve(env.TRIVY_CACHE_DIR || join(homedir(), '.cache', 'trivy')),
    trivyPath: env.TRIVY_PATH || undefined,
    scanTimeoutMs: readDuration(env, 'SCAN_TIMEOUT', 10 * 60_000),
    scanConcurrency: readInteger(env, 'SCAN_CONCURRENCY', 2, 1, 64),
    scanLockStaleMs: readDuration(env, 'SCAN_LOCK_STALE', 30_000),
    webDir: resolve(env.WEB_DIR ?? 'web/dist'),
  };
}

function checkUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `Invalid ${name} ${JSON.stringify(value)}: expected an http:// or https:// URL.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `Invalid ${name} ${JSON.stringify(value)}: expected an http:// or https:// URL.`,
    );
  }
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `Invalid ${name} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]?.toLowerCase();
  if (text === undefined || text === '') return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new Error(`Invalid ${name} ${JSON.stringify(env[name])}: expected true or false.`);
}

/** Reads a duration such as `300`, `300s`, `5m` or `1h` (a bare number is seconds). */
function readDuration(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallbackMs;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match?.[1]) {
    throw new Error(
      `Invalid ${name} ${JSON.stringify(text)}: expected a duration such as 300s, 10m or 1h.`,
    );
  }
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unitMs;
}

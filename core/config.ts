import { isIP } from 'node:net';
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
  /** Sign-in: `none` (every request acts as an administrator) or `basic` (HTTP Basic). */
  auth: 'none' | 'basic';
  /** Users for HTTP Basic, one per line: `name:bcrypt-hash:role[,role]`. */
  usersFile?: string;
}

/** Reads the configuration; throws an Error naming the variable when a value is invalid. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const registryUrl = env.REGISTRY_URL ?? 'http://127.0.0.1:5000';
  checkUrl('REGISTRY_URL', registryUrl);
  const scannerUrl = env.SCANNER_URL ?? 'builtin';
  if (scannerUrl !== 'builtin') checkUrl('SCANNER_URL', scannerUrl);

  const host = env.HOST ?? '127.0.0.1';
  const usersFile = env.USERS_FILE ? resolve(env.USERS_FILE) : undefined;

  return {
    host,
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
    auth: readAuth(env.AUTH, host, usersFile),
    usersFile,
  };
}

/**
 * Picks the sign-in mode: HTTP Basic when USERS_FILE is set, none on a loopback HOST, and an
 * error on any other HOST unless AUTH=none allows everyone who can reach the port.
 */
function readAuth(auth: string | undefined, host: string, usersFile?: string): Config['auth'] {
  if (auth !== undefined && auth !== '' && auth !== 'none' && auth !== 'basic') {
    throw new Error(`Invalid AUTH ${JSON.stringify(auth)}: expected none or basic.`);
  }
  if (auth === 'none' && usersFile) {
    throw new Error('AUTH=none and USERS_FILE are both set: unset one of them.');
  }
  if (auth === 'none') return 'none';
  if (usersFile) return 'basic';
  if (auth === 'basic') {
    throw new Error('AUTH=basic needs USERS_FILE: set it to a users file made with npm run users.');
  }
  if (isLoopback(host)) return 'none';
  throw new Error(
    `Sign-in is required on HOST ${host}, which is not a loopback address: set USERS_FILE to a users file (npm run users -- add NAME admin) or set AUTH=none to let everyone who reaches the port act as an administrator.`,
  );
}

function isLoopback(host: string): boolean {
  const address = host.replace(/^\[|\]$/g, '');
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

/** Throws an Error naming `name` unless `value` is an http:// or https:// URL. */
export function checkUrl(name: string, value: string): void {
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

/** Reads a whole number from `min` to `max`; throws an Error naming the variable otherwise. */
export function readInteger(
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
export function readDuration(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
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

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

/** The Debian package docker-registry (Distribution 2.8) installs this binary. */
const REGISTRY_BINARY = '/usr/bin/docker-registry';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** Cost of the test account's bcrypt hash, kept low because each request verifies it. */
const BCRYPT_COST = 6;

/** How to start the test registry. */
export interface RegistryOptions {
  /** Require this account through an htpasswd file. @default no auth */
  htpasswd?: { username: string; password: string };
  /** Allow `DELETE /v2/<name>/manifests/<digest>`. @default true */
  deleteEnabled?: boolean;
  /** Loopback port to listen on. @default a free port */
  port?: number;
}

/** A running Distribution registry on 127.0.0.1 with filesystem storage in a temporary dir. */
export interface TestRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  storageDir: string;
  /** Path of the registry's combined stdout and stderr. */
  logFile: string;
  /** Kills the registry process and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts `docker-registry serve` with a generated config, waits until `GET /v2/` responds and
 * returns how to reach and stop it. Used by tests and by the demo script, so it needs no vitest.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const storageDir = join(dir, 'storage');
  const logFile = join(dir, 'registry.log');
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;

  const htpasswdPath = options.htpasswd ? join(dir, 'htpasswd') : undefined;
  if (options.htpasswd && htpasswdPath) await writeHtpasswd(htpasswdPath, options.htpasswd);
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, registryConfig({ port, storageDir, htpasswdPath, ...options }));

  const child = await spawnRegistry(configPath, logFile);
  const stop = async () => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(url, child, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, host: `127.0.0.1:${port}`, port, storageDir, logFile, stop };
}

/** Renders the registry's YAML config; JSON strings are valid YAML scalars. */
function registryConfig(settings: {
  port: number;
  storageDir: string;
  htpasswdPath?: string;
  deleteEnabled?: boolean;
}): string {
  const auth = settings.htpasswdPath
    ? [
        'auth:',
        '  htpasswd:',
        '    realm: berth-test',
        `    path: ${JSON.stringify(settings.htpasswdPath)}`,
      ]
    : [];
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(settings.storageDir)}`,
    '  delete:',
    `    enabled: ${settings.deleteEnabled ?? true}`,
    'http:',
    `  addr: 127.0.0.1:${settings.port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...auth,
    '',
  ].join('\n');
}

/** Writes an htpasswd file with a bcrypt hash, the only scheme Distribution accepts. */
async function writeHtpasswd(path: string, account: { username: string; password: string }) {
  const hash = await bcrypt.hash(account.password, BCRYPT_COST);
  await writeFile(path, `${account.username}:${hash}\n`, { mode: 0o600 });
}

/** Asks the kernel for a free loopback port. Another process may take it before the registry. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('No free loopback port');
  return address.port;
}

/** Starts the registry with its output going to `logFile`. */
async function spawnRegistry(configPath: string, logFile: string): Promise<ChildProcess> {
  const log = await open(logFile, 'a');
  try {
    return spawn(REGISTRY_BINARY, ['serve', configPath], {
      stdio: ['ignore', log.fd, log.fd],
      env: registryEnvironment(),
    });
  } finally {
    await log.close();
  }
}

/** Copies the environment without REGISTRY_* variables, which Distribution reads as config. */
function registryEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('REGISTRY_')) env[key] = value;
  }
  return env;
}

/** Polls `GET /v2/` until it returns 200 (or 401 with auth) or the process exits. */
async function waitUntilReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited before serving ${url}: ${await logTail(logFile)}`);
    }

    const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) })
      .then((response) => response.status)
      .catch(() => undefined);
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const tail = await logTail(logFile);
  throw new Error(
    `docker-registry did not respond on ${url}/v2/ within ${STARTUP_TIMEOUT_MS} ms: ${tail}`,
  );
}

/** Sends SIGTERM to the registry's pid, then SIGKILL if it has not exited in time. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;

  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join('\n') || '(empty log)';
}

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/log';
import { LocalScanQueue } from '../../core/queue/local';
import { DistributionRegistry } from '../../core/registry/distribution';
import { HealthErrors, recordRegistryErrors } from '../../core/scan/health-errors';
import { ScanService } from '../../core/scan/service';
import { ScanWorker } from '../../core/scan/worker';
import { createScanner } from '../../core/scanner';
import { HistoryStore } from '../../core/store/history';
import { FsObjectStore } from '../../core/store/object-store';
import { ResultStore } from '../../core/store/results';
import { StatusStore } from '../../core/store/statuses';
import { createApi } from '../api/app';
import type { AuthOptions } from '../api/auth';
import type { Api } from '../api/context';
import { claimDataDir } from './instance-lock';
import { basicAuth, readUsersFile } from './users';

/** A running Berth: the API, the SPA and the scan worker in one process. */
export interface RunningBerth {
  url: string;
  worker: ScanWorker;
  stop(): Promise<void>;
}

/** The local deployment wired together but not yet serving: the app and its worker. */
export interface LocalRuntime {
  app: Api;
  worker: ScanWorker;
  scans: ScanService;
  queue: LocalScanQueue;
}

/** Wires the local adapters: result files in DATA_DIR, a directory queue, the registry, Trivy. */
export async function createLocalRuntime(config: Config, logger: Logger): Promise<LocalRuntime> {
  const objects = new FsObjectStore(config.dataDir);
  const results = new ResultStore(objects);
  const statuses = new StatusStore(objects);
  const history = new HistoryStore(objects);
  const healthErrors = new HealthErrors();
  const queue = new LocalScanQueue(join(config.dataDir, '.berth', 'queue'));

  const credentials = config.registryUsername
    ? { username: config.registryUsername, password: config.registryPassword ?? '' }
    : undefined;
  const distribution = new DistributionRegistry({
    url: config.registryUrl,
    username: credentials?.username,
    password: credentials?.password,
    insecure: config.registryInsecure,
  });
  const registry = recordRegistryErrors(distribution, healthErrors);
  const scanner = createScanner({
    scannerUrl: config.scannerUrl,
    trivyPath: config.trivyPath,
    cacheDir: config.trivyCacheDir,
    serverToken: config.trivyServerToken,
    timeoutMs: config.scanTimeoutMs,
    concurrency: config.scanConcurrency,
    lockStaleMs: config.scanLockStaleMs,
    logger,
  });

  let worker: ScanWorker | undefined;
  const scans = new ScanService({
    registry,
    scanner,
    results,
    statuses,
    history,
    queue,
    credentials,
    logger,
    healthErrors,
    insecure: config.registryInsecure,
    onQueued: () => worker?.notify(),
  });
  worker = new ScanWorker({
    queue,
    service: scans,
    statuses,
    concurrency: scanner.concurrency,
    logger,
  });
  const app = createApi({
    registry,
    scanner,
    scans,
    results,
    statuses,
    history,
    healthErrors,
    logger,
    auth: await localAuth(config, logger),
    runtimeConfig: { auth: { type: config.auth } },
  });
  return { app, worker, scans, queue };
}

/** Sign-in of the local deployment: HTTP Basic from USERS_FILE, or none (the default). */
async function localAuth(config: Config, logger: Logger): Promise<AuthOptions | undefined> {
  if (config.auth === 'none' || !config.usersFile) {
    logger.info({ host: config.host }, 'sign-in is off: every request acts as an administrator');
    return undefined;
  }
  const users = await readUsersFile(config.usersFile);
  logger.info({ usersFile: config.usersFile, users: users.length }, 'HTTP Basic sign-in is on');
  return basicAuth(users);
}

/**
 * Starts the local deployment: claims DATA_DIR, serves the API and the SPA over HTTP, then
 * takes back the scans a previous process left in flight and starts the worker. Nothing
 * touches the queue before the port is bound, so a failed start changes nothing.
 */
export async function startBerth(config: Config, logger: Logger): Promise<RunningBerth> {
  const release = await claimDataDir(config.dataDir);
  let server: ServerType | undefined;
  try {
    const { app, worker, queue } = await createLocalRuntime(config, logger);
    app.use('/*', serveStatic({ root: config.webDir }));
    // The SPA routes in the browser: any other GET outside /api gets index.html.
    app.get('*', serveStatic({ root: config.webDir, path: 'index.html' }));
    server = await listen(app.fetch, config.host, config.port);

    const recovered = await queue.recover();
    if (recovered > 0) {
      logger.warn({ count: recovered }, 'scans left in progress by the last run queued again');
    }
    await worker.start();
    return running(server, worker, config, logger, release);
  } catch (error) {
    server?.close();
    await release();
    throw error;
  }
}

function running(
  server: ServerType,
  worker: ScanWorker,
  config: Config,
  logger: Logger,
  release: () => Promise<void>,
): RunningBerth {
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  logger.info(
    { url, registry: withoutCredentials(config.registryUrl), dataDir: config.dataDir },
    'berth started',
  );

  return {
    url,
    worker,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await release();
      logger.info('berth stopped');
    },
  };
}

/** Drops a user and password written into a URL, so it can be logged. */
function withoutCredentials(value: string): string {
  const url = new URL(value);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], hostname: string, port: number) {
  return new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', reject);
  });
}

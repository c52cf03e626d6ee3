import { createRoute } from '@hono/zod-openapi';
import { type Health, HealthSchema, UserSchema } from '../../../core/api/schemas';
import { RegistryError } from '../../../core/registry/errors';
import { failureReason } from '../../../core/scan/failure';
import type { Api, ApiDependencies } from '../context';

const route = createRoute({
  method: 'get',
  path: '/api/health',
  summary: 'Registry reachability, scanner mode and state, and whether reports are recorded',
  responses: {
    200: {
      description: 'Health of the registry and the scanner',
      content: { 'application/json': { schema: HealthSchema } },
    },
  },
});

/** Registers `GET /api/health`, which reports a failed registry or scanner check in its body. */
export function registerHealth(app: Api, deps: ApiDependencies): void {
  app.openapi(route, async (c) => {
    const [registry, scanner] = await Promise.all([registryHealth(deps), deps.scanner.health()]);
    const health: Health = {
      status: registry.reachable && !registry.error && scanner.ok ? 'ok' : 'degraded',
      registry,
      scanner: {
        mode: deps.scanner.mode,
        trivyVersion: scanner.trivyVersion,
        serverUrl: scanner.serverUrl,
        serverHealthy: scanner.serverHealthy,
        note: scanner.note,
        error: scanner.error,
        lastError: deps.healthErrors?.lastScanFailure(),
      },
      recordedReports: scanner.recorded,
    };
    return c.json(health, 200);
  });
}

/** Longest wait for the registry ping, so health returns in time for load balancer probes. */
const PING_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const message = `Failed to ping registry ${url}: no response within ${timeoutMs} ms.`;
      reject(new RegistryError('unreachable', message, url));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function registryHealth(deps: ApiDependencies): Promise<Health['registry']> {
  const { registry, healthErrors } = deps;
  try {
    await withTimeout(registry.ping(), PING_TIMEOUT_MS, registry.url);
    return { url: registry.url, reachable: true, lastError: healthErrors?.lastRegistryError() };
  } catch (error) {
    // Recorded here too, for deployments whose registry is not wrapped by recordRegistryErrors.
    healthErrors?.recordRegistryError(error);
    // A registry that rejects the credentials is reachable, but not usable.
    const reachable = error instanceof RegistryError && error.kind !== 'unreachable';
    return {
      url: registry.url,
      reachable,
      error: failureReason(error),
      lastError: healthErrors?.lastRegistryError(),
    };
  }
}

const meRoute = createRoute({
  method: 'get',
  path: '/api/me',
  summary: 'The signed-in user and their roles',
  responses: {
    200: { description: 'The user', content: { 'application/json': { schema: UserSchema } } },
  },
});

/** Registers `GET /api/me`, which the SPA reads to show or hide admin actions. */
export function registerMe(app: Api): void {
  app.openapi(meRoute, (c) => c.json(c.get('user'), 200));
}

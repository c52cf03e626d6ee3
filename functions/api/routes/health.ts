import { createRoute } from '@hono/zod-openapi';
import { type Health, HealthSchema, UserSchema } from '../../../core/api/schemas';
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

/** Registers `GET /api/health`; it never fails, so it can back a load balancer check. */
export function registerHealth(app: Api, deps: ApiDependencies): void {
  app.openapi(route, async (c) => {
    const [registry, scanner] = await Promise.all([registryHealth(deps), deps.scanner.health()]);
    const health: Health = {
      status: registry.reachable && scanner.ok ? 'ok' : 'degraded',
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

async function registryHealth(deps: ApiDependencies): Promise<Health['registry']> {
  const { registry, healthErrors } = deps;
  try {
    await registry.ping();
    return { url: registry.url, reachable: true, lastError: healthErrors?.lastRegistryError() };
  } catch (error) {
    // Recorded here too, for deployments whose registry is not wrapped by recordRegistryErrors.
    healthErrors?.recordRegistryError(error);
    return {
      url: registry.url,
      reachable: false,
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

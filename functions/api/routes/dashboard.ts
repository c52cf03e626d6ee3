import { createRoute } from '@hono/zod-openapi';
import { DashboardSchema } from '../../../core/api/schemas';
import { loadDashboard } from '../../../core/scan/dashboard';
import type { Api, ApiDependencies } from '../context';

const route = createRoute({
  method: 'get',
  path: '/api/dashboard',
  summary: 'Findings per severity across every scanned image tag, top images and the trend',
  description:
    'Counts the latest stored result of every image tag, including tags deleted from the ' +
    'registry since their scan, because the stored result is their scan record.',
  responses: {
    200: {
      description: 'Totals, top images, findings per repository and the daily trend',
      content: { 'application/json': { schema: DashboardSchema } },
    },
  },
});

/** Registers `GET /api/dashboard`. */
export function registerDashboard(app: Api, deps: ApiDependencies): void {
  app.openapi(route, async (c) => {
    return c.json(await loadDashboard(deps.results, deps.history), 200);
  });
}

import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { type ApiEnv, authenticate, localAdministrator } from './auth';
import type { Api, ApiDependencies } from './context';
import { ApiProblem, handleError } from './errors';
import { registerDashboard } from './routes/dashboard';
import { registerHealth, registerMe } from './routes/health';
import { registerLayers } from './routes/layers';
import { registerRepositories } from './routes/repositories';
import { registerScans } from './routes/scans';
import { registerTagDelete } from './routes/tags-delete';

/** Builds the Hono app of the Berth API; every deployment serves this same app. */
export function createApi(deps: ApiDependencies): Api {
  const app: Api = new OpenAPIHono<ApiEnv>({ defaultHook: rejectInvalidInput });

  app.use('/api/*', async (c, next) => {
    const started = performance.now();
    const requestId = c.req.header('x-request-id') ?? randomUUID();
    c.header('X-Request-Id', requestId);
    await next();
    deps.logger.info(
      {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  app.use('/api/*', authenticate(deps.auth ?? localAdministrator));
  if (deps.runtimeConfig) {
    const runtimeConfig = deps.runtimeConfig;
    app.get('/config.json', (c) => c.json(runtimeConfig));
  }

  registerHealth(app, deps);
  registerMe(app);
  registerRepositories(app, deps);
  registerTagDelete(app, deps);
  registerScans(app, deps);
  registerLayers(app, deps);
  registerDashboard(app, deps);

  app.get('/api/openapi.json', (c) => c.json(openApiDocument(app)));
  app.all('/api/*', () => {
    throw new ApiProblem(
      404,
      'not_found',
      'No such API route.',
      'See /api/openapi.json for the routes.',
    );
  });
  app.onError((error, c) => handleError(error, c, deps.logger));
  return app;
}

function openApiDocument(app: Api) {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Berth API',
      version: '1',
      description: 'Browse a container registry and scan its images with Trivy.',
    },
  });
  // Route paths carry Hono's `{name{.+}}` so repository names keep their slashes.
  const paths = Object.entries(document.paths ?? {}).map(([path, item]) => [
    path.replace('{name{.+}}', '{name}'),
    item,
  ]);
  return { ...document, paths: Object.fromEntries(paths) };
}

/** Turns a failed zod check of the query or path into a 400 naming the field and the rule. */
function rejectInvalidInput(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  if (result.success) return;
  const issue = result.error?.issues[0];
  const field = issue?.path.map(String).join('.') || 'request';
  throw new ApiProblem(
    400,
    'invalid_request',
    `Invalid ${field}: ${issue?.message ?? 'the request does not match the API'}.`,
    `Fix ${field} and retry; /api/openapi.json describes every parameter.`,
  );
}

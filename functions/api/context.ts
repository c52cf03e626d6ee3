import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { RuntimeConfig } from '../../core/api/schemas';
import type { Logger } from '../../core/log';
import type { Registry } from '../../core/registry/port';
import type { HealthErrors } from '../../core/scan/health-errors';
import type { ScanService } from '../../core/scan/service';
import type { Scanner } from '../../core/scanner/types';
import type { HistoryStore } from '../../core/store/history';
import type { ResultStore } from '../../core/store/results';
import type { StatusStore } from '../../core/store/statuses';
import type { ApiEnv, AuthOptions } from './auth';

/** Dependencies of the API handlers; each deployment wires its own adapters in. */
export interface ApiDependencies {
  registry: Registry;
  scanner: Scanner;
  scans: ScanService;
  results: ResultStore;
  statuses: StatusStore;
  history: HistoryStore;
  /** Last registry error and scan failure seen by this process. When absent, health omits them. */
  healthErrors?: HealthErrors;
  logger: Logger;
  /** Sign-in; absent means every request acts as a local administrator. */
  auth?: AuthOptions;
  /** Served at `/config.json` for the SPA; absent where a static file serves it. */
  runtimeConfig?: RuntimeConfig;
}

export type Api = OpenAPIHono<ApiEnv>;

/**
 * Path prefix for routes under one repository. `{name{.+}}` becomes Hono's `:name{.+}`, a
 * parameter that keeps its slashes (`team/api/server`); the OpenAPI document shows `{name}`.
 */
export const REPOSITORY_PATH = '/api/repositories/{name{.+}}';

export const RepositoryParams = z.object({
  name: z.string().openapi({
    description: 'Repository name; slashes stay unescaped',
    example: 'team/api/server',
  }),
});

export const TagParams = RepositoryParams.extend({
  tag: z.string().openapi({ example: 'latest' }),
});

export const errorResponses = (schema: z.ZodType) => ({
  400: {
    description: 'Invalid repository or tag name',
    content: { 'application/json': { schema } },
  },
  404: {
    description: 'Repository, tag or result not found',
    content: { 'application/json': { schema } },
  },
  502: {
    description: "The registry rejected Berth's credentials or returned an invalid response",
    content: { 'application/json': { schema } },
  },
  503: { description: 'The registry is unreachable', content: { 'application/json': { schema } } },
});

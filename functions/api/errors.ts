import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiError } from '../../core/api/schemas';
import type { Logger } from '../../core/log';
import { InvalidNameError } from '../../core/names';
import { RegistryError, type RegistryErrorKind } from '../../core/registry/errors';
import { ReportError } from '../../core/report/parse';
import { storageHint } from '../../core/scan/failure';

/** An error the API returns as `{ error: { code, message, hint } }` with its status. */
export class ApiProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

const REGISTRY_STATUS: Record<RegistryErrorKind, ContentfulStatusCode> = {
  'not-found': 404,
  unauthorized: 502,
  unreachable: 503,
  'deletion-disabled': 405,
  'invalid-response': 502,
};

/** Converts any thrown value into the API's error body and status. */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof InvalidNameError) {
    const hint = `Use a ${error.field} that matches the rule, for example ${example(error.field)}.`;
    return new ApiProblem(400, `invalid_${error.field}`, error.message, hint);
  }
  if (error instanceof RegistryError) {
    const code = `registry_${error.kind.replaceAll('-', '_')}`;
    return new ApiProblem(REGISTRY_STATUS[error.kind], code, error.message, error.hint);
  }
  if (error instanceof ReportError) {
    return new ApiProblem(
      500,
      'invalid_stored_report',
      `The stored scan result is damaged: ${error.message}`,
      'Scan the tag again to replace it.',
    );
  }
  const storage = storageHint(error);
  if (storage) {
    return new ApiProblem(
      500,
      'storage_error',
      `Failed to access the data store: ${(error as Error).message}.`,
      storage,
    );
  }
  if (error instanceof HTTPException) {
    return new ApiProblem(error.status as ContentfulStatusCode, 'http_error', error.message);
  }
  return new ApiProblem(500, 'internal_error', 'Internal error.', 'See the server log.');
}

/** `app.onError` handler: one structured log record, one JSON body. */
export function handleError(error: Error, c: Context, logger: Logger): Response {
  const problem = toProblem(error);
  if (problem.status >= 500) {
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
  }
  const body: ApiError = {
    error: { code: problem.code, message: problem.message, hint: problem.hint },
  };
  return c.json(body, problem.status);
}

function example(field: InvalidNameError['field']): string {
  if (field === 'repository') return '"team/api/server"';
  if (field === 'tag') return '"1.0.2"';
  return '"sha256:" and 64 hex digits';
}

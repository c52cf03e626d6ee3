import { createRoute } from '@hono/zod-openapi';
import { ErrorSchema } from '../../../core/api/schemas';
import { requireRole } from '../auth';
import {
  type Api,
  type ApiDependencies,
  errorResponses,
  REPOSITORY_PATH,
  TagParams,
} from '../context';
import { imageOf } from './scans';

const errorBody = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

const route = createRoute({
  method: 'delete',
  path: `${REPOSITORY_PATH}/tags/{tag}`,
  summary: 'Delete the tag by deleting the manifest it points to (admin only)',
  description:
    'The registry API deletes manifests by digest only, so every other tag that points to the ' +
    'same digest is deleted too. The stored scan result and status of the tag are kept as its ' +
    'scan record. The repository stays in the catalog.',
  request: { params: TagParams },
  responses: {
    204: { description: 'The manifest is deleted' },
    403: errorBody('The user does not have the admin role'),
    405: errorBody('The registry has deletes disabled; the hint says how to enable them'),
    ...errorResponses(ErrorSchema),
  },
});

/** Registers `DELETE .../tags/{tag}`. */
export function registerTagDelete(app: Api, deps: ApiDependencies): void {
  app.openapi(route, async (c) => {
    requireRole(c, 'admin');
    const image = imageOf(c.req.valid('param'));

    const { digest } = await deps.registry.getManifest(image.repository, image.tag);
    await deps.registry.deleteManifest(image.repository, digest);

    deps.logger.info({ ...image, digest, user: c.get('user').name }, 'tag deleted');
    return c.body(null, 204);
  });
}

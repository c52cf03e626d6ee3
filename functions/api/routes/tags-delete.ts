import { createRoute } from '@hono/zod-openapi';
import pLimit from 'p-limit';
import { ErrorSchema, type TagDeletion, TagDeletionSchema } from '../../../core/api/schemas';
import type { Registry } from '../../../core/registry/port';
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
    'same digest is deleted too; the response lists them. Their stored results and statuses ' +
    'are removed, and the scan history is kept. The repository stays in the catalog.',
  request: { params: TagParams },
  responses: {
    200: {
      description: 'The manifest and the tags that pointed to it are deleted',
      content: { 'application/json': { schema: TagDeletionSchema } },
    },
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
    const tags = await tagsWithDigest(deps.registry, image.repository, digest);
    await deps.registry.deleteManifest(image.repository, digest);

    for (const tag of tags) {
      await deps.results.delete({ repository: image.repository, tag });
      await deps.statuses.delete({ repository: image.repository, tag });
    }
    deps.logger.info({ ...image, digest, tags, user: c.get('user').name }, 'tags deleted');
    const deletion: TagDeletion = { repository: image.repository, digest, tags };
    return c.json(deletion, 200);
  });
}

/** Lists the tags of `repository` that point to `digest`, which one delete removes together. */
async function tagsWithDigest(registry: Registry, repository: string, digest: string) {
  const limit = pLimit(8);
  const tags = await registry.listTags(repository);
  const digests = await Promise.all(
    tags.map((tag) =>
      limit(() => registry.getManifest(repository, tag).then((manifest) => manifest.digest)),
    ),
  );
  return tags.filter((_tag, index) => digests[index] === digest);
}

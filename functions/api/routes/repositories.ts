import { createRoute, z } from '@hono/zod-openapi';
import pLimit from 'p-limit';
import {
  ErrorSchema,
  type RepositoryList,
  RepositoryListSchema,
  TagListSchema,
  type TagSummary,
  TagSummarySchema,
} from '../../../core/api/schemas';
import { checkRepository, checkTag } from '../../../core/names';
import { failureReason } from '../../../core/scan/failure';
import type { ImageName } from '../../../core/store/result-keys';
import {
  type Api,
  type ApiDependencies,
  errorResponses,
  REPOSITORY_PATH,
  RepositoryParams,
  TagParams,
} from '../context';

/** Manifests fetched at once when a tag list is described. */
const DESCRIBE_CONCURRENCY = 16;

const RepositoryQuery = z.object({
  q: z.string().max(255).optional().openapi({ description: 'Substring the names must contain' }),
  n: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .openapi({ description: 'Page size, 1 to 1000' }),
  // ECR's pagination token takes the place of the last name there, and it is longer than a name.
  last: z
    .string()
    .max(4096)
    .optional()
    .openapi({ description: 'The `next` value of the previous page' }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const listRepositories = createRoute({
  method: 'get',
  path: '/api/repositories',
  summary: 'List repositories, one page at a time',
  request: { query: RepositoryQuery },
  responses: {
    200: json(RepositoryListSchema, 'One page of repository names'),
    ...errorResponses(ErrorSchema),
  },
});

const TagQuery = z.object({
  n: z.coerce
    .number()
    .int()
    .min(1)
    .max(5000)
    .optional()
    .openapi({ description: 'Page size, 1 to 5000; default: every tag' }),
  last: z
    .string()
    .max(128)
    .optional()
    .openapi({ description: 'The `next` value of the previous page' }),
});

const listTags = createRoute({
  method: 'get',
  path: `${REPOSITORY_PATH}/tags`,
  summary: 'List the tags of a repository with digest, size, platforms and scan state',
  description:
    'Describing a tag costs the registry at least one request, so a client that shows many ' +
    'tags reads them in pages (`n`, then `last` = `next`) and shows each page as it arrives.',
  request: { params: RepositoryParams, query: TagQuery },
  responses: { 200: json(TagListSchema, 'Tags of the repository'), ...errorResponses(ErrorSchema) },
});

const getTag = createRoute({
  method: 'get',
  path: `${REPOSITORY_PATH}/tags/{tag}`,
  summary: 'Describe one tag',
  request: { params: TagParams },
  responses: { 200: json(TagSummarySchema, 'The tag'), ...errorResponses(ErrorSchema) },
});

/** Registers the repository and tag routes. */
export function registerRepositories(app: Api, deps: ApiDependencies): void {
  app.openapi(listRepositories, async (c) => {
    const query = c.req.valid('query');
    return c.json(await repositoryPage(deps, query), 200);
  });

  app.openapi(listTags, async (c) => {
    const repository = checkRepository(c.req.valid('param').name);
    const { n, last } = c.req.valid('query');
    // Distribution returns tags in storage order; sorted names make pages stable and readable.
    const tags = (await deps.registry.listTags(repository)).sort();
    const start = pageStart(tags, last);
    const page = tags.slice(start, n === undefined ? undefined : start + n);
    const next = start + page.length < tags.length ? page.at(-1) : undefined;

    const limit = pLimit(DESCRIBE_CONCURRENCY);
    const summaries = await Promise.all(
      page.map((tag) => limit(() => tagSummary(deps, { repository, tag }, true))),
    );
    return c.json({ repository, tags: summaries, total: tags.length, next }, 200);
  });

  app.openapi(getTag, async (c) => {
    const { name, tag } = c.req.valid('param');
    const image = { repository: checkRepository(name), tag: checkTag(tag) };
    return c.json(await tagSummary(deps, image, false), 200);
  });
}

async function repositoryPage(
  deps: ApiDependencies,
  query: z.infer<typeof RepositoryQuery>,
): Promise<RepositoryList> {
  if (!query.q) return deps.registry.listRepositories({ n: query.n, last: query.last });

  // The registry API has no search, so a filtered listing reads the whole catalog.
  const needle = query.q.toLowerCase();
  const all = await deps.registry.listAllRepositories();
  const matching = all.filter(
    (name) => name.includes(needle) && (!query.last || name > query.last),
  );
  const page = matching.slice(0, query.n);
  const next = matching.length > query.n ? page.at(-1) : undefined;
  return { repositories: page, next };
}

/**
 * Describes a tag with its scan state. In a list (`tolerant`), a tag the registry cannot
 * describe is returned with `error` instead of failing the whole list.
 */
async function tagSummary(
  deps: ApiDependencies,
  image: ImageName,
  tolerant: boolean,
): Promise<TagSummary> {
  const [view, description] = await Promise.all([
    deps.scans.view(image),
    deps.registry.describeTag(image.repository, image.tag).catch((error: unknown) => {
      if (!tolerant) throw error;
      return failureReason(error);
    }),
  ]);
  const scanned = view.result;
  if (typeof description === 'string') {
    return {
      name: image.tag,
      digest: '',
      mediaType: '',
      size: 0,
      platforms: [],
      scan: view.status,
      result: scanned,
      stale: false,
      error: description,
    };
  }
  return {
    name: image.tag,
    digest: description.digest,
    mediaType: description.mediaType,
    size: description.size,
    created: description.created,
    platforms: description.platforms,
    scan: view.status,
    result: scanned,
    stale: scanned !== undefined && scanned.digest !== description.digest,
  };
}

/**
 * Returns the index after `last` in the sorted `tags`. A `last` deleted since the previous page
 * is placed by name, so the listing resumes where it stood instead of starting over.
 */
function pageStart(tags: string[], last: string | undefined): number {
  if (last === undefined) return 0;
  const index = tags.indexOf(last);
  if (index >= 0) return index + 1;
  const after = tags.findIndex((tag) => tag > last);
  return after === -1 ? tags.length : after;
}

import { createRoute, z } from '@hono/zod-openapi';
import {
  ErrorSchema,
  type HistoryStep,
  type LayerView,
  LayerViewSchema,
} from '../../../core/api/schemas';
import type { ImageDescription, TagDescription } from '../../../core/registry/port';
import { mapHistory } from '../../../core/report/history';
import { parseReport } from '../../../core/report/parse';
import { summarizeByLayer } from '../../../core/report/summary';
import { resultInfo, type StoredResult } from '../../../core/store/results';
import {
  type Api,
  type ApiDependencies,
  errorResponses,
  REPOSITORY_PATH,
  TagParams,
} from '../context';
import { ApiProblem } from '../errors';
import { imageOf } from './scans';

const LayerQuery = z.object({
  platform: z
    .string()
    .regex(
      /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/,
      'expected os/architecture[/variant], such as linux/arm64',
    )
    .optional()
    .openapi({
      description: 'Platform of a multi-arch image; default: the scanned one, else linux/amd64',
    }),
});

const route = createRoute({
  method: 'get',
  path: `${REPOSITORY_PATH}/tags/{tag}/layers`,
  summary: 'History steps of the image with each layer, its command and its finding counts',
  request: { params: TagParams, query: LayerQuery },
  responses: {
    200: {
      description: 'Layers in build order',
      content: { 'application/json': { schema: LayerViewSchema } },
    },
    ...errorResponses(ErrorSchema),
  },
});

/** Registers `GET .../tags/{tag}/layers`. */
export function registerLayers(app: Api, deps: ApiDependencies): void {
  app.openapi(route, async (c) => {
    const image = imageOf(c.req.valid('param'));
    const { platform } = c.req.valid('query');
    const [description, stored] = await Promise.all([
      deps.registry.describeTag(image.repository, image.tag),
      deps.results.read(image),
    ]);
    const chosen = chooseImage(description, stored, platform);
    // Counts and the result belong to the platform Trivy scanned, not to the others.
    const scanned = sameList(chosen.config.rootfs?.diff_ids, scannedConfigDiffIds(stored));
    return c.json(layerView(image, description, chosen, scanned ? stored : undefined), 200);
  });
}

/** Picks the platform asked for, else the one that was scanned, else linux/amd64, else the first. */
function chooseImage(
  description: TagDescription,
  stored: StoredResult | undefined,
  platform: string | undefined,
): ImageDescription {
  const { images } = description;
  const named = (image: ImageDescription) =>
    [image.platform.os, image.platform.architecture, image.platform.variant]
      .filter(Boolean)
      .join('/');
  if (platform) {
    const match = images.find(
      (image) => named(image) === platform || named(image).startsWith(`${platform}/`),
    );
    if (!match) {
      const available = images.map(named).join(', ');
      throw new ApiProblem(
        404,
        'platform_not_found',
        `The image has no platform ${platform}.`,
        `Use one of: ${available}.`,
      );
    }
    return match;
  }
  const scannedDiffIds = scannedConfigDiffIds(stored);
  const scanned = images.find((image) => sameList(image.config.rootfs?.diff_ids, scannedDiffIds));
  const chosen = scanned ?? images.find((image) => named(image) === 'linux/amd64') ?? images[0];
  if (!chosen)
    throw new ApiProblem(
      404,
      'no_image',
      'The tag has no runnable image.',
      'Push an image manifest for it.',
    );
  return chosen;
}

function layerView(
  image: { repository: string; tag: string },
  description: TagDescription,
  chosen: ImageDescription,
  stored: StoredResult | undefined,
): LayerView {
  const mapping = mapHistory(chosen.config);
  const counts = stored ? summarizeByLayer(parseReport(stored.report)) : undefined;
  const steps: HistoryStep[] = mapping.steps.map((step) => {
    const layer =
      step.layerIndex === undefined || step.diffId === undefined
        ? undefined
        : {
            index: step.layerIndex,
            diffId: step.diffId,
            digest: chosen.layers[step.layerIndex]?.digest,
            size: chosen.layers[step.layerIndex]?.size,
            summary: counts?.get(step.diffId),
          };
    return {
      historyIndex: step.historyIndex,
      createdBy: step.createdBy,
      command: step.command,
      created: step.created,
      emptyLayer: step.emptyLayer,
      layer,
    };
  });
  // The diff ID order fixes each layer's position, size and counts even when the history
  // does not line up; only the command is then unknown.
  const diffIds = chosen.config.rootfs?.diff_ids ?? [];
  const layers = diffIds.map((diffId, index) => ({
    index,
    diffId,
    digest: chosen.layers[index]?.digest,
    size: chosen.layers[index]?.size,
    summary: counts?.get(diffId),
    command: mapping.byDiffId.get(diffId)?.command,
  }));
  return {
    ...image,
    digest: description.digest,
    platform: platformName(chosen),
    platforms: description.images.map(platformName),
    mappingKnown: mapping.known,
    steps,
    layers,
    result: stored && resultInfo(stored),
  };
}

function platformName(image: ImageDescription): string {
  const { os, architecture, variant } = image.platform;
  return [os, architecture, variant].filter(Boolean).join('/');
}

function scannedConfigDiffIds(stored: StoredResult | undefined): string[] | undefined {
  if (!stored) return undefined;
  return parseReport(stored.report).Metadata?.ImageConfig?.rootfs?.diff_ids;
}

function sameList(left: string[] | undefined, right: string[] | undefined): boolean {
  if (!left || !right || left.length !== right.length) return false;
  return left.every((value, index) => value === right[index]);
}

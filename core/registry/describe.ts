import type { Platform } from '../api/schemas';
import type { ImageConfig } from '../image-config';
import { invalidResponseError } from './errors';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isAttestation,
  parseManifest,
} from './manifest';
import type { ImageDescription, ManifestResponse, Registry, TagDescription } from './port';

/** The registry reads that describing a tag needs. */
type ManifestReader = Pick<Registry, 'url' | 'getManifest' | 'getBlobJson'>;

/** Resolves a tag to its manifest and describes every real platform behind it. */
export async function describeTag(
  registry: ManifestReader,
  repository: string,
  tag: string,
): Promise<TagDescription> {
  const top = await registry.getManifest(repository, tag);
  const parsed = parseManifestResponse(registry, top, repository, tag);

  const images =
    parsed.kind === 'index'
      ? await describeIndex(registry, repository, parsed.manifest)
      : [await describeImage(registry, repository, top, parsed.manifest)];

  const created = latest(images.map((image) => image.config.created));
  return {
    digest: top.digest,
    mediaType: top.mediaType,
    size: images.reduce((sum, image) => sum + image.platform.size, 0),
    ...(created ? { created } : {}),
    platforms: images.map((image) => image.platform),
    images,
  };
}

/** Describes each platform of an index, skipping attestation manifests. */
async function describeIndex(
  registry: ManifestReader,
  repository: string,
  index: ImageIndex,
): Promise<ImageDescription[]> {
  const entries = index.manifests.filter((entry) => !isAttestation(entry));
  return Promise.all(entries.map((entry) => describeIndexEntry(registry, repository, entry)));
}

/** Fetches one platform manifest of an index by digest and describes it. */
async function describeIndexEntry(
  registry: ManifestReader,
  repository: string,
  entry: Descriptor,
): Promise<ImageDescription> {
  const response = await registry.getManifest(repository, entry.digest);
  const parsed = parseManifestResponse(registry, response, repository, entry.digest);
  if (parsed.kind !== 'image') {
    const problem = `index entry ${entry.digest} is itself an index, which is not supported`;
    throw invalidResponseError(problem, registry.url, {
      operation: 'describe index entry',
      repository,
      reference: entry.digest,
    });
  }

  const image = await describeImage(registry, repository, response, parsed.manifest);
  // Clients select by the index's platform, so it overrides the config's.
  if (entry.platform) {
    image.platform.os = entry.platform.os;
    image.platform.architecture = entry.platform.architecture;
    if (entry.platform.variant) image.platform.variant = entry.platform.variant;
  }
  return image;
}

/** Reads an image manifest's config and totals the sizes of manifest, config and layers. */
async function describeImage(
  registry: ManifestReader,
  repository: string,
  response: ManifestResponse,
  manifest: ImageManifest,
): Promise<ImageDescription> {
  const config = await registry.getBlobJson<ImageConfig>(repository, manifest.config.digest);
  const layers = manifest.layers.map(({ digest, size, mediaType }) => ({
    digest,
    size,
    mediaType,
  }));
  const layerBytes = layers.reduce((sum, layer) => sum + layer.size, 0);

  const platform: Platform = {
    os: config.os ?? 'unknown',
    architecture: config.architecture ?? 'unknown',
    ...(config.variant ? { variant: config.variant } : {}),
    digest: response.digest,
    size: response.size + manifest.config.size + layerBytes,
  };
  return { platform, configDigest: manifest.config.digest, config, layers };
}

/** Parses a fetched manifest or throws `invalid-response` naming the reference. */
function parseManifestResponse(
  registry: ManifestReader,
  response: ManifestResponse,
  repository: string,
  reference: string,
) {
  const parsed = parseManifest(response.mediaType, response.manifest);
  if (typeof parsed !== 'string') return parsed;

  const context = { operation: 'read manifest', repository, reference };
  throw invalidResponseError(parsed, registry.url, context);
}

/** Returns the latest of some RFC 3339 timestamps, ignoring missing or unparsable ones. */
function latest(timestamps: (string | undefined)[]): string | undefined {
  let best: { text: string; time: number } | undefined;
  for (const text of timestamps) {
    const time = text ? Date.parse(text) : Number.NaN;
    if (text && !Number.isNaN(time) && (!best || time > best.time)) best = { text, time };
  }
  return best?.text;
}

import { z } from 'zod';

/** Manifest media types from the OCI image spec and Docker's image manifest v2 schema 2. */
export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** All four manifest types, because Distribution returns 404 for an OCI manifest requested as Docker. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.dockerManifest,
].join(', ');

/** Annotation that buildx sets on the attestation manifests it adds to an index. */
export const REFERENCE_TYPE_ANNOTATION = 'vnd.docker.reference.type';
export const ATTESTATION_MANIFEST = 'attestation-manifest';

const DescriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z
    .object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
    .optional(),
});

/** A content descriptor: media type, digest and size of one blob or manifest. */
export type Descriptor = z.infer<typeof DescriptorSchema>;

export const ImageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
});

/** An OCI image manifest or Docker v2 schema 2 manifest. */
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

export const ImageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(DescriptorSchema),
});

/** An OCI image index or Docker manifest list. */
export type ImageIndex = z.infer<typeof ImageIndexSchema>;

/** A parsed manifest, tagged with its kind. */
export type Manifest =
  | { kind: 'image'; manifest: ImageManifest }
  | { kind: 'index'; manifest: ImageIndex };

/** True for the two multi-platform manifest types. */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
}

/** True for the two single-image manifest types. */
export function isImageMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

/**
 * Parses a manifest body of the given media type. Returns an error text instead of throwing,
 * so the caller can wrap it with the registry and reference.
 */
export function parseManifest(mediaType: string, body: unknown): Manifest | string {
  if (isIndexMediaType(mediaType)) {
    const parsed = ImageIndexSchema.safeParse(body);
    if (parsed.success) return { kind: 'index', manifest: parsed.data };
    return `invalid ${mediaType} body (${z.prettifyError(parsed.error)})`;
  }

  if (isImageMediaType(mediaType)) {
    const parsed = ImageManifestSchema.safeParse(body);
    if (parsed.success) return { kind: 'image', manifest: parsed.data };
    return `invalid ${mediaType} body (${z.prettifyError(parsed.error)})`;
  }

  return `unsupported manifest media type ${JSON.stringify(mediaType)}`;
}

/**
 * True for index entries that are not runnable images: buildx attestation manifests, which
 * carry the reference-type annotation and the platform unknown/unknown.
 */
export function isAttestation(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.[REFERENCE_TYPE_ANNOTATION] === ATTESTATION_MANIFEST) return true;
  const platform = descriptor.platform;
  return platform?.os === 'unknown' && platform.architecture === 'unknown';
}

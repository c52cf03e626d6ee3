import type { Platform } from '../api/schemas';
import type { ImageConfig } from '../image-config';

/** One page of the repository catalog. */
export interface RepositoryPage {
  repositories: string[];
  /** The `last` value for the next page, absent on the last page. */
  next?: string;
}

/** A manifest as the registry served it. */
export interface ManifestResponse {
  mediaType: string;
  /** `Docker-Content-Digest` header, or the sha256 of the body when the header is absent. */
  digest: string;
  /** Bytes of the manifest body. */
  size: number;
  /** Parsed JSON body. */
  manifest: unknown;
}

/** A layer as listed in an image manifest. */
export interface LayerDescriptor {
  digest: string;
  size: number;
  mediaType: string;
}

/** One runnable image: a platform's manifest with its config and layers. */
export interface ImageDescription {
  platform: Platform;
  configDigest: string;
  config: ImageConfig;
  layers: LayerDescriptor[];
}

/** The content a tag resolves to, with one image per real platform. */
export interface TagDescription {
  /** Digest of the manifest or index the tag resolves to. */
  digest: string;
  mediaType: string;
  /** Bytes of manifest, config and layers. For an index, the sum over its platforms. */
  size: number;
  /** Latest `created` among the platforms' configs. */
  created?: string;
  platforms: Platform[];
  images: ImageDescription[];
}

/**
 * Read and delete access to an image registry. Repository and tag arguments are checked
 * against the reference grammar before any request, and failures are RegistryError values.
 */
export interface Registry {
  /** Base URL, such as `http://127.0.0.1:5000`. */
  readonly url: string;
  /** host[:port], the prefix of image references handed to Trivy. */
  readonly host: string;
  /** True when the registry uses plain HTTP or a certificate that is not verified. */
  readonly insecure: boolean;

  /** Checks that the registry API responds and accepts the credentials. */
  ping(): Promise<void>;

  /** Reads one page of repository names, at most 1000. */
  listRepositories(options?: { n?: number; last?: string }): Promise<RepositoryPage>;

  /** Reads every repository name, page by page. */
  listAllRepositories(): Promise<string[]>;

  /** Reads every tag of a repository, following pagination. */
  listTags(repository: string): Promise<string[]>;

  /** Fetches a manifest by tag or digest. */
  getManifest(repository: string, reference: string): Promise<ManifestResponse>;

  /** Fetches a JSON blob, such as an image config, by digest. */
  getBlobJson<T>(repository: string, digest: string): Promise<T>;

  /** Resolves a tag to its manifest, platforms, configs and layers. */
  describeTag(repository: string, tag: string): Promise<TagDescription>;

  /** Deletes a manifest by digest, which untags every tag that points to it. */
  deleteManifest(repository: string, digest: string): Promise<void>;
}

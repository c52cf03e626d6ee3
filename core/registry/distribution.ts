import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { checkDigest, checkRepository, checkTag, isSha256Digest } from '../names';
import { describeTag } from './describe';
import { invalidResponseError, type RequestContext } from './errors';
import { MANIFEST_ACCEPT } from './manifest';
import { lastFromLink, MAX_PAGE_SIZE, nextLink, pageSize } from './pagination';
import type { ManifestResponse, Registry, RepositoryPage, TagDescription } from './port';
import { RegistryTransport } from './transport';

/** Connection settings of a Docker Distribution (or other OCI distribution) registry. */
export interface DistributionRegistryOptions {
  /** Base URL such as `http://127.0.0.1:5000`. */
  url: string;
  username?: string;
  password?: string;
  /**
   * Marks a registry served over plain HTTP or with an unverified certificate, so scans pass
   * TRIVY_INSECURE=true. NOTE: this client still verifies TLS certificates on https URLs.
   * @default true for http:// URLs, false for https://
   */
  insecure?: boolean;
  /** Limit for each request, body included. @default 30000 */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Guards against registries whose `Link` headers loop. */
const MAX_PAGES = 10_000;

/** Registry client for the Docker Distribution HTTP API (`/v2/`), using the global fetch. */
export class DistributionRegistry implements Registry {
  readonly url: string;
  readonly host: string;
  readonly insecure: boolean;
  private readonly transport: RegistryTransport;
  /** Tag descriptions by `repository@digest`; a few thousand fit in a few megabytes. */
  private readonly descriptions = new LRUCache<string, Promise<TagDescription>>({ max: 5000 });

  constructor(options: DistributionRegistryOptions) {
    const parsed = parseRegistryUrl(options.url);
    this.url = parsed.origin;
    this.host = parsed.host;
    this.insecure = options.insecure ?? parsed.protocol === 'http:';

    const { username, password } = options;
    this.transport = new RegistryTransport({
      url: this.url,
      credentials: username && password !== undefined ? { username, password } : undefined,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  /** Checks that `GET /v2/` returns 200 with the configured credentials. */
  async ping(): Promise<void> {
    const response = await this.transport.send({
      path: '/v2/',
      context: { operation: 'check the registry API' },
    });
    await response.body?.cancel();
  }

  /** Reads one `_catalog` page, with `n` clamped to 1..1000. */
  async listRepositories(options: { n?: number; last?: string } = {}): Promise<RepositoryPage> {
    const query = new URLSearchParams();
    const n = pageSize(options.n);
    if (n !== undefined) query.set('n', String(n));
    if (options.last !== undefined) query.set('last', checkRepository(options.last));

    const suffix = query.size > 0 ? `?${query}` : '';
    const page = await this.readPage(`/v2/_catalog${suffix}`, { operation: 'list repositories' });
    const repositories = stringArray(page.body, 'repositories', this.url, page.context);

    const next = page.link ? lastFromLink(page.link, this.url) : undefined;
    return next ? { repositories, next } : { repositories };
  }

  /** Reads the whole catalog in pages of the maximum size. */
  async listAllRepositories(): Promise<string[]> {
    const repositories: string[] = [];
    let last: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await this.listRepositories({ n: MAX_PAGE_SIZE, last });
      repositories.push(...page.repositories);
      if (!page.next || page.next === last) return repositories;
      last = page.next;
    }
    throw invalidResponseError(`the catalog has more than ${MAX_PAGES} pages`, this.url, {
      operation: 'list repositories',
    });
  }

  /** Reads every tag of a repository, following `Link` headers until the last page. */
  async listTags(repository: string): Promise<string[]> {
    checkRepository(repository);
    const context = { operation: 'list tags', repository };

    const tags: string[] = [];
    const seen = new Set<string>();
    let path: string | undefined = `/v2/${repository}/tags/list`;
    while (path && !seen.has(path)) {
      seen.add(path);
      const page = await this.readPage(path, context);
      // Distribution returns `"tags": null` once every tag of a repository is deleted.
      tags.push(...stringArray(page.body, 'tags', this.url, context));
      path = page.link;
    }
    return tags;
  }

  /** Fetches a manifest by tag or digest, accepting all four manifest media types. */
  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    checkReference(repository, reference);
    const context = { operation: 'get manifest', repository, reference };

    const response = await this.transport.send({
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      context,
    });
    const bytes = await this.transport.readBytes(response, context);
    const computed = sha256(bytes);
    if (reference.startsWith('sha256:') && computed !== reference) {
      throw invalidResponseError(`the manifest body has digest ${computed}`, this.url, context);
    }

    const manifest = parseJson(bytes, this.url, context) as { mediaType?: unknown };
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
    const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : contentType;
    return {
      mediaType: mediaType ?? '',
      digest: response.headers.get('docker-content-digest') ?? computed,
      size: bytes.length,
      manifest,
    };
  }

  /** Fetches a blob by digest, checks its sha256 and parses it as JSON. */
  async getBlobJson<T>(repository: string, digest: string): Promise<T> {
    checkRepository(repository);
    checkDigest(digest);
    const context = { operation: 'get blob', repository, reference: digest };

    const response = await this.transport.send({
      path: `/v2/${repository}/blobs/${digest}`,
      context,
    });
    const bytes = await this.transport.readBytes(response, context);
    const computed = sha256(bytes);
    if (computed !== digest) {
      throw invalidResponseError(`the blob body has digest ${computed}`, this.url, context);
    }
    return parseJson(bytes, this.url, context) as T;
  }

  /**
   * Resolves a tag and describes each real platform (attestation manifests are skipped). A
   * description is cached by manifest digest, which names immutable content, so listing many
   * tags costs one HEAD request per tag once their digests have been described.
   */
  async describeTag(repository: string, tag: string): Promise<TagDescription> {
    checkRepository(repository);
    checkTag(tag);

    const digest = await this.headDigest(repository, tag);
    if (!digest) return describeTag(this, repository, tag);
    const key = `${repository}@${digest}`;
    const cached = this.descriptions.get(key);
    if (cached) return cached;

    const described = describeTag(this, repository, digest);
    this.descriptions.set(key, described);
    // A failed description is not cached, so the next request tries again.
    described.catch(() => this.descriptions.delete(key));
    return described;
  }

  /** Returns the digest a tag points to from a HEAD request, or undefined when not sent. */
  private async headDigest(repository: string, tag: string): Promise<string | undefined> {
    const response = await this.transport.send({
      path: `/v2/${repository}/manifests/${tag}`,
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
      context: { operation: 'get manifest', repository, reference: tag },
    });
    const digest = response.headers.get('docker-content-digest') ?? undefined;
    return digest && isSha256Digest(digest) ? digest : undefined;
  }

  /** Deletes a manifest by digest. A registry with deletes disabled raises `deletion-disabled`. */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    checkRepository(repository);
    checkDigest(digest);

    const response = await this.transport.send({
      path: `/v2/${repository}/manifests/${digest}`,
      method: 'DELETE',
      context: { operation: 'delete manifest', repository, reference: digest },
    });
    await response.body?.cancel();
  }

  /** Reads one JSON page and the target of its `rel="next"` link. */
  private async readPage(path: string, context: RequestContext) {
    const response = await this.transport.send({ path, context });
    const body = await this.transport.readJson(response, context);
    return { body, link: nextLink(response.headers.get('link')), context };
  }
}

/** Validates the configured registry URL and throws a plain Error naming it when invalid. */
function parseRegistryUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid registry URL ${JSON.stringify(url)}: expected http(s)://host[:port].`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`Invalid registry URL ${JSON.stringify(url)}: use http:// or https://.`);
  }
  return parsed;
}

/** Checks a repository and a reference that is a tag or a sha256 digest. */
function checkReference(repository: string, reference: string): void {
  checkRepository(repository);
  if (reference.startsWith('sha256:')) checkDigest(reference);
  else checkTag(reference);
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function parseJson(bytes: Buffer, registryUrl: string, context: RequestContext): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidResponseError('the response body is not JSON', registryUrl, context);
  }
}

/** Reads a string array field of a list response, where null and absent mean empty. */
function stringArray(
  body: unknown,
  field: string,
  registryUrl: string,
  context: RequestContext,
): string[] {
  const value = (body as Record<string, unknown> | null)?.[field];
  if (value === null || value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw invalidResponseError(`"${field}" is not a list of strings`, registryUrl, context);
}

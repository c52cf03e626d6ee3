import {
  BatchDeleteImageCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  paginateDescribeImages,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr';
import { checkDigest, checkRepository, checkTag } from '../names';
import type { Credentials } from '../registry/auth';
import { DistributionRegistry } from '../registry/distribution';
import { RegistryError, type RequestContext } from '../registry/errors';
import { MAX_PAGE_SIZE, pageSize } from '../registry/pagination';
import type { ManifestResponse, Registry, RepositoryPage, TagDescription } from '../registry/port';
import { EcrTokenCache } from './ecr-auth';
import { ecrError } from './ecr-errors';

/** Settings of an EcrRegistry: the ECR client, account, region and registry host. */
export interface EcrRegistryOptions {
  ecr: ECRClient;
  /** Account id of the registry. @default the registry of the caller's account */
  registryId?: string;
  region: string;
  /**
   * Registry host for image references and the registry API.
   * @default `<registryId>.dkr.ecr.<region>.amazonaws.com`, or without registryId the host
   * of GetAuthorizationToken's proxyEndpoint
   */
  host?: string;
  /** Clock in epoch milliseconds, for token expiry. @default Date.now */
  now?: () => number;
  /** Limit for each registry API request. @default 30000 */
  timeoutMs?: number;
}

/**
 * Registry on Amazon ECR. Listing and deleting use the ECR API, because ECR has no usable
 * `_catalog`. Manifests and blobs go through DistributionRegistry, with Basic auth from
 * GetAuthorizationToken. Requests that the SDK retries (throttling, 5xx) end as
 * `unreachable` once its retries are spent.
 */
export class EcrRegistry implements Registry {
  private readonly ecr: ECRClient;
  private readonly registryId: string | undefined;
  private readonly tokens: EcrTokenCache;
  private readonly timeoutMs: number | undefined;
  private endpoint: URL | undefined;
  private session: { password: string; registry: DistributionRegistry } | undefined;

  constructor(options: EcrRegistryOptions) {
    this.ecr = options.ecr;
    this.registryId = options.registryId;
    this.tokens = new EcrTokenCache(options.ecr, options.now ?? Date.now);
    this.timeoutMs = options.timeoutMs;

    const host = options.host ?? defaultHost(options.registryId, options.region);
    this.endpoint = host ? new URL(`https://${host}`) : undefined;
  }

  /**
   * Base URL of the registry API. Without `registryId` or `host` it is known only after the
   * first token, so call `ping()` first, because reading it earlier throws.
   */
  get url(): string {
    return this.knownEndpoint().origin;
  }

  get host(): string {
    return this.knownEndpoint().host;
  }

  get insecure(): boolean {
    return this.knownEndpoint().protocol === 'http:';
  }

  /** Returns the Basic auth account of the current token, for Trivy's TRIVY_USERNAME/PASSWORD. */
  async credentials(): Promise<Credentials> {
    return (await this.token({ operation: 'get an ECR authorization token' })).credentials;
  }

  async ping(): Promise<void> {
    await this.withHttp((http) => http.ping());
  }

  /**
   * Reads one DescribeRepositories page. The page cursor is ECR's opaque `nextToken`: it is
   * returned as `next` and sent back as `last`, so `last` is not a repository name here.
   */
  async listRepositories(options: { n?: number; last?: string } = {}): Promise<RepositoryPage> {
    const maxResults = pageSize(options.n);
    const response = await this.call({ operation: 'list repositories' }, () =>
      this.ecr.send(
        new DescribeRepositoriesCommand({
          ...this.registryScope(),
          ...(maxResults === undefined ? {} : { maxResults }),
          ...(options.last === undefined ? {} : { nextToken: options.last }),
        }),
      ),
    );

    const repositories = (response.repositories ?? []).flatMap((item) =>
      item.repositoryName ? [item.repositoryName] : [],
    );
    return response.nextToken ? { repositories, next: response.nextToken } : { repositories };
  }

  /** Reads every repository name in pages of 1000, sorted like a `_catalog` listing. */
  async listAllRepositories(): Promise<string[]> {
    return this.call({ operation: 'list repositories' }, async () => {
      const pages = paginateDescribeRepositories(
        { client: this.ecr, pageSize: MAX_PAGE_SIZE },
        { ...this.registryScope(), maxResults: MAX_PAGE_SIZE },
      );
      const names: string[] = [];
      for await (const page of pages) {
        for (const item of page.repositories ?? []) {
          if (item.repositoryName) names.push(item.repositoryName);
        }
      }
      return names.sort();
    });
  }

  /** Reads the tags of every tagged image with DescribeImages, sorted. */
  async listTags(repository: string): Promise<string[]> {
    checkRepository(repository);
    return this.call({ operation: 'list tags', repository }, async () => {
      const pages = paginateDescribeImages(
        { client: this.ecr, pageSize: MAX_PAGE_SIZE },
        {
          ...this.registryScope(),
          repositoryName: repository,
          filter: { tagStatus: 'TAGGED' },
          maxResults: MAX_PAGE_SIZE,
        },
      );
      const tags = new Set<string>();
      for await (const page of pages) {
        for (const image of page.imageDetails ?? []) {
          for (const tag of image.imageTags ?? []) tags.add(tag);
        }
      }
      return [...tags].sort();
    });
  }

  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    checkRepository(repository);
    if (reference.startsWith('sha256:')) checkDigest(reference);
    else checkTag(reference);
    return this.withHttp((http) => http.getManifest(repository, reference));
  }

  async getBlobJson<T>(repository: string, digest: string): Promise<T> {
    checkRepository(repository);
    checkDigest(digest);
    return this.withHttp((http) => http.getBlobJson<T>(repository, digest));
  }

  async describeTag(repository: string, tag: string): Promise<TagDescription> {
    checkRepository(repository);
    checkTag(tag);
    return this.withHttp((http) => http.describeTag(repository, tag));
  }

  /** Deletes an image by digest with BatchDeleteImage, which removes every tag on it. */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    checkRepository(repository);
    checkDigest(digest);
    const context = { operation: 'delete manifest', repository, reference: digest };

    const response = await this.call(context, () =>
      this.ecr.send(
        new BatchDeleteImageCommand({
          ...this.registryScope(),
          repositoryName: repository,
          imageIds: [{ imageDigest: digest }],
        }),
      ),
    );
    const failure = response.failures?.[0];
    if (failure) throw ecrError(failure, context, this.label());
  }

  /** Runs a registry API call with the current token; an `unauthorized` drops the token. */
  private async withHttp<T>(request: (http: DistributionRegistry) => Promise<T>): Promise<T> {
    const http = await this.http();
    try {
      return await request(http);
    } catch (error) {
      if (error instanceof RegistryError && error.kind === 'unauthorized') this.tokens.clear();
      throw error;
    }
  }

  /** Returns the DistributionRegistry of the current token, rebuilt when the token changes. */
  private async http(): Promise<DistributionRegistry> {
    const { credentials, proxyEndpoint } = await this.token({ operation: 'get an ECR token' });
    this.endpoint ??= proxyEndpoint ? new URL(proxyEndpoint) : undefined;
    if (this.session?.password === credentials.password) return this.session.registry;

    const registry = new DistributionRegistry({
      url: this.knownEndpoint().origin,
      ...credentials,
      ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }),
    });
    this.session = { password: credentials.password, registry };
    return registry;
  }

  private token(context: RequestContext) {
    return this.call(context, () => this.tokens.get());
  }

  /** Runs an ECR API call and turns its failure into a RegistryError. */
  private async call<T>(context: RequestContext, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw ecrError(error, context, this.label());
    }
  }

  private registryScope(): { registryId?: string } {
    return this.registryId ? { registryId: this.registryId } : {};
  }

  private knownEndpoint(): URL {
    if (this.endpoint) return this.endpoint;
    throw new Error(
      'The ECR registry host is not known yet: set ECR_REGISTRY_ID, or call ping() first.',
    );
  }

  /** Names the registry in messages, before its URL is known too. */
  private label(): string {
    if (this.endpoint) return this.endpoint.origin;
    return this.registryId ? `ECR registry ${this.registryId}` : 'the account ECR registry';
  }
}

/** Builds `<account>.dkr.ecr.<region>.amazonaws.com`, with `.com.cn` in the China regions. */
function defaultHost(registryId: string | undefined, region: string): string | undefined {
  if (!registryId) return undefined;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${registryId}.dkr.ecr.${region}.${suffix}`;
}

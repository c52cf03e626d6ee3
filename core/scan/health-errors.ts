import { RegistryError, type RegistryErrorKind } from '../registry/errors';
import type { ManifestResponse, Registry, RepositoryPage, TagDescription } from '../registry/port';
import { failureReason } from './failure';

/** The message of an error and when it happened (ISO 8601). */
export interface LastError {
  message: string;
  at: string;
}

/**
 * Registry error kinds that show a problem with the registry itself. A missing tag and
 * disabled deletes are responses to one request, so they are not recorded.
 */
const HEALTH_KINDS: ReadonlySet<RegistryErrorKind> = new Set([
  'unreachable',
  'unauthorized',
  'invalid-response',
]);

/**
 * The last registry error and the last scan failure this process saw, for the health page.
 * The record lives in memory: each process has its own and a restart clears it.
 */
export class HealthErrors {
  private registryError: LastError | undefined;
  private scanFailure: LastError | undefined;

  /** Records `error` when it is a RegistryError about the registry's health; ignores others. */
  recordRegistryError(error: unknown): void {
    if (!(error instanceof RegistryError) || !HEALTH_KINDS.has(error.kind)) return;
    this.registryError = { message: failureReason(error), at: new Date().toISOString() };
  }

  /** Records the reason of a failed scan. */
  recordScanFailure(reason: string): void {
    this.scanFailure = { message: reason, at: new Date().toISOString() };
  }

  lastRegistryError(): LastError | undefined {
    return this.registryError;
  }

  lastScanFailure(): LastError | undefined {
    return this.scanFailure;
  }
}

/**
 * Wraps `registry` so that every failed call, from the API, the scans or the health check,
 * is recorded in `errors` before the error reaches the caller.
 */
export function recordRegistryErrors(registry: Registry, errors: HealthErrors): Registry {
  return new RecordingRegistry(registry, errors);
}

class RecordingRegistry implements Registry {
  constructor(
    private readonly inner: Registry,
    private readonly errors: HealthErrors,
  ) {}

  get url(): string {
    return this.inner.url;
  }

  get host(): string {
    return this.inner.host;
  }

  get insecure(): boolean {
    return this.inner.insecure;
  }

  ping(): Promise<void> {
    return this.record(this.inner.ping());
  }

  listRepositories(options?: { n?: number; last?: string }): Promise<RepositoryPage> {
    return this.record(this.inner.listRepositories(options));
  }

  listAllRepositories(): Promise<string[]> {
    return this.record(this.inner.listAllRepositories());
  }

  listTags(repository: string): Promise<string[]> {
    return this.record(this.inner.listTags(repository));
  }

  getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    return this.record(this.inner.getManifest(repository, reference));
  }

  getBlobJson<T>(repository: string, digest: string): Promise<T> {
    return this.record(this.inner.getBlobJson<T>(repository, digest));
  }

  describeTag(repository: string, tag: string): Promise<TagDescription> {
    return this.record(this.inner.describeTag(repository, tag));
  }

  deleteManifest(repository: string, digest: string): Promise<void> {
    return this.record(this.inner.deleteManifest(repository, digest));
  }

  private async record<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.errors.recordRegistryError(error);
      throw error;
    }
  }
}

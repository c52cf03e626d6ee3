import type {
  Dashboard,
  FindingList,
  Health,
  LayerView,
  RepositoryList,
  ScanStatus,
  ScanView,
  TagDeletion,
  TagList,
  TagSummary,
  User,
} from '../../core/api/schemas';
import { requestJson } from './http';

export { ApiRequestError } from './http';

/** Builds `/api/repositories/{name}` with each path segment encoded and the slashes kept. */
export function repositoryApiPath(repository: string): string {
  return `/api/repositories/${encodeSegments(repository)}`;
}

/** Builds `/api/repositories/{name}/tags/{tag}`. */
export function tagApiPath(repository: string, tag: string): string {
  return `${repositoryApiPath(repository)}/tags/${encodeURIComponent(tag)}`;
}

/** Builds the download address of a tag's stored Trivy report. */
export function reportUrl(repository: string, tag: string): string {
  return `${tagApiPath(repository, tag)}/report`;
}

/** Encodes each `/`-separated segment of a path and keeps the slashes. */
export function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Reads the health of the registry and the scanner. */
export function fetchHealth(): Promise<Health> {
  return requestJson('GET', '/api/health');
}

/** Reads the signed-in user and their roles. */
export function fetchMe(): Promise<User> {
  return requestJson('GET', '/api/me');
}

/** Reads the totals, top images, per-repository counts and trend across all scanned tags. */
export function fetchDashboard(): Promise<Dashboard> {
  return requestJson('GET', '/api/dashboard');
}

/** Reads one page of repository names; pass the previous page's `next` as `last`. */
export function fetchRepositories(last?: string, pageSize = 100): Promise<RepositoryList> {
  const query = new URLSearchParams({ n: String(pageSize) });
  if (last) query.set('last', last);
  return requestJson('GET', `/api/repositories?${query}`);
}

/**
 * Reads one page of a repository's tags with their digests, sizes and scan results; pass the
 * previous page's `next` as `last`.
 */
export function fetchTagPage(repository: string, last?: string, pageSize = 200): Promise<TagList> {
  const query = new URLSearchParams({ n: String(pageSize) });
  if (last) query.set('last', last);
  return requestJson('GET', `${repositoryApiPath(repository)}/tags?${query}`);
}

/** Reads one tag with its digest, platforms and scan state. */
export function fetchTag(repository: string, tag: string): Promise<TagSummary> {
  return requestJson('GET', tagApiPath(repository, tag));
}

/**
 * Reads the history steps and layers of a tag's image with the findings counted per layer.
 * `platform` (`os/architecture[/variant]`) picks one image of a multi-arch tag.
 */
export function fetchLayers(
  repository: string,
  tag: string,
  platform?: string,
): Promise<LayerView> {
  const query = platform ? `?${new URLSearchParams({ platform })}` : '';
  return requestJson('GET', `${tagApiPath(repository, tag)}/layers${query}`);
}

/** Reads the findings of a tag's stored result. */
export function fetchFindings(repository: string, tag: string): Promise<FindingList> {
  return requestJson('GET', `${tagApiPath(repository, tag)}/vulnerabilities`);
}

/** Queues a scan of the tag and returns the queued status from the API's 202 response. */
export function requestScan(repository: string, tag: string): Promise<ScanStatus> {
  return requestJson('POST', `${tagApiPath(repository, tag)}/scan`);
}

/** Reads the latest scan request and the last completed result of a tag. */
export function fetchScan(repository: string, tag: string): Promise<ScanView> {
  return requestJson('GET', `${tagApiPath(repository, tag)}/scan`);
}

/** Deletes the manifest a tag points to and returns every tag that pointed to it. */
export function deleteTag(repository: string, tag: string): Promise<TagDeletion> {
  return requestJson('DELETE', tagApiPath(repository, tag));
}

import type {
  Dashboard,
  FindingList,
  Health,
  LayerView,
  RepositoryList,
  ScanStatus,
  ScanView,
  TagList,
  User,
} from '../../core/api/schemas';
import { requestJson, sendRequest } from './http';

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

/** Reads the tags of a repository with their digests, sizes and scan results. */
export function fetchTags(repository: string): Promise<TagList> {
  return requestJson('GET', `${repositoryApiPath(repository)}/tags`);
}

/** Reads the history steps of a tag's image with the findings counted per layer. */
export function fetchLayers(repository: string, tag: string): Promise<LayerView> {
  return requestJson('GET', `${tagApiPath(repository, tag)}/layers`);
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

/** Deletes the manifest a tag points to; the API returns 204 on success. */
export async function deleteTag(repository: string, tag: string): Promise<void> {
  await sendRequest('DELETE', tagApiPath(repository, tag));
}

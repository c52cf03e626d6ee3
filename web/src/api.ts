import type {
  ApiError,
  FindingList,
  Health,
  LayerView,
  RepositoryList,
  ScanStatus,
  ScanView,
  TagList,
} from '../../core/api/schemas';

/** A failed API request, carrying the API's error code, message and hint. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

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

export function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Sends one request and parses the JSON body; throws ApiRequestError on any failure. */
async function requestJson<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, headers: { Accept: 'application/json' } });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiRequestError(
      0,
      'NETWORK_ERROR',
      `${method} ${path} failed: ${detail}`,
      'Check that the Berth server is running and reachable, then reload the page.',
    );
  }

  if (!response.ok) throw await readApiError(method, path, response);

  return (await response.json()) as T;
}

/** Turns an error response into ApiRequestError, also when the body is not the API's JSON. */
async function readApiError(method: string, path: string, response: Response) {
  const body = (await response.json().catch(() => undefined)) as Partial<ApiError> | undefined;
  const error = body?.error;
  if (error && typeof error.message === 'string') {
    return new ApiRequestError(response.status, error.code, error.message, error.hint);
  }

  return new ApiRequestError(
    response.status,
    'HTTP_ERROR',
    `${method} ${path} failed with HTTP ${response.status} ${response.statusText}.`,
    'Check the Berth server log for the cause.',
  );
}

/** Reads the health of the registry and the scanner. */
export function fetchHealth(): Promise<Health> {
  return requestJson('GET', '/api/health');
}

/** Reads one page of repository names; pass the previous page's `next` as `last`. */
export function fetchRepositories(last?: string, pageSize = 100): Promise<RepositoryList> {
  const query = new URLSearchParams({ n: String(pageSize) });
  if (last) query.set('last', last);
  return requestJson('GET', `/api/repositories?${query}`);
}

export function fetchTags(repository: string): Promise<TagList> {
  return requestJson('GET', `${repositoryApiPath(repository)}/tags`);
}

export function fetchLayers(repository: string, tag: string): Promise<LayerView> {
  return requestJson('GET', `${tagApiPath(repository, tag)}/layers`);
}

export function fetchFindings(repository: string, tag: string): Promise<FindingList> {
  return requestJson('GET', `${tagApiPath(repository, tag)}/vulnerabilities`);
}

/** Queues a scan of the tag and returns the queued status from the API's 202 response. */
export function requestScan(repository: string, tag: string): Promise<ScanStatus> {
  return requestJson('POST', `${tagApiPath(repository, tag)}/scan`);
}

export function fetchScan(repository: string, tag: string): Promise<ScanView> {
  return requestJson('GET', `${tagApiPath(repository, tag)}/scan`);
}

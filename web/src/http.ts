import type { ApiError } from '../../core/api/schemas';

/** HTTP methods the SPA sends to the API. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

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

/** Returns the access token to send with API requests, or undefined when sign-in is off. */
export type AccessTokenSource = () => Promise<string | undefined>;

let accessToken: AccessTokenSource = async () => undefined;

/** Sets where API requests take their access token from; the Cognito sign-in calls this. */
export function setAccessTokenSource(source: AccessTokenSource): void {
  accessToken = source;
}

/** Computes the lower-case hex SHA-256 of a UTF-8 string with Web Crypto. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Builds the headers of an API request. CloudFront's origin access control signs requests to
 * the Lambda function URL with the `Authorization` header, so the Cognito token travels in
 * `X-Berth-Authorization`, and every request with a method that may carry a body sends
 * `x-amz-content-sha256`, which that signature requires.
 */
export async function buildHeaders(method: HttpMethod, body = ''): Promise<Headers> {
  const headers = new Headers({ Accept: 'application/json' });
  if (body !== '') headers.set('Content-Type', 'application/json');

  const token = await accessToken();
  if (token) headers.set('X-Berth-Authorization', `Bearer ${token}`);

  if (method !== 'GET') headers.set('x-amz-content-sha256', await sha256Hex(body));

  return headers;
}

/** Sends one API request; throws ApiRequestError on a network failure or an error status. */
export async function sendRequest(method: HttpMethod, path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  let response: Response;
  try {
    const headers = await buildHeaders(method, text);
    response = await fetch(path, { method, headers, body: text === '' ? undefined : text });
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

  return response;
}

/** Sends one request and parses the JSON body; throws ApiRequestError on any failure. */
export async function requestJson<T>(method: HttpMethod, path: string, body?: unknown) {
  const response = await sendRequest(method, path, body);
  return (await response.json()) as T;
}

/** Turns an error response into ApiRequestError, also when the body is not the API's JSON. */
async function readApiError(method: string, path: string, response: Response) {
  const body = (await response.json().catch(() => undefined)) as Partial<ApiError> | undefined;
  const error = body?.error;
  if (error && typeof error.message === 'string') {
    return new ApiRequestError(
      response.status,
      error.code,
      error.message,
      error.hint ?? defaultHint(response.status),
    );
  }

  return new ApiRequestError(
    response.status,
    'HTTP_ERROR',
    `${method} ${path} failed with HTTP ${response.status} ${response.statusText}.`,
    defaultHint(response.status),
  );
}

/** Returns what a user can do about a status when the API sent no hint of its own. */
function defaultHint(status: number): string {
  if (status === 401) return 'Your sign-in has expired or is missing: reload the page to sign in.';
  if (status === 403) return 'Ask an administrator for the role this action needs.';
  if (status === 404) return 'Check the address; the item may have been deleted.';
  if (status >= 500) return 'Retry in a moment; if it keeps failing, check the Berth server log.';
  return 'Check the Berth server log for the cause.';
}

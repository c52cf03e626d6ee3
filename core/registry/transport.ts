import {
  basicAuthorization,
  type Challenge,
  type Credentials,
  parseChallenge,
  scopeFor,
  TokenCache,
  type TokenResponse,
  tokenUrl,
} from './auth';
import {
  errorFromResponse,
  invalidResponseError,
  type RequestContext,
  unreachableError,
} from './errors';

/** Settings of the HTTP layer shared by every registry request. */
export interface TransportOptions {
  /** Registry base URL without a trailing slash. */
  url: string;
  credentials?: Credentials;
  /** Per-request limit, covering the response body too. */
  timeoutMs: number;
}

/** One registry request: a path under the base URL (or an absolute URL on the same origin). */
export interface TransportRequest {
  path: string;
  method?: 'GET' | 'HEAD' | 'DELETE';
  headers?: Record<string, string>;
  context: RequestContext;
}

/**
 * Sends registry requests with Basic or Bearer auth and turns failures into RegistryError.
 * On a 401 with a Bearer challenge it fetches a token from the realm, caches it per scope
 * and retries once.
 */
export class RegistryTransport {
  private readonly tokens = new TokenCache();

  constructor(private readonly options: TransportOptions) {}

  /** Sends a request and returns the 2xx response, or throws RegistryError. */
  async send(request: TransportRequest): Promise<Response> {
    const url = this.resolve(request);
    const method = request.method ?? 'GET';
    const scope = scopeFor(method, request.context.repository, url.pathname);

    let response = await this.fetch(url, method, request, this.authorization(scope));
    if (response.status === 401) {
      const retryAuthorization = await this.answerChallenge(response, scope, request.context);
      if (retryAuthorization) {
        await response.body?.cancel();
        response = await this.fetch(url, method, request, retryAuthorization);
      }
    }

    if (response.ok) return response;
    throw await errorFromResponse(response, this.options.url, request.context);
  }

  /** Resolves the request path and rejects absolute URLs (from `Link`) on another origin. */
  private resolve(request: TransportRequest): URL {
    const base = new URL(this.options.url);
    const url = new URL(request.path, base);
    if (url.origin === base.origin) return url;

    const problem = `the registry pointed to ${url.origin}, which is not its own origin`;
    throw invalidResponseError(problem, this.options.url, request.context);
  }

  /** Picks a cached Bearer token for the scope, else Basic credentials, else nothing. */
  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    return this.options.credentials && basicAuthorization(this.options.credentials);
  }

  /** Returns the Authorization value to retry with, or undefined when a retry cannot help. */
  private async answerChallenge(
    response: Response,
    scope: string,
    context: RequestContext,
  ): Promise<string | undefined> {
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (challenge?.scheme !== 'bearer') return undefined;

    const token = await this.fetchToken(challenge, scope, context);
    return `Bearer ${token}`;
  }

  /** Requests a token from the challenge's realm and caches it under the request's scope. */
  private async fetchToken(
    challenge: Challenge,
    scope: string,
    context: RequestContext,
  ): Promise<string> {
    const url = tokenUrl(challenge, scope);
    if (typeof url === 'string') throw invalidResponseError(url, this.options.url, context);

    const tokenContext = {
      ...context,
      operation: `get a token from ${url.origin} to ${context.operation}`,
    };
    const credentials = this.options.credentials;
    const headers = credentials ? { authorization: basicAuthorization(credentials) } : undefined;
    const response = await this.fetch(url, 'GET', { headers, context: tokenContext }, undefined);
    if (!response.ok) throw await errorFromResponse(response, this.options.url, tokenContext);

    const body = (await this.readJson(response, tokenContext)) as TokenResponse;
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '') {
      throw invalidResponseError('the token response has no token', this.options.url, tokenContext);
    }
    this.tokens.set(scope, token, body.expires_in);
    return token;
  }

  /** Calls the global fetch with the timeout, turning network failures into `unreachable`. */
  private async fetch(
    url: URL,
    method: string,
    request: Pick<TransportRequest, 'headers' | 'context'>,
    authorization: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization) headers.authorization = authorization;

    try {
      return await fetch(url, {
        method,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw unreachableError(error, this.options.url, request.context, this.options.timeoutMs);
    }
  }

  /** Reads a JSON body, raising `invalid-response` when it is not JSON. */
  async readJson(response: Response, context: RequestContext): Promise<unknown> {
    const bytes = await this.readBytes(response, context);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      throw invalidResponseError('the response body is not JSON', this.options.url, context);
    }
  }

  /** Reads the whole body, which the request's timeout also bounds. */
  async readBytes(response: Response, context: RequestContext): Promise<Buffer> {
    try {
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw unreachableError(error, this.options.url, context, this.options.timeoutMs);
    }
  }
}

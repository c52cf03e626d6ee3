/** A parsed `WWW-Authenticate` challenge (RFC 7235), such as `Bearer realm="...",service="..."`. */
export interface Challenge {
  /** Lower-case scheme: `bearer` or `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/** Registry account for Basic auth and for token requests. */
export interface Credentials {
  username: string;
  password: string;
}

// A parameter value is a token or a quoted string, which may contain commas ("repository:a:pull,push").
const PARAMETER = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;

/** Parses the first challenge of a `WWW-Authenticate` header, or returns undefined when absent. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = header?.trim().match(/^([A-Za-z][\w-]*)\s*(.*)$/s);
  if (!match?.[1]) return undefined;

  const params: Record<string, string> = {};
  for (const [, key, quoted, token] of (match[2] ?? '').matchAll(PARAMETER)) {
    if (key) params[key.toLowerCase()] = quoted?.replace(/\\(.)/g, '$1') ?? token ?? '';
  }
  return { scheme: match[1].toLowerCase(), params };
}

/** Builds the `Authorization` value for HTTP Basic auth. */
export function basicAuthorization(credentials: Credentials): string {
  const pair = `${credentials.username}:${credentials.password}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/**
 * Derives the token scope a request needs (Docker token auth spec):
 * `repository:NAME:pull` to read, `repository:NAME:delete` to delete, and
 * `registry:catalog:*` for the catalog.
 */
export function scopeFor(method: string, repository: string | undefined, path: string): string {
  if (repository) return `repository:${repository}:${method === 'DELETE' ? 'delete' : 'pull'}`;
  if (path.startsWith('/v2/_catalog')) return 'registry:catalog:*';
  return '';
}

/** Lifetime of a token without `expires_in`, 60 seconds by the Docker token auth spec. */
const DEFAULT_TOKEN_SECONDS = 60;

/** Renews a token this long before it expires, so it does not expire in flight. */
const EXPIRY_MARGIN_MS = 5_000;

/** Bearer tokens, kept per scope until they expire. */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  /** Returns the cached token for a scope, or undefined when it is missing or expired. */
  get(scope: string, now = Date.now()): string | undefined {
    const entry = this.tokens.get(scope);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.token;

    this.tokens.delete(scope);
    return undefined;
  }

  /** Stores a token for `expiresInSeconds` (the token response's `expires_in`). */
  set(scope: string, token: string, expiresInSeconds = DEFAULT_TOKEN_SECONDS, now = Date.now()) {
    const lifetimeMs = Math.max(expiresInSeconds * 1000 - EXPIRY_MARGIN_MS, 0);
    this.tokens.set(scope, { token, expiresAt: now + lifetimeMs });
  }
}

/** The fields of a token server response that Berth reads. */
export interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
}

/** Builds the token request URL from a Bearer challenge, with the scope the request needs. */
export function tokenUrl(challenge: Challenge, scope: string): URL | string {
  const realm = challenge.params.realm;
  if (!realm) return 'Bearer challenge without a realm';

  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return `Bearer realm ${JSON.stringify(realm)} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Bearer realm ${JSON.stringify(realm)} is not an HTTP URL`;
  }

  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  const requestedScope = challenge.params.scope ?? scope;
  if (requestedScope) url.searchParams.set('scope', requestedScope);
  return url;
}

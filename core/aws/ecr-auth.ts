import { type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { Credentials } from '../registry/auth';

/** Registry credentials decoded from a GetAuthorizationToken response. */
export interface EcrToken {
  /** Basic auth account: the user is always `AWS`. */
  credentials: Credentials;
  /** Registry URL the token is for, such as `https://123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  proxyEndpoint?: string;
  /** Epoch milliseconds after which ECR rejects the token. */
  expiresAt: number;
}

/** Lifetime of an ECR token (12 hours), assumed when a response has no `expiresAt`. */
const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** Renews a token this long before it expires, so no request carries an expired one. */
export const RENEWAL_MARGIN_MS = 5 * 60 * 1000;

/**
 * Fetches and caches the registry token: reused until 5 minutes before it expires, and
 * fetched once for concurrent callers.
 */
export class EcrTokenCache {
  private token: EcrToken | undefined;
  private pending: Promise<EcrToken> | undefined;

  constructor(
    private readonly ecr: ECRClient,
    private readonly now: () => number,
  ) {}

  /** Returns the cached token, or fetches a new one when it is missing or about to expire. */
  async get(): Promise<EcrToken> {
    if (this.token && this.token.expiresAt - RENEWAL_MARGIN_MS > this.now()) return this.token;

    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    this.token = await this.pending;
    return this.token;
  }

  /** Drops the cached token, for example after the registry rejected it. */
  clear(): void {
    this.token = undefined;
  }

  private async fetch(): Promise<EcrToken> {
    // Without registryIds the token is valid for every registry the caller may access.
    const response = await this.ecr.send(new GetAuthorizationTokenCommand({}));
    const data = response.authorizationData?.[0];
    if (!data?.authorizationToken) {
      throw new Error('GetAuthorizationToken returned no authorization token.');
    }

    return {
      credentials: decodeToken(data.authorizationToken),
      proxyEndpoint: data.proxyEndpoint,
      expiresAt: data.expiresAt ? data.expiresAt.getTime() : this.now() + TOKEN_LIFETIME_MS,
    };
  }
}

/** Decodes the base64 `AWS:password` pair of an ECR authorization token. */
export function decodeToken(token: string): Credentials {
  const pair = Buffer.from(token, 'base64').toString('utf8');
  const separator = pair.indexOf(':');
  if (separator <= 0) {
    throw new Error('The ECR authorization token is not a base64 "user:password" pair.');
  }
  return { username: pair.slice(0, separator), password: pair.slice(separator + 1) };
}

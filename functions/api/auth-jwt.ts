import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksNotAvailableInCacheError, JwtBaseError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { Context } from 'hono';
import type { User } from '../../core/api/schemas';
import type { Authenticator, AuthOptions, Role } from './auth';
import { ApiProblem } from './errors';

/**
 * Header that carries the Cognito access token. CloudFront's origin access control signs the
 * request to the Lambda function URL into `Authorization`, so the token travels beside it.
 */
export const TOKEN_HEADER = 'X-Berth-Authorization';

/** The Cognito user pool and app client whose access tokens the API accepts. */
export interface CognitoAuthOptions {
  /** `USER_POOL_ID`, such as `eu-west-1_AbCdEf123`. */
  userPoolId: string;
  /** `USER_POOL_CLIENT_ID`: tokens issued to another app client are rejected. */
  clientId: string;
  /** Signing keys to preload, so no request goes to Cognito for them (tests). */
  jwks?: Jwks;
}

const ROLES: readonly Role[] = ['admin', 'viewer'];

/**
 * Builds an Authenticator that verifies the Cognito access token in `X-Berth-Authorization:
 * Bearer <token>` and takes the roles from the `cognito:groups` claim. A request without the
 * header has no user (401). An invalid token is a 401 with the reason, and a user in neither
 * the admin nor the viewer group is a 403.
 */
export function createCognitoAuthenticator(options: CognitoAuthOptions): Authenticator {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    tokenUse: 'access',
    clientId: options.clientId,
  });
  if (options.jwks) verifier.cacheJwks(options.jwks);

  return async (c: Context): Promise<User | undefined> => {
    const token = bearerToken(c.req.header(TOKEN_HEADER));
    if (token === undefined) return undefined;

    let payload: Awaited<ReturnType<typeof verifier.verify>>;
    try {
      payload = await verifier.verify(token);
    } catch (error) {
      throw tokenProblem(error);
    }
    return toUser(payload);
  };
}

/** Sign-in options of the API on AWS: Cognito access tokens, with a Bearer challenge on 401. */
export function cognitoAuth(options: CognitoAuthOptions): AuthOptions {
  return {
    authenticate: createCognitoAuthenticator(options),
    challenge: `Bearer realm="Berth", header="${TOKEN_HEADER}"`,
  };
}

/** Returns the token of `Bearer <token>`; throws a 401 for any other scheme. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;

  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiProblem(
      401,
      'invalid_token',
      `Invalid ${TOKEN_HEADER} header: expected "Bearer <access token>".`,
      'Sign in again.',
    );
  }
  return match[1];
}

function toUser(payload: Record<string, unknown>): User {
  const groups = payload['cognito:groups'];
  const roles = new Set(ROLES.filter((role) => Array.isArray(groups) && groups.includes(role)));
  // An administrator can do everything a viewer can.
  if (roles.has('admin')) roles.add('viewer');

  const name = String(payload.username ?? payload.sub ?? 'unknown');
  if (roles.size === 0) {
    throw new ApiProblem(
      403,
      'forbidden',
      `User ${name} is in neither the admin nor the viewer group.`,
      'Ask an administrator to add you to the viewer or admin group.',
    );
  }
  return { name, roles: [...roles] };
}

/** Maps a verification failure to a 401 with its reason, or a 503 when the keys are out of reach. */
function tokenProblem(error: unknown): ApiProblem {
  if (error instanceof FetchError || error instanceof JwksNotAvailableInCacheError) {
    return new ApiProblem(
      503,
      'signing_keys_unavailable',
      `The user pool's signing keys could not be read: ${error.message}`,
      'Retry later; the API function needs outbound HTTPS to Cognito.',
    );
  }
  if (error instanceof JwtBaseError) {
    return new ApiProblem(
      401,
      'invalid_token',
      `Invalid access token: ${error.message}`,
      'Sign in again.',
    );
  }
  return new ApiProblem(
    401,
    'invalid_token',
    `The access token could not be verified: ${(error as Error)?.message ?? String(error)}`,
    'Sign in again.',
  );
}

import type { Context, MiddlewareHandler } from 'hono';
import type { User } from '../../core/api/schemas';
import { ApiProblem } from './errors';

export type Role = User['roles'][number];

/** Hono variables the API sets per request. */
export type ApiEnv = { Variables: { user: User } };

/**
 * Finds the user of a request: undefined when the request carries no valid credentials.
 * Throws ApiProblem for credentials that are present but invalid, to give a precise message.
 */
export type Authenticator = (c: Context) => Promise<User | undefined>;

export interface AuthOptions {
  authenticate: Authenticator;
  /** `WWW-Authenticate` value sent with a 401, such as `Basic realm="Berth"`. */
  challenge?: string;
}

/** Routes open without sign-in, because load balancers and the SPA's start-up call them. */
const PUBLIC_PATHS = new Set(['/api/health', '/api/openapi.json']);

/** Sign-in off: every request acts as a local administrator. Used on loopback addresses. */
export const localAdministrator: AuthOptions = {
  authenticate: async () => ({ name: 'local', roles: ['admin', 'viewer'] }),
};

/** Middleware that sets `user` on every API request, or returns 401 outside PUBLIC_PATHS. */
export function authenticate(options: AuthOptions): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();

    const user = await options.authenticate(c);
    if (!user) {
      if (options.challenge) c.header('WWW-Authenticate', options.challenge);
      throw new ApiProblem(401, 'unauthenticated', 'Sign-in required.', 'Sign in and retry.');
    }
    c.set('user', user);
    return next();
  };
}

/** Throws a 403 unless the signed-in user has `role`. */
export function requireRole(c: Context<ApiEnv>, role: Role): void {
  const user = c.get('user');
  if (user?.roles.includes(role)) return;
  throw new ApiProblem(
    403,
    'forbidden',
    `This action needs the ${role} role; ${user?.name ?? 'the caller'} has ${user?.roles.join(', ') || 'none'}.`,
    `Ask an administrator to add you to the ${role} group.`,
  );
}

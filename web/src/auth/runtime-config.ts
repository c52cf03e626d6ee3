import type { RuntimeConfig } from '../../../core/api/schemas';

/** The sign-in settings of a `cognito` runtime config. */
export type CognitoSettings = Extract<RuntimeConfig['auth'], { type: 'cognito' }>;

const NO_SIGN_IN: RuntimeConfig = { auth: { type: 'none' } };

/**
 * Reads `/config.json`. A 404 means the server sends no config, which is the local runtime
 * with sign-in off, and so does an HTML page, which is what a host with a single-page-app
 * fallback returns for a missing file. Either way the API still checks every request. Throws on
 * any other failure.
 */
export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { headers: { Accept: 'application/json' } });
  if (response.status === 404) return NO_SIGN_IN;
  if (response.ok && response.headers.get('Content-Type')?.includes('text/html')) {
    return NO_SIGN_IN;
  }
  if (!response.ok) {
    throw new Error(
      `GET /config.json failed with HTTP ${response.status}; reload the page, and if it keeps failing check the web deployment.`,
    );
  }

  const body: unknown = await response.json().catch(() => undefined);
  return checkRuntimeConfig(body);
}

/** Checks the shape of a runtime config without zod, which stays out of the SPA bundle. */
export function checkRuntimeConfig(body: unknown): RuntimeConfig {
  const auth = (body as { auth?: Record<string, unknown> } | undefined)?.auth;
  const type = auth?.type;
  if (type === 'none' || type === 'basic') return { auth: { type } };

  if (type === 'cognito' && auth) {
    const fields = ['authority', 'clientId', 'domain'] as const;
    const missing = fields.filter((field) => typeof auth[field] !== 'string' || auth[field] === '');
    const scopes = Array.isArray(auth.scopes) ? auth.scopes.map(String) : ['openid'];
    if (missing.length === 0) {
      const settings = auth as Omit<CognitoSettings, 'scopes'>;
      return { auth: { ...settings, type: 'cognito', scopes } };
    }
    throw new Error(`Invalid /config.json: cognito sign-in is missing ${missing.join(', ')}.`);
  }

  throw new Error(
    `Invalid /config.json: auth.type must be none, basic or cognito, not ${JSON.stringify(type)}.`,
  );
}

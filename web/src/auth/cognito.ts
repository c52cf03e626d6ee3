import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { setAccessTokenSource } from '../http';
import type { CognitoSettings } from './runtime-config';

/** The path Cognito redirects back to; the app client must list `<origin>/auth/callback`. */
export const CALLBACK_PATH = '/auth/callback';

/** A signed-in Cognito session. */
export interface CognitoSession {
  signOut: () => Promise<void>;
}

/**
 * Creates the OpenID client. The hosted UI endpoints come from `domain`, so no discovery
 * request is needed, and both stores use sessionStorage, so tokens end with the tab.
 */
export function createUserManager(settings: CognitoSettings): UserManager {
  const domain = settings.domain.replace(/\/+$/, '');
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  return new UserManager({
    authority: settings.authority,
    client_id: settings.clientId,
    redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: 'code',
    scope: settings.scopes.join(' '),
    userStore: store,
    stateStore: store,
    loadUserInfo: false,
    metadata: {
      issuer: settings.authority,
      authorization_endpoint: `${domain}/oauth2/authorize`,
      token_endpoint: `${domain}/oauth2/token`,
      revocation_endpoint: `${domain}/oauth2/revoke`,
      end_session_endpoint: `${domain}/logout`,
      jwks_uri: `${settings.authority}/.well-known/jwks.json`,
    },
  });
}

/**
 * Signs in with the authorization code flow and PKCE. Returns the session, or undefined
 * while the browser is being redirected to the hosted UI.
 */
export async function signInWithCognito(
  settings: CognitoSettings,
): Promise<CognitoSession | undefined> {
  const manager = createUserManager(settings);

  if (window.location.pathname === CALLBACK_PATH) {
    const user = await manager.signinRedirectCallback();
    const returnPath = typeof user.state === 'string' ? user.state : '/';
    window.history.replaceState(null, '', returnPath.startsWith('/') ? returnPath : '/');
  }

  const user = await manager.getUser();
  if (!user || user.expired) {
    const returnPath = `${window.location.pathname}${window.location.search}`;
    await manager.signinRedirect({ state: returnPath });
    return undefined;
  }

  setAccessTokenSource(async () => (await manager.getUser())?.access_token);
  return { signOut: () => signOut(manager, settings) };
}

/** Ends the session: Cognito's `/logout` takes `client_id` and `logout_uri`, not an id token. */
async function signOut(manager: UserManager, settings: CognitoSettings): Promise<void> {
  await manager.removeUser();
  const domain = settings.domain.replace(/\/+$/, '');
  const query = new URLSearchParams({
    client_id: settings.clientId,
    logout_uri: `${window.location.origin}/`,
  });
  window.location.assign(`${domain}/logout?${query}`);
}

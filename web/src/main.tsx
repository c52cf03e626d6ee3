import { render } from 'solid-js/web';
import { App } from './app';
import { loadRuntimeConfig } from './auth/runtime-config';
import { loadUser } from './session';
import { initTheme } from './theme';
import './styles.css';

/** Replaces the page with the reason the SPA could not start, as text the user can act on. */
function showStartError(root: HTMLElement, error: unknown): void {
  const message = document.createElement('p');
  message.className = 'message message-error';
  message.setAttribute('role', 'alert');
  message.textContent = `Berth could not start: ${error instanceof Error ? error.message : String(error)}`;
  root.replaceChildren(message);
}

/** Reads the runtime config, signs in when Cognito is configured, then renders the app. */
async function start(root: HTMLElement): Promise<void> {
  initTheme();

  const config = await loadRuntimeConfig();
  let signOut: (() => Promise<void>) | undefined;
  if (config.auth.type === 'cognito') {
    // Loaded on demand, so deployments without Cognito never download the OpenID client.
    const { signInWithCognito } = await import('./auth/cognito');
    const session = await signInWithCognito(config.auth);
    if (!session) return;
    signOut = session.signOut;
  }

  loadUser();
  render(() => <App signOut={signOut} />, root);
}

const root = document.getElementById('root');
if (!root) throw new Error('Missing element #root in index.html; the SPA cannot start.');

start(root).catch((error: unknown) => showStartError(root, error));

import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { lazy, Show } from 'solid-js';
import { HealthBanner } from './components/HealthBanner';
import { ThemeSelect } from './components/ThemeSelect';
import { HealthPage } from './pages/HealthPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RepositoryListPage } from './pages/RepositoryListPage';
import { RepositoryPage } from './pages/RepositoryPage';
import { currentUser } from './session';

// The dashboard carries the chart library, so it loads only when opened.
const DashboardPage = lazy(() => import('./pages/DashboardPage'));

/** Props of App. */
export interface AppProps {
  /** Ends the Cognito session; absent when the deployment has no sign-in of its own. */
  signOut?: () => Promise<void>;
}

/** Renders the router with every page of the SPA. */
export function App(props: AppProps) {
  const Layout = (section: RouteSectionProps) => (
    <Frame signOut={props.signOut}>{section.children}</Frame>
  );

  return (
    <Router root={Layout}>
      <Route path="/" component={RepositoryListPage} />
      <Route path="/dashboard" component={DashboardPage} />
      <Route path="/health" component={HealthPage} />
      <Route path="/r/*rest" component={RepositoryPage} />
      <Route path="*" component={NotFoundPage} />
    </Router>
  );
}

/** Moves focus to the main element; the router handles `#main` links without moving focus. */
function skipToMain(event: MouseEvent): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/** Renders the frame around every page: the skip link, the header, the health banner. */
function Frame(props: AppProps & { children?: unknown }) {
  return (
    <>
      <a class="skip-link" href="#main" ref={(link) => link.addEventListener('click', skipToMain)}>
        Skip to content
      </a>
      <header class="site-header">
        <a class="product-name" href="/">
          Berth
        </a>
        <nav aria-label="Main" class="main-nav">
          <a href="/">Repositories</a>
          <a href="/dashboard">Dashboard</a>
          <a href="/health">Health</a>
        </nav>
        <div class="header-tools">
          <ThemeSelect />
          <Show when={currentUser()}>
            {(user) => <span class="muted">Signed in as {user().name}</span>}
          </Show>
          <Show when={props.signOut}>
            {(signOut) => (
              <button type="button" class="button button-quiet" onClick={() => void signOut()()}>
                Sign out
              </button>
            )}
          </Show>
        </div>
      </header>
      <HealthBanner />
      <main id="main" tabindex="-1">
        {props.children as never}
      </main>
    </>
  );
}

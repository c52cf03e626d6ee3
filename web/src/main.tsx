import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { render } from 'solid-js/web';
import { HealthBanner } from './components/HealthBanner';
import { NotFoundPage } from './pages/NotFoundPage';
import { RepositoryListPage } from './pages/RepositoryListPage';
import { RepositoryPage } from './pages/RepositoryPage';
import './styles.css';

/** Renders the frame around every page: the skip link, the header, the health banner. */
function Layout(props: RouteSectionProps) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <a class="product-name" href="/">
          Berth
        </a>
        <span class="muted">Container registry and vulnerability scans</span>
      </header>
      <HealthBanner />
      <main id="main" tabindex="-1">
        {props.children}
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('Missing element #root in index.html; the SPA cannot start.');

render(
  () => (
    <Router root={Layout}>
      <Route path="/" component={RepositoryListPage} />
      <Route path="/r/*rest" component={RepositoryPage} />
      <Route path="*" component={NotFoundPage} />
    </Router>
  ),
  root,
);

import { createResource, ErrorBoundary, type JSX, Show } from 'solid-js';
import type { Health } from '../../../core/api/schemas';
import { fetchHealth } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatRelative } from '../format';

/** Shows the scanner mode and state, the registry state, recorded reports and the last errors. */
export function HealthPage() {
  const [health, { refetch }] = createResource(fetchHealth);

  return (
    <section aria-labelledby="health-heading">
      <h1 id="health-heading">Health</h1>
      <button type="button" class="button" onClick={() => void refetch()}>
        Check again
      </button>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not read the health" />}
      >
        <Show when={health()} fallback={<p class="muted">Checking…</p>}>
          {(current) => <HealthFacts health={current()} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

function HealthFacts(props: { health: Health }) {
  const scanner = () => props.health.scanner;
  const registry = () => props.health.registry;

  return (
    <>
      <p class={props.health.status === 'ok' ? 'health-ok' : 'health-degraded'}>
        Overall: {props.health.status === 'ok' ? 'OK' : 'degraded'}
      </p>
      <h2>Scanner</h2>
      <dl class="facts">
        <Fact term="Mode">{scanner().mode}</Fact>
        <Show when={scanner().mode === 'builtin'}>
          <Fact term="Trivy version">{scanner().trivyVersion ?? 'unknown'}</Fact>
        </Show>
        <Show when={scanner().mode === 'remote'}>
          <Fact term="Trivy server">{scanner().serverUrl ?? 'not set'}</Fact>
          <Fact term="Server state">{serverState(scanner().serverHealthy)}</Fact>
        </Show>
        <Fact term="Recorded reports">
          {props.health.recordedReports
            ? 'in use: results come from recorded reports'
            : 'not in use'}
        </Fact>
        <Fact term="Current error">{scanner().error ?? 'none'}</Fact>
        <Fact term="Last error">
          <LastError error={scanner().lastError} />
        </Fact>
      </dl>
      <h2>Registry</h2>
      <dl class="facts">
        <Fact term="Address">{registry().url}</Fact>
        <Fact term="State">{registry().reachable ? 'reachable' : 'unreachable'}</Fact>
        <Fact term="Current error">{registry().error ?? 'none'}</Fact>
        <Fact term="Last error">
          <LastError error={registry().lastError} />
        </Fact>
      </dl>
    </>
  );
}

function serverState(healthy: boolean | undefined): string {
  if (healthy === undefined) return 'not checked';
  return healthy ? 'answers its health check' : 'does not answer its health check';
}

function Fact(props: { term: string; children: JSX.Element }) {
  return (
    <div class="fact">
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function LastError(props: { error: { message: string; at: string } | undefined }) {
  return (
    <Show when={props.error} fallback="none seen since the server started">
      {(error) => (
        <>
          {error().message}{' '}
          <time class="muted" datetime={error().at} title={error().at}>
            ({formatRelative(error().at)})
          </time>
        </>
      )}
    </Show>
  );
}

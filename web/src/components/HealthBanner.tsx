import { createResource, ErrorBoundary, Show } from 'solid-js';
import type { Health } from '../../../core/api/schemas';
import { fetchHealth } from '../api';
import { ErrorMessage } from './ErrorMessage';

/** The text of the banner shown while scans return recorded reports. */
export const RECORDED_REPORTS_TEXT =
  'Recorded reports: scan results come from recorded Trivy reports, not a live scan';

/** Describes a scanner problem from the health check, or returns undefined when it is healthy. */
export function describeScannerProblem(scanner: Health['scanner']): string | undefined {
  if (scanner.mode === 'remote' && scanner.serverHealthy === false) {
    const server = scanner.serverUrl ?? 'the Trivy server';
    const detail = scanner.error ? `: ${scanner.error}` : '.';
    return `Scanner problem: ${server} does not answer its health check${detail}`;
  }

  if (scanner.error) return `Scanner problem (${scanner.mode} mode): ${scanner.error}`;

  return undefined;
}

/** Shows what /api/health reports: an unreachable registry, scanner problems, recorded reports. */
export function HealthBanner() {
  const [health] = createResource(fetchHealth);

  return (
    <ErrorBoundary
      fallback={(error) => (
        <ErrorMessage error={error} context="Could not read the server health" />
      )}
    >
      <Show when={health()}>{(current) => <HealthMessages health={current()} />}</Show>
    </ErrorBoundary>
  );
}

function HealthMessages(props: { health: Health }) {
  const registry = () => props.health.registry;
  const scannerProblem = () => describeScannerProblem(props.health.scanner);

  return (
    <div class="banners">
      <Show when={!registry().reachable}>
        <p class="message message-error" role="alert">
          Registry unreachable: {registry().url}
          {registry().error ? ` (${registry().error})` : ''}
        </p>
      </Show>
      <Show when={scannerProblem()}>
        {(text) => (
          <p class="message message-warning" role="alert">
            {text()}
          </p>
        )}
      </Show>
      <Show when={props.health.recordedReports}>
        <p class="message message-info" role="status">
          {RECORDED_REPORTS_TEXT}
        </p>
      </Show>
    </div>
  );
}

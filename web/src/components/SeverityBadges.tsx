import { For, Show } from 'solid-js';
import type { Severity, SeveritySummary } from '../../../core/api/schemas';
import { severityLabel } from '../format';
import { findingsPath } from '../paths';

const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** Props of SeverityBadges. */
export interface SeverityBadgesProps {
  summary: SeveritySummary;
  repository: string;
  tag: string;
}

/** Shows one color-coded badge per severity with findings, each a link to the filtered list. */
export function SeverityBadges(props: SeverityBadgesProps) {
  const present = () => SEVERITIES.filter((severity) => props.summary[severity] > 0);

  return (
    <Show
      when={props.summary.total > 0}
      fallback={<span class="badge badge-none">No vulnerabilities</span>}
    >
      <ul class="badges" aria-label="Vulnerabilities by severity">
        <For each={present()}>
          {(severity) => (
            <li>
              <a
                class={`badge badge-${severity.toLowerCase()}`}
                href={findingsPath(props.repository, props.tag, severity)}
              >
                {severityLabel(severity)} {props.summary[severity]}
              </a>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** Shows a severity as a color-coded label without a link. */
export function SeverityLabel(props: { severity: Severity }) {
  return (
    <span class={`badge badge-${props.severity.toLowerCase()}`}>
      {severityLabel(props.severity)}
    </span>
  );
}

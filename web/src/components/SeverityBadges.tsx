import { For, Show } from 'solid-js';
import type { Severity, SeveritySummary } from '../../../core/api/schemas';
import { SEVERITY_ORDER, severityLabel } from '../format';
import { findingsPath } from '../paths';

/** Props of SeverityBadges. */
export interface SeverityBadgesProps {
  summary: SeveritySummary;
  repository: string;
  tag: string;
  /** Limits the badge links to the findings of one layer. */
  layer?: number;
}

/** Shows one color-coded badge per severity with findings, each a link to the filtered list. */
export function SeverityBadges(props: SeverityBadgesProps) {
  const present = () => SEVERITY_ORDER.filter((severity) => props.summary[severity] > 0);

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
                href={findingsPath(props.repository, props.tag, { severity, layer: props.layer })}
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

/** Props of SeverityBar. */
export interface SeverityBarProps {
  summary: SeveritySummary;
  /** The total that fills the whole bar, so bars of several layers compare. */
  scale: number;
}

/**
 * Draws one stacked bar with a segment per severity. It is hidden from assistive technology
 * because the badges beside it carry the same counts as text.
 */
export function SeverityBar(props: SeverityBarProps) {
  const width = (count: number) => `${(100 * count) / Math.max(props.scale, 1)}%`;

  return (
    <div class="severity-bar" aria-hidden="true">
      <For each={SEVERITY_ORDER.filter((severity) => props.summary[severity] > 0)}>
        {(severity) => (
          <span
            class={`bar-segment bar-${severity.toLowerCase()}`}
            style={{ width: width(props.summary[severity]) }}
          />
        )}
      </For>
    </div>
  );
}

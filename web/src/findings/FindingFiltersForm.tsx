import { For, Show } from 'solid-js';
import type { Severity, SeveritySummary } from '../../../core/api/schemas';
import { severityLabel } from '../format';
import { type FindingFilters, type FindingLayer, SEVERITY_ORDER, UNKNOWN_LAYER } from './filters';

/** Props of FindingFiltersForm. */
export interface FindingFiltersFormProps {
  filters: FindingFilters;
  /** Findings per severity that pass the other filters. */
  severityCounts: SeveritySummary;
  statuses: string[];
  layers: FindingLayer[];
  /** True when some finding has no layer index, so "Layer unknown" can match. */
  hasUnknownLayer: boolean;
  onChange: (filters: FindingFilters) => void;
}

/** Renders the filter controls of the findings page: severity, fixable, package, layer, status. */
export function FindingFiltersForm(props: FindingFiltersFormProps) {
  const update = (change: Partial<FindingFilters>) =>
    props.onChange({ ...props.filters, ...change });
  const toggleSeverity = (severity: Severity, checked: boolean) => {
    const others = props.filters.severities.filter((item) => item !== severity);
    update({ severities: checked ? [...others, severity] : others });
  };

  return (
    <form class="filters" aria-label="Filter findings" onSubmit={(event) => event.preventDefault()}>
      <fieldset class="severity-filter">
        <legend>Severity</legend>
        <For each={SEVERITY_ORDER}>
          {(severity) => (
            <label class="check">
              <input
                type="checkbox"
                name="severity"
                value={severity}
                checked={props.filters.severities.includes(severity)}
                onChange={(event) => toggleSeverity(severity, event.currentTarget.checked)}
              />
              {severityLabel(severity)} ({props.severityCounts[severity]})
            </label>
          )}
        </For>
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          checked={props.filters.fixable}
          onChange={(event) => update({ fixable: event.currentTarget.checked })}
        />
        Fixable only
      </label>
      <div class="field">
        <label for="package-filter">Package</label>
        <input
          id="package-filter"
          type="search"
          autocomplete="off"
          value={props.filters.pkg}
          onInput={(event) => update({ pkg: event.currentTarget.value })}
        />
      </div>
      <LayerSelect {...props} onSelect={(layer) => update({ layer })} />
      <div class="field">
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={props.filters.status ?? ''}
          onChange={(event) => update({ status: event.currentTarget.value || undefined })}
        >
          <option value="">All statuses</option>
          <For each={props.statuses}>{(status) => <option value={status}>{status}</option>}</For>
          <Show
            when={
              props.filters.status !== undefined && !props.statuses.includes(props.filters.status)
            }
          >
            <option value={props.filters.status}>{props.filters.status} (no findings)</option>
          </Show>
        </select>
      </div>
    </form>
  );
}

function LayerSelect(
  props: FindingFiltersFormProps & { onSelect: (layer: FindingFilters['layer']) => void },
) {
  // A layer index from a shared link that no finding has still shows as the selected value.
  const missingLayer = () => {
    const layer = props.filters.layer;
    if (typeof layer !== 'number') return undefined;
    return props.layers.some((item) => item.index === layer) ? undefined : layer;
  };
  const parse = (value: string): FindingFilters['layer'] => {
    if (value === '') return undefined;
    if (value === UNKNOWN_LAYER) return UNKNOWN_LAYER;
    return Number(value);
  };

  return (
    <div class="field">
      <label for="layer-filter">Layer</label>
      <select
        id="layer-filter"
        value={props.filters.layer === undefined ? '' : String(props.filters.layer)}
        onChange={(event) => props.onSelect(parse(event.currentTarget.value))}
      >
        <option value="">All layers</option>
        <For each={props.layers}>
          {(layer) => (
            <option value={String(layer.index)}>
              Layer {layer.index}
              {layer.command ? `: ${layer.command.slice(0, 60)}` : ''}
            </option>
          )}
        </For>
        <Show when={missingLayer() !== undefined}>
          <option value={String(missingLayer())}>Layer {missingLayer()} (no findings)</option>
        </Show>
        <Show when={props.hasUnknownLayer || props.filters.layer === UNKNOWN_LAYER}>
          <option value={UNKNOWN_LAYER}>Layer unknown</option>
        </Show>
      </select>
    </div>
  );
}

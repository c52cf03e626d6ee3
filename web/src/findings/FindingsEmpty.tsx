import { Show } from 'solid-js';
import type { FindingFilters, FindingLayer } from './filters';

/** Props of FindingsEmpty. */
export interface FindingsEmptyProps {
  filters: FindingFilters;
  statuses: string[];
  layers: FindingLayer[];
  onClear: () => void;
}

/**
 * Says why the filters leave no finding, names a filter value that no finding of this tag
 * has (a shared link may carry one), and offers to clear the filters.
 */
export function FindingsEmpty(props: FindingsEmptyProps) {
  const unknownStatus = () => {
    const status = props.filters.status;
    return status !== undefined && !props.statuses.includes(status) ? status : undefined;
  };
  const unknownLayer = () => {
    const layer = props.filters.layer;
    if (typeof layer !== 'number') return undefined;
    return props.layers.some((item) => item.index === layer) ? undefined : layer;
  };

  return (
    <div class="message message-info" role="status">
      <p>No finding matches these filters.</p>
      <Show when={unknownStatus()}>
        {(status) => <p>No finding of this tag has the status “{status()}”.</p>}
      </Show>
      <Show when={unknownLayer() !== undefined}>
        <p>No finding of this tag comes from layer {unknownLayer()}.</p>
      </Show>
      <button type="button" class="button" onClick={() => props.onClear()}>
        Clear filters
      </button>
    </div>
  );
}

import type { JSX } from 'solid-js';

/** The sort state of a column as TanStack Table reports it. */
export type SortState = false | 'asc' | 'desc';

/** Props of SortHeader. */
export interface SortHeaderProps {
  label: string;
  sorted: SortState;
  /** Absent for a column that does not sort. */
  onToggle?: (event: unknown) => void;
  class?: string;
}

const ARIA_SORT: Record<'asc' | 'desc', JSX.AriaAttributes['aria-sort']> = {
  asc: 'ascending',
  desc: 'descending',
};

/** Renders a column header. A sortable one contains a button and sets `aria-sort` to its order. */
export function SortHeader(props: SortHeaderProps) {
  const arrow = () => {
    if (props.sorted === 'asc') return '▲';
    if (props.sorted === 'desc') return '▼';
    // An unsorted sortable column shows both arrows, so it reads as clickable.
    return '↕';
  };

  return (
    <th
      scope="col"
      class={props.class}
      aria-sort={props.sorted ? ARIA_SORT[props.sorted] : undefined}
    >
      {props.onToggle ? (
        <button type="button" class="sort-button" onClick={(event) => props.onToggle?.(event)}>
          {props.label}
          <span aria-hidden="true" class="sort-arrow">
            {arrow()}
          </span>
        </button>
      ) : (
        props.label
      )}
    </th>
  );
}

import { createWindowVirtualizer } from '@tanstack/solid-virtual';
import { createMemo, createSignal, For, type JSX, onMount, Show } from 'solid-js';

/** Props of VirtualTableBody. */
export interface VirtualTableBodyProps<Row extends object> {
  rows: readonly Row[];
  /** Number of table columns, so the spacer rows span the whole table. */
  columnCount: number;
  /** Estimated row height in pixels before a row is measured. */
  estimateSize: number;
  /** Renders one row; the row must pass `measure` as its `ref` and `index` as `data-index`. */
  children: (row: Row, index: () => number, measure: (element: Element) => void) => JSX.Element;
}

/**
 * Renders a `<tbody>` with only the rows near the viewport, scrolled by the window. Spacer rows
 * above and below keep the table's full height, and each rendered row is measured, so rows of
 * any height (expanded text, stacked cards on narrow screens) keep their place.
 */
export function VirtualTableBody<Row extends object>(props: VirtualTableBodyProps<Row>) {
  let body: HTMLTableSectionElement | undefined;
  const [scrollMargin, setScrollMargin] = createSignal(0);
  onMount(() => setScrollMargin((body?.getBoundingClientRect().top ?? 0) + window.scrollY));

  const virtualizer = createWindowVirtualizer<Element>({
    get count() {
      return props.rows.length;
    },
    estimateSize: () => props.estimateSize,
    overscan: 8,
    get scrollMargin() {
      return scrollMargin();
    },
  });

  const positions = createMemo(() => new Map(props.rows.map((row, index) => [row, index])));
  const items = () => virtualizer.getVirtualItems();
  // Rows are keyed by object, so scrolling keeps the state of the rows that stay rendered.
  const visibleRows = () => items().flatMap((item) => props.rows[item.index] ?? []);
  const topSpace = () => (items()[0]?.start ?? scrollMargin()) - scrollMargin();
  const bottomSpace = () => {
    const last = items().at(-1);
    return last ? virtualizer.getTotalSize() - (last.end - scrollMargin()) : 0;
  };
  const measure = (element: Element) => queueMicrotask(() => virtualizer.measureElement(element));

  return (
    <tbody ref={body}>
      <SpacerRow height={topSpace()} columnCount={props.columnCount} />
      <For each={visibleRows()}>
        {(row) => props.children(row, () => positions().get(row) ?? 0, measure)}
      </For>
      <SpacerRow height={bottomSpace()} columnCount={props.columnCount} />
    </tbody>
  );
}

function SpacerRow(props: { height: number; columnCount: number }) {
  return (
    <Show when={props.height > 0}>
      <tr class="spacer">
        <td colSpan={props.columnCount} style={{ height: `${props.height}px`, padding: '0' }} />
      </tr>
    </Show>
  );
}

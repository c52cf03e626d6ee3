import { For } from 'solid-js';
import { SortHeader, type SortState } from './SortHeader';

/** The parts of a TanStack table with the sorting feature that the header reads. */
export interface SortableTable {
  getAllLeafColumns(): { id: string }[];
  getHeaderGroups(): {
    headers: {
      column: {
        columnDef: { header?: unknown };
        getIsSorted(): SortState;
        getCanSort(): boolean;
        getToggleSortingHandler(): ((event: unknown) => void) | undefined;
      };
    }[];
  }[];
}

/**
 * Renders a TanStack table's column group and header row, with sortable headers as buttons.
 * The `col` elements carry `column-<id>` classes so the style sheet sets fixed widths.
 */
export function TableHead(props: { table: SortableTable }) {
  return (
    <>
      <colgroup>
        <For each={props.table.getAllLeafColumns()}>
          {(column) => <col class={`column-${column.id}`} />}
        </For>
      </colgroup>
      <thead>
        <For each={props.table.getHeaderGroups()}>
          {(group) => (
            <tr>
              <For each={group.headers}>
                {(header) => (
                  <SortHeader
                    label={String(header.column.columnDef.header)}
                    sorted={header.column.getIsSorted()}
                    onToggle={
                      header.column.getCanSort()
                        ? header.column.getToggleSortingHandler()
                        : undefined
                    }
                  />
                )}
              </For>
            </tr>
          )}
        </For>
      </thead>
    </>
  );
}

import { createColumnHelper, createTable, type SortingState } from '@tanstack/solid-table';
import { createSignal } from 'solid-js';
import type { Finding } from '../../../core/api/schemas';
import { sortingFeatures } from '../components/sorting';
import { TableHead } from '../components/TableHead';
import { VirtualTableBody } from '../components/VirtualTableBody';
import { FindingRow } from './FindingRow';
import { SEVERITY_ORDER } from './filters';

const features = sortingFeatures;
const helper = createColumnHelper<typeof features, Finding>();

// Sorting ranks severities by Trivy's order, not alphabetically.
const severityRank = (finding: Finding) => SEVERITY_ORDER.indexOf(finding.severity);

const columns = helper.columns([
  helper.accessor('id', { header: 'ID', sortFn: 'alphanumeric' }),
  helper.accessor(severityRank, { id: 'severity', header: 'Severity', sortFn: 'basic' }),
  helper.accessor((finding) => finding.cvssScore ?? -1, {
    id: 'cvss',
    header: 'CVSS',
    sortFn: 'basic',
    sortDescFirst: true,
  }),
  helper.accessor('pkgName', { header: 'Package', sortFn: 'alphanumeric' }),
  helper.accessor('installedVersion', { header: 'Installed', enableSorting: false }),
  helper.accessor((finding) => finding.fixedVersion ?? '', {
    id: 'fixed',
    header: 'Fixed',
    enableSorting: false,
  }),
  helper.accessor((finding) => finding.status ?? '', { id: 'status', header: 'Status' }),
  helper.accessor((finding) => finding.layer.index ?? Number.MAX_SAFE_INTEGER, {
    id: 'layer',
    header: 'Layer',
    sortFn: 'basic',
  }),
  helper.accessor((finding) => finding.title ?? '', {
    id: 'title',
    header: 'Title',
    enableSorting: false,
  }),
]);

/** Props of FindingsTable. */
export interface FindingsTableProps {
  findings: readonly Finding[];
}

/**
 * Renders findings in a sortable table. Rows are virtualized, so a report with tens of
 * thousands of findings renders only the rows near the viewport.
 */
export function FindingsTable(props: FindingsTableProps) {
  // The API sends findings sorted by severity, so the table starts unsorted.
  const [sorting, setSorting] = createSignal<SortingState>([]);
  const table = createTable({
    features,
    columns,
    get data() {
      return props.findings as Finding[];
    },
    get state() {
      return { sorting: sorting() };
    },
    onSortingChange: setSorting,
  });
  const rows = () => table.getRowModel().rows.map((row) => row.original);

  // A fixed layout with set column widths keeps long package paths and titles from squeezing
  // the other columns, and the widths stay put while rows scroll in and out.
  return (
    <div class="table-scroll">
      <table class="stacked findings">
        <caption class="visually-hidden">Findings</caption>
        <TableHead table={table} />
        <VirtualTableBody rows={rows()} columnCount={columns.length} estimateSize={64}>
          {(finding, index, measure) => (
            <FindingRow finding={finding} index={index()} ref={measure} />
          )}
        </VirtualTableBody>
      </table>
    </div>
  );
}

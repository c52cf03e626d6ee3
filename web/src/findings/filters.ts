import type { Finding, Severity, SeveritySummary } from '../../../core/api/schemas';
import { SEVERITY_ORDER } from '../format';

/** The layer filter value of findings whose layer is not known. */
export const UNKNOWN_LAYER = 'unknown';

/** The filters of the findings page; each is kept in the URL's query string. */
export interface FindingFilters {
  /** Severities to show; empty shows all. */
  severities: Severity[];
  /** Shows only findings with a fixed version. */
  fixable: boolean;
  /** Case-insensitive text matched against the package name and path. */
  pkg: string;
  /** A layer index, `unknown`, or undefined for every layer. */
  layer?: number | typeof UNKNOWN_LAYER;
  /** Trivy's `Status`, such as `fixed` or `affected`; undefined for every status. */
  status?: string;
}

/** The filters that show every finding. */
export const NO_FILTERS: FindingFilters = { severities: [], fixable: false, pkg: '' };

/** Tells whether any filter is set. */
export function hasActiveFilters(filters: FindingFilters): boolean {
  return (
    filters.severities.length > 0 ||
    filters.fixable ||
    filters.pkg.trim() !== '' ||
    filters.layer !== undefined ||
    filters.status !== undefined
  );
}

/** Query parameters as @solidjs/router's useSearchParams returns them. */
export type QueryParams = Partial<Record<string, string | string[]>>;

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the filters from query parameters; values it does not recognize are ignored. */
export function parseFindingFilters(params: QueryParams): FindingFilters {
  const severityText = (firstValue(params.severity) ?? '').toUpperCase().split(',');
  const severities = SEVERITY_ORDER.filter((severity) => severityText.includes(severity));
  const layerText = firstValue(params.layer);
  const layerIndex = layerText === undefined ? Number.NaN : Number(layerText);

  let layer: FindingFilters['layer'];
  if (layerText === UNKNOWN_LAYER) layer = UNKNOWN_LAYER;
  else if (Number.isInteger(layerIndex) && layerIndex >= 0) layer = layerIndex;

  return {
    severities,
    fixable: firstValue(params.fixable) === '1',
    pkg: firstValue(params.pkg) ?? '',
    layer,
    status: firstValue(params.status) || undefined,
  };
}

/** Writes the filters as query parameters; undefined removes a parameter. */
export function findingFilterParams(filters: FindingFilters): Record<string, string | undefined> {
  return {
    severity: filters.severities.length > 0 ? filters.severities.join(',') : undefined,
    fixable: filters.fixable ? '1' : undefined,
    pkg: filters.pkg === '' ? undefined : filters.pkg,
    layer: filters.layer === undefined ? undefined : String(filters.layer),
    status: filters.status,
  };
}

/** Tells whether a finding passes every filter except the severity filter. */
function matchesOtherFilters(finding: Finding, filters: FindingFilters, pkg: string): boolean {
  if (filters.fixable && !finding.fixedVersion) return false;
  if (filters.status !== undefined && (finding.status ?? 'unknown') !== filters.status) {
    return false;
  }
  if (filters.layer === UNKNOWN_LAYER && finding.layer.index !== undefined) return false;
  if (typeof filters.layer === 'number' && finding.layer.index !== filters.layer) return false;
  if (pkg === '') return true;

  const name = finding.pkgName.toLowerCase();
  return name.includes(pkg) || (finding.pkgPath ?? '').toLowerCase().includes(pkg);
}

/** Splits the findings into those that pass all filters and those that pass all but severity. */
export function applyFindingFilters(findings: readonly Finding[], filters: FindingFilters) {
  const pkg = filters.pkg.trim().toLowerCase();
  const beforeSeverity = findings.filter((finding) => matchesOtherFilters(finding, filters, pkg));
  const shown =
    filters.severities.length === 0
      ? beforeSeverity
      : beforeSeverity.filter((finding) => filters.severities.includes(finding.severity));

  return { shown, severityCounts: countBySeverity(beforeSeverity) };
}

/** Counts findings per severity. */
export function countBySeverity(findings: readonly Finding[]): SeveritySummary {
  const summary: SeveritySummary = {
    CRITICAL: 0,
    HIGH: 0,
    MEDIUM: 0,
    LOW: 0,
    UNKNOWN: 0,
    total: 0,
  };
  for (const finding of findings) {
    summary[finding.severity] += 1;
    summary.total += 1;
  }
  return summary;
}

/** Lists the distinct statuses of the findings, sorted, with `unknown` for a missing one. */
export function statusesOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((finding) => finding.status ?? 'unknown'))].sort();
}

/** A layer that introduced at least one finding. */
export interface FindingLayer {
  index: number;
  command?: string;
}

/** Lists the layers that introduced findings, in layer order. */
export function layersOf(findings: readonly Finding[]): FindingLayer[] {
  const layers = new Map<number, FindingLayer>();
  for (const { layer } of findings) {
    if (layer.index !== undefined && !layers.has(layer.index)) {
      layers.set(layer.index, { index: layer.index, command: layer.command });
    }
  }
  return [...layers.values()].sort((a, b) => a.index - b.index);
}

export { SEVERITY_ORDER };

import type { Finding, LayerRef } from '../api/schemas';
import type { HistoryMapping } from './history';
import { mapReportHistory } from './history';
import type { ResultVulnerability, TrivyReport, TrivyVulnerability } from './trivy';
import { listVulnerabilities, SEVERITY_RANK, severityOf } from './trivy';

const NVD_DETAIL_URL = 'https://nvd.nist.gov/vuln/detail/';

/**
 * Lists one finding per vulnerability entry of the report, in Trivy's order. A finding's layer
 * carries its index from the position of its diff ID in `rootfs.diff_ids`, and its command only
 * when `mapping` is known. The default mapping comes from the image config in the report.
 */
export function listFindings(
  report: TrivyReport,
  mapping: HistoryMapping = mapReportHistory(report),
): Finding[] {
  const diffIds = report.Metadata?.ImageConfig?.rootfs?.diff_ids ?? report.Metadata?.DiffIDs ?? [];
  const positions = new Map<string, number>();
  diffIds.forEach((diffId, index) => {
    if (!positions.has(diffId)) positions.set(diffId, index);
  });
  return listVulnerabilities(report).map((entry) => toFinding(entry, mapping, positions));
}

/** Returns the page to link for a vulnerability: NVD for `CVE-` ids, Trivy's `PrimaryURL` otherwise. */
export function vulnerabilityUrl(vulnerability: TrivyVulnerability): string | undefined {
  const id = vulnerability.VulnerabilityID;
  if (id.startsWith('CVE-')) {
    return `${NVD_DETAIL_URL}${encodeURIComponent(id)}`;
  }
  return vulnerability.PrimaryURL;
}

/**
 * Picks one CVSS base score: NVD's v3 score, else the v3 score of the `SeveritySource` vendor,
 * else any other source's v3 score, else a v2 score in the same order of sources.
 */
export function cvssScore(vulnerability: TrivyVulnerability): number | undefined {
  const cvss = vulnerability.CVSS ?? {};
  const sources = ['nvd', vulnerability.SeveritySource, ...Object.keys(cvss)];
  const scores = sources.map((source) => (source === undefined ? undefined : cvss[source]));

  const v3 = scores.find((score) => typeof score?.V3Score === 'number');
  if (v3 !== undefined) {
    return v3.V3Score;
  }
  return scores.find((score) => typeof score?.V2Score === 'number')?.V2Score;
}

/** Orders findings by severity, CRITICAL first, then by vulnerability ID. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (bySeverity !== 0) {
    return bySeverity;
  }
  if (a.id === b.id) {
    return 0;
  }
  return a.id < b.id ? -1 : 1;
}

/** Returns a copy of `findings` sorted by severity, CRITICAL first, then by vulnerability ID. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

function toFinding(
  { result, vulnerability }: ResultVulnerability,
  mapping: HistoryMapping,
  positions: ReadonlyMap<string, number>,
): Finding {
  return {
    id: vulnerability.VulnerabilityID,
    url: vulnerabilityUrl(vulnerability),
    severity: severityOf(vulnerability),
    pkgName: vulnerability.PkgName,
    pkgPath: vulnerability.PkgPath,
    installedVersion: vulnerability.InstalledVersion,
    fixedVersion: vulnerability.FixedVersion,
    status: vulnerability.Status,
    title: vulnerability.Title,
    description: vulnerability.Description,
    cvssScore: cvssScore(vulnerability),
    target: result.Target,
    class: result.Class,
    type: result.Type,
    layer: layerRef(vulnerability, mapping, positions),
  };
}

function layerRef(
  vulnerability: TrivyVulnerability,
  mapping: HistoryMapping,
  positions: ReadonlyMap<string, number>,
): LayerRef {
  const diffId = vulnerability.Layer?.DiffID;
  const layer: LayerRef = { diffId, digest: vulnerability.Layer?.Digest };
  if (diffId === undefined) return layer;

  layer.index = positions.get(diffId);
  const origin = mapping.byDiffId.get(diffId);
  if (origin !== undefined) {
    layer.index = origin.layerIndex;
    layer.command = origin.command;
  }
  return layer;
}

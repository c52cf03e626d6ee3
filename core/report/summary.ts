import type { SeveritySummary } from '../api/schemas';
import type { TrivyReport, TrivyVulnerability } from './trivy';
import { listVulnerabilities, severityOf } from './trivy';

/** Returns a summary with every count at zero. */
export function emptySummary(): SeveritySummary {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, total: 0 };
}

/** Adds one vulnerability entry to `summary` in place. */
export function addToSummary(summary: SeveritySummary, vulnerability: TrivyVulnerability): void {
  summary[severityOf(vulnerability)] += 1;
  summary.total += 1;
}

/**
 * Counts the report's vulnerability entries by severity. Every entry counts as Trivy lists it,
 * so a CVE that affects two packages, or one package in two lockfiles, counts twice.
 */
export function summarize(report: TrivyReport): SeveritySummary {
  const summary = emptySummary();
  for (const { vulnerability } of listVulnerabilities(report)) {
    addToSummary(summary, vulnerability);
  }
  return summary;
}

/** Counts the report's vulnerability entries by severity for each layer, keyed by `Layer.DiffID`. */
export function summarizeByLayer(report: TrivyReport): Map<string, SeveritySummary> {
  const byDiffId = new Map<string, SeveritySummary>();
  for (const { vulnerability } of listVulnerabilities(report)) {
    const diffId = vulnerability.Layer?.DiffID;
    if (diffId === undefined || diffId === '') {
      continue;
    }

    let summary = byDiffId.get(diffId);
    if (summary === undefined) {
      summary = emptySummary();
      byDiffId.set(diffId, summary);
    }
    addToSummary(summary, vulnerability);
  }
  return byDiffId;
}

/** Counts the vulnerability entries that name no layer (no `Layer.DiffID`), by severity. */
export function summarizeWithoutLayer(report: TrivyReport): SeveritySummary {
  const summary = emptySummary();
  for (const { vulnerability } of listVulnerabilities(report)) {
    const diffId = vulnerability.Layer?.DiffID;
    if (diffId === undefined || diffId === '') {
      addToSummary(summary, vulnerability);
    }
  }
  return summary;
}

import type { Finding } from '../../../core/api/schemas';

/** The CSV columns, in order, with how each reads its value from a finding. */
export const CSV_COLUMNS: readonly [string, (finding: Finding) => string | number | undefined][] = [
  ['VulnerabilityID', (finding) => finding.id],
  ['Severity', (finding) => finding.severity],
  ['CVSS', (finding) => finding.cvssScore],
  ['PkgName', (finding) => finding.pkgName],
  ['PkgPath', (finding) => finding.pkgPath],
  ['InstalledVersion', (finding) => finding.installedVersion],
  ['FixedVersion', (finding) => finding.fixedVersion],
  ['Status', (finding) => finding.status],
  ['LayerIndex', (finding) => finding.layer.index],
  ['LayerCommand', (finding) => finding.layer.command],
  ['LayerDiffID', (finding) => finding.layer.diffId],
  ['Target', (finding) => finding.target],
  ['Title', (finding) => finding.title],
  ['URL', (finding) => finding.url],
];

// Spreadsheets run a cell that starts with one of these as a formula; report text is untrusted.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Quotes one CSV field as RFC 4180 describes. A text field that a spreadsheet would run as a
 * formula gets a leading apostrophe, so its text shows as it is.
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);

  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes findings as CSV with a header row and CRLF line ends. */
export function findingsToCsv(findings: readonly Finding[]): string {
  const header = CSV_COLUMNS.map(([name]) => name).join(',');
  const rows = findings.map((finding) =>
    CSV_COLUMNS.map(([, read]) => csvField(read(finding))).join(','),
  );
  return `${[header, ...rows].join('\r\n')}\r\n`;
}

/** Starts a browser download of a text file. */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Content kind of a downloaded file, which ends its name. */
export type ExportKind = 'findings' | 'trivy';

/**
 * Builds a download file name from a repository, tag and content, for example
 * `team_api_1.0-findings.csv` or `team_api_1.0-trivy.json`.
 */
export function exportFileName(
  repository: string,
  tag: string,
  kind: ExportKind,
  extension: string,
): string {
  return `${repository.replaceAll('/', '_')}_${tag}-${kind}.${extension}`;
}

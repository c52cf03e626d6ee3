// Only types come from the API schemas, because importing values would bundle zod into the SPA.
import type { Severity } from '../api/schemas';
import type { ImageConfig } from '../image-config';

// Types for Trivy's JSON report, SchemaVersion 2 (`trivy image --format json`), with Trivy's own
// field names. Every object keeps the fields Berth does not read, so that a report passes through
// unchanged.

/** CVSS figures of one source (`nvd`, `ghsa`, `redhat`, ...) in a vulnerability's `CVSS` map. */
export interface TrivyCvss {
  V2Vector?: string;
  V3Vector?: string;
  V2Score?: number;
  V3Score?: number;
  [key: string]: unknown;
}

/** Layer that added the vulnerable package. DefectDojo's recorded reports carry no `Digest`. */
export interface TrivyLayer {
  /** Compressed blob digest, as in the image manifest. */
  Digest?: string;
  /** Digest of the uncompressed layer, as in the config's `rootfs.diff_ids`. */
  DiffID?: string;
  [key: string]: unknown;
}

/** One vulnerability entry of a Result (Trivy's `DetectedVulnerability`). */
export interface TrivyVulnerability {
  VulnerabilityID: string;
  PkgID?: string;
  PkgName: string;
  /** File the package was found in, for language packages (jar, gemspec, egg-info). */
  PkgPath?: string;
  /** Empty when Trivy omitted the field, which it does for an empty version. */
  InstalledVersion: string;
  FixedVersion?: string;
  /** fixed, affected, will_not_fix, fix_deferred, end_of_life, under_investigation, ... */
  Status?: string;
  /** CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN as Trivy writes it. `severityOf` maps other values. */
  Severity: string;
  /** Source of `Severity` and the preferred `CVSS` entry, such as `nvd` or `ghsa`. */
  SeveritySource?: string;
  Title?: string;
  Description?: string;
  PrimaryURL?: string;
  CVSS?: Record<string, TrivyCvss>;
  Layer?: TrivyLayer;
  [key: string]: unknown;
}

/** One scanned target: the OS packages, one language lockfile, secrets or custom checks. */
export interface TrivyResult {
  /** Empty for `Class: custom` results. */
  Target: string;
  /** os-pkgs, lang-pkgs, secret, config, license, custom. */
  Class?: string;
  /** Package type such as `alpine` or `node-pkg`, absent for secrets. */
  Type?: string;
  /** Absent when the target has no vulnerabilities (Go `omitempty`). */
  Vulnerabilities?: TrivyVulnerability[] | null;
  [key: string]: unknown;
}

/** Operating system Trivy detected, absent for images without a known OS. */
export interface TrivyOs {
  Family?: string;
  Name?: string;
  EOSL?: boolean;
  [key: string]: unknown;
}

/** Image facts Trivy records beside the results. */
export interface TrivyMetadata {
  OS?: TrivyOs;
  ImageID?: string;
  DiffIDs?: string[];
  RepoTags?: string[];
  RepoDigests?: string[];
  ImageConfig?: ImageConfig;
  [key: string]: unknown;
}

/** A Trivy JSON report with SchemaVersion 2. */
export interface TrivyReport {
  SchemaVersion: 2;
  ArtifactName?: string;
  ArtifactType?: string;
  CreatedAt?: string;
  Metadata?: TrivyMetadata;
  /** Absent when Trivy found nothing to report (Go `omitempty`). */
  Results?: TrivyResult[] | null;
  [key: string]: unknown;
}

/** A vulnerability entry together with the Result that lists it. */
export interface ResultVulnerability {
  result: TrivyResult;
  vulnerability: TrivyVulnerability;
}

/** Rank of each severity, 0 for the most severe. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  CRITICAL: 0,
  HIGH: 1,
  MEDIUM: 2,
  LOW: 3,
  UNKNOWN: 4,
};

function isSeverity(value: string): value is Severity {
  return Object.hasOwn(SEVERITY_RANK, value);
}

/** Maps Trivy's severity string to a Berth severity. An unrecognized value counts as UNKNOWN. */
export function severityOf(vulnerability: TrivyVulnerability): Severity {
  const severity = vulnerability.Severity.toUpperCase();
  return isSeverity(severity) ? severity : 'UNKNOWN';
}

/** Lists every vulnerability entry of the report in Trivy's order, with its Result. */
export function listVulnerabilities(report: TrivyReport): ResultVulnerability[] {
  const entries: ResultVulnerability[] = [];
  for (const result of report.Results ?? []) {
    for (const vulnerability of result.Vulnerabilities ?? []) {
      entries.push({ result, vulnerability });
    }
  }
  return entries;
}

import { type core, z } from 'zod';
import type { TrivyReport } from './trivy';

// The parser sits apart from the report types so that the SPA, which only reads parsed reports,
// does not bundle zod. Every object schema is loose, so fields Berth does not read are kept.

/** Error for a document that is not a Trivy JSON report Berth can read. */
export class ReportError extends Error {
  override name = 'ReportError';
}

// A score that is not a number from 0 to 10 is dropped rather than failing the whole report:
// the CVSS block is display data, and the stored report keeps what Trivy wrote.
const score = z.number().min(0).max(10).optional().catch(undefined);

const CvssSchema = z.looseObject({
  V2Vector: z.string().optional().catch(undefined),
  V3Vector: z.string().optional().catch(undefined),
  V2Score: score,
  V3Score: score,
});

const LayerSchema = z.looseObject({
  Digest: z.string().optional(),
  DiffID: z.string().optional(),
});

const VulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string(),
  PkgID: z.string().optional(),
  PkgName: z.string(),
  PkgPath: z.string().optional(),
  // Trivy drops an empty InstalledVersion (Go `omitempty`).
  InstalledVersion: z.string().default(''),
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity: z.string(),
  SeveritySource: z.string().optional(),
  Title: z.string().optional(),
  Description: z.string().optional(),
  PrimaryURL: z.string().optional(),
  CVSS: z.record(z.string(), CvssSchema).optional(),
  Layer: LayerSchema.optional(),
});

const ResultSchema = z.looseObject({
  Target: z.string(),
  Class: z.string().optional(),
  Type: z.string().optional(),
  Vulnerabilities: z.array(VulnerabilitySchema).nullish(),
});

const HistoryEntrySchema = z.looseObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

const ImageConfigSchema = z.looseObject({
  history: z.array(HistoryEntrySchema).optional(),
  rootfs: z
    .looseObject({ type: z.string().optional(), diff_ids: z.array(z.string()).optional() })
    .optional(),
});

const MetadataSchema = z.looseObject({
  OS: z.looseObject({ Family: z.string().optional(), Name: z.string().optional() }).optional(),
  ImageID: z.string().optional(),
  DiffIDs: z.array(z.string()).optional(),
  RepoTags: z.array(z.string()).optional(),
  RepoDigests: z.array(z.string()).optional(),
  ImageConfig: ImageConfigSchema.optional(),
});

const ReportSchema = z.looseObject({
  SchemaVersion: z.literal(2),
  ArtifactName: z.string().optional(),
  ArtifactType: z.string().optional(),
  CreatedAt: z.string().optional(),
  Metadata: MetadataSchema.optional(),
  Results: z.array(ResultSchema).nullish(),
});

/**
 * Checks that `input` (a JSON-parsed document) is a Trivy report with SchemaVersion 2 and
 * returns it typed. The result is a copy, so store the bytes Trivy wrote rather than this object.
 * @throws ReportError naming the first invalid field, such as `Results[0].Vulnerabilities[2].VulnerabilityID`.
 */
export function parseReport(input: unknown): TrivyReport {
  const parsed = ReportSchema.safeParse(input, { error: describeIssue });
  if (!parsed.success) {
    throw new ReportError(formatIssues(parsed.error.issues));
  }

  const report: TrivyReport = parsed.data;
  return report;
}

function formatIssues(issues: readonly core.$ZodIssue[]): string {
  const [first] = issues;
  if (first === undefined) {
    return 'Invalid Trivy report.';
  }

  const subject = first.path.length === 0 ? 'the report' : formatPath(first.path);
  const others = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
  return (
    `Invalid Trivy report: ${subject} ${first.message}${others}. ` +
    'Berth reads the output of `trivy image --format json` (SchemaVersion 2).'
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  }
  return text;
}

function describeIssue(issue: core.$ZodRawIssue): string {
  if (issue.input === undefined) {
    return 'is missing';
  }

  if (issue.code === 'invalid_type') {
    return `must be ${article(issue.expected)}, not ${article(typeName(issue.input))}`;
  }

  if (issue.code === 'invalid_value') {
    const expected = issue.values.map((value) => JSON.stringify(value)).join(' or ');
    return `must be ${expected}, not ${shorten(JSON.stringify(issue.input))}`;
  }

  return 'is invalid';
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'array' : typeof value;
}

function article(type: string): string {
  if (type === 'null' || type === 'undefined') {
    return type;
  }
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

import { z } from '@hono/zod-openapi';

/** Trivy's severities, most severe first. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export const SeveritySchema = z.enum(SEVERITIES).openapi('Severity');
export type Severity = z.infer<typeof SeveritySchema>;

export const SeveritySummarySchema = z
  .object({
    CRITICAL: z.number().int(),
    HIGH: z.number().int(),
    MEDIUM: z.number().int(),
    LOW: z.number().int(),
    UNKNOWN: z.number().int(),
    total: z.number().int(),
  })
  .openapi('SeveritySummary');
export type SeveritySummary = z.infer<typeof SeveritySummarySchema>;

export const SCAN_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export const ScanStateSchema = z.enum(SCAN_STATES).openapi('ScanState');
export type ScanState = z.infer<typeof ScanStateSchema>;

export const ScannerModeSchema = z.enum(['builtin', 'remote']).openapi('ScannerMode');
export type ScannerMode = z.infer<typeof ScannerModeSchema>;

/** The latest scan request of one image tag and its state. */
export const ScanStatusSchema = z
  .object({
    id: z.string(),
    repository: z.string(),
    tag: z.string(),
    state: ScanStateSchema,
    /** Manifest digest the tag resolved to when the scan started. */
    digest: z.string().optional(),
    /** Reason of the failure, with the end of Trivy's stderr where there is one. */
    reason: z.string().optional(),
    queuedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .openapi('ScanStatus');
export type ScanStatus = z.infer<typeof ScanStatusSchema>;

/** Identity and summary of a stored result, without Trivy's report. */
export const ResultInfoSchema = z
  .object({
    scanId: z.string(),
    digest: z.string(),
    scannedAt: z.string(),
    mode: ScannerModeSchema,
    trivyVersion: z.string(),
    /** True when the report came from the stand-in that writes recorded reports. */
    recorded: z.boolean(),
    /**
     * Platform Trivy scanned, such as `linux/amd64`; for a multi-arch tag Trivy scans one
     * platform, the one matching the scanner's host.
     */
    platform: z.string().optional(),
    summary: SeveritySummarySchema,
  })
  .openapi('ResultInfo');
export type ResultInfo = z.infer<typeof ResultInfoSchema>;

export const PlatformSchema = z
  .object({
    os: z.string(),
    architecture: z.string(),
    variant: z.string().optional(),
    digest: z.string(),
    size: z.number().int(),
  })
  .openapi('Platform');
export type Platform = z.infer<typeof PlatformSchema>;

export const TagSummarySchema = z
  .object({
    name: z.string(),
    digest: z.string(),
    mediaType: z.string(),
    /** Bytes of the manifest, its config and layers; for an index, the sum over platforms. */
    size: z.number().int(),
    created: z.string().optional(),
    platforms: z.array(PlatformSchema),
    scan: ScanStatusSchema.optional(),
    result: ResultInfoSchema.optional(),
    /** True when the tag now points to another digest than the one scanned. */
    stale: z.boolean(),
    /** Set when the registry could not describe this tag. */
    error: z.string().optional(),
  })
  .openapi('TagSummary');
export type TagSummary = z.infer<typeof TagSummarySchema>;

export const TagListSchema = z
  .object({
    repository: z.string(),
    tags: z.array(TagSummarySchema),
    /** Tags in the repository, all pages together. */
    total: z.number().int(),
    /** Pass as `last` to read the next page; absent on the last page. */
    next: z.string().optional(),
  })
  .openapi('TagList');
export type TagList = z.infer<typeof TagListSchema>;

export const RepositoryListSchema = z
  .object({
    repositories: z.array(z.string()),
    /** Pass as `last` to read the next page; absent on the last page. */
    next: z.string().optional(),
  })
  .openapi('RepositoryList');
export type RepositoryList = z.infer<typeof RepositoryListSchema>;

export const ScanViewSchema = z
  .object({
    /** The latest scan request, absent when the tag was never scanned. */
    status: ScanStatusSchema.optional(),
    /** The last completed result, kept when a later scan fails. */
    result: ResultInfoSchema.optional(),
  })
  .openapi('ScanView');
export type ScanView = z.infer<typeof ScanViewSchema>;

export const LayerRefSchema = z
  .object({
    diffId: z.string().optional(),
    digest: z.string().optional(),
    /** Zero-based position in `rootfs.diff_ids`, absent when the diff ID is not among them. */
    index: z.number().int().optional(),
    /** Cleaned Dockerfile command of the step that made the layer, absent when the history does not line up. */
    command: z.string().optional(),
  })
  .openapi('LayerRef');
export type LayerRef = z.infer<typeof LayerRefSchema>;

export const FindingSchema = z
  .object({
    id: z.string(),
    /** NVD for CVE ids, Trivy's `PrimaryURL` otherwise. */
    url: z.string().optional(),
    severity: SeveritySchema,
    pkgName: z.string(),
    pkgPath: z.string().optional(),
    installedVersion: z.string(),
    fixedVersion: z.string().optional(),
    status: z.string().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    cvssScore: z.number().optional(),
    target: z.string(),
    class: z.string().optional(),
    type: z.string().optional(),
    layer: LayerRefSchema,
  })
  .openapi('Finding');
export type Finding = z.infer<typeof FindingSchema>;

export const FindingListSchema = z
  .object({
    repository: z.string(),
    tag: z.string(),
    result: ResultInfoSchema,
    /** False when the image history does not line up with its layers. */
    mappingKnown: z.boolean(),
    vulnerabilities: z.array(FindingSchema),
  })
  .openapi('FindingList');
export type FindingList = z.infer<typeof FindingListSchema>;

/** One entry of the image config's history, with its layer when it made one. */
export const HistoryStepSchema = z
  .object({
    historyIndex: z.number().int(),
    createdBy: z.string().optional(),
    command: z.string(),
    created: z.string().optional(),
    emptyLayer: z.boolean(),
    layer: z
      .object({
        index: z.number().int(),
        diffId: z.string(),
        digest: z.string().optional(),
        size: z.number().int().optional(),
        summary: SeveritySummarySchema.optional(),
      })
      .optional(),
  })
  .openapi('HistoryStep');
export type HistoryStep = z.infer<typeof HistoryStepSchema>;

/** One layer of the image in `rootfs.diff_ids` order, known whether or not the history lines up. */
export const LayerSchema = z
  .object({
    index: z.number().int(),
    diffId: z.string(),
    digest: z.string().optional(),
    size: z.number().int().optional(),
    summary: SeveritySummarySchema.optional(),
    /** Cleaned Dockerfile command, absent when the history does not line up with the layers. */
    command: z.string().optional(),
  })
  .openapi('Layer');
export type Layer = z.infer<typeof LayerSchema>;

export const LayerViewSchema = z
  .object({
    repository: z.string(),
    tag: z.string(),
    digest: z.string(),
    platform: z.string(),
    /** Every platform of the tag, `os/architecture[/variant]`, for a platform picker. */
    platforms: z.array(z.string()),
    mappingKnown: z.boolean(),
    steps: z.array(HistoryStepSchema),
    layers: z.array(LayerSchema),
    result: ResultInfoSchema.optional(),
  })
  .openapi('LayerView');
export type LayerView = z.infer<typeof LayerViewSchema>;

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    registry: z.object({
      url: z.string(),
      reachable: z.boolean(),
      error: z.string().optional(),
      /** The last registry error this process saw, with its time, even if it has recovered. */
      lastError: z.object({ message: z.string(), at: z.string() }).optional(),
    }),
    scanner: z.object({
      mode: ScannerModeSchema,
      trivyVersion: z.string().optional(),
      serverUrl: z.string().optional(),
      serverHealthy: z.boolean().optional(),
      error: z.string().optional(),
      /** Check the health probe cannot run from where it runs, such as the Trivy server from Lambda. */
      note: z.string().optional(),
      /** The reason of the last failed scan this process saw, with its time. */
      lastError: z.object({ message: z.string(), at: z.string() }).optional(),
    }),
    /** True when scans produce recorded reports from the stand-in instead of live Trivy runs. */
    recordedReports: z.boolean(),
  })
  .openapi('Health');
export type Health = z.infer<typeof HealthSchema>;

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      /** Next step for the caller. */
      hint: z.string().optional(),
    }),
  })
  .openapi('Error');
export type ApiError = z.infer<typeof ErrorSchema>;

/** Totals per severity across the latest result of every scanned image tag. */
export const DashboardSchema = z
  .object({
    /** Image tags with a completed result. */
    scannedImages: z.number().int(),
    totals: SeveritySummarySchema,
    /** Image tags ordered by critical, then high findings, most first (at most 10). */
    topImages: z.array(
      z.object({
        repository: z.string(),
        tag: z.string(),
        digest: z.string(),
        scannedAt: z.string(),
        summary: SeveritySummarySchema,
      }),
    ),
    /** Findings per repository over the latest result of each of its tags. */
    repositories: z.array(
      z.object({
        repository: z.string(),
        images: z.number().int(),
        summary: SeveritySummarySchema,
      }),
    ),
    /**
     * Totals per day over the scan history: for each day with a completed scan, the sum of the
     * latest result of every image tag scanned up to the end of that day.
     */
    trend: z.array(z.object({ date: z.string(), totals: SeveritySummarySchema })),
  })
  .openapi('Dashboard');
export type Dashboard = z.infer<typeof DashboardSchema>;

/** Sign-in settings of the SPA, served at `/config.json`. */
export const RuntimeConfigSchema = z
  .object({
    auth: z.discriminatedUnion('type', [
      /** No sign-in: local use on a loopback address. */
      z.object({ type: z.literal('none') }),
      /** HTTP Basic from a users file. The browser prompts for the password itself. */
      z.object({ type: z.literal('basic') }),
      /** Cognito hosted UI with the authorization code flow and PKCE. */
      z.object({
        type: z.literal('cognito'),
        /** OpenID issuer, `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
        authority: z.string(),
        clientId: z.string(),
        /** Hosted UI base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
        domain: z.string(),
        scopes: z.array(z.string()),
      }),
    ]),
  })
  .openapi('RuntimeConfig');
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;

/** The signed-in user and roles, from `GET /api/me`. */
export const UserSchema = z
  .object({
    name: z.string(),
    roles: z.array(z.enum(['admin', 'viewer'])),
  })
  .openapi('User');
export type User = z.infer<typeof UserSchema>;

/** Result of `DELETE .../tags/{tag}`: the deleted manifest and every tag that pointed to it. */
export const TagDeletionSchema = z
  .object({ repository: z.string(), digest: z.string(), tags: z.array(z.string()) })
  .openapi('TagDeletion');
export type TagDeletion = z.infer<typeof TagDeletionSchema>;

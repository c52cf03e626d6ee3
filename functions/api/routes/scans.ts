import { createRoute, z } from '@hono/zod-openapi';
import {
  ErrorSchema,
  FindingListSchema,
  ScanStatusSchema,
  ScanViewSchema,
} from '../../../core/api/schemas';
import { checkRepository, checkTag } from '../../../core/names';
import { listFindings } from '../../../core/report/findings';
import { mapReportHistory } from '../../../core/report/history';
import { parseReport } from '../../../core/report/parse';
import { plainFileName } from '../../../core/store/result-keys';
import { resultInfo, type StoredResult } from '../../../core/store/results';
import { requireRole } from '../auth';
import {
  type Api,
  type ApiDependencies,
  errorResponses,
  REPOSITORY_PATH,
  TagParams,
} from '../context';
import { ApiProblem } from '../errors';

const TrivyReportSchema = z.record(z.string(), z.unknown()).openapi('TrivyReport');

const TAG_PATH = `${REPOSITORY_PATH}/tags/{tag}`;
const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const requestScan = createRoute({
  method: 'post',
  path: `${TAG_PATH}/scan`,
  summary: 'Queue a scan of the tag; a scan already queued or running is returned as is',
  request: { params: TagParams },
  responses: {
    202: json(ScanStatusSchema, 'The queued, or already queued, scan'),
    ...errorResponses(ErrorSchema),
  },
});

const getScan = createRoute({
  method: 'get',
  path: `${TAG_PATH}/scan`,
  summary: 'Latest scan status and the last completed result',
  request: { params: TagParams },
  responses: {
    200: json(ScanViewSchema, 'Status and result; both absent when never scanned'),
    ...errorResponses(ErrorSchema),
  },
});

const getVulnerabilities = createRoute({
  method: 'get',
  path: `${TAG_PATH}/vulnerabilities`,
  summary: 'Findings of the last completed scan, each with the layer that introduced it',
  request: { params: TagParams },
  responses: {
    200: json(FindingListSchema, 'Findings, most severe first'),
    ...errorResponses(ErrorSchema),
  },
});

const getReport = createRoute({
  method: 'get',
  path: `${TAG_PATH}/report`,
  summary: "Trivy's JSON report of the last completed scan, as Trivy wrote it",
  request: { params: TagParams },
  responses: {
    200: {
      description: 'Trivy JSON (SchemaVersion 2)',
      content: { 'application/json': { schema: TrivyReportSchema } },
    },
    ...errorResponses(ErrorSchema),
  },
});

/** Registers the scan, findings and report routes. */
export function registerScans(app: Api, deps: ApiDependencies): void {
  app.openapi(requestScan, async (c) => {
    requireRole(c, 'admin');
    const { status, created } = await deps.scans.request(imageOf(c.req.valid('param')));
    c.header('Location', c.req.path);
    if (!created) c.header('Berth-Scan', 'existing');
    return c.json(status, 202);
  });

  app.openapi(getScan, async (c) => {
    return c.json(await deps.scans.view(imageOf(c.req.valid('param'))), 200);
  });

  app.openapi(getVulnerabilities, async (c) => {
    const image = imageOf(c.req.valid('param'));
    const stored = await readResult(deps, image);
    const report = parseReport(stored.report);
    const mapping = mapReportHistory(report);
    return c.json(
      {
        ...image,
        result: resultInfo(stored),
        mappingKnown: mapping.known,
        vulnerabilities: listFindings(report, mapping),
      },
      200,
    );
  });

  app.openapi(getReport, async (c) => {
    const image = imageOf(c.req.valid('param'));
    const stored = await readResult(deps, image);
    const fileName = plainFileName(image).replace(/\.json$/, '.trivy.json');
    c.header('Content-Disposition', `attachment; filename="${fileName}"`);
    return c.json(stored.report as Record<string, unknown>, 200);
  });
}

export function imageOf(params: { name: string; tag: string }) {
  return { repository: checkRepository(params.name), tag: checkTag(params.tag) };
}

/** Reads the last completed result, or throws a 404 that explains how to get one. */
export async function readResult(
  deps: ApiDependencies,
  image: { repository: string; tag: string },
): Promise<StoredResult> {
  const stored = await deps.results.read(image);
  if (stored) return stored;
  throw new ApiProblem(
    404,
    'not_scanned',
    `No completed scan of ${image.repository}:${image.tag}.`,
    `Scan it first: POST /api/repositories/${image.repository}/tags/${image.tag}/scan.`,
  );
}

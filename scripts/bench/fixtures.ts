import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, FindingList, ResultInfo, SeveritySummary } from '../../core/api/schemas';
import { listFindings } from '../../core/report/findings';
import { parseReport } from '../../core/report/parse';
import { fixturesDir } from '../lib/images';

/** The recorded juice-shop report: 236 findings from a real Trivy scan. */
export const JUICE_SHOP_REPORT = 'securecodebox/juice-shop-v10.2.0.json';

function summaryOf(findings: readonly Finding[]): SeveritySummary {
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

function findingList(tag: string, findings: Finding[]): FindingList {
  const result: ResultInfo = {
    scanId: `bench-${tag}`,
    digest: `sha256:${'0'.repeat(64)}`,
    scannedAt: '2024-05-01T10:00:00Z',
    mode: 'builtin',
    trivyVersion: 'recorded',
    recorded: true,
    summary: summaryOf(findings),
  };
  return { repository: 'bench', tag, result, mappingKnown: true, vulnerabilities: findings };
}

/** Reads the juice-shop report and maps it to the API's findings, as the server does. */
export async function juiceShopFindings(): Promise<FindingList> {
  const text = await readFile(join(fixturesDir(), JUICE_SHOP_REPORT), 'utf8');
  return findingList('juice-shop', listFindings(parseReport(JSON.parse(text))));
}

/** Builds a list of `count` findings by repeating the given ones under new ids. */
export function generatedFindings(source: FindingList, count: number): FindingList {
  const base = source.vulnerabilities;
  if (base.length === 0) throw new Error('The source report has no findings to repeat.');

  const findings = Array.from({ length: count }, (_, index) => {
    const finding = base[index % base.length] as Finding;
    return { ...finding, id: `BENCH-${String(index).padStart(6, '0')}`, url: undefined };
  });
  return findingList(`generated-${count}`, findings);
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, FindingList, ResultInfo } from '../../core/api/schemas';
import { listFindings } from '../../core/report/findings';
import { parseReport } from '../../core/report/parse';
import { countBySeverity } from '../../web/src/findings/filters';
import { fixturesDir } from '../lib/images';

/** The recorded juice-shop report: 236 findings from a real Trivy scan. */
export const JUICE_SHOP_REPORT = 'securecodebox/juice-shop-v10.2.0.json';

function findingList(tag: string, findings: Finding[]): FindingList {
  const result: ResultInfo = {
    scanId: `bench-${tag}`,
    digest: `sha256:${'0'.repeat(64)}`,
    scannedAt: '2024-05-01T10:00:00Z',
    mode: 'builtin',
    trivyVersion: 'recorded',
    recorded: true,
    summary: countBySeverity(findings),
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

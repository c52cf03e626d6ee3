import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { Finding, SeveritySummary } from '../core/api/schemas';
import { SEVERITIES } from '../core/api/schemas';
import type { ImageConfig } from '../core/image-config';
import { cleanCommand } from '../core/report/command';
import { cvssScore, listFindings, sortFindings, vulnerabilityUrl } from '../core/report/findings';
import { mapHistory, mapReportHistory } from '../core/report/history';
import { parseReport, ReportError } from '../core/report/parse';
import { summarize, summarizeByLayer, summarizeWithoutLayer } from '../core/report/summary';
import type { TrivyReport, TrivyVulnerability } from '../core/report/trivy';
import { SEVERITY_RANK } from '../core/report/trivy';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES =
  process.env.BERTH_FIXTURES_DIR ?? path.resolve(REPO_ROOT, '../shared/fixtures/trivy');
const CONFIG_FOLDER = 'image-config';

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8'));
}

function loadReport(file: string): TrivyReport {
  return parseReport(readJson(file));
}

function imageConfigOf(report: TrivyReport): ImageConfig {
  const config = report.Metadata?.ImageConfig;
  if (config === undefined) {
    throw new Error('fixture report has no Metadata.ImageConfig');
  }
  return config;
}

function findFinding(findings: Finding[], id: string, pkgName: string): Finding {
  const finding = findings.find((entry) => entry.id === id && entry.pkgName === pkgName);
  if (finding === undefined) {
    throw new Error(`fixture has no finding ${id} in ${pkgName}`);
  }
  return finding;
}

function findVulnerability(report: TrivyReport, id: string, pkgName: string): TrivyVulnerability {
  const all = (report.Results ?? []).flatMap((result) => result.Vulnerabilities ?? []);
  const vulnerability = all.find(
    (entry) => entry.VulnerabilityID === id && entry.PkgName === pkgName,
  );
  if (vulnerability === undefined) {
    throw new Error(`fixture has no vulnerability ${id} in ${pkgName}`);
  }
  return vulnerability;
}

const reportFiles = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json') && !file.startsWith(`${CONFIG_FOLDER}${path.sep}`))
  .sort();

function counts(c: number, h: number, m: number, l: number): SeveritySummary {
  return { CRITICAL: c, HIGH: h, MEDIUM: m, LOW: l, UNKNOWN: 0, total: c + h + m + l };
}

/**
 * Figures counted once from the fixture files with a throwaway script. The juice-shop v10.2.0
 * counts match the 25 / 128 / 67 / 16 its publisher lists.
 */
const EXPECTED: Record<string, { summary: SeveritySummary; layerIndexes: number[] }> = {
  'alpine-310.json': { summary: counts(0, 0, 4, 0), layerIndexes: [0] },
  'busybox-with-lockfile.json': { summary: counts(0, 1, 1, 0), layerIndexes: [1] },
  'centos-7.json': { summary: counts(0, 0, 1, 2), layerIndexes: [0] },
  'debian-stretch.json': { summary: counts(0, 0, 4, 1), layerIndexes: [0] },
  'defectdojo/all_statuses.json': { summary: counts(0, 0, 0, 8), layerIndexes: [0, 4] },
  'distroless-python27.json': { summary: counts(0, 0, 2, 2), layerIndexes: [1] },
  'fluentd-gems.json': { summary: counts(1, 1, 0, 0), layerIndexes: [0, 3] },
  'securecodebox/juice-shop-v10.2.0.json': {
    summary: counts(25, 128, 67, 16),
    layerIndexes: [0, 1, 2, 6],
  },
  'securecodebox/juice-shop-v12.10.2-empty-results.json': {
    summary: counts(0, 0, 0, 0),
    layerIndexes: [],
  },
  'securecodebox/juice-shop-v12.10.2-no-results.json': {
    summary: counts(0, 0, 0, 0),
    layerIndexes: [],
  },
  'sl-micro-rancher5.4.json': { summary: counts(0, 0, 0, 0), layerIndexes: [] },
  'spring4shell-jre11.json': { summary: counts(1, 0, 0, 0), layerIndexes: [8] },
  'ubi-7-comprehensive.json': { summary: counts(0, 1, 0, 1), layerIndexes: [0] },
  'ubuntu-1804.json': { summary: counts(0, 0, 4, 1), layerIndexes: [0] },
};

function expectedFor(file: string) {
  const expected = EXPECTED[file.split(path.sep).join('/')];
  if (expected === undefined) {
    throw new Error(`no expected figures for fixture ${file}. Add its row to EXPECTED.`);
  }
  return expected;
}

describe('fixture table', () => {
  test('covers every report file', () => {
    const files = reportFiles.map((file) => file.split(path.sep).join('/'));
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });
});

describe.each(reportFiles)('report %s', (file) => {
  const raw = readJson(file);
  const report = parseReport(raw);
  const expected = expectedFor(file);
  const mapping = mapReportHistory(report);
  const findings = listFindings(report, mapping);
  const diffIds = imageConfigOf(report).rootfs?.diff_ids ?? [];

  test('parse keeps every field', () => {
    expect(report).toEqual(raw);
  });

  test('summary counts', () => {
    expect(summarize(report)).toEqual(expected.summary);
  });

  test('one finding per entry', () => {
    expect(findings).toHaveLength(expected.summary.total);
  });

  test('history mapping known', () => {
    expect(mapping.known).toBe(true);
  });

  test('every finding has a layer index', () => {
    const unmapped = findings.filter((finding) => finding.layer.index === undefined);
    expect(unmapped).toEqual([]);
  });

  test('layer index matches diff ID', () => {
    for (const finding of findings) {
      expect(diffIds[finding.layer.index ?? -1]).toBe(finding.layer.diffId);
    }
  });

  test('layer command matches history step', () => {
    for (const finding of findings) {
      const step = mapping.steps.find((entry) => entry.layerIndex === finding.layer.index);
      expect(finding.layer.command).toBe(step?.command);
    }
  });

  test('distinct layers', () => {
    const indexes = new Set(findings.map((finding) => finding.layer.index));
    expect([...indexes].sort((a, b) => (a ?? -1) - (b ?? -1))).toEqual(expected.layerIndexes);
  });

  test('layer summaries add up', () => {
    const byLayer = [...summarizeByLayer(report).values()];
    const total = byLayer.reduce((sum, summary) => sum + summary.total, 0);
    expect(total + summarizeWithoutLayer(report).total).toBe(expected.summary.total);
  });

  test('layer summaries keyed by known diff IDs', () => {
    for (const diffId of summarizeByLayer(report).keys()) {
      expect(diffIds).toContain(diffId);
    }
  });
});

describe('parseReport', () => {
  const valid = readJson('fluentd-gems.json') as Record<string, unknown>;

  function withVulnerability(change: (vulnerability: Record<string, unknown>) => void): unknown {
    const copy = structuredClone(valid) as { Results: { Vulnerabilities: object[] }[] };
    const first = copy.Results[0]?.Vulnerabilities[0] as Record<string, unknown>;
    change(first);
    return copy;
  }

  const REJECTED: [string, unknown, string][] = [
    ['array', [], 'the report must be an object, not an array'],
    ['null', null, 'the report must be an object, not null'],
    ['string', 'trivy output', 'the report must be an object, not a string'],
    ['schema 1', { ...valid, SchemaVersion: 1 }, 'SchemaVersion must be 2, not 1'],
    ['no schema', { ...valid, SchemaVersion: undefined }, 'SchemaVersion is missing'],
    ['results object', { ...valid, Results: {} }, 'Results must be an array, not an object'],
    [
      'result target',
      { ...valid, Results: [{ Class: 'os-pkgs' }] },
      'Results[0].Target is missing',
    ],
    [
      'vulnerability ID',
      withVulnerability((entry) => delete entry.VulnerabilityID),
      'Results[0].Vulnerabilities[0].VulnerabilityID is missing',
    ],
    [
      'severity number',
      withVulnerability((entry) => {
        entry.Severity = 4;
      }),
      'Results[0].Vulnerabilities[0].Severity must be a string, not a number',
    ],
    [
      'history entries',
      { ...valid, Metadata: { ImageConfig: { history: {} } } },
      'Metadata.ImageConfig.history must be an array, not an object',
    ],
  ];

  test.each(REJECTED)('rejects %s', (_name, input, message) => {
    expect(() => parseReport(input)).toThrow(ReportError);
    expect(() => parseReport(input)).toThrow(`Invalid Trivy report: ${message}.`);
  });

  test('error names Trivy command', () => {
    expect(() => parseReport({})).toThrow('trivy image --format json');
  });

  test('leaves input unchanged', () => {
    const input = withVulnerability((entry) => delete entry.InstalledVersion);
    const before = structuredClone(input);
    parseReport(input);
    expect(input).toEqual(before);
  });

  test('missing InstalledVersion becomes empty', () => {
    const report = parseReport(withVulnerability((entry) => delete entry.InstalledVersion));
    expect(report.Results?.[0]?.Vulnerabilities?.[0]?.InstalledVersion).toBe('');
  });

  test('accepts null Results', () => {
    const report = parseReport({ ...valid, Results: null });
    expect(summarize(report).total).toBe(0);
  });

  test('unknown severity counts as UNKNOWN', () => {
    const input = withVulnerability((entry) => {
      entry.Severity = 'NEGLIGIBLE';
    });
    expect(summarize(parseReport(input))).toEqual({ ...counts(0, 1, 0, 0), UNKNOWN: 1, total: 2 });
  });

  test('unknown severity finding', () => {
    const input = withVulnerability((entry) => {
      entry.Severity = 'NEGLIGIBLE';
    });
    expect(listFindings(parseReport(input))[0]?.severity).toBe('UNKNOWN');
  });
});

/** Collects every `created_by` line recorded in the fixtures, to prove the cleanup cases are real. */
function recordedHistoryLines(): Set<string> {
  const configs = readdirSync(path.join(FIXTURES, CONFIG_FOLDER)).map(
    (file) => readJson(path.join(CONFIG_FOLDER, file)) as ImageConfig,
  );
  const reportConfigs = reportFiles.map((file) => imageConfigOf(loadReport(file)));
  const entries = [...configs, ...reportConfigs].flatMap((config) => config.history ?? []);
  return new Set(entries.flatMap((entry) => entry.created_by ?? []));
}

describe('cleanCommand', () => {
  const JUICE_SHOP_COPY =
    'COPY --chown=juicerdir:b57ec657b862a36f8afeaca8923d48615aa53a69178834123559eb188ef028ff in .';

  // [source, created_by, cleaned]
  const RECORDED: [string, string, string][] = [
    ['debian-stretch', '/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'],
    [
      'debian-stretch',
      '/bin/sh -c #(nop) ADD file:b9b24bd862a79bf6c6e79daf6babca27245063eb52a2f72ffc4fc3494ddd3d48 in / ',
      'ADD file:b9b24bd862a79bf6c6e79daf6babca27245063eb52a2f72ffc4fc3494ddd3d48 in /',
    ],
    ['juice-shop 10', '/bin/sh -c #(nop)  ENV NODE_VERSION=12.16.2', 'ENV NODE_VERSION=12.16.2'],
    ['juice-shop 10', '/bin/sh -c #(nop) WORKDIR /juice-shop', 'WORKDIR /juice-shop'],
    ['juice-shop 10', `/bin/sh -c #(nop) ${JUICE_SHOP_COPY} `, JUICE_SHOP_COPY],
    [
      'ubuntu-1804',
      "/bin/sh -c mkdir -p /run/systemd && echo 'docker' > /run/systemd/container",
      "RUN mkdir -p /run/systemd && echo 'docker' > /run/systemd/container",
    ],
    [
      'spring4shell',
      '/bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates p11-kit \t; \trm -rf /var/lib/apt/lists/*',
      'RUN set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates p11-kit ; rm -rf /var/lib/apt/lists/*',
    ],
    [
      'spring4shell',
      `/bin/sh -c { echo '#/bin/sh'; echo 'echo "$JAVA_HOME"'; } > /usr/local/bin/docker-java-home && chmod +x /usr/local/bin/docker-java-home && [ "$JAVA_HOME" = "$(docker-java-home)" ] # backwards compatibility`,
      `RUN { echo '#/bin/sh'; echo 'echo "$JAVA_HOME"'; } > /usr/local/bin/docker-java-home && chmod +x /usr/local/bin/docker-java-home && [ "$JAVA_HOME" = "$(docker-java-home)" ] # backwards compatibility`,
    ],
    [
      'fluentd-gems',
      '|1 DEBIAN_FRONTEND=noninteractive /bin/sh -c chmod +x /tmp/install.sh &&     /bin/bash -l -c /tmp/install.sh &&     rm /tmp/*',
      'RUN chmod +x /tmp/install.sh && /bin/bash -l -c /tmp/install.sh && rm /tmp/*',
    ],
    [
      'juice-shop 10',
      '|2 BUILD_DATE=”2020-04-22T11:19:46Z” VCS_REF=4569bf3 /bin/sh -c addgroup juicer &&     adduser -D -G juicer juicer',
      'RUN addgroup juicer && adduser -D -G juicer juicer',
    ],
    [
      'juice-shop 12',
      'RUN |2 BUILD_DATE=”2021-10-12T21:09:21Z” VCS_REF=3d8a93e /bin/sh -c addgroup --system --gid 1001 juicer &&     adduser juicer --system --uid 1001 --ingroup juicer # buildkit',
      'RUN addgroup --system --gid 1001 juicer && adduser juicer --system --uid 1001 --ingroup juicer',
    ],
    ['all_statuses', 'RUN /bin/sh -c npm install # buildkit', 'RUN npm install'],
    ['all_statuses', 'COPY src/ /usr/src/app/ # buildkit', 'COPY src/ /usr/src/app/'],
    ['all_statuses', 'WORKDIR /usr/src/app/', 'WORKDIR /usr/src/app/'],
    ['all_statuses', 'EXPOSE map[3000/tcp:{}]', 'EXPOSE map[3000/tcp:{}]'],
    ['juice-shop 12', 'COPY /juice-shop . # buildkit', 'COPY /juice-shop .'],
    ['juice-shop 12', 'ARG BUILD_DATE', 'ARG BUILD_DATE'],
    ['distroless-python27', 'bazel build ...', 'bazel build ...'],
    ['sl-micro-rancher5.4', 'KIWI 9.24.43', 'KIWI 9.24.43'],
  ];

  const recorded = recordedHistoryLines();

  test.each(RECORDED)('%s: %s', (_source, createdBy, cleaned) => {
    expect(cleanCommand(createdBy)).toBe(cleaned);
  });

  test.each(RECORDED)('%s line is recorded: %s', (_source, createdBy) => {
    expect(recorded.has(createdBy)).toBe(true);
  });

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', ' \t '],
  ])('%s command is empty', (_name, createdBy) => {
    expect(cleanCommand(createdBy)).toBe('');
  });

  test('build args without values', () => {
    expect(cleanCommand('|0 /bin/sh -c make')).toBe('RUN make');
  });

  test('build arg value with spaces', () => {
    expect(cleanCommand('|1 NOTE=a b /bin/sh -c make all')).toBe('RUN make all');
  });
});

describe('mapHistory', () => {
  const juiceShop = imageConfigOf(loadReport('securecodebox/juice-shop-v10.2.0.json'));
  const juiceShopHistory = juiceShop.history ?? [];
  const juiceShopDiffIds = juiceShop.rootfs?.diff_ids ?? [];

  test('bare config known', () => {
    const config = readJson(`${CONFIG_FOLDER}/config-alpine310.json`) as ImageConfig;
    expect(mapHistory(config).known).toBe(true);
  });

  test('bare config steps', () => {
    const config = readJson(`${CONFIG_FOLDER}/config-alpine310.json`) as ImageConfig;
    expect(mapHistory(config).steps).toEqual([
      {
        historyIndex: 0,
        createdBy:
          '/bin/sh -c #(nop) ADD file:d48cac34fac385cbc1de6adfdd88300f76f9bbe346cd17e64fd834d042a98326 in / ',
        command: 'ADD file:d48cac34fac385cbc1de6adfdd88300f76f9bbe346cd17e64fd834d042a98326 in /',
        created: config.history?.[0]?.created,
        emptyLayer: false,
        layerIndex: 0,
        diffId: 'sha256:531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028',
      },
      {
        historyIndex: 1,
        createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]',
        command: 'CMD ["/bin/sh"]',
        created: config.history?.[1]?.created,
        emptyLayer: true,
      },
    ]);
  });

  test('juice-shop layer steps', () => {
    const layerSteps = mapHistory(juiceShop).steps.filter((step) => step.layerIndex !== undefined);
    expect(layerSteps.map((step) => step.historyIndex)).toEqual([0, 3, 5, 6, 12, 13, 14, 15]);
  });

  test('lookup by diff ID', () => {
    const diffId = juiceShopDiffIds[6] ?? '';
    expect(mapHistory(juiceShop).byDiffId.get(diffId)).toEqual({
      layerIndex: 6,
      historyIndex: 14,
      command:
        'COPY --chown=juicerdir:b57ec657b862a36f8afeaca8923d48615aa53a69178834123559eb188ef028ff in .',
    });
  });

  test('history without created_by', () => {
    const config = imageConfigOf(loadReport('ubi-7-comprehensive.json'));
    const steps = mapHistory(config).steps;
    expect(steps.map((step) => [step.command, step.createdBy, step.layerIndex])).toEqual([
      ['', undefined, 0],
      ['', undefined, 1],
    ]);
  });

  const UNKNOWN: [string, ImageConfig][] = [
    ['history cut', { ...juiceShop, history: juiceShopHistory.slice(0, 10) }],
    [
      'extra non-empty entry',
      { ...juiceShop, history: [...juiceShopHistory, { created_by: 'RUN /bin/sh -c true' }] },
    ],
    ['history missing', { ...juiceShop, history: undefined }],
    ['diff_ids missing', { ...juiceShop, rootfs: { type: 'layers' } }],
  ];

  test.each(UNKNOWN)('%s: mapping unknown', (_name, config) => {
    expect(mapHistory(config).known).toBe(false);
  });

  test.each(UNKNOWN)('%s: no step has a layer', (_name, config) => {
    const withLayer = mapHistory(config).steps.filter(
      (step) => step.layerIndex !== undefined || step.diffId !== undefined,
    );
    expect(withLayer).toEqual([]);
  });

  test.each(UNKNOWN)('%s: lookup empty', (_name, config) => {
    expect(mapHistory(config).byDiffId.size).toBe(0);
  });

  test('cut history still lists steps', () => {
    const config = { ...juiceShop, history: juiceShopHistory.slice(0, 10) };
    expect(mapHistory(config).steps).toHaveLength(10);
  });

  test('duplicate diff ID maps to first layer', () => {
    const config: ImageConfig = {
      history: [{ created_by: '/bin/sh -c mkdir /a' }, { created_by: '/bin/sh -c mkdir /a' }],
      rootfs: { type: 'layers', diff_ids: ['sha256:same', 'sha256:same'] },
    };
    expect(mapHistory(config).byDiffId.get('sha256:same')?.layerIndex).toBe(0);
  });
});

describe('listFindings', () => {
  const fluentd = loadReport('fluentd-gems.json');
  const fluentdFindings = listFindings(fluentd);
  const juiceShop = loadReport('securecodebox/juice-shop-v10.2.0.json');
  const juiceShopFindings = listFindings(juiceShop);

  test('fluentd OS package layer', () => {
    expect(findFinding(fluentdFindings, 'CVE-2019-18224', 'libidn2-0').layer).toEqual({
      diffId: 'sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f',
      digest: 'sha256:000eee12ec04cc914bf96e8f5dee7767510c2aca3816af6078bd9fbe3150920c',
      index: 0,
      command: 'ADD file:bc8179c87c8dbb3d962bed1801f99e7c860ff03797cde6ad19b107d43b973ada in /',
    });
  });

  test('fluentd gem layer', () => {
    expect(findFinding(fluentdFindings, 'CVE-2020-8165', 'activesupport').layer).toEqual({
      diffId: 'sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9',
      digest: 'sha256:a8877cad19f14a7044524a145ce33170085441a7922458017db1631dcd5f7602',
      index: 3,
      command: 'RUN chmod +x /tmp/install.sh && /bin/bash -l -c /tmp/install.sh && rm /tmp/*',
    });
  });

  test('fluentd gem finding fields', () => {
    const finding = findFinding(fluentdFindings, 'CVE-2020-8165', 'activesupport');
    expect(finding).toMatchObject({
      severity: 'HIGH',
      installedVersion: '6.0.2.1',
      pkgPath: 'var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec',
      target: 'Ruby',
      class: 'lang-pkgs',
      type: 'gemspec',
      url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-8165',
    });
  });

  const JUICE_SHOP_LAYERS: [string, string, number, string][] = [
    [
      'CVE-2021-36159',
      'apk-tools',
      0,
      'ADD file:0c4555f363c2672e350001f1293e689875a3760afe7b3f9146886afe67121cba in /',
    ],
    [
      'CVE-2019-15847',
      'libgcc',
      1,
      'RUN addgroup -g 1000 node && adduser -u 1000 -G node -s /bin/sh -D node',
    ],
    [
      'CVE-2021-4435',
      'yarn',
      2,
      'RUN apk add --no-cache --virtual .build-deps-yarn curl gnupg tar && for key in',
    ],
    [
      'GHSA-5mrr-rgp6-x4gr',
      'marsdb',
      6,
      'COPY --chown=juicerdir:b57ec657b862a36f8afeaca8923d48615aa53a69178834123559eb188ef028ff in .',
    ],
  ];

  test.each(JUICE_SHOP_LAYERS)('juice-shop %s layer index', (id, pkgName, index) => {
    expect(findFinding(juiceShopFindings, id, pkgName).layer.index).toBe(index);
  });

  test.each(JUICE_SHOP_LAYERS)('juice-shop %s layer command', (id, pkgName, _index, command) => {
    expect(findFinding(juiceShopFindings, id, pkgName).layer.command).toMatch(
      new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  test('unknown mapping keeps diff ID, digest and index', () => {
    const config = imageConfigOf(fluentd);
    const mapping = mapHistory({ ...config, history: config.history?.slice(0, 4) });
    // The diff ID order fixes the index; only the command needs the history.
    expect(
      findFinding(listFindings(fluentd, mapping), 'CVE-2020-8165', 'activesupport').layer,
    ).toEqual({
      diffId: 'sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9',
      digest: 'sha256:a8877cad19f14a7044524a145ce33170085441a7922458017db1631dcd5f7602',
      index: 3,
    });
  });

  test('layer without digest', () => {
    const findings = listFindings(loadReport('defectdojo/all_statuses.json'));
    const digests = findings.filter((finding) => finding.layer.digest !== undefined);
    expect(digests).toEqual([]);
  });

  test('every Status value carried', () => {
    const findings = listFindings(loadReport('defectdojo/all_statuses.json'));
    expect(new Set(findings.map((finding) => finding.status))).toEqual(
      new Set([
        'fixed',
        'affected',
        'will_not_fix',
        'fix_deferred',
        'end_of_life',
        'under_investigation',
        'not_affected',
        'unknown',
      ]),
    );
  });

  test('jar finding without PkgID', () => {
    const [finding] = listFindings(loadReport('spring4shell-jre11.json'));
    expect(finding).toMatchObject({
      id: 'CVE-2022-22965',
      pkgName: 'org.springframework:spring-beans',
      pkgPath: 'usr/local/tomcat/webapps/helloworld.war/WEB-INF/lib/spring-beans-5.3.15.jar',
      class: 'lang-pkgs',
      type: 'jar',
      layer: { index: 8 },
    });
  });

  const URLS: [string, string, string | undefined][] = [
    ['CVE-2021-36159', 'apk-tools', 'https://nvd.nist.gov/vuln/detail/CVE-2021-36159'],
    ['GHSA-5mrr-rgp6-x4gr', 'marsdb', 'https://github.com/advisories/GHSA-5mrr-rgp6-x4gr'],
    ['NSWG-ECO-516', 'lodash', 'https://www.npmjs.com/advisories/1523'],
    ['NSWG-ECO-17', 'jsonwebtoken', undefined],
  ];

  test.each(URLS)('url of %s', (id, pkgName, url) => {
    expect(vulnerabilityUrl(findVulnerability(juiceShop, id, pkgName))).toBe(url);
  });

  test('finding url', () => {
    expect(findFinding(juiceShopFindings, 'GHSA-5mrr-rgp6-x4gr', 'marsdb').url).toBe(
      'https://github.com/advisories/GHSA-5mrr-rgp6-x4gr',
    );
  });

  // [id, package, score, why]
  const SCORES: [string, string, number | undefined, string][] = [
    ['CVE-2021-36159', 'apk-tools', 9.1, 'nvd v3'],
    ['CVE-2020-7729', 'grunt', 7.1, 'nvd has only v2, ghsa v3 wins'],
    ['CVE-2024-29415', 'ip', 8.1, 'SeveritySource ghsa before redhat 9.8'],
    ['CVE-2024-47764', 'cookie', 3.7, 'only redhat'],
    ['NSWG-ECO-17', 'jsonwebtoken', undefined, 'no CVSS'],
  ];

  test.each(SCORES)('cvss of %s in %s', (id, pkgName, score) => {
    expect(cvssScore(findVulnerability(juiceShop, id, pkgName))).toBe(score);
  });

  test('cvss falls back to v2', () => {
    const vulnerability = structuredClone(findVulnerability(juiceShop, 'CVE-2020-7729', 'grunt'));
    delete vulnerability.CVSS?.ghsa?.V3Score;
    expect(cvssScore(vulnerability)).toBe(4.6);
  });
});

describe('summarizeByLayer', () => {
  const juiceShop = loadReport('securecodebox/juice-shop-v10.2.0.json');
  const diffIds = imageConfigOf(juiceShop).rootfs?.diff_ids ?? [];

  const LAYERS: [number, SeveritySummary][] = [
    [0, counts(4, 29, 10, 2)],
    [1, counts(3, 21, 10, 2)],
    [2, counts(0, 1, 0, 0)],
    [6, counts(18, 77, 47, 12)],
  ];

  test.each(LAYERS)('juice-shop layer %i', (index, summary) => {
    expect(summarizeByLayer(juiceShop).get(diffIds[index] ?? '')).toEqual(summary);
  });

  test('juice-shop layer count', () => {
    expect(summarizeByLayer(juiceShop).size).toBe(4);
  });

  test('juice-shop nothing without layer', () => {
    expect(summarizeWithoutLayer(juiceShop)).toEqual(counts(0, 0, 0, 0));
  });

  test('finding without layer', () => {
    const report = structuredClone(juiceShop);
    const first = report.Results?.[0]?.Vulnerabilities?.[0];
    if (first !== undefined) {
      delete first.Layer;
    }
    expect(summarizeWithoutLayer(report)).toEqual(counts(1, 0, 0, 0));
  });
});

describe('sortFindings', () => {
  const findings = listFindings(loadReport('securecodebox/juice-shop-v10.2.0.json'));
  const sorted = sortFindings(findings);
  const rank = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

  test('rank follows API severity order', () => {
    expect(SEVERITIES.map((severity) => SEVERITY_RANK[severity])).toEqual([0, 1, 2, 3, 4]);
  });

  test('keeps every finding', () => {
    expect(sorted).toHaveLength(findings.length);
  });

  test('critical first', () => {
    expect(sorted[0]?.severity).toBe('CRITICAL');
  });

  test('severity never rises', () => {
    const ranks = sorted.map((finding) => rank.indexOf(finding.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  test('ids ascend within severity', () => {
    for (const [index, finding] of sorted.entries()) {
      const next = sorted[index + 1];
      if (next !== undefined && next.severity === finding.severity) {
        expect(finding.id <= next.id).toBe(true);
      }
    }
  });

  test('leaves input order', () => {
    expect(findings[0]?.id).toBe('CVE-2021-36159');
  });

  test('small list order', () => {
    const base = findings[0] as Finding;
    const list = (
      [
        ['LOW', 'CVE-2020-0002'],
        ['CRITICAL', 'GHSA-aaaa'],
        ['UNKNOWN', 'A-1'],
        ['CRITICAL', 'CVE-2020-0001'],
        ['HIGH', 'Z-1'],
      ] as const
    ).map(([severity, id]) => ({ ...base, severity, id }));
    expect(sortFindings(list).map((finding) => finding.id)).toEqual([
      'CVE-2020-0001',
      'GHSA-aaaa',
      'Z-1',
      'CVE-2020-0002',
      'A-1',
    ]);
  });
});

describe('CVSS scores', () => {
  test('invalid score is dropped, not fatal', () => {
    const report = loadReport('alpine-310.json') as unknown as {
      Results: { Vulnerabilities: { CVSS?: Record<string, unknown> }[] }[];
    };
    const first = report.Results[0]?.Vulnerabilities[0];
    if (first) first.CVSS = { nvd: { V3Score: '9.8' }, redhat: { V3Score: 99 } };

    const findings = listFindings(parseReport(report));

    expect(findings).toHaveLength(4);
    expect(findings[0]?.cvssScore).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { Finding, SeveritySummary } from '../core/api/schemas';
import { checkRuntimeConfig } from '../web/src/auth/runtime-config';
import { csvField, findingsToCsv } from '../web/src/findings/csv';
import {
  applyFindingFilters,
  findingFilterParams,
  layersOf,
  parseFindingFilters,
} from '../web/src/findings/filters';
import { findingsPath } from '../web/src/paths';
import { compareSummaries } from '../web/src/tags/compare';

function finding(extra: Partial<Finding>): Finding {
  return {
    id: 'CVE-2024-0001',
    severity: 'HIGH',
    pkgName: 'openssl',
    installedVersion: '1.0',
    target: 'alpine 3.18',
    layer: {},
    ...extra,
  };
}

function summary(counts: Partial<SeveritySummary>): SeveritySummary {
  const base = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, ...counts };
  return { ...base, total: base.CRITICAL + base.HIGH + base.MEDIUM + base.LOW + base.UNKNOWN };
}

const FINDINGS = [
  finding({
    id: 'A',
    severity: 'CRITICAL',
    fixedVersion: '1.1',
    status: 'fixed',
    layer: { index: 1 },
  }),
  finding({ id: 'B', severity: 'HIGH', pkgName: 'semver', pkgPath: 'app/node_modules/semver' }),
  finding({
    id: 'C',
    severity: 'LOW',
    status: 'affected',
    layer: { index: 2, command: 'COPY . /app' },
  }),
];

describe('parseFindingFilters', () => {
  it('reads every filter', () => {
    const filters = parseFindingFilters({
      severity: 'high,CRITICAL,bogus',
      fixable: '1',
      pkg: 'ssl',
      layer: '2',
      status: 'fixed',
    });

    expect(filters.severities).toEqual(['CRITICAL', 'HIGH']);
    expect(filters.fixable).toBe(true);
    expect(filters.pkg).toBe('ssl');
    expect(filters.layer).toBe(2);
    expect(filters.status).toBe('fixed');
  });

  it('ignores an invalid layer', () => {
    expect(parseFindingFilters({ layer: '-1' }).layer).toBeUndefined();
    expect(parseFindingFilters({ layer: 'x' }).layer).toBeUndefined();
    expect(parseFindingFilters({ layer: 'unknown' }).layer).toBe('unknown');
  });

  it('round-trips through parameters', () => {
    const filters = parseFindingFilters({ severity: 'LOW', layer: 'unknown', pkg: 'a b' });
    const params = findingFilterParams(filters);

    expect(parseFindingFilters(params as Record<string, string>)).toEqual(filters);
    expect(params.fixable).toBeUndefined();
  });
});

describe('applyFindingFilters', () => {
  it('matches package path', () => {
    const { shown } = applyFindingFilters(FINDINGS, parseFindingFilters({ pkg: 'NODE_modules' }));
    expect(shown.map((item) => item.id)).toEqual(['B']);
  });

  it('counts severities before the severity filter', () => {
    const result = applyFindingFilters(FINDINGS, parseFindingFilters({ severity: 'LOW' }));

    expect(result.shown.map((item) => item.id)).toEqual(['C']);
    expect(result.severityCounts.CRITICAL).toBe(1);
    expect(result.severityCounts.total).toBe(3);
  });

  it('filters fixable, status and layer', () => {
    const ids = (params: Record<string, string>) =>
      applyFindingFilters(FINDINGS, parseFindingFilters(params)).shown.map((item) => item.id);

    expect(ids({ fixable: '1' })).toEqual(['A']);
    expect(ids({ status: 'unknown' })).toEqual(['B']);
    expect(ids({ layer: '2' })).toEqual(['C']);
    expect(ids({ layer: 'unknown' })).toEqual(['B']);
  });

  it('lists layers in order', () => {
    expect(layersOf(FINDINGS)).toEqual([{ index: 1 }, { index: 2, command: 'COPY . /app' }]);
  });
});

describe('findingsToCsv', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses spreadsheet formulas', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@babel/core')).toBe("'@babel/core");
  });

  it('writes a header and one row per finding', () => {
    const lines = findingsToCsv(FINDINGS).trimEnd().split('\r\n');

    expect(lines).toHaveLength(4);
    expect(lines[0]?.split(',')[0]).toBe('VulnerabilityID');
    expect(lines[1]?.startsWith('A,CRITICAL,,openssl,,1.0,1.1,fixed,1,')).toBe(true);
  });
});

describe('compareSummaries', () => {
  it('ranks critical before high', () => {
    expect(compareSummaries(summary({ CRITICAL: 1 }), summary({ HIGH: 9 }))).toBeGreaterThan(0);
    expect(compareSummaries(summary({ HIGH: 2 }), summary({ HIGH: 3 }))).toBeLessThan(0);
  });

  it('ranks unscanned lowest', () => {
    expect(compareSummaries(undefined, summary({}))).toBeLessThan(0);
    expect(compareSummaries(undefined, undefined)).toBe(0);
  });
});

describe('findingsPath', () => {
  it('adds severity and layer', () => {
    expect(findingsPath('team/api', '1.0', { severity: 'HIGH', layer: 3 })).toBe(
      '/r/team/api/-/1.0/findings?severity=HIGH&layer=3',
    );
  });
});

describe('checkRuntimeConfig', () => {
  it('accepts none and basic', () => {
    expect(checkRuntimeConfig({ auth: { type: 'none' } })).toEqual({ auth: { type: 'none' } });
    expect(checkRuntimeConfig({ auth: { type: 'basic' } })).toEqual({ auth: { type: 'basic' } });
  });

  it('rejects cognito without a domain', () => {
    const config = { auth: { type: 'cognito', authority: 'https://issuer', clientId: 'c' } };
    expect(() => checkRuntimeConfig(config)).toThrow('cognito sign-in is missing domain');
  });

  it('rejects an unknown type', () => {
    expect(() => checkRuntimeConfig({ auth: { type: 'saml' } })).toThrow('not "saml"');
  });
});

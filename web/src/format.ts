import type { Platform, Severity } from '../../core/api/schemas';

/** Trivy's severities, most severe first; a copy of the core's list that keeps zod out of the bundle. */
export const SEVERITY_ORDER: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Formats a byte count in binary units, for example `12.4 MiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }

  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${SIZE_UNITS[unit]}`;
}

/** Returns the first 12 hex digits of a digest such as `sha256:...`. */
export function shortDigest(digest: string): string {
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  return hex.slice(0, 12);
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** Formats a timestamp relative to `now`, for example `3 days ago`, or returns it if invalid. */
export function formatRelative(timestamp: string, now = Date.now()): string {
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return timestamp;

  const seconds = Math.round((time - now) / 1000);
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, length] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= length) return format.format(Math.trunc(seconds / length), unit);
  }

  return format.format(0, 'minute');
}

/** Formats a platform as `os/architecture[/variant]`. */
export function formatPlatform(platform: Platform): string {
  const parts = [platform.os, platform.architecture, platform.variant];
  return parts.filter((part) => part !== undefined && part !== '').join('/');
}

/**
 * Describes the platform Trivy scanned, for example `scanned linux/amd64 of 2 platforms`; for a
 * multi-arch tag Trivy scans one platform only.
 */
export function scannedPlatformText(platform: string, platformCount: number): string {
  return platformCount > 1
    ? `scanned ${platform} of ${platformCount} platforms`
    : `scanned ${platform}`;
}

/** Returns the severity in title case, for example `Critical`. */
export function severityLabel(severity: Severity): string {
  return severity.charAt(0) + severity.slice(1).toLowerCase();
}

/** Returns an http(s) address unchanged, or undefined for any other scheme or an invalid URL. */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the NVD page of a CVE id, the finding's own http(s) address otherwise. */
export function vulnerabilityUrl(id: string, url: string | undefined): string | undefined {
  if (/^CVE-\d{4}-\d+$/i.test(id)) return `https://nvd.nist.gov/vuln/detail/${id.toUpperCase()}`;
  return safeHttpUrl(url);
}

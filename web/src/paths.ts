import type { Severity } from '../../core/api/schemas';
import { encodeSegments } from './api';

/** The page of a repository that a `/r/...` path opens. */
export type RepositoryView = 'tags' | 'findings' | 'layers';

/** A parsed `/r/...` path: the repository keeps its slashes. */
export interface RepositoryRoute {
  repository: string;
  tag?: string;
  view: RepositoryView;
}

// "-" cannot be a path component of a repository name, so "/-/" marks where the tag starts.
const TAG_MARKER = '-';

/** Builds the tag list path, for example `/r/team/api/server`. */
export function tagsPath(repository: string): string {
  return `/r/${encodeSegments(repository)}`;
}

/** Filters a findings link can carry in its query string. */
export interface FindingsLinkFilters {
  severity?: Severity;
  layer?: number;
}

/** Builds the findings path of a tag, optionally filtered to one severity or one layer. */
export function findingsPath(
  repository: string,
  tag: string,
  filters: FindingsLinkFilters = {},
): string {
  const path = `${tagsPath(repository)}/${TAG_MARKER}/${encodeURIComponent(tag)}/findings`;
  const query = new URLSearchParams();
  if (filters.severity) query.set('severity', filters.severity);
  if (filters.layer !== undefined) query.set('layer', String(filters.layer));
  return query.size > 0 ? `${path}?${query}` : path;
}

/** Builds the layers path of a tag, for example `/r/team/api/server/-/1.0/layers`. */
export function layersPath(repository: string, tag: string): string {
  return `${tagsPath(repository)}/${TAG_MARKER}/${encodeURIComponent(tag)}/layers`;
}

/** Parses the part of a path after `/r/`; returns undefined when it names no page. */
export function parseRepositoryRoute(rest: string): RepositoryRoute | undefined {
  const segments = rest.split('/').filter((segment) => segment !== '');
  const decoded = segments.map(decodeSegment);
  if (decoded.includes(undefined)) return undefined;

  const parts = decoded as string[];
  const marker = parts.indexOf(TAG_MARKER);
  if (marker === -1) {
    return parts.length > 0 ? { repository: parts.join('/'), view: 'tags' } : undefined;
  }

  const repository = parts.slice(0, marker).join('/');
  const [tag, view, ...extra] = parts.slice(marker + 1);
  if (repository === '' || tag === undefined || extra.length > 0) return undefined;
  if (view !== 'findings' && view !== 'layers') return undefined;

  return { repository, tag, view };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

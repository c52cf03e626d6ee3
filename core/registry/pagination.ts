/** Distribution 2.8 and later reject a catalog `n` above 1000. */
export const MAX_PAGE_SIZE = 1000;

/** Clamps a requested page size to 1..MAX_PAGE_SIZE. Undefined keeps the registry's default. */
export function pageSize(n: number | undefined): number | undefined {
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.min(Math.max(Math.trunc(n), 1), MAX_PAGE_SIZE);
}

/**
 * Returns the target of the `rel="next"` entry of a `Link` header (RFC 8288), such as
 * `</v2/_catalog?last=b&n=2>; rel="next"`, or undefined on the last page.
 */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;

  for (const entry of header.split(/,(?=\s*<)/)) {
    const match = entry.match(/^\s*<([^>]*)>(.*)$/s);
    if (!match?.[1]) continue;

    const rel = match[2]?.match(/;\s*rel\s*=\s*"?([^";]+)"?/i)?.[1];
    if (rel?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

/** Reads the `last` query parameter of a next-page link, resolved against the registry URL. */
export function lastFromLink(link: string, baseUrl: string): string | undefined {
  return new URL(link, baseUrl).searchParams.get('last') ?? undefined;
}

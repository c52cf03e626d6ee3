import { createHash } from 'node:crypto';

/**
 * File names of stored results.
 *
 * The name is `<repository with every / replaced by _>_<tag>.json`. That mapping is not
 * one-to-one: `a/b:c`, `a_b:c` and `a:b_c` all map to `a_b_c.json`. Berth resolves it this
 * way: every file records the repository and tag it belongs to, and the first image stored
 * under a name owns it. Another image whose name maps to the same file is stored as
 * `<name>~<first 12 hex digits of sha256("repository:tag")>.json`. Names from the reference
 * grammar never contain `~`, so that name cannot be the plain name of a third image. Readers
 * check the recorded repository and tag, so no image ever shows another image's file.
 */
export interface ImageName {
  repository: string;
  tag: string;
}

/** Returns `<repository with every / replaced by _>_<tag>.json`, the plain result file name. */
export function plainFileName(image: ImageName): string {
  return `${image.repository.replaceAll('/', '_')}_${image.tag}.json`;
}

/** Returns the file name used when the plain name belongs to another image. */
export function collisionFileName(image: ImageName): string {
  const hash = createHash('sha256').update(`${image.repository}:${image.tag}`).digest('hex');
  return `${plainFileName(image).slice(0, -'.json'.length)}~${hash.slice(0, 12)}.json`;
}

export function sameImage(left: ImageName, right: ImageName): boolean {
  return left.repository === right.repository && left.tag === right.tag;
}

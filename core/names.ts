/**
 * Repository and tag checks from the distribution reference grammar
 * (github.com/distribution/reference, `reference.go`). Every name is checked before any I/O.
 */

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The distribution reference grammar limits a repository name to 255 characters. */
export const MAX_REPOSITORY_LENGTH = 255;

export const REPOSITORY_RULE =
  'path components of lowercase letters and digits, joined by one "/", and separated inside ' +
  'a component by ".", "_", "__" or dashes, at most 255 characters';
export const TAG_RULE =
  'a letter, digit or "_" followed by up to 127 letters, digits, "_", "." or "-"';
export const DIGEST_RULE = '"sha256:" followed by 64 lowercase hex digits';

/** A name that breaks the reference grammar; the API turns it into a 400. */
export class InvalidNameError extends Error {
  constructor(
    readonly field: 'repository' | 'tag' | 'digest',
    readonly value: string,
    readonly rule: string,
  ) {
    // Long values are cut so an error never echoes kilobytes of a request back.
    const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
    super(`Invalid ${field} ${JSON.stringify(shown)}: expected ${rule}.`);
    this.name = 'InvalidNameError';
  }
}

// The checks take `unknown` because event payloads (queue messages, ECR events) reach them
// unchecked, and RegExp.test would turn a number into a string that passes.
export function isRepository(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= MAX_REPOSITORY_LENGTH && REPOSITORY.test(value)
  );
}

export function isTag(value: unknown): value is string {
  return typeof value === 'string' && TAG.test(value);
}

export function isSha256Digest(value: unknown): value is string {
  return typeof value === 'string' && SHA256_DIGEST.test(value);
}

/** Throws InvalidNameError unless `value` is a valid repository name. */
export function checkRepository(value: string): string {
  if (!isRepository(value)) throw new InvalidNameError('repository', value, REPOSITORY_RULE);
  return value;
}

/** Throws InvalidNameError unless `value` is a valid tag. */
export function checkTag(value: string): string {
  if (!isTag(value)) throw new InvalidNameError('tag', value, TAG_RULE);
  return value;
}

/** Throws InvalidNameError unless `value` is a sha256 digest. */
export function checkDigest(value: string): string {
  if (!isSha256Digest(value)) throw new InvalidNameError('digest', value, DIGEST_RULE);
  return value;
}

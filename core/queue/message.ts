import { isRepository, isTag } from '../names';
import type { ScanMessage } from './port';

/** Parses a queue message body; returns the reason when it is not a valid ScanMessage. */
export function parseScanMessage(body: string): { message?: ScanMessage; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: 'message body is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { error: 'message is not an object' };

  const { scanId, repository, tag, queuedAt } = value as Record<string, unknown>;
  if (typeof scanId !== 'string' || scanId === '') return { error: 'scanId is missing' };
  if (typeof repository !== 'string' || !isRepository(repository)) {
    return { error: `repository ${JSON.stringify(repository)} is not a valid repository name` };
  }
  if (typeof tag !== 'string' || !isTag(tag)) {
    return { error: `tag ${JSON.stringify(tag)} is not a valid tag` };
  }
  if (typeof queuedAt !== 'string') return { error: 'queuedAt is missing' };
  return { message: { scanId, repository, tag, queuedAt } };
}

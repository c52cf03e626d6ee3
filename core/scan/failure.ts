/** File-system error codes that mean the data directory cannot be written. */
const STORAGE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);

/** Returns what to do about a storage error, or undefined for any other error. */
export function storageHint(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !STORAGE_CODES.has(code)) return undefined;
  return 'Check that DATA_DIR is writable by the Berth process and that its disk has free space.';
}

/** Returns the reason recorded on a failed scan: the error's message and its hint, if any. */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return `Scan failed: ${String(error)}`;

  const { reason } = error as Error & { reason?: unknown };
  const hint = (error as Error & { hint?: unknown }).hint ?? storageHint(error);
  const text = typeof reason === 'string' && reason !== '' ? reason : error.message;
  if (typeof hint === 'string' && hint !== '' && !text.includes(hint)) return `${text} ${hint}`;
  return text;
}

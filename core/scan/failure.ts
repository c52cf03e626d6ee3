/** The reason recorded on a failed scan: the error's message, with its hint when it has one. */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return `Scan failed: ${String(error)}`;

  const { reason, hint } = error as Error & { reason?: unknown; hint?: unknown };
  const text = typeof reason === 'string' && reason !== '' ? reason : error.message;
  if (typeof hint === 'string' && hint !== '' && !text.includes(hint)) return `${text} ${hint}`;
  return text;
}

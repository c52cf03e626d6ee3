/** Kind of registry failure, a closed set that the API and UI branch on. */
export type RegistryErrorKind =
  | 'unreachable'
  | 'unauthorized'
  | 'not-found'
  | 'deletion-disabled'
  | 'invalid-response';

/** The request a registry error belongs to, used to build its message. */
export interface RequestContext {
  /** Verb phrase for the failed step, such as "get manifest" or "list tags". */
  operation: string;
  repository?: string;
  /** Tag or digest. */
  reference?: string;
}

/** One entry of the `errors` array in a Distribution error body. */
interface RegistryErrorEntry {
  code?: string;
  message?: string;
}

const HINTS: Record<RegistryErrorKind, string> = {
  unreachable: 'Check REGISTRY_URL and that the registry is running and reachable from this host.',
  unauthorized:
    'Check REGISTRY_USERNAME and REGISTRY_PASSWORD, and that the account may access this repository.',
  'not-found':
    'Check the repository name and tag, because the tag may have been deleted or never pushed.',
  'deletion-disabled':
    'Enable deletes in the registry configuration (storage.delete.enabled: true, or ' +
    'REGISTRY_STORAGE_DELETE_ENABLED=true) and restart the registry.',
  'invalid-response':
    'Check that REGISTRY_URL points to a Docker Distribution or OCI registry API (the /v2/ endpoint).',
};

/** A failed registry request; the message names the registry, repository and reference. */
export class RegistryError extends Error {
  /** Advice for the caller: the setting to check or the step to take. */
  readonly hint: string;

  /** HTTP status of the registry response, absent when there was no response. */
  readonly status: number | undefined;

  /** Distribution error code such as MANIFEST_UNKNOWN, when the body carried one. */
  readonly code: string | undefined;

  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly registryUrl: string,
    options: { status?: number; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'RegistryError';
    this.status = options.status;
    this.code = options.code;
    this.hint = HINTS[kind];
  }
}

/** Formats `repository:tag`, `repository@digest` or the bare repository for messages. */
export function describeTarget(context: RequestContext): string {
  const { repository, reference } = context;
  if (!repository) return '';
  if (!reference) return ` ${repository}`;
  const separator = reference.startsWith('sha256:') ? '@' : ':';
  return ` ${repository}${separator}${reference}`;
}

/** Maps an HTTP status and Distribution error code to an error kind. */
export function kindForStatus(status: number, code?: string): RegistryErrorKind {
  if (code === 'UNSUPPORTED' && status === 405) return 'deletion-disabled';
  if (code === 'NAME_UNKNOWN' || code === 'MANIFEST_UNKNOWN' || code === 'BLOB_UNKNOWN') {
    return 'not-found';
  }
  if (code === 'UNAUTHORIZED' || code === 'DENIED') return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'unauthorized';

  // A proxy in front of the registry returns these when the registry itself is down.
  if (status === 502 || status === 503 || status === 504) return 'unreachable';
  return 'invalid-response';
}

/** Builds the RegistryError for a response that is not 2xx, reading its error body. */
export async function errorFromResponse(
  response: Response,
  registryUrl: string,
  context: RequestContext,
): Promise<RegistryError> {
  const entry = await readErrorEntry(response);
  const kind = kindForStatus(response.status, entry?.code);

  const reason = entry?.code
    ? [entry.code, entry.message].filter(Boolean).join(': ')
    : response.statusText;
  const message =
    `Failed to ${context.operation}${describeTarget(context)} on registry ${registryUrl}: ` +
    `HTTP ${response.status}${reason ? `, ${reason}` : ''}.`;
  return new RegistryError(kind, message, registryUrl, {
    status: response.status,
    code: entry?.code,
  });
}

/** Builds the error for a request that got no response because it was refused, reset or timed out. */
export function unreachableError(
  cause: unknown,
  registryUrl: string,
  context: RequestContext,
  timeoutMs: number,
): RegistryError {
  const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
  const detail = timedOut ? `no response within ${timeoutMs} ms` : networkReason(cause);
  const message =
    `Failed to ${context.operation}${describeTarget(context)}: registry ${registryUrl} ` +
    `is unreachable (${detail}).`;
  return new RegistryError('unreachable', message, registryUrl, { cause });
}

/** Builds the error for a 2xx response whose body or headers break the protocol. */
export function invalidResponseError(
  problem: string,
  registryUrl: string,
  context: RequestContext,
): RegistryError {
  const message =
    `Failed to ${context.operation}${describeTarget(context)} on registry ${registryUrl}: ` +
    `${problem}.`;
  return new RegistryError('invalid-response', message, registryUrl);
}

/** Reads the first `{code, message}` of a Distribution error body, if the body has one. */
async function readErrorEntry(response: Response): Promise<RegistryErrorEntry | undefined> {
  try {
    const body = (await response.json()) as { errors?: RegistryErrorEntry[] };
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
    if (!first) return undefined;

    return {
      code: typeof first.code === 'string' ? first.code : undefined,
      message: typeof first.message === 'string' ? first.message : undefined,
    };
  } catch {
    // Bodies that are empty or not JSON (a proxy's HTML page) carry no registry code.
    return undefined;
  }
}

/** Returns the system error code (ECONNREFUSED, ENOTFOUND...) behind a failed fetch. */
function networkReason(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined;
  if (inner && typeof inner.code === 'string') return inner.code;
  if (inner && typeof inner.message === 'string') return inner.message;
  return cause.message;
}

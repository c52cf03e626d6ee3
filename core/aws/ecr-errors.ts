import type { ImageFailure } from '@aws-sdk/client-ecr';
import {
  describeTarget,
  RegistryError,
  type RegistryErrorKind,
  type RequestContext,
} from '../registry/errors';
import { describeError, errorName, httpStatus, isThrottling } from './sdk-errors';

const NOT_FOUND = new Set([
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'ImageNotFound',
]);

const UNAUTHORIZED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Turns a failed ECR API call, or a BatchDeleteImage failure entry, into a RegistryError
 * whose message names the operation, the image and the registry.
 */
export function ecrError(
  error: unknown,
  context: RequestContext,
  registryLabel: string,
): RegistryError {
  const failure = isImageFailure(error) ? error : undefined;
  const code = failure ? failure.failureCode : errorName(error);
  const detail = failure
    ? [failure.failureCode, failure.failureReason].filter(Boolean).join(': ')
    : describeError(error);

  const message = `Failed to ${context.operation}${describeTarget(context)} on ${registryLabel}: ${detail}.`;
  return new RegistryError(kindOf(code, error), message, registryLabel, {
    status: failure ? undefined : httpStatus(error),
    code,
    cause: failure ? undefined : error,
  });
}

function kindOf(code: string | undefined, error: unknown): RegistryErrorKind {
  if (code && NOT_FOUND.has(code)) return 'not-found';
  if (code && UNAUTHORIZED.has(code)) return 'unauthorized';
  if (isThrottling(error)) return 'unreachable';

  const status = httpStatus(error);
  if (status !== undefined && status >= 500) return 'unreachable';
  if (status === undefined && isNetworkError(error)) return 'unreachable';
  return 'invalid-response';
}

/**
 * Tells whether the request got no response: the SDK puts `$metadata` without a status on
 * such errors, and Node sets a system error code.
 */
function isNetworkError(error: unknown): boolean {
  const shape = error as { $metadata?: unknown; code?: unknown; name?: unknown } | null;
  if (shape?.$metadata !== undefined) return true;
  if (shape?.name === 'TimeoutError') return true;
  return typeof shape?.code === 'string' && NETWORK_CODES.has(shape.code);
}

function isImageFailure(value: unknown): value is ImageFailure {
  return typeof value === 'object' && value !== null && 'failureCode' in value;
}

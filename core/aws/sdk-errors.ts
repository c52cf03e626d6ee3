/** The fields of an AWS SDK v3 service exception that Berth reads. */
interface ServiceErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/**
 * Error names that the SDK's standard retry strategy treats as throttling (the list in
 * `@smithy/core`, retry/service-error-classification), so callers agree with its retries.
 */
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);

/** Returns the exception name of an SDK error (such as `NoSuchKey`), or undefined. */
export function errorName(error: unknown): string | undefined {
  const name = (error as ServiceErrorShape | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Returns the HTTP status of the response behind an SDK error, or undefined. */
export function httpStatus(error: unknown): number | undefined {
  return (error as ServiceErrorShape | null)?.$metadata?.httpStatusCode;
}

/** Tells whether an SDK error is a throttling error that outlasted the SDK's retries. */
export function isThrottling(error: unknown): boolean {
  const shape = error as ServiceErrorShape | null;
  if (shape?.$retryable?.throttling === true) return true;
  if (httpStatus(error) === 429) return true;
  return THROTTLING_NAMES.has(errorName(error) ?? '');
}

/** Formats an SDK error for a message: `Name: message`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message && error.message !== error.name
    ? `${error.name}: ${error.message}`
    : error.name;
}
